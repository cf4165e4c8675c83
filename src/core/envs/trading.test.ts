import { describe, expect, it } from 'vitest';
import { checkEnv } from './check.ts';
import { makeTestFeatureSet, randomWalkPrices } from './testing.ts';
import { BUY, HOLD, SELL, TradingEnv } from './trading.ts';
import type { TradingInfo } from './trading.ts';

const act = (...codes: number[]) => Int32Array.from(codes);

describe('TradingEnv: the two-asset example of seed 003, by hand', () => {
  // Rows: A 10 → 11 → 12, B 20 → 20 → 25. Fee 0.05% of notional, budget fee-inclusive.
  const fs = makeTestFeatureSet(
    [
      [10, 20],
      [11, 20],
      [12, 25],
    ],
    { nFeatures: 1 },
  );

  it('buys 20% of cash, sells 50% of the position, charges exact fees and marks P at the next close', () => {
    const env = new TradingEnv(fs, { window: 1, initialCash: 1000.5 });
    const r0 = env.reset();
    expect(r0.info.portfolioValue).toBe(1000.5);
    expect(r0.info.date).toBe(fs.dates[0]);

    // Row 0: BUY A. Budget 0.2 × 1000.5 = 200.1 = notional 200 + fee 0.1 → 20 shares at 10.
    const s1 = env.step(act(BUY, HOLD));
    expect(s1.info.executedQty[0]).toBeCloseTo(20, 12);
    expect(s1.info.fees).toBeCloseTo(0.1, 12);
    expect(s1.info.tradedNotional).toBeCloseTo(200, 12);
    expect(s1.info.cash).toBeCloseTo(800.4, 10);
    // Marked at row 1: 800.4 + 20 × 11 = 1020.4.
    expect(s1.info.portfolioValue).toBeCloseTo(1020.4, 10);
    expect(s1.reward).toBeCloseTo(0.019890054972513744, 14);
    expect(s1.info.date).toBe(fs.dates[1]);
    expect(s1.terminated).toBe(false);

    // Row 1: SELL A first (10 shares × 11 = 110, fee 0.055 → cash 910.345), then BUY B with
    // 0.2 × 910.345 = 182.069 → notional 181.97801099450275, fee 0.09098900549725137.
    const s2 = env.step(act(SELL, BUY));
    expect(s2.info.executedQty[0]).toBeCloseTo(-10, 12);
    expect(s2.info.executedQty[1]).toBeCloseTo(9.098900549725137, 12);
    expect(s2.info.fees).toBeCloseTo(0.14598900549725136, 12);
    expect(s2.info.tradedNotional).toBeCloseTo(110 + 181.97801099450274, 10);
    expect(s2.info.cash).toBeCloseTo(728.276, 10);
    expect(Array.from(s2.info.positions)).toEqual([
      expect.closeTo(10, 12),
      expect.closeTo(9.098900549725137, 12),
    ]);
    // Marked at row 2: 728.276 + 10 × 12 + 9.0989… × 25.
    expect(s2.info.portfolioValue).toBeCloseTo(1075.7485137431283, 9);
    expect(s2.reward).toBeCloseTo(0.0542419774040851, 13);
    expect(s2.info.trades).toBe(2);
    // Row 2 is the last row: the data ran out.
    expect(s2.terminated).toBe(true);
    expect(s2.truncated).toBe(false);
    expect(() => env.step(act(HOLD, HOLD))).toThrow(/reset/);
  });

  it('splits the cash of simultaneous buys equally, spending what sequential buys would', () => {
    const equal = new TradingEnv(fs, { window: 1, initialCash: 1000, feeRate: 0 });
    equal.reset();
    const e = equal.step(act(BUY, BUY)).info;
    // k = 2: 1000 × (1 − 0.8²) = 360 spent, 180 each.
    expect(e.cash).toBeCloseTo(640, 10);
    expect(e.executedQty[0] * 10).toBeCloseTo(180, 10);
    expect(e.executedQty[1] * 20).toBeCloseTo(180, 10);

    const seq = new TradingEnv(fs, { window: 1, initialCash: 1000, feeRate: 0, buyAllocation: 'sequential' });
    seq.reset();
    const s = seq.step(act(BUY, BUY)).info;
    // Paper's loop: 200 on A, then 20% of the 800 left = 160 on B.
    expect(s.cash).toBeCloseTo(640, 10);
    expect(s.executedQty[0] * 10).toBeCloseTo(200, 10);
    expect(s.executedQty[1] * 20).toBeCloseTo(160, 10);
  });

  it('skips what cannot be done and counts it: SELL with no position', () => {
    const env = new TradingEnv(fs, { window: 1 });
    env.reset();
    const { info } = env.step(act(SELL, SELL));
    expect(info.skipped).toBe(2);
    expect(info.trades).toBe(0);
    expect(info.cash).toBe(1e6);
  });
});

describe('TradingEnv options', () => {
  it('whole shares floor buys and sell at least one share', () => {
    const fs = makeTestFeatureSet([[30], [30], [30], [30]], { nFeatures: 1 });
    const env = new TradingEnv(fs, { window: 1, initialCash: 1000, feeRate: 0, fractionalShares: false });
    env.reset();
    // 200 / 30 = 6.67 → 6 shares.
    const a = env.step(act(BUY)).info;
    expect(a.positions[0]).toBe(6);
    expect(a.cash).toBe(820);
    const b = env.step(act(SELL)).info;
    expect(b.positions[0]).toBe(3);
    // floor(0.5 × 3) = 1.
    const c = env.step(act(SELL)).info;
    expect(c.positions[0]).toBe(2);
  });

  it('whole shares: a budget below one share skips the BUY and masks it', () => {
    const fs = makeTestFeatureSet([[500], [500]], { nFeatures: 1 });
    const env = new TradingEnv(fs, { window: 1, initialCash: 1000, fractionalShares: false });
    const { info: r } = env.reset();
    expect(r.actionMask[BUY]).toBe(0);
    const { info } = env.step(act(BUY));
    expect(info.skipped).toBe(1);
    expect(info.cash).toBe(1000);
  });

  it('regression (fast-check): a BUY with no cash left stays allowed when a SELL in the same step can fund it', () => {
    const fs = makeTestFeatureSet(
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
      { nFeatures: 1 },
    );
    const env = new TradingEnv(fs, {
      window: 1,
      initialCash: 100,
      buyPct: 1,
      sellPct: 1,
      feeRate: 0,
      fractionalShares: false,
    });
    env.reset();
    const s1 = env.step(act(BUY, HOLD)).info;
    expect(s1.cash).toBe(0);
    expect(Array.from(s1.actionMask)).toEqual([1, 0, 1, 1, 1, 0]);
    const s2 = env.step(act(SELL, BUY)).info;
    expect(Array.from(s2.executedQty)).toEqual([-100, 100]);
  });

  it('slippage moves the execution price against the trader and shows in rewardParts', () => {
    const fs = makeTestFeatureSet([[100], [100], [100]], { nFeatures: 1 });
    const env = new TradingEnv(fs, { window: 1, initialCash: 1000, feeRate: 0.001, slippageBps: 10 });
    env.reset();
    const { info, reward } = env.step(act(BUY));
    // Execution at 100.1; notional = 200 / 1.001; shares = notional / 100.1.
    const notional = 200 / 1.001;
    expect(info.tradedNotional).toBeCloseTo(notional, 10);
    expect(info.positions[0]).toBeCloseTo(notional / 100.1, 12);
    expect(info.slippageCost).toBeCloseTo((notional / 100.1) * 0.1, 12);
    expect(info.rewardParts.fee).toBeCloseTo(-info.fees / 1000, 15);
    expect(info.rewardParts.slippage).toBeCloseTo(-info.slippageCost / 1000, 15);
    expect(info.rewardParts.market + info.rewardParts.fee + info.rewardParts.slippage).toBeCloseTo(
      reward,
      15,
    );
  });

  it('limit-up blocks buys, limit-down blocks sells, both counted and masked', () => {
    // Row 1: +10% (limit-up) for A, −10% (limit-down) for B.
    const fs = makeTestFeatureSet(
      [
        [10, 10],
        [10, 10],
        [11, 9],
        [11, 9],
      ],
      { nFeatures: 1 },
    );
    const env = new TradingEnv(fs, { window: 1, initialCash: 1000, limitPct: 0.1 });
    env.reset();
    const s0 = env.step(act(BUY, BUY)).info;
    expect(s0.executedQty[1]).toBeGreaterThan(0);
    expect(Array.from(s0.actionMask)).toEqual([1, 1, 1, 1, 1, 1]);
    const s1 = env.step(act(HOLD, HOLD)).info;
    // Row 2 is at the limits: A at +10% (no buying), B at −10% (no selling).
    expect(Array.from(s1.actionMask)).toEqual([1, 0, 1, 1, 1, 0]);
    expect(env.actionMask()).toBe(s1.actionMask);
    const s2 = env.step(act(BUY, SELL)).info;
    expect(s2.skippedByLimit).toBe(2);
    expect(s2.skipped).toBe(2);
    expect(s2.trades).toBe(0);
    // Off by default: the same orders execute.
    const free = new TradingEnv(fs, { window: 1, initialCash: 1000 });
    free.reset();
    free.step(act(BUY, BUY));
    free.step(act(HOLD, HOLD));
    expect(free.step(act(BUY, SELL)).info.trades).toBe(2);
  });

  it('log reward: log(P_{t+1}/P_t), parts sum to it', () => {
    const fs = makeTestFeatureSet(randomWalkPrices(30, 3, 5), { nFeatures: 2 });
    const env = new TradingEnv(fs, { window: 3, reward: 'log', slippageBps: 5 });
    let { info: prev } = env.reset();
    for (let k = 0; k < 20; k++) {
      const { reward, info } = env.step(act(k % 3, (k + 1) % 3, (k + 2) % 3));
      expect(reward).toBeCloseTo(Math.log(info.portfolioValue / prev.portfolioValue), 14);
      const p = info.rewardParts;
      expect(p.market + p.fee + p.slippage).toBeCloseTo(reward, 14);
      prev = info;
    }
  });
});

describe('TradingEnv observation', () => {
  const fs = makeTestFeatureSet(randomWalkPrices(40, 3, 2), { nFeatures: 4 });

  it('is the window block X[t−W+1..t] then position weights then cash weight, as `layout` says', () => {
    const env = new TradingEnv(fs, { window: 5, initialCash: 1000 });
    expect(env.layout).toEqual({ window: 5, nAssets: 3, nFeatures: 4, perAssetExtras: 1, globalExtras: 1 });
    expect(env.observationSpace.shape).toEqual([5 * 3 * 4 + 3 + 1]);
    let { obs, info } = env.reset();
    expect(info.t).toBe(4);
    for (let k = 0; k < 6; k++) ({ obs, info } = env.step(act(BUY, k % 2 ? SELL : HOLD, BUY)));
    const t = info.t;
    const rowLen = 3 * 4;
    expect(Array.from(obs.subarray(0, 5 * rowLen))).toEqual(
      Array.from(fs.X.subarray((t - 4) * rowLen, (t + 1) * rowLen)),
    );
    const extras = obs.subarray(5 * rowLen);
    for (let i = 0; i < 3; i++)
      expect(extras[i]).toBeCloseTo((info.positions[i] * fs.close[t * 3 + i]) / info.portfolioValue, 6);
    expect(extras[3]).toBeCloseTo(info.cash / info.portfolioValue, 6);
    expect(extras.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('drops the extras when asked', () => {
    const env = new TradingEnv(fs, { window: 2, includePosition: false, includeCash: false });
    expect(env.observationSpace.shape).toEqual([2 * 3 * 4]);
    expect(env.layout.perAssetExtras + env.layout.globalExtras).toBe(0);
  });

  it('hands out one reused obs buffer and fresh info arrays', () => {
    const env = new TradingEnv(fs, { window: 2 });
    const a = env.reset();
    const b = env.step(act(BUY, BUY, BUY));
    const c = env.step(act(SELL, HOLD, HOLD));
    expect(b.obs).toBe(a.obs);
    expect(c.info.positions).not.toBe(b.info.positions);
    const kept = Float64Array.from(b.info.positions);
    env.step(act(SELL, SELL, SELL));
    expect(Array.from(b.info.positions)).toEqual(Array.from(kept));
  });

  it('setObservationBuffer: writes into and returns the given row, with the same values', () => {
    const env = new TradingEnv(fs, { window: 3 });
    const twin = new TradingEnv(fs, { window: 3 });
    const size = env.observationSpace.shape[0];
    const batch = new Float32Array(3 * size).fill(-7);
    const row = batch.subarray(size, 2 * size);
    env.reset({ seed: 1 });
    const current = Float32Array.from(twin.reset({ seed: 1 }).obs);
    env.setObservationBuffer(row);
    // The current observation lands at once; the other rows stay untouched.
    expect(Array.from(row)).toEqual(Array.from(current));
    expect(batch[0]).toBe(-7);
    for (let k = 0; k < 4; k++) {
      const a = act(BUY, k % 3, SELL);
      const r = env.step(a);
      const r2 = twin.step(a);
      expect(r.obs).toBe(row);
      expect(Array.from(row)).toEqual(Array.from(r2.obs));
    }
    expect(batch[2 * size]).toBe(-7);
    expect(() => env.setObservationBuffer(new Float32Array(3))).toThrow(/3 values, the observation has/);
  });
});

describe('TradingEnv episodes', () => {
  const fs = makeTestFeatureSet(randomWalkPrices(60, 2, 3), {
    nFeatures: 2,
    splits: { train: { start: 0, end: 40 }, valid: { start: 40, end: 50 }, test: { start: 50, end: 60 } },
  });

  it('runs a split from max(start, W − 1) to its last row, then terminates', () => {
    const train = new TradingEnv(fs, { window: 10 });
    expect(train.rows).toEqual({ firstDecision: 9, lastRow: 39, maxSteps: 30 });
    // valid: the window reaches back into train (past data), so it starts on its first row.
    const valid = new TradingEnv(fs, { window: 10, split: 'valid' });
    expect(valid.reset().info.date).toBe(fs.dates[40]);
    let steps = 0;
    let res: { terminated: boolean; truncated: boolean; info: TradingInfo };
    do {
      res = valid.step(act(HOLD, HOLD));
      steps++;
    } while (!res.terminated && !res.truncated);
    expect(steps).toBe(9);
    expect(res.terminated).toBe(true);
    expect(res.info.date).toBe(fs.dates[49]);
  });

  it('episodeLength: random start inside the split from the seed, truncation after n steps', () => {
    const env = new TradingEnv(fs, { window: 5, episodeLength: 7 });
    const starts = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const { info } = env.reset({ seed });
      starts.add(info.t);
      expect(info.t).toBeGreaterThanOrEqual(4);
      expect(info.t + 7).toBeLessThanOrEqual(39);
      let res;
      let n = 0;
      do {
        res = env.step(act(BUY, SELL));
        n++;
      } while (!res.terminated && !res.truncated);
      expect(n).toBe(7);
      // Reaching the split's last row is termination, which takes precedence over the time limit.
      expect(res.terminated).toBe(info.t + 7 === 39);
      expect(res.truncated).toBe(info.t + 7 < 39);
    }
    expect(starts.size).toBeGreaterThan(5);
    expect(env.reset({ seed: 3 }).info.t).toBe(env.reset({ seed: 3 }).info.t);
  });

  it('rejects configs and data it cannot run, naming the field', () => {
    expect(() => new TradingEnv(fs, { buyPct: 0 })).toThrow(/buyPct/);
    expect(() => new TradingEnv(fs, { limitPct: 1.5 })).toThrow(/limitPct/);
    expect(() => new TradingEnv(fs, { window: 0 })).toThrow(/window/);
    expect(() => new TradingEnv(fs, { split: 'test', episodeLength: 50 })).toThrow(
      /episodeLength 50 exceeds/,
    );
    expect(() => new TradingEnv(fs, { split: { start: 10, end: 11 }, window: 1 })).toThrow(
      /at least one step/,
    );
    const bad = makeTestFeatureSet([[1], [0], [1]], { nFeatures: 1 });
    expect(() => new TradingEnv(bad, { window: 1 })).toThrow(/A0 on 2020-01-02 \(row 1\) is 0/);
    const env = new TradingEnv(fs, { window: 1 });
    env.reset();
    expect(() => env.step(act(HOLD))).toThrow(/one per asset/);
    expect(() => env.step(act(HOLD, 7))).toThrow(/action\[1\] = 7/);
  });

  it('passes checkEnv: full split (deterministic) and random starts (stochastic)', () => {
    const infoKeys = [
      'portfolioValue',
      'cash',
      'positions',
      'fees',
      'trades',
      'executedQty',
      'skipped',
      'rewardParts',
      'date',
      'actionMask',
    ];
    checkEnv(new TradingEnv(fs, { window: 4, limitPct: 0.02, fractionalShares: false, initialCash: 5000 }), {
      steps: 80,
      infoKeys,
    });
    checkEnv(new TradingEnv(fs, { window: 4, episodeLength: 6, reward: 'log' }), {
      steps: 40,
      infoKeys,
      stochastic: true,
    });
  });
});
