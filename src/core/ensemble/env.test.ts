/** The single-asset PositionEnv: the ensemble's backtest rule step by step, its state, rewards and windows. */
import { describe, expect, it } from 'vitest';
import { splitSpecOf } from '../experiment/config.ts';
import { PositionEnv, policyBacktest } from './env.ts';
import { analyseEnsemble, backtestEnsemble, buildEnsembleDataset, STATE_DIM } from './index.ts';
import { randomPanel } from './testing.ts';

const panel = randomPanel(320, 1, 11);
const split = splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, panel.dates);
const analysis = analyseEnsemble(panel, split, null);

describe('PositionEnv', () => {
  it('replaying the ensemble’s decisions reproduces its backtest and shows exactly the dataset’s states', async () => {
    const runs = backtestEnsemble(analysis);
    const ds = buildEnsembleDataset(analysis, runs);
    let row = 0;
    for (const run of runs) {
      const { start, end } = run.rows;
      const seen: Float32Array[] = [];
      const res = await policyBacktest(analysis, run.rows, (obs) => {
        seen.push(Float32Array.from(obs));
        const t = start + seen.length - 1;
        return { action: analysis.decisions.action[t], strength: analysis.decisions.strength[t] };
      });
      expect(seen.length).toBe(end - start);
      for (let k = 0; k < seen.length; k++) {
        // The book is the same up to float rounding (the env keeps one asset's cash and shares).
        const want = ds.X.subarray((row + k) * STATE_DIM, (row + k + 1) * STATE_DIM);
        for (let f = 0; f < STATE_DIM; f++) expect(Math.abs(seen[k][f] - want[f])).toBeLessThan(1e-6);
      }
      row += seen.length;
      const e = run.ensemble.equity;
      // Equal up to the strengths' Float32 rounding (the env's action array).
      for (let k = 0; k < e.length; k++)
        expect(Math.abs(res.backtest.equity[k] / e[k] - 1)).toBeLessThan(1e-7);
      // Σ rewards = log(pre-trade value of the last row / initial cash) = log((equity + fees) / cash).
      const b = res.backtest;
      const last = e.length - 1;
      expect(res.logReturn).toBeCloseTo(
        Math.log((b.equity[last] + b.fees[last]) / analysis.config.initialCash),
        12,
      );
    }
  });

  it('the env’s book: an always-long env earns the asset’s log return less the entry fee; windows stay inside the range', () => {
    const range = analysis.splitRows.train;
    const env = new PositionEnv(analysis, { range, riskCap: false });
    const { obs } = env.reset();
    expect(obs[STATE_DIM - 10]).toBe(0); // position
    let sum = 0;
    let steps = 0;
    let r;
    do {
      r = env.step(Float32Array.of(1, 1));
      sum += r.reward;
      steps++;
    } while (!r.truncated && !r.terminated);
    expect(steps).toBe(range.end - range.start - 1);
    const p0 = panel.close[range.start];
    const p1 = panel.close[range.end - 1];
    const fee = analysis.config.fee;
    // One entry trade at the first close: V' = V / (1 + fee), then the price ratio.
    expect(sum).toBeCloseTo(Math.log(p1 / p0) - Math.log(1 + fee), 10);
    expect(() => env.step(Float32Array.of(0, 0))).toThrow(/reset/);

    const w = new PositionEnv(analysis, { range, episodeLength: 50, seed: 3 });
    const firsts = new Set<number>();
    for (let e = 0; e < 20; e++) {
      w.reset();
      const { first, end } = w.window;
      firsts.add(first);
      expect(first).toBeGreaterThanOrEqual(range.start);
      expect(end).toBeLessThanOrEqual(range.end);
      expect(end - first).toBe(50);
    }
    expect(firsts.size).toBeGreaterThan(5);
    expect(() => new PositionEnv(analysis, { range, episodeLength: 1 })).toThrow(/episodeLength/);
  });
});
