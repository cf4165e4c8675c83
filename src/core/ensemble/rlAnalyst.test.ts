/** The BC policy as the 4th analyst: day-by-day states, the vote with its weight, and the failures that trigger the fallback. */
import { describe, expect, it } from 'vitest';
import { splitSpecOf } from '../experiment/config.ts';
import {
  BUY,
  HOLD,
  PolicyFailure,
  STATE_DIM,
  STATE_FEATURES,
  analyseEnsemble,
  backtestEnsemble,
  buildEnsembleDataset,
  ensembleWithPolicy,
  type PolicyFn,
} from './index.ts';
import { randomPanel } from './testing.ts';

const panel = randomPanel(300, 2, 7);
const split = splitSpecOf({ fractions: { train: 0.6, valid: 0.2 } }, panel.dates);
const analysis = analyseEnsemble(panel, split, null);
const N = panel.assets.length;

/** A policy that records every observation it is shown and answers `answer`. */
function recording(answer: (obs: Float32Array, rows: number) => ReturnType<PolicyFn>) {
  const seen: Float32Array[] = [];
  const fn: PolicyFn = (obs, rows) => {
    seen.push(Float32Array.from(obs));
    return answer(obs, rows);
  };
  return { fn, seen };
}

describe('the policy as the 4th analyst', () => {
  it('with weight 0 changes nothing, and is shown exactly the dataset’s states, day by day', () => {
    const runs = backtestEnsemble(analysis);
    const ds = buildEnsembleDataset(analysis, runs);
    const p = recording((_, rows) => ({
      action: new Int32Array(rows).fill(BUY),
      strength: new Float32Array(rows).fill(1),
    }));
    const w = ensembleWithPolicy(analysis, p.fn, 0);
    expect(Array.from(w.decisions.action)).toEqual(Array.from(analysis.decisions.action));
    expect(w.runs.map((r) => Array.from(r.ensemble.equity))).toEqual(
      runs.map((r) => Array.from(r.ensemble.equity)),
    );
    // One call per day of every split, N rows each; together they are the dataset's X.
    expect(p.seen.length * N).toBe(ds.size);
    const all = new Float32Array(ds.size * STATE_DIM);
    p.seen.forEach((o, k) => all.set(o, k * N * STATE_DIM));
    expect(all).toEqual(ds.X);
  });

  it('votes with its weight: a heavy always-BUY policy buys every day the risk analyst allows, and then sees its own position', () => {
    const p = recording((_, rows) => ({
      action: new Int32Array(rows).fill(BUY),
      strength: new Float32Array(rows).fill(1),
    }));
    const w = ensembleWithPolicy(analysis, p.fn, 1000);
    const valid = analysis.splitRows.valid;
    for (let t = valid.start; t < valid.end; t++)
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        if (w.decisions.cap[k] > 0) {
          expect(w.decisions.action[k]).toBe(BUY);
          expect(w.decisions.strength[k]).toBeCloseTo(w.decisions.score[k] * w.decisions.cap[k], 12);
          expect(w.decisions.score[k]).toBeGreaterThan(0.99);
        } else expect(w.decisions.action[k]).toBe(HOLD);
        expect(w.rl.action[k]).toBe(BUY);
      }
    // Path dependence: on the second day of a split the state holds the position the first day bought.
    const pos = STATE_FEATURES.indexOf('position');
    const firstValidCall = analysis.splitRows.valid.start - analysis.splitRows.train.start;
    const day2 = p.seen[firstValidCall + 1];
    const boughtDay1 = w.decisions.action[valid.start * N] === BUY;
    expect(boughtDay1).toBe(true);
    expect(day2[pos]).toBeGreaterThan(0);
    // The with-policy runs differ from the 3-analyst ones.
    const base = backtestEnsemble(analysis);
    expect(w.runs[1].ensemble.equity).not.toEqual(base[1].ensemble.equity);
  });

  it('a policy that throws or answers outside HOLD/BUY/SELL × [0, 1] is a PolicyFailure (the caller falls back)', () => {
    const bad =
      (action: number, strength: number): PolicyFn =>
      (_, rows) => ({
        action: new Int32Array(rows).fill(action),
        strength: new Float32Array(rows).fill(strength),
      });
    expect(() => ensembleWithPolicy(analysis, bad(3, 0.5))).toThrow(PolicyFailure);
    expect(() => ensembleWithPolicy(analysis, bad(BUY, NaN))).toThrow(/strength NaN/);
    expect(() =>
      ensembleWithPolicy(analysis, () => {
        throw new Error('model gone');
      }),
    ).toThrow(/the policy failed on \d{4}-\d\d-\d\d: model gone/);
  });
});
