import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTestFeatureSet } from './testing.ts';
import { BUY, HOLD, SELL, TradingEnv } from './trading.ts';
import type { TradingEnvConfig, TradingInfo } from './trading.ts';

/**
 * Invariants of TradingEnv's accounting on random price panels, configs and action sequences,
 * each recomputed here from the prices and the previous state rather than read back from the env.
 */

const REL = 1e-9;
const near = (a: number, b: number, scale: number) => Math.abs(a - b) <= REL * Math.max(1, Math.abs(scale));

/** Price panel: start prices and daily multipliers, with exact ±10% days so limit rules bite. */
const panelArb = fc
  .record({ nAssets: fc.integer({ min: 1, max: 4 }), nRows: fc.integer({ min: 3, max: 24 }) })
  .chain(({ nAssets, nRows }) =>
    fc.record({
      start: fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), {
        minLength: nAssets,
        maxLength: nAssets,
      }),
      moves: fc.array(
        fc.array(fc.oneof(fc.constantFrom(0.9, 1.1, 1), fc.double({ min: 0.8, max: 1.25, noNaN: true })), {
          minLength: nAssets,
          maxLength: nAssets,
        }),
        { minLength: nRows - 1, maxLength: nRows - 1 },
      ),
    }),
  )
  .map(({ start, moves }) => {
    const rows = [start];
    for (const m of moves) rows.push(rows[rows.length - 1].map((p, i) => p * m[i]));
    return rows;
  });

const configArb: fc.Arbitrary<Partial<TradingEnvConfig>> = fc.record({
  initialCash: fc.double({ min: 100, max: 1e7, noNaN: true }),
  buyPct: fc.oneof(fc.constant(0.2), fc.constant(1), fc.double({ min: 0.01, max: 1, noNaN: true })),
  sellPct: fc.oneof(fc.constant(0.5), fc.constant(1), fc.double({ min: 0.01, max: 1, noNaN: true })),
  feeRate: fc.constantFrom(0, 0.0005, 0.01),
  slippageBps: fc.constantFrom(0, 5, 50),
  fractionalShares: fc.boolean(),
  minOrderValue: fc.constantFrom(0, 0, 50),
  limitPct: fc.constantFrom(null, 0.1, 0.05),
  buyAllocation: fc.constantFrom('equal-split' as const, 'sequential' as const),
  reward: fc.constantFrom('return' as const, 'log' as const),
});

const actionsArb = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 24 * 4, maxLength: 24 * 4 });

interface Run {
  env: TradingEnv;
  close: Float64Array;
  N: number;
}

function setup(prices: number[][], cfg: Partial<TradingEnvConfig>): Run {
  const fs = makeTestFeatureSet(prices, { nFeatures: 1 });
  return { env: new TradingEnv(fs, { ...cfg, window: 1 }), close: fs.close, N: prices[0].length };
}

describe('TradingEnv invariants (fast-check)', () => {
  it('cash ≥ 0, positions ≥ 0, P = cash + Σ pos·close, exact fees and cash flows, reward from P', () => {
    fc.assert(
      fc.property(panelArb, configArb, actionsArb, (prices, cfg, codes) => {
        const { env, close, N } = setup(prices, cfg);
        const c = env.config;
        let prev: TradingInfo = env.reset().info;
        for (let k = 0; ; k++) {
          const action = Int32Array.from({ length: N }, (_, i) => codes[(k * N + i) % codes.length]);
          const t = prev.t;
          const { info, reward, terminated, truncated } = env.step(action);
          expect(info.t).toBe(t + 1);

          let expectedCash = prev.cash;
          let notional = 0;
          let buysDone = 0;
          let sellProceeds = 0;
          for (let i = 0; i < N; i++) {
            const q = info.positions[i] - prev.positions[i];
            expect(near(q, info.executedQty[i], prev.positions[i] + info.positions[i])).toBe(true);
            expect(info.positions[i]).toBeGreaterThanOrEqual(0);
            if (!c.fractionalShares) expect(Number.isInteger(info.positions[i])).toBe(true);
            const price = close[t * N + i];
            if (q > 0) {
              expect(action[i]).toBe(BUY);
              const pe = price * (1 + c.slippageBps / 1e4);
              expectedCash -= q * pe * (1 + c.feeRate);
              notional += q * pe;
              buysDone++;
              if (c.limitPct !== null && t > 0)
                expect(price < close[(t - 1) * N + i] * (1 + c.limitPct)).toBe(true);
            } else if (q < 0) {
              expect(action[i]).toBe(SELL);
              const pe = price * (1 - c.slippageBps / 1e4);
              expectedCash += -q * pe * (1 - c.feeRate);
              sellProceeds += -q * pe * (1 - c.feeRate);
              notional += -q * pe;
              if (c.limitPct !== null && t > 0)
                expect(price > close[(t - 1) * N + i] * (1 - c.limitPct)).toBe(true);
            }
            // Masks are sound: a masked order never runs; an allowed SELL always does.
            if (action[i] === SELL && prev.actionMask[3 * i + SELL]) expect(q).toBeLessThan(0);
            if (action[i] === SELL && !prev.actionMask[3 * i + SELL]) expect(q).toBe(0);
            // Exactly: the env skips dust orders (cash left by sells ~1e-12 above what the mask saw).
            if (action[i] === BUY && !prev.actionMask[3 * i + BUY]) expect(q).toBe(0);
          }
          // With nothing to sell, the BUY mask is exact for a lone buy.
          const lone = action.filter((a) => a === BUY).length === 1 && prev.positions.every((p) => p === 0);
          for (let i = 0; i < N; i++)
            if (lone && action[i] === BUY && prev.actionMask[3 * i + BUY])
              expect(info.executedQty[i]).toBeGreaterThan(0);

          expect(info.cash).toBeGreaterThanOrEqual(0);
          expect(near(info.cash, expectedCash, prev.portfolioValue)).toBe(true);
          expect(near(info.tradedNotional, notional, prev.portfolioValue)).toBe(true);
          expect(near(info.fees, c.feeRate * info.tradedNotional, prev.portfolioValue)).toBe(true);
          const requested = action.filter((a) => a !== HOLD).length;
          expect(info.trades + info.skipped).toBe(requested);
          if (c.fractionalShares && c.minOrderValue === 0 && c.buyPct < 1) {
            // k fee-inclusive buys leave (1 − buyPct)^k of the cash after sells, in either allocation.
            expect(
              near(
                info.cash,
                (prev.cash + sellProceeds) * Math.pow(1 - c.buyPct, buysDone),
                prev.portfolioValue,
              ),
            ).toBe(true);
          }

          let value = info.cash;
          for (let i = 0; i < N; i++) value += info.positions[i] * close[info.t * N + i];
          expect(near(info.portfolioValue, value, value)).toBe(true);
          const expectedReward =
            c.reward === 'log' ? Math.log(value / prev.portfolioValue) : value / prev.portfolioValue - 1;
          expect(reward).toBeCloseTo(expectedReward, 10);
          const p = info.rewardParts;
          expect(p.market + p.fee + p.slippage).toBeCloseTo(reward, 10);
          expect(p.fee).toBeLessThanOrEqual(0);
          expect(p.slippage).toBeLessThanOrEqual(0);
          prev = info;
          if (terminated || truncated) {
            expect(terminated).toBe(info.t === prices.length - 1);
            break;
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('HOLD-only: value stays initialCash; after trading, cash and shares freeze and P is them marked to market', () => {
    fc.assert(
      fc.property(
        panelArb,
        configArb,
        actionsArb,
        fc.integer({ min: 0, max: 6 }),
        (prices, cfg, codes, tradeSteps) => {
          const { env, close, N } = setup(prices, cfg);
          const start = env.reset().info;
          expect(start.portfolioValue).toBe(env.config.initialCash);
          const hold = new Int32Array(N);
          let info = start;
          let done = false;
          for (let k = 0; k < tradeSteps && !done; k++) {
            const r = env.step(Int32Array.from({ length: N }, (_, i) => codes[k * N + i]));
            info = r.info;
            done = r.terminated;
          }
          const frozenCash = info.cash;
          const frozen = Float64Array.from(info.positions);
          while (!done) {
            const r = env.step(hold);
            done = r.terminated;
            expect(r.info.cash).toBe(frozenCash);
            expect(Array.from(r.info.positions)).toEqual(Array.from(frozen));
            expect(r.info.fees).toBe(0);
            let value = frozenCash;
            for (let i = 0; i < N; i++) value += frozen[i] * close[r.info.t * N + i];
            expect(near(r.info.portfolioValue, value, value)).toBe(true);
            if (tradeSteps === 0) expect(r.info.portfolioValue).toBe(env.config.initialCash);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('limit rules: orders at the limit are skipped, counted and masked; never a buy at limit-up or a sell at limit-down', () => {
    fc.assert(
      fc.property(panelArb, fc.constantFrom(0.1, 0.05), actionsArb, (prices, limitPct, codes) => {
        const { env, close, N } = setup(prices, { limitPct, initialCash: 1e5 });
        let prev = env.reset().info;
        let done = false;
        for (let k = 0; !done; k++) {
          const action = Int32Array.from({ length: N }, (_, i) => codes[(k * N + i) % codes.length]);
          const t = prev.t;
          let atLimit = 0;
          for (let i = 0; i < N; i++) {
            if (t === 0) continue;
            const ratio = close[t * N + i] / close[(t - 1) * N + i];
            const up = ratio >= 1 + limitPct - 1e-12;
            const down = ratio <= 1 - limitPct + 1e-12;
            if (up) expect(prev.actionMask[3 * i + BUY]).toBe(0);
            if (down) expect(prev.actionMask[3 * i + SELL]).toBe(0);
            if ((up && action[i] === BUY) || (down && action[i] === SELL)) atLimit++;
          }
          const r = env.step(action);
          for (let i = 0; i < N; i++) {
            if (t === 0) continue;
            const ratio = close[t * N + i] / close[(t - 1) * N + i];
            if (ratio >= 1 + limitPct - 1e-12) expect(r.info.executedQty[i]).toBeLessThanOrEqual(0);
            if (ratio <= 1 - limitPct + 1e-12) expect(r.info.executedQty[i]).toBeGreaterThanOrEqual(0);
          }
          expect(r.info.skippedByLimit).toBe(atLimit);
          prev = r.info;
          done = r.terminated;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('equal-split buying is order-free: permuting the assets permutes the result', () => {
    fc.assert(
      fc.property(panelArb, configArb, actionsArb, (prices, cfg, codes) => {
        const N = prices[0].length;
        const perm = Array.from({ length: N }, (_, i) => N - 1 - i);
        const a = setup(prices, { ...cfg, buyAllocation: 'equal-split' }).env;
        const b = setup(
          prices.map((row) => perm.map((j) => row[j])),
          { ...cfg, buyAllocation: 'equal-split' },
        ).env;
        a.reset();
        b.reset();
        for (let k = 0; ; k++) {
          const act = Int32Array.from({ length: N }, (_, i) => codes[(k * N + i) % codes.length]);
          const ra = a.step(act);
          const rb = b.step(Int32Array.from(perm, (j) => act[j]));
          // Sums in a different order round differently: compare to 1e-9, not bit for bit.
          expect(near(ra.info.portfolioValue, rb.info.portfolioValue, ra.info.portfolioValue)).toBe(true);
          for (let i = 0; i < N; i++)
            expect(near(ra.info.positions[perm[i]], rb.info.positions[i], ra.info.positions[perm[i]])).toBe(
              true,
            );
          if (ra.terminated) break;
        }
      }),
      { numRuns: 60 },
    );
  });
});
