/**
 * The styles table reads an evaluation's weights through positionsHeldFrom: a book that buys after
 * an up close and sells after a down close, run through the real market env and evaluation, must
 * score momentum ≈ +1, and the contrarian ≈ −1. Fed the raw weights (held over date i, decided the
 * day before), the same trend follower scores only the autocorrelation of the returns, ≈ 0 here.
 */
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../data/synthetic.ts';
import { BUY, SELL } from '../envs/trading.ts';
import { evaluateSplit, type Predictor } from '../experiment/evaluation.ts';
import { prepareExperiment } from '../experiment/run.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { positionsHeldFrom } from './evaluate.ts';
import { expertStyle } from './regimeProof.ts';

const start = unflatten(getWorkflow('hierarchical').start) as { data: { config: Record<string, unknown> } };
// One regime without autocorrelation: yesterday's move says nothing of today's.
const data = { kind: 'synthetic', config: { ...start.data.config, days: 600, regimes: 1 } };

/** Acts on the close of the row it is at (rows advance by one per call from `first`). */
function byLastMove(close: Float64Array, first: number, follow: boolean): Predictor {
  let t = first;
  return {
    async predict() {
      const up = close[t] > close[t - 1];
      t++;
      return Int32Array.of(up === follow ? BUY : SELL);
    },
  };
}

describe('hierarchical evaluation: expert styles', () => {
  it('a trend follower through the real env scores momentum ≈ +1, a contrarian ≈ −1', async () => {
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const fs = prep.features;
    const first = prep.makeEvalEnv('train').reset({}).info.t as number;
    const eo = { annualization: prep.annualization, costs: prep.costs, baselines: [] };
    const style = async (follow: boolean, shift: boolean) => {
      const ev = await evaluateSplit(
        byLastMove(fs.close, first, follow),
        prep.makeEvalEnv('train'),
        fs,
        'train',
        eo,
      );
      const rowOf = new Map(fs.dates.map((d, i) => [d, i]));
      const r = new Float64Array(ev.dates.length);
      for (let i = 1; i < ev.dates.length; i++)
        r[i] = fs.close[rowOf.get(ev.dates[i])!] / fs.close[rowOf.get(ev.dates[i - 1])!] - 1;
      const regime = new Int8Array(ev.dates.length);
      return expertStyle(shift ? positionsHeldFrom(ev.weights) : ev.weights, r, regime, 1).momentum[0];
    };
    expect(await style(true, true)).toBeGreaterThan(0.95);
    expect(await style(false, true)).toBeLessThan(-0.95);
    // The unshifted weights were decided before the return they are compared with.
    expect(Math.abs(await style(true, false))).toBeLessThan(0.2);
  });
});
