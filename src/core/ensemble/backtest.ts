/**
 * The ensemble's position rule and its backtest (long-short; the baselines' backtester in
 * src/core/baselines is long-only, so the ensemble has this one, on the same timing and fee rules).
 *
 * Capital is split equally between the N assets; each asset's sleeve holds a position
 * p ∈ [−1, 1] (fraction of the sleeve: +1 all long, −1 all short), i.e. a portfolio weight p/N.
 * At close t, with the decision (action, strength, cap) of that day:
 *
 *   BUY  → p = +strength          SELL → p = −strength
 *   HOLD → no trade, unless |p| (drifted since yesterday) exceeds the cap: then p = ±cap
 *
 * so |p| ≤ cap after every trade, and a veto (cap 0) closes the position. Trades happen at close t
 * (the decision used closes up to t); fee = `fee` × traded notional on every buy and sell, paid out
 * of the post-trade value V' that solves V' = V − fee · Σ_traded |w_i V' − h_i p_i| (as the
 * baselines' backtester does), so post-trade weights equal the targets exactly. Short sales leave
 * their proceeds in cash (no interest, no borrow fee). Equity[t] is the post-trade value at close t.
 *
 * It also records the state the decision saw (position, gross exposure, cash share, days since the
 * asset last traded), which the dataset's portfolio features read.
 */
import type { RowRange } from '../data/types.ts';
import { DEFAULT_FEE, DEFAULT_INITIAL_CASH } from '../baselines/backtest.ts';
import { BUY, EnsembleError, HOLD, SELL, type Decisions } from './types.ts';

export interface PositionBacktestOptions {
  fee?: number;
  initialCash?: number;
  range?: RowRange;
}

export interface PositionBacktestResult {
  range: RowRange;
  nAssets: number;
  initialCash: number;
  fee: number;
  /** [L] post-trade value at each close. */
  equity: Float64Array;
  /** [L] simple return per row; the first is equity[0] / initialCash − 1. */
  returns: Float64Array;
  /** [L] cash after trading (above the equity when short). */
  cash: Float64Array;
  /** [L] fees paid. */
  fees: Float64Array;
  /** [L] one-sided turnover: ½ traded notional / pre-trade value. */
  turnover: Float64Array;
  /** [L·N] post-trade sleeve position p in [−1, 1]. */
  position: Float64Array;
  /** [L·N] post-trade portfolio weight p/N (signed). */
  weights: Float64Array;
  /** [L·N] 1 where the asset traded. */
  traded: Uint8Array;
  /** State before the trade, as the decision saw it. */
  pre: {
    /** [L·N] drifted sleeve position. */
    position: Float64Array;
    /** [L] gross exposure Σ|w| (drifted). */
    gross: Float64Array;
    /** [L] cash / value. */
    cashShare: Float64Array;
    /** [L·N] rows since the asset last traded (the first row of the range counts as a trade to cash). */
    daysSinceTrade: Int32Array;
  };
  totalFees: number;
  trades: number;
}

/** Target sleeve position of one asset, or NaN for "no trade". */
export function targetPosition(action: number, strength: number, cap: number, current: number): number {
  // 0 − x, not −x: a closed position is +0, never −0.
  if (action === BUY) return Math.min(strength, cap);
  if (action === SELL) return 0 - Math.min(strength, cap);
  if (action !== HOLD) throw new EnsembleError(`unknown action ${action}`);
  if (current > cap) return cap;
  if (current < -cap) return 0 - cap;
  return NaN;
}

export function backtestDecisions(
  close: Float64Array,
  decisions: Decisions,
  opts: PositionBacktestOptions = {},
): PositionBacktestResult {
  const { T, N } = decisions;
  if (close.length !== T * N)
    throw new EnsembleError(`backtest: close has ${close.length} values, expected ${T}×${N}`);
  const range = opts.range ?? { start: 0, end: T };
  if (!(
    Number.isInteger(range.start) &&
    Number.isInteger(range.end) &&
    range.start >= 0 &&
    range.end <= T &&
    range.start < range.end
  ))
    throw new EnsembleError(
      `backtest range [${range.start}, ${range.end}) is not a non-empty row range inside [0, ${T})`,
    );
  const fee = opts.fee ?? DEFAULT_FEE;
  const initialCash = opts.initialCash ?? DEFAULT_INITIAL_CASH;
  if (!(fee >= 0 && fee < 1)) throw new EnsembleError(`fee must be in [0, 1), got ${fee}`);
  if (!(initialCash > 0 && Number.isFinite(initialCash)))
    throw new EnsembleError(`initialCash must be positive, got ${initialCash}`);

  const L = range.end - range.start;
  const res: PositionBacktestResult = {
    range,
    nAssets: N,
    initialCash,
    fee,
    equity: new Float64Array(L),
    returns: new Float64Array(L),
    cash: new Float64Array(L),
    fees: new Float64Array(L),
    turnover: new Float64Array(L),
    position: new Float64Array(L * N),
    weights: new Float64Array(L * N),
    traded: new Uint8Array(L * N),
    pre: {
      position: new Float64Array(L * N),
      gross: new Float64Array(L),
      cashShare: new Float64Array(L),
      daysSinceTrade: new Int32Array(L * N),
    },
    totalFees: 0,
    trades: 0,
  };
  const shares = new Float64Array(N);
  const target = new Float64Array(N);
  const lastTrade = new Int32Array(N).fill(range.start);
  let cash = initialCash;
  let prev = initialCash;
  for (let t = range.start; t < range.end; t++) {
    const k = t - range.start;
    const row = t * N;
    let value = cash;
    for (let i = 0; i < N; i++) {
      const p = close[row + i];
      if (!(p > 0) || !Number.isFinite(p))
        throw new EnsembleError(`close of asset ${i} at row ${t} is ${p}; prices must be finite and > 0`);
      value += shares[i] * p;
    }
    let gross = 0;
    for (let i = 0; i < N; i++) {
      const w = (shares[i] * close[row + i]) / value;
      gross += Math.abs(w);
      const cur = w * N;
      res.pre.position[k * N + i] = cur;
      res.pre.daysSinceTrade[k * N + i] = t - lastTrade[i];
      target[i] =
        targetPosition(decisions.action[row + i], decisions.strength[row + i], decisions.cap[row + i], cur) /
        N;
    }
    res.pre.gross[k] = gross;
    res.pre.cashShare[k] = cash / value;

    // Post-trade value: fixed point of V' = V − fee·Σ_traded |w V' − h p| (slope ≤ fee < 1).
    let post = value;
    for (let iter = 0; iter < 100; iter++) {
      let traded = 0;
      for (let i = 0; i < N; i++)
        if (!Number.isNaN(target[i])) traded += Math.abs(target[i] * post - shares[i] * close[row + i]);
      const next = value - fee * traded;
      const done = Math.abs(next - post) <= 1e-13 * value;
      post = next;
      if (done) break;
    }
    let traded = 0;
    for (let i = 0; i < N; i++) {
      if (Number.isNaN(target[i])) continue;
      const p = close[row + i];
      const delta = target[i] * post - shares[i] * p;
      // Orders below a millionth of a cent are rounding, not trades.
      if (Math.abs(delta) <= 1e-8) continue;
      traded += Math.abs(delta);
      cash -= delta;
      shares[i] = (target[i] * post) / p; // exactly 0 when the target is 0
      res.traded[k * N + i] = 1;
      lastTrade[i] = t;
      res.trades++;
    }
    const fees = fee * traded;
    cash -= fees;
    res.fees[k] = fees;
    res.totalFees += fees;
    res.turnover[k] = traded / 2 / value;
    let equity = cash;
    for (let i = 0; i < N; i++) equity += shares[i] * close[row + i];
    for (let i = 0; i < N; i++) {
      const w = (shares[i] * close[row + i]) / equity;
      res.weights[k * N + i] = w;
      res.position[k * N + i] = w * N;
    }
    res.equity[k] = equity;
    res.cash[k] = cash;
    res.returns[k] = equity / prev - 1;
    prev = equity;
  }
  return res;
}
