/** The experts' shadow-book edge: a hand computation on a tiny market, and no future price in it. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Env, ResetResult, StepResult } from '../envs/types.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { prepareExperiment } from '../experiment/run.ts';
import { unflatten } from '../experiment/vocabulary.ts';
import { getWorkflow } from '../workflows/registry.ts';
import { edgeFeatures, EDGE_WINDOWS, shadowExcess } from './edgeFeatures.ts';
import { Hierarchy } from './train.ts';

/**
 * A one-asset market without costs: obs = [position, last return]; BUY (1) = all in, SELL (2) =
 * all out, HOLD (0) keeps the position; the book moves with the close while in.
 */
function tinyMarket(close: number[]): Env<Int32Array> {
  let t = 0;
  let pos = 0;
  let value = 1;
  const obs = () => Float32Array.of(pos, t > 0 ? close[t] / close[t - 1] - 1 : 0);
  const info = () => ({ t, portfolioValue: value });
  return {
    observationSpace: { kind: 'box', shape: [2], low: -Infinity, high: Infinity },
    actionSpace: { kind: 'multi-discrete', nvec: [3] },
    reset(): ResetResult {
      t = 0;
      pos = 0;
      value = 1;
      return { obs: obs(), info: info() };
    },
    step(a: Int32Array): StepResult {
      if (a[0] === 1) pos = 1;
      if (a[0] === 2) pos = 0;
      t++;
      value *= pos ? close[t] / close[t - 1] : 1;
      const done = t === close.length - 1;
      return { obs: obs(), reward: 0, terminated: done, truncated: false, info: info() };
    },
  };
}

/** Alternates by its own position: reads the shadow book's position from the observation. */
const alternate = (obs: Float32Array) => (obs[0] === 0 ? 1 : 2);
/** Momentum: in after an up day, out after a down day. */
const momentum = (obs: Float32Array) => (obs[1] > 0 ? 1 : 2);

function excessOf(close: number[], act: (obs: Float32Array) => number): Float64Array {
  const x = new Float64Array(close.length);
  shadowExcess(tinyMarket(close), act, close, x);
  return x;
}

describe('shadow-book edge features', () => {
  it('equal a hand computation on a tiny market (each expert with its own position)', () => {
    const close = [100, 110, 99, 99, 108.9, 120, 108, 108];
    // Alternating: in over days 0→1, 2→3, 4→5, 6→7, out otherwise; out, the excess is −log(P_s/P_{s−1}).
    const alt = excessOf(close, alternate);
    const L = Math.log;
    const want = [0, 0, -L(0.9), 0, -L(1.1), 0, -L(0.9), 0];
    want.forEach((w, i) => expect(alt[i]).toBeCloseTo(w, 12));
    // Momentum (out at day 0, no return yet): out over 0→1, in 1→2, out 2→3 and 3→4, in 4→5 and 5→6, out 6→7.
    const mom = excessOf(close, momentum);
    const wantMom = [0, -L(1.1), 0, -L(1), -L(1.1), 0, 0, -L(1)];
    wantMom.forEach((w, i) => expect(mom[i]).toBeCloseTo(w, 12));
    const sigma = 0.1;
    const f = edgeFeatures([alt, mom], 7, sigma);
    expect(EDGE_WINDOWS).toEqual([5, 20]);
    expect(f.length).toBe(4);
    // Short: rows 3..7; long: rows 0..7 (all there is).
    expect(f[0]).toBeCloseTo((-L(1.1) - L(0.9)) / (sigma * Math.sqrt(5)), 6);
    expect(f[1]).toBeCloseTo((-2 * L(0.9) - L(1.1)) / (sigma * Math.sqrt(20)), 6);
    expect(f[2]).toBeCloseTo(-L(1.1) / (sigma * Math.sqrt(5)), 6);
    expect(f[3]).toBeCloseTo((-2 * L(1.1)) / (sigma * Math.sqrt(20)), 6);
  });

  it('use no future prices: closes after row t change nothing at rows ≤ t', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 28 }),
        (r, other, t) => {
          const path = (rs: number[]) =>
            rs.reduce<number[]>((c, x) => [...c, c[c.length - 1] * Math.exp(x)], [100]);
          const a = path(r);
          const b = path([...r.slice(0, t), ...other.slice(t)]); // same closes up to row t
          for (let i = 0; i <= t; i++) expect(b[i]).toBe(a[i]);
          const xa = [excessOf(a, momentum), excessOf(a, alternate)];
          const xb = [excessOf(b, momentum), excessOf(b, alternate)];
          for (let s = 0; s <= t; s++)
            expect(Array.from(edgeFeatures(xb, s, 0.01))).toEqual(Array.from(edgeFeatures(xa, s, 0.01)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the router sees 2·K more features with hierarchical.routerSeesEdge', async () => {
    const start = unflatten(getWorkflow('hierarchical').start) as {
      data: { config: Record<string, unknown> };
    };
    const data = { kind: 'synthetic', config: { ...start.data.config, days: 300 } };
    const prep = await prepareExperiment({ ...start, data }, generateSynthetic(data.config).panel);
    const tiny = { numEnvs: 1, batchSize: 16, lookback: 20, hidden: 8 };
    const off = new Hierarchy(prep, tiny, 1);
    const on = new Hierarchy(prep, { ...tiny, routerSeesEdge: true }, 1);
    try {
      expect(on.shared.routerObsSize).toBe(off.shared.routerObsSize + 2 * 3);
      const t = prep.features.splits.test.end - 1;
      const o = on.routerObs(t);
      expect(Array.from(o.subarray(0, off.shared.routerObsSize))).toEqual(Array.from(off.routerObs(t)));
      expect(o.subarray(off.shared.routerObsSize).some((v) => v !== 0)).toBe(true);
    } finally {
      off.dispose();
      on.dispose();
    }
  });
});
