/** Property tests (fast-check) of the metric invariants empyrical's own suite checks, and a few more. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateReturns } from './calendar.ts';
import { drawdownSeries, drawdownSummary, maxDrawdown } from './drawdown.ts';
import {
  annualReturn,
  calmarRatio,
  cumReturns,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
  winRate,
} from './stats.ts';

/** Daily-like simple returns, always > −1, optionally with NaN holes. */
const returnsArb = (min = 2, withNaN = false) =>
  fc
    .array(
      withNaN
        ? fc.oneof(
            { weight: 9, arbitrary: fc.double({ min: -0.5, max: 0.5, noNaN: true }) },
            { weight: 1, arbitrary: fc.constant(NaN) },
          )
        : fc.double({ min: -0.5, max: 0.5, noNaN: true }),
      {
        minLength: min,
        maxLength: 60,
      },
    )
    .map((xs) => Float64Array.from(xs));

/**
 * Returns on a basis-point grid with real dispersion, for the ratio tests: subnormal or 1e-60-sized
 * returns make Sharpe/Sortino ill-conditioned (x + c − c ≠ x flips a tiny loss to 0), which tests
 * floating point, not the metric.
 */
const dispersedArb = fc
  .array(fc.integer({ min: -5000, max: 5000 }), { minLength: 3, maxLength: 60 })
  .filter((bp) => Math.max(...bp) - Math.min(...bp) >= 10)
  .map((bp) => Float64Array.from(bp, (x) => x / 1e4));

const close = (a: number, b: number, rel = 1e-9) =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe('metric properties', () => {
  it('max drawdown is in [−1, 0] and the drawdown series never above 0', () => {
    fc.assert(
      fc.property(returnsArb(1, true), (r) => {
        const mdd = maxDrawdown(r);
        expect(mdd).toBeGreaterThanOrEqual(-1);
        expect(mdd).toBeLessThanOrEqual(0);
        for (const d of drawdownSeries(r)) {
          expect(d).toBeLessThanOrEqual(0);
          expect(d).toBeGreaterThanOrEqual(-1);
        }
        expect(drawdownSummary(r).maxDrawdown).toBe(mdd);
      }),
    );
  });

  it('constant positive returns never draw down', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 0.1, noNaN: true }),
        fc.integer({ min: 1, max: 300 }),
        (c, n) => {
          const r = new Float64Array(n).fill(c);
          expect(maxDrawdown(r)).toBe(0);
          expect(calmarRatio(r)).toBeNaN();
          expect(drawdownSummary(r).maxDuration).toBe(0);
        },
      ),
    );
  });

  it('Sharpe is scale invariant for rf = 0 and flips sign with the returns', () => {
    fc.assert(
      fc.property(dispersedArb, fc.double({ min: 0.01, max: 100, noNaN: true }), (r, k) => {
        const s = sharpeRatio(r);
        expect(close(sharpeRatio(r.map((x) => k * x)), s, 1e-7)).toBe(true);
        expect(close(sharpeRatio(r.map((x) => -x)), -s, 1e-9)).toBe(true);
      }),
    );
  });

  it('translating returns and the risk-free / required return together changes neither ratio', () => {
    fc.assert(
      fc.property(
        dispersedArb,
        fc.integer({ min: -100, max: 100 }).map((bp) => bp / 1e4),
        (r, c) => {
          const shifted = r.map((x) => x + c);
          expect(close(sharpeRatio(shifted, { riskFree: c }), sharpeRatio(r), 1e-6)).toBe(true);
          const a = sortinoRatio(shifted, { requiredReturn: c });
          const b = sortinoRatio(r);
          if (Number.isFinite(b)) expect(close(a, b, 1e-6)).toBe(true);
        },
      ),
    );
  });

  it('raising every return never deepens the max drawdown (empyrical test_max_drawdown_translation)', () => {
    fc.assert(
      fc.property(returnsArb(1), fc.double({ min: 0, max: 0.1, noNaN: true }), (r, c) => {
        const up = maxDrawdown(r.map((x) => x + c));
        expect(up).toBeGreaterThanOrEqual(maxDrawdown(r) - 1e-12);
      }),
    );
  });

  it('compounding agrees: total return = last cumulative return = product of monthly returns', () => {
    fc.assert(
      fc.property(returnsArb(1, true), (r) => {
        const total = totalReturn(r);
        expect(close(cumReturns(r)[r.length - 1], total)).toBe(true);
        const dates = Array.from(r, (_, t) =>
          new Date(Date.UTC(2020, 0, 1) + t * 86400000 * 3).toISOString().slice(0, 10),
        );
        const growth = aggregateReturns(dates, r, 'monthly').reduce((g, p) => g * (1 + p.return), 1);
        expect(close(growth - 1, total)).toBe(true);
      }),
    );
  });

  it('CAGR over exactly one year equals the total return; win rate is a fraction', () => {
    fc.assert(
      fc.property(returnsArb(12), (r) => {
        const m = r.subarray(0, 12);
        expect(close(annualReturn(m, { annualization: 12 }), totalReturn(m))).toBe(true);
        const w = winRate(r);
        if (!Number.isNaN(w)) {
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
