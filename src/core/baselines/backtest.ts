/**
 * A small long-only weights backtester shared by the baselines.
 *
 * Timing: at each row t of the range, the strategy sees closes up to and including close_t and may
 * return target weights; the portfolio trades at close_t to exactly those weights of its
 * post-trade value, paying `fee` × traded notional (one-sided, on every buy and every sell, as
 * TradingEnv charges it). Equity[t] is the post-trade value marked at close_t, so a trade's fee
 * lands on the day it is paid. Returning null means "no trade": holdings stay and weights drift.
 *
 * Fees are exact: the post-trade value V' solves V' = V − fee · Σ_i |w_i V' − h_i p_i| (a
 * contraction for fee < 1, solved by fixed-point iteration), so post-trade weights equal the
 * targets and cash = (1 − Σ w) V' ≥ 0 — never negative, never leveraged.
 */
import type { RowRange } from '../data/types.ts';

export interface BacktestOptions {
  /** Fee as a fraction of traded notional, charged on each buy and sell (default 0.0005 = 0.05%, QTMRL's). */
  fee?: number;
  /** Cash at the start of the range, all in cash (default 1e6, TradingEnv's). */
  initialCash?: number;
  /** Rows [start, end) of the close matrix to trade over (default: all rows). */
  range?: RowRange;
}

export const DEFAULT_FEE = 0.0005;
export const DEFAULT_INITIAL_CASH = 1e6;

/** What the strategy sees when asked for target weights at row t. */
export interface TargetContext {
  /** Row index into the close matrix (absolute, not relative to the range). */
  t: number;
  /** First row of the range. */
  start: number;
  /** Current (pre-trade, drifted) weights per asset. */
  weights: Float64Array;
}

/** Target weights at row t (length nAssets, each ≥ 0, Σ ≤ 1; the rest stays in cash) or null to hold. */
export type TargetWeightsFn = (t: number, ctx: TargetContext) => Float64Array | null;

/** The shape every baseline (and `lab backtest`) returns. Arrays cover rows [range.start, range.end). */
export interface BacktestResult {
  strategy: string;
  range: RowRange;
  nAssets: number;
  initialCash: number;
  fee: number;
  /** Post-trade portfolio value at each close. */
  equity: Float64Array;
  /** Simple return per row; the first is equity[0] / initialCash − 1 (the first day's fees). */
  returns: Float64Array;
  /** [L × N] post-trade weights (asset value / equity). */
  weights: Float64Array;
  /** [L × N] shares held after trading. */
  positions: Float64Array;
  cash: Float64Array;
  /** Fees paid at each row. */
  fees: Float64Array;
  /** One-sided turnover per row: ½ · traded notional / pre-trade value. */
  turnover: Float64Array;
  totalFees: number;
  /** Number of (row, asset) orders executed. */
  trades: number;
}

function resolveRange(T: number, range: RowRange | undefined): RowRange {
  const r = range ?? { start: 0, end: T };
  if (
    !Number.isInteger(r.start) ||
    !Number.isInteger(r.end) ||
    r.start < 0 ||
    r.end > T ||
    r.start >= r.end
  ) {
    throw new Error(`backtest range [${r.start}, ${r.end}) is not a non-empty row range inside [0, ${T})`);
  }
  return r;
}

export function checkClose(close: Float64Array, nAssets: number): number {
  if (!Number.isInteger(nAssets) || nAssets < 1)
    throw new Error(`nAssets must be a positive integer, got ${nAssets}`);
  if (close.length % nAssets !== 0)
    throw new Error(`close has ${close.length} values, not a multiple of ${nAssets} assets`);
  return close.length / nAssets;
}

/** Allocate an empty result for `strategy` over `range`. */
export function emptyResult(
  strategy: string,
  range: RowRange,
  nAssets: number,
  initialCash: number,
  fee: number,
): BacktestResult {
  const L = range.end - range.start;
  return {
    strategy,
    range,
    nAssets,
    initialCash,
    fee,
    equity: new Float64Array(L),
    returns: new Float64Array(L),
    weights: new Float64Array(L * nAssets),
    positions: new Float64Array(L * nAssets),
    cash: new Float64Array(L),
    fees: new Float64Array(L),
    turnover: new Float64Array(L),
    totalFees: 0,
    trades: 0,
  };
}

export function backtestWeights(
  close: Float64Array,
  nAssets: number,
  targetWeights: TargetWeightsFn,
  opts: BacktestOptions & { strategy?: string } = {},
): BacktestResult {
  const N = nAssets;
  const T = checkClose(close, N);
  const range = resolveRange(T, opts.range);
  const fee = opts.fee ?? DEFAULT_FEE;
  const initialCash = opts.initialCash ?? DEFAULT_INITIAL_CASH;
  if (!(fee >= 0 && fee < 1)) throw new Error(`fee must be in [0, 1), got ${fee}`);
  if (!(initialCash > 0) || !Number.isFinite(initialCash))
    throw new Error(`initialCash must be positive, got ${initialCash}`);

  const res = emptyResult(opts.strategy ?? 'weights', range, N, initialCash, fee);
  const shares = new Float64Array(N);
  const current = new Float64Array(N);
  let cash = initialCash;
  let prevEquity = initialCash;

  for (let t = range.start; t < range.end; t++) {
    const k = t - range.start;
    const row = t * N;
    for (let i = 0; i < N; i++) {
      const p = close[row + i];
      if (!(p > 0) || !Number.isFinite(p))
        throw new Error(`close of asset ${i} at row ${t} is ${p}; prices must be finite and > 0`);
    }
    let value = cash;
    for (let i = 0; i < N; i++) value += shares[i] * close[row + i];
    for (let i = 0; i < N; i++) current[i] = (shares[i] * close[row + i]) / value;

    const target = targetWeights(t, { t, start: range.start, weights: current });
    let post = value;
    if (target) {
      checkTarget(target, N, t);
      // Fixed point of V' = V − fee·Σ|w V' − h p|; |slope| ≤ fee·Σw < 1, so it converges fast.
      for (let iter = 0; iter < 100; iter++) {
        let traded = 0;
        for (let i = 0; i < N; i++) traded += Math.abs(target[i] * post - shares[i] * close[row + i]);
        const next = value - fee * traded;
        const done = Math.abs(next - post) <= 1e-13 * value;
        post = next;
        if (done) break;
      }
      let traded = 0;
      let trades = 0;
      let invested = 0;
      for (let i = 0; i < N; i++) {
        const p = close[row + i];
        const targetValue = target[i] * post;
        const delta = targetValue - shares[i] * p;
        // Orders below a millionth of a cent are rounding, not trades.
        if (Math.abs(delta) > 1e-8) {
          traded += Math.abs(delta);
          trades++;
          shares[i] = targetValue / p;
        }
        invested += shares[i] * p;
      }
      const fees = fee * traded;
      post = value - fees;
      cash = Math.max(0, post - invested);
      res.fees[k] = fees;
      res.turnover[k] = traded / 2 / value;
      res.totalFees += fees;
      res.trades += trades;
    }
    let equity = cash;
    for (let i = 0; i < N; i++) {
      const v = shares[i] * close[row + i];
      equity += v;
      res.positions[k * N + i] = shares[i];
    }
    for (let i = 0; i < N; i++) res.weights[k * N + i] = (shares[i] * close[row + i]) / equity;
    res.equity[k] = equity;
    res.cash[k] = cash;
    res.returns[k] = equity / prevEquity - 1;
    prevEquity = equity;
  }
  return res;
}

function checkTarget(w: Float64Array, N: number, t: number): void {
  if (w.length !== N) throw new Error(`target weights at row ${t} have length ${w.length}, expected ${N}`);
  let s = 0;
  for (let i = 0; i < N; i++) {
    if (!(w[i] >= 0))
      throw new Error(`target weight of asset ${i} at row ${t} is ${w[i]}; long-only weights must be ≥ 0`);
    s += w[i];
  }
  if (s > 1 + 1e-9) throw new Error(`target weights at row ${t} sum to ${s} > 1; no leverage`);
}
