import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totalReturn } from '../metrics/stats.ts';
import { backtestWeights, type BacktestResult } from './backtest.ts';
import { parseStrategy, runBaseline } from './index.ts';
import { buyAndHold, equalWeight, maCrossover, randomBaseline, smaMatrix } from './strategies.ts';

/** [T × N] close matrix from per-row arrays. */
const matrix = (rows: number[][]) => Float64Array.from(rows.flat());

/** Closes of N assets following a seeded random walk, for property tests. */
const closeArb = (minT = 3, maxT = 40) =>
  fc.integer({ min: 1, max: 4 }).chain((N) =>
    fc
      .array(fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: N, maxLength: N }), {
        minLength: minT,
        maxLength: maxT,
      })
      .map((moves) => {
        const rows: number[][] = [];
        let prev = new Array<number>(N).fill(100);
        for (const m of moves) {
          prev = prev.map((p, i) => p * (1 + m[i]));
          rows.push(prev);
        }
        return { N, T: moves.length, close: matrix(rows) };
      }),
  );

function checkAccounting(r: BacktestResult, close: Float64Array): void {
  const N = r.nAssets;
  for (let k = 0; k < r.equity.length; k++) {
    const t = r.range.start + k;
    expect(r.cash[k]).toBeGreaterThanOrEqual(0);
    let v = r.cash[k];
    for (let i = 0; i < N; i++) {
      expect(r.positions[k * N + i]).toBeGreaterThanOrEqual(0);
      v += r.positions[k * N + i] * close[t * N + i];
    }
    expect(r.equity[k]).toBeCloseTo(v, 6);
  }
}

describe('buy-and-hold', () => {
  const close = matrix([
    [10, 20],
    [11, 18],
    [12.1, 19.8],
  ]);

  it('with no fee, equity is the average of the assets’ growth (hand-computed)', () => {
    const r = buyAndHold(close, 2, { fee: 0, initialCash: 1000 });
    // day 0: 500 in each; day 1: 500·1.1 + 500·0.9 = 1000; day 2: 500·1.21 + 500·0.99 = 1100.
    expect(Array.from(r.equity)).toEqual([1000, 1000, 1100].map((x) => expect.closeTo(x, 9)));
    expect(totalReturn(r.returns)).toBeCloseTo((0.21 + -0.01) / 2, 12);
    expect(r.trades).toBe(2);
    expect(Array.from(r.turnover)).toEqual([0.5, 0, 0]);
  });

  it('a fee f divides every equity value by exactly 1 + f (one purchase of Σw = 1)', () => {
    const f = 0.001;
    const free = buyAndHold(close, 2, { fee: 0 });
    const paid = buyAndHold(close, 2, { fee: f });
    for (let k = 0; k < 3; k++) expect(paid.equity[k]).toBeCloseTo(free.equity[k] / (1 + f), 6);
    expect(paid.totalFees).toBeCloseTo((f * 1e6) / (1 + f), 6);
    expect(paid.cash[0]).toBe(0);
  });

  it('buys at the first close of the range, not of the data', () => {
    const r = buyAndHold(close, 2, { fee: 0, initialCash: 1000, range: { start: 1, end: 3 } });
    expect(r.equity).toHaveLength(2);
    expect(r.positions[0]).toBeCloseTo(500 / 11, 12);
    expect(r.equity[1]).toBeCloseTo(500 * 1.1 + 500 * 1.1, 9);
  });
});

describe('equal weight', () => {
  // Asset A is cash-like (constant), B doubles and halves: buy-and-hold ends where it started.
  const close = matrix([
    [1, 1],
    [1, 2],
    [1, 1],
    [1, 2],
    [1, 1],
  ]);

  it('earns the rebalancing premium on an oscillating pair: (1.5 · 0.75)² − 1 = 26.5625%', () => {
    const bh = buyAndHold(close, 2, { fee: 0 });
    const ew = equalWeight(close, 2, { fee: 0 });
    expect(totalReturn(bh.returns)).toBeCloseTo(0, 12);
    expect(totalReturn(ew.returns)).toBeCloseTo(1.5 * 0.75 * 1.5 * 0.75 - 1, 12);
    expect(Array.from(ew.returns.subarray(1))).toEqual(
      [0.5, -0.25, 0.5, -0.25].map((x) => expect.closeTo(x, 12)),
    );
  });

  it('rebalances only every k rows when asked', () => {
    const drifting = matrix([
      [1, 1],
      [1, 2],
      [1, 2],
      [1, 4],
    ]);
    const ew2 = equalWeight(drifting, 2, { fee: 0, every: 2 });
    expect(ew2.trades).toBe(4); // rows 0 and 2
    expect(Array.from(ew2.turnover)).toEqual([0.5, 0, expect.closeTo(1 / 6, 12), 0]);
    expect(ew2.weights[3 * 2 + 1]).toBeCloseTo(2 / 3, 12); // drifted after row 2's rebalance
  });

  it('fees are exactly fee × traded notional, and equity drops by exactly the fees', () => {
    const fee = 0.002;
    const r = equalWeight(close, 2, { fee, initialCash: 1000 });
    const N = 2;
    for (let k = 0; k < r.equity.length; k++) {
      let traded = 0;
      let pre = k === 0 ? 1000 : r.cash[k - 1];
      for (let i = 0; i < N; i++) {
        const before = k === 0 ? 0 : r.positions[(k - 1) * N + i];
        traded += Math.abs(r.positions[k * N + i] - before) * close[k * N + i];
        pre += before * close[k * N + i];
      }
      expect(r.fees[k]).toBeCloseTo(fee * traded, 9);
      expect(r.equity[k]).toBeCloseTo(pre - r.fees[k], 9);
      expect(r.weights[k * N]).toBeCloseTo(0.5, 12);
    }
  });

  it('keeps cash ≥ 0, positions ≥ 0 and equity = cash + Σ shares·close (property)', () => {
    fc.assert(
      fc.property(closeArb(), fc.double({ min: 0, max: 0.01, noNaN: true }), ({ N, close: c }, fee) => {
        checkAccounting(equalWeight(c, N, { fee }), c);
      }),
      { numRuns: 50 },
    );
  });
});

describe('moving-average trend', () => {
  it('SMA is the plain mean of the last n closes', () => {
    const sma = smaMatrix(Float64Array.from([1, 2, 3, 4, 5]), 1, 3);
    expect(Number.isNaN(sma[1])).toBe(true);
    expect(Array.from(sma.subarray(2))).toEqual([2, 3, 4]);
  });

  it('goes long at close t when close_t > SMA_n(t), equal weight among longs, cash otherwise', () => {
    // Asset 0: 10, 11, 10.5, 12 → SMA2: –, 10.5, 10.75, 11.25 → long at rows 1, 3 (not 2: 10.5 < 10.75).
    // Asset 1: falling → never long.
    const close = matrix([
      [10, 50],
      [11, 49],
      [10.5, 48],
      [12, 47],
    ]);
    const r = maCrossover(close, 2, 2, { fee: 0, initialCash: 100 });
    expect(Array.from(r.weights)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(r.equity[2]).toBeCloseTo(100 * (10.5 / 11), 12);
    expect(r.equity[3]).toBeCloseTo(100 * (10.5 / 11), 12); // bought at close 3; no return yet
  });

  it('never looks ahead: changing closes after row t changes nothing at or before t (property)', () => {
    fc.assert(
      fc.property(
        closeArb(4),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        ({ N, T, close }, n, cut, factor) => {
          const t = cut % (T - 1);
          const changed = close.slice();
          for (let k = (t + 1) * N; k < changed.length; k++) changed[k] *= factor;
          const a = maCrossover(close, N, n, { fee: 0.001 });
          const b = maCrossover(changed, N, n, { fee: 0.001 });
          expect(Array.from(b.equity.subarray(0, t + 1))).toEqual(Array.from(a.equity.subarray(0, t + 1)));
          expect(Array.from(b.weights.subarray(0, (t + 1) * N))).toEqual(
            Array.from(a.weights.subarray(0, (t + 1) * N)),
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('random baseline (TradingEnv)', () => {
  const close = matrix(
    Array.from({ length: 30 }, (_, t) => [100 + 5 * Math.sin(t / 3), 50 + t, 20 * (1 + 0.1 * Math.cos(t))]),
  );

  it('is reproducible for a seed, different across seeds, and its accounting holds', () => {
    const a = randomBaseline(close, 3, { seed: 7 });
    const b = randomBaseline(close, 3, { seed: 7 });
    const c = randomBaseline(close, 3, { seed: 8 });
    expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
    expect(Array.from(a.equity)).not.toEqual(Array.from(c.equity));
    expect(a.trades).toBeGreaterThan(0);
    checkAccounting(a, close);
    // Fees are the env's 0.05% of traded notional: turnover·2·pre-trade value.
    for (let k = 1; k < a.equity.length - 1; k++) {
      const pre = a.equity[k] + a.fees[k];
      expect(a.fees[k]).toBeCloseTo(0.0005 * a.turnover[k] * 2 * pre, 6);
    }
  });

  it('runs over a sub-range; with no fee, trading at a close does not move the value', () => {
    const r = randomBaseline(close, 3, { seed: 1, fee: 0, range: { start: 5, end: 15 } });
    expect(r.equity).toHaveLength(10);
    expect(r.returns[0]).toBeCloseTo(0, 12);
  });
});

describe('backtester contract', () => {
  const close = matrix([
    [1, 1],
    [2, 2],
  ]);

  it('rejects shorting, leverage and bad ranges', () => {
    expect(() => backtestWeights(close, 2, () => Float64Array.from([-0.1, 0.5]))).toThrow(/≥ 0/);
    expect(() => backtestWeights(close, 2, () => Float64Array.from([0.7, 0.5]))).toThrow(/no leverage/);
    expect(() => backtestWeights(close, 2, () => null, { range: { start: 1, end: 1 } })).toThrow(/range/);
  });

  it('parses strategy names and runs them through one entry point', () => {
    expect(parseStrategy('ma:20')).toEqual({ kind: 'ma', n: 20 });
    expect(parseStrategy('equal-weight:5')).toEqual({ kind: 'equal-weight', every: 5 });
    expect(() => parseStrategy('momentum')).toThrow(/unknown strategy/);
    const r = runBaseline(parseStrategy('buy-and-hold'), close, 2, { fee: 0 });
    expect(r.strategy).toBe('buy-and-hold');
    expect(r.equity[1]).toBeCloseTo(2e6, 6);
  });
});
