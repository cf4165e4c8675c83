/**
 * Baseline strategies, run on the same close matrix, fees and row ranges (splits) as the agents.
 * Each returns a BacktestResult.
 *
 * - buy-and-hold: equal weights bought once at the first close of the range, never rebalanced.
 * - equal-weight: back to 1/N at the first close and every `every` rows after it (1 = daily).
 * - ma:<n> (trend, QTMRL compares n = 10, 20, 30): an asset is "long" at row t when
 *   close_t > SMA_n(t), the mean of closes t−n+1..t (so the signal uses nothing after close_t and
 *   trades at close_t). The portfolio holds the longs at equal weight and the rest in cash. It
 *   trades only when the set of longs changes (then back to equal weight among the new longs),
 *   so it pays fees on signal changes, not on daily drift. Closes before the range start may feed
 *   the SMA (past data, no leak); with fewer than n closes available the asset is not long.
 * - random: uniform HOLD/BUY/SELL per asset per day from the seeded Rng, executed by the real
 *   TradingEnv (QTMRL rules: BUY spends buyPct of cash, SELL sells sellPct of the position).
 */
import type { RowRange } from '../data/types.ts';
import { BUY, HOLD, SELL, TradingEnv, type TradingEnvConfig } from '../envs/trading.ts';
import type { FeatureSet } from '../features/types.ts';
import { Rng } from '../rng.ts';
import {
  DEFAULT_FEE,
  DEFAULT_INITIAL_CASH,
  backtestWeights,
  checkClose,
  emptyResult,
  type BacktestOptions,
  type BacktestResult,
} from './backtest.ts';

/** Buy equal weights at the first close of the range and hold. */
export function buyAndHold(close: Float64Array, nAssets: number, opts: BacktestOptions = {}): BacktestResult {
  const w = new Float64Array(nAssets).fill(1 / nAssets);
  return backtestWeights(close, nAssets, (t, ctx) => (t === ctx.start ? w : null), {
    ...opts,
    strategy: 'buy-and-hold',
  });
}

/** Rebalance to equal weights at the first close and every `every` rows (default 1 = daily). */
export function equalWeight(
  close: Float64Array,
  nAssets: number,
  opts: BacktestOptions & { every?: number } = {},
): BacktestResult {
  const every = opts.every ?? 1;
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`rebalance interval must be a positive integer, got ${every}`);
  const w = new Float64Array(nAssets).fill(1 / nAssets);
  const name = every === 1 ? 'equal-weight' : `equal-weight:${every}`;
  return backtestWeights(close, nAssets, (t, ctx) => ((t - ctx.start) % every === 0 ? w : null), {
    ...opts,
    strategy: name,
  });
}

/**
 * Simple moving average of each asset's close, [T × N]; NaN for t < n − 1. Running sum, O(T·N),
 * re-summed every 1024 rows to keep rounding drift out of long series.
 */
export function smaMatrix(close: Float64Array, nAssets: number, n: number): Float64Array {
  const N = nAssets;
  const T = checkClose(close, N);
  if (!Number.isInteger(n) || n < 1) throw new Error(`SMA length must be a positive integer, got ${n}`);
  const out = new Float64Array(T * N).fill(NaN);
  for (let i = 0; i < N; i++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      sum += close[t * N + i];
      if (t >= n) sum -= close[(t - n) * N + i];
      if (t >= n - 1 && t % 1024 === 0) {
        sum = 0;
        for (let s = t - n + 1; s <= t; s++) sum += close[s * N + i];
      }
      if (t >= n - 1) out[t * N + i] = sum / n;
    }
  }
  return out;
}

/** Trend baseline: long (equal weight) the assets whose close is above their n-day SMA, cash otherwise. */
export function maCrossover(
  close: Float64Array,
  nAssets: number,
  n: number,
  opts: BacktestOptions = {},
): BacktestResult {
  const N = nAssets;
  const sma = smaMatrix(close, N, n);
  const longs = new Uint8Array(N);
  const prevLongs = new Uint8Array(N);
  let first = true;
  const w = new Float64Array(N);
  return backtestWeights(
    close,
    N,
    (t) => {
      let count = 0;
      let changed = first;
      for (let i = 0; i < N; i++) {
        const m = sma[t * N + i];
        longs[i] = !Number.isNaN(m) && close[t * N + i] > m ? 1 : 0;
        count += longs[i];
        if (longs[i] !== prevLongs[i]) changed = true;
      }
      first = false;
      prevLongs.set(longs);
      if (!changed) return null;
      for (let i = 0; i < N; i++) w[i] = longs[i] ? 1 / count : 0;
      return w;
    },
    { ...opts, strategy: `ma:${n}` },
  );
}

export interface RandomOptions extends BacktestOptions {
  /** Seed of the action sampler (default 0). */
  seed?: number;
  /** TradingEnv settings other than fee and cash (buyPct, sellPct, slippage, whole shares, …). */
  env?: Partial<Omit<TradingEnvConfig, 'split' | 'window' | 'feeRate' | 'initialCash'>>;
}

/** A FeatureSet with no features but the close, enough to drive TradingEnv over close alone. */
export function closeOnlyFeatureSet(
  close: Float64Array,
  nAssets: number,
  dates?: readonly string[],
  assets?: readonly string[],
): FeatureSet {
  const T = checkClose(close, nAssets);
  const empty = { start: 0, end: 0 };
  return {
    dates: dates ? [...dates] : Array.from({ length: T }, (_, t) => String(t)),
    assets: assets ? [...assets] : Array.from({ length: nAssets }, (_, i) => `asset${i}`),
    featureNames: ['zero'],
    X: new Float32Array(T * nAssets),
    close,
    splits: { train: { start: 0, end: T }, valid: empty, test: empty },
    normalization: { mean: new Float32Array(1), std: new Float32Array(1).fill(1) },
  };
}

/**
 * Random baseline on the real TradingEnv: each row and asset draws HOLD, BUY or SELL uniformly.
 * The result follows the backtester's convention: equity at row t is the post-trade value marked
 * at close_t (cash + Σ shares · close_t after that row's orders), so fees land on the trade day.
 * The last row of the range is only marked (TradingEnv acts at rows start .. end − 2).
 */
export function randomBaseline(
  close: Float64Array,
  nAssets: number,
  opts: RandomOptions = {},
): BacktestResult {
  const N = nAssets;
  const T = checkClose(close, N);
  const range: RowRange = opts.range ?? { start: 0, end: T };
  const fee = opts.fee ?? DEFAULT_FEE;
  const initialCash = opts.initialCash ?? DEFAULT_INITIAL_CASH;
  const env = new TradingEnv(closeOnlyFeatureSet(close, N), {
    ...opts.env,
    split: range,
    window: 1,
    feeRate: fee,
    initialCash,
    episodeLength: null,
    includePosition: false,
    includeCash: false,
  });
  const rng = new Rng(opts.seed ?? 0);
  const res = emptyResult('random', range, N, initialCash, fee);
  const action = new Int32Array(N);
  const codes = [HOLD, BUY, SELL];
  let { info } = env.reset();
  let prevEquity = initialCash;
  const record = (k: number, row: number, cash: number, positions: Float64Array) => {
    let equity = cash;
    for (let i = 0; i < N; i++) equity += positions[i] * close[row * N + i];
    for (let i = 0; i < N; i++) {
      res.positions[k * N + i] = positions[i];
      res.weights[k * N + i] = (positions[i] * close[row * N + i]) / equity;
    }
    res.equity[k] = equity;
    res.cash[k] = cash;
    res.returns[k] = equity / prevEquity - 1;
    prevEquity = equity;
  };
  for (let t = range.start; t < range.end - 1; t++) {
    const k = t - range.start;
    const preValue = info.portfolioValue;
    for (let i = 0; i < N; i++) action[i] = codes[rng.int(3)];
    const step = env.step(action);
    info = step.info;
    // info is marked at t + 1; cash and positions after the orders are the post-trade state at t.
    record(k, t, info.cash, info.positions);
    res.fees[k] = info.fees;
    res.turnover[k] = info.tradedNotional / 2 / preValue;
    res.totalFees += info.fees;
    res.trades += info.trades;
  }
  record(range.end - 1 - range.start, range.end - 1, info.cash, info.positions);
  return res;
}
