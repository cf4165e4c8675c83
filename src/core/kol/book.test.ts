/** The baseline book: a hand-computed example of the rules, the accounting, and fast-check properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baselineRawScore, baselineWeights, buyAndHoldReturns, runBook } from './book.ts';

const rows = (w: Float64Array, n: number) =>
  Array.from({ length: w.length / n }, (_, d) => Array.from(w.subarray(d * n, (d + 1) * n)));

describe('baselineWeights (seed 000 PortfolioLayer)', () => {
  it('matches a hand-computed example: decay, normalisation, cap', () => {
    const X = NaN; // not mentioned
    const scores = [
      [0.8, -0.3, X], // Σ|w| = 1.1 > 1 → /1.1 → 0.727, −0.273 → capped ±0.2
      [X, X, 0.1], // A, B keep yesterday × 0.5: 0.1, −0.1; C 0.1; Σ = 0.3 ≤ 1
      [-0.05, 0.9, X], // C 0.1 × 0.5 = 0.05; Σ = 1.0, not > 1 → no normalisation; B capped at 0.2
      [X, X, X], // everything decays: −0.025, 0.1, 0.025
      [0.6, 0.6, 0.6], // Σ = 1.8 → 1/3 each → capped 0.2
      [X, 0, X], // B mentioned with score 0 → 0 (closed); A, C decay
      [X, 0.9, 0.25], // A 0.05; Σ = 1.2 → /1.2: A 0.041667 (under the cap, so normalisation shows), B 0.75 → 0.2, C 0.2083 → 0.2
    ].flat();
    const w = baselineWeights(scores, 3, { maxWeight: 0.2, holdDecay: 0.5 });
    const expected = [
      [0.2, -0.2, 0],
      [0.1, -0.1, 0.1],
      [-0.05, 0.2, 0.05],
      [-0.025, 0.1, 0.025],
      [0.2, 0.2, 0.2],
      [0.1, 0, 0.1],
      [0.05 / 1.2, 0.2, 0.2],
    ];
    rows(w, 3).forEach((r, d) =>
      r.forEach((v, i) => expect(v, `day ${d} ticker ${i}`).toBeCloseTo(expected[d][i], 12)),
    );
  });

  it('hold_decay 1 keeps an unmentioned ticker, 0 closes it', () => {
    const X = NaN;
    const scores = [0.15, -0.1, X, X];
    expect(rows(baselineWeights(scores, 2, { maxWeight: 0.2, holdDecay: 1 }), 2)[1]).toEqual([0.15, -0.1]);
    expect(
      rows(baselineWeights(scores, 2, { maxWeight: 0.2, holdDecay: 0 }), 2)[1].map((v) => v + 0),
    ).toEqual([0, 0]);
  });

  it('the score is tanh(2 · sentiment · confidence)', () => {
    expect(baselineRawScore(0.5, 0.8)).toBeCloseTo(Math.tanh(0.8), 15);
    expect(baselineRawScore(-1, 1)).toBeCloseTo(-Math.tanh(2), 15);
    expect(baselineRawScore(0.9, 0)).toBe(0);
  });

  // Scaled integers: fc.double concentrates on tiny magnitudes, which never reach the cap or Σ|w| > 1.
  const unit = (lo: number) => fc.integer({ min: lo, max: 1000 }).map((k) => k / 1000);
  const cfgArb = fc.record({ maxWeight: unit(10), holdDecay: unit(0) });
  const daysArb = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.array(fc.option(unit(-1000), { nil: null, freq: 3 }), { minLength: n, maxLength: n }), {
        minLength: 1,
        maxLength: 12,
      }),
    ),
  );

  it('properties: |w| ≤ max_weight, Σ|w| ≤ 1, a mentioned ticker takes its score’s sign, an unmentioned one keeps its sign', () => {
    fc.assert(
      fc.property(cfgArb, daysArb, (cfg, [n, days]) => {
        const scores = days.flat().map((v) => (v === null ? NaN : v));
        const w = baselineWeights(scores, n, cfg);
        for (let d = 0; d < days.length; d++) {
          let gross = 0;
          for (let i = 0; i < n; i++) {
            const v = w[d * n + i];
            gross += Math.abs(v);
            expect(Math.abs(v)).toBeLessThanOrEqual(cfg.maxWeight + 1e-12);
            const s = days[d][i];
            if (s !== null) expect(Math.sign(v) === Math.sign(s) || v === 0).toBe(true);
            else {
              const prev = d > 0 ? w[(d - 1) * n + i] : 0;
              expect(Math.sign(v) === Math.sign(prev) || v === 0).toBe(true);
              expect(Math.abs(v)).toBeLessThanOrEqual(Math.abs(prev) * cfg.holdDecay + 1e-12);
            }
          }
          expect(gross).toBeLessThanOrEqual(1 + 1e-9);
        }
      }),
    );
  });

  it('property: a mentioned non-zero score never gives a weight of the opposite sign or zero', () => {
    fc.assert(
      fc.property(
        cfgArb,
        fc.array(
          unit(-1000).filter((x) => x !== 0),
          { minLength: 1, maxLength: 8 },
        ),
        (cfg, s) => {
          const w = baselineWeights(s, s.length, cfg);
          s.forEach((v, i) => expect(Math.sign(w[i])).toBe(Math.sign(v)));
        },
      ),
    );
  });
});

describe('runBook', () => {
  it('matches hand-computed accounting: held close to close, fees on turnover against drifted weights', () => {
    // A: 10 → 11 → 11, B: 20 → 20 → 10.
    const close = [10, 20, 11, 20, 11, 10];
    const weights = [0.2, -0.2, 0.2, 0];
    const r = runBook(weights, close, 2, 0, 0.001);
    const r0 = 0.2 * 0.1 - 0.2 * 0 - 0.001 * 0.4;
    expect(r.returns[0]).toBeCloseTo(r0, 15);
    const dA = (0.2 * 1.1) / (1 + r0);
    const dB = (-0.2 * 1) / (1 + r0);
    expect(Array.from(r.drifted.subarray(2, 4))).toEqual([dA, dB]);
    const traded = Math.abs(0.2 - dA) + Math.abs(0 - dB);
    expect(r.returns[1]).toBeCloseTo(0.2 * 0 + 0 * -0.5 - 0.001 * traded, 15);
    expect(r.turnover[0]).toBeCloseTo(0.2, 15);
    expect(r.turnover[1]).toBeCloseTo(traded / 2, 15);
    expect(r.equity[2]).toBeCloseTo((1 + r0) * (1 - 0.001 * traded), 15);
  });

  it('buy-and-hold: equal weights bought once with the fee, never rebalanced', () => {
    const close = [10, 20, 11, 20, 11, 10];
    const bh = buyAndHoldReturns(close, 2, 0, 2, 0.001);
    const v1 = ((1.1 + 1) / 2) * 0.999;
    const v2 = ((1.1 + 0.5) / 2) * 0.999;
    expect(bh[0]).toBeCloseTo(v1 - 1, 15);
    expect(bh[1]).toBeCloseTo(v2 / v1 - 1, 15);
  });

  it('refuses too few closes', () => {
    expect(() => runBook([0.1, 0.1], [1, 1, 1, 1], 2, 1, 0)).toThrow(/need 3 rows of closes/);
  });
});
