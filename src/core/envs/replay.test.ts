import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayActions } from './replay.ts';
import type { ClosePanel } from './replay.ts';
import { makeTestFeatureSet, randomWalkPrices } from './testing.ts';
import { BUY, HOLD, SELL, TradingEnv } from './trading.ts';

const panel: ClosePanel = {
  dates: ['2020-01-02', '2020-01-03', '2020-01-06'],
  assets: ['A', 'B'],
  close: Float64Array.from([10, 20, 11, 20, 12, 25]),
};

describe('replayActions', () => {
  it('writes end-of-day rows for the seed-003 example: post-trade cash, shares and value at each close', () => {
    const actions = new Map([
      ['2020-01-02', [BUY, HOLD]],
      ['2020-01-03', [SELL, BUY]],
    ]);
    const r = replayActions(panel, actions, { initialCash: 1000.5 });
    expect(r.dates).toEqual(panel.dates);
    // Day 1: 800.4 cash + 20 A at 10 = 1000.4 (the 0.1 fee gone).
    expect(r.cash[0]).toBeCloseTo(800.4, 10);
    expect(Array.from(r.shares.subarray(0, 2))).toEqual([expect.closeTo(20, 12), 0]);
    expect(r.value[0]).toBeCloseTo(1000.4, 10);
    expect(r.returns[0]).toBeCloseTo(1000.4 / 1000.5 - 1, 14);
    expect(r.fees[0]).toBeCloseTo(0.1, 12);
    expect(r.turnover[0]).toBeCloseTo(200 / 2 / 1000.5, 12);
    // Day 2: sell 10 A at 11, buy 9.0989… B at 20: 728.276 + 110 + 181.978… = 1020.254….
    expect(r.cash[1]).toBeCloseTo(728.276, 10);
    expect(r.value[1]).toBeCloseTo(728.276 + 110 + 181.97801099450274, 9);
    expect(r.fees[1]).toBeCloseTo(0.14598900549725136, 12);
    expect(r.trades[1]).toBe(2);
    // Last day: no orders; value = the env's final mark.
    expect(r.value[2]).toBeCloseTo(1075.7485137431283, 9);
    expect(r.totals.fees).toBeCloseTo(0.24598900549725136, 12);
    expect(r.unusedDates).toEqual([]);
  });

  it('holds on dates without actions and reports the dates it could not apply', () => {
    const actions = new Map([
      ['2020-01-01', [BUY, BUY]], // not in the data
      ['2020-01-06', [BUY, BUY]], // the last date: nothing to value a trade at
    ]);
    const r = replayActions(panel, actions);
    expect(r.totals.trades).toBe(0);
    expect(Array.from(r.value)).toEqual([1e6, 1e6, 1e6]);
    expect(r.unusedDates).toEqual(['2020-01-01', '2020-01-06']);
    expect(() => replayActions(panel, new Map([['2020-01-02', [BUY]]]))).toThrow(
      /2020-01-02 has 1 actions, expected one per asset \(2\)/,
    );
  });

  it('compounds to the same total as the env rewards and ends at the env value (any actions)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 15 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 45, maxLength: 45 }),
        (N, T, codes) => {
          const fs = makeTestFeatureSet(randomWalkPrices(T, N, T * 7 + N), { nFeatures: 1 });
          const actions = new Map(
            fs.dates.map((d, t) => [
              d,
              codes
                .slice(t * N, t * N + N)
                .concat(new Array(N).fill(HOLD))
                .slice(0, N),
            ]),
          );
          const r = replayActions(fs, actions, { feeRate: 0.001 });
          const env = new TradingEnv(fs, { window: 1, feeRate: 0.001 });
          env.reset();
          let final = 0;
          let growth = 1;
          for (let t = 0; t < T - 1; t++) {
            const s = env.step(Int32Array.from(actions.get(fs.dates[t])!));
            final = s.info.portfolioValue;
            growth *= 1 + s.reward;
          }
          expect(r.value[T - 1]).toBeCloseTo(final, 6);
          const compounded = r.returns.reduce((g, x) => g * (1 + x), 1);
          expect(compounded).toBeCloseTo(growth, 12);
          expect(compounded).toBeCloseTo(final / 1e6, 12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('replays a FeatureSet split (row range) from its first row', () => {
    const fs = makeTestFeatureSet(randomWalkPrices(10, 2, 1), {
      nFeatures: 3,
      splits: { test: { start: 6, end: 10 } },
    });
    const r = replayActions(fs, new Map([[fs.dates[6], [BUY, BUY]]]), { split: 'test' });
    expect(r.dates).toEqual(fs.dates.slice(6));
    expect(r.trades[0]).toBe(2);
  });
});
