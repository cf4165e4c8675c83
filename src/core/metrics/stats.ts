/**
 * Return statistics, following empyrical (quantopian/empyrical, the reference quants use):
 *
 * - Inputs are simple (arithmetic) returns per period, r_t = V_t / V_{t−1} − 1.
 * - NaN returns are skipped by every mean / standard deviation (numpy's nanmean / nanstd), and
 *   count as a flat period (r = 0) when compounding (total return, CAGR, drawdowns), so a NaN
 *   still counts as one period in CAGR's years = n / annualization — exactly as empyrical does.
 * - Standard deviation is the sample one (ddof = 1).
 * - `riskFree` / `requiredReturn` are per period (not annual), a number or a series aligned with
 *   the returns, as in empyrical.
 * - Undefined results are NaN (empty input, fewer than two observations, Calmar without a
 *   drawdown, 0/0); a zero denominator with a non-zero numerator gives ±Infinity, as numpy does
 *   and empyrical's tests expect: Sharpe of a constant positive (negative) series is +inf (−inf),
 *   Sortino with no period below the required return is +inf. Writers turn ±Infinity into the
 *   strings "Infinity"/"-Infinity" in JSON; the lab shows ∞.
 */

import { maxDrawdown } from './drawdown.ts';

/** Periods per year. 252 trading days for equities (the default), 365 for crypto, 52 weekly, 12 monthly. */
export const ANNUALIZATION = {
  daily: 252,
  crypto: 365,
  weekly: 52,
  monthly: 12,
  yearly: 1,
} as const;

export const DEFAULT_ANNUALIZATION = ANNUALIZATION.daily;

/** Per-period benchmark rate: a constant, or a series aligned with the returns. */
export type Rate = number | ArrayLike<number>;

export interface AnnualizationOptions {
  /** Periods per year (default 252). */
  annualization?: number;
}

export interface RiskFreeOptions extends AnnualizationOptions {
  /** Risk-free return per period, constant or aligned series (default 0). */
  riskFree?: Rate;
}

export interface RequiredReturnOptions extends AnnualizationOptions {
  /** Minimum acceptable return per period, constant or aligned series (default 0). */
  requiredReturn?: Rate;
}

function annualizationOf(opts: AnnualizationOptions | undefined): number {
  const ann = opts?.annualization ?? DEFAULT_ANNUALIZATION;
  if (!(ann > 0) || !Number.isFinite(ann))
    throw new Error(`annualization must be a positive number, got ${ann}`);
  return ann;
}

/** r − rate, elementwise; NaN wherever either side is NaN. */
export function adjustReturns(returns: ArrayLike<number>, rate: Rate = 0): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n);
  if (typeof rate === 'number') {
    for (let t = 0; t < n; t++) out[t] = returns[t] - rate;
  } else {
    if (rate.length !== n) throw new Error(`rate series has length ${rate.length}, returns have ${n}`);
    for (let t = 0; t < n; t++) out[t] = returns[t] - rate[t];
  }
  return out;
}

/** Count of non-NaN values. */
export function countValid(x: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) c++;
  return c;
}

/** Mean of the non-NaN values (numpy nanmean); NaN when there are none. */
export function nanMean(x: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isNaN(v)) {
      s += v;
      c++;
    }
  }
  return c === 0 ? NaN : s / c;
}

/**
 * Standard deviation of the non-NaN values (numpy nanstd), ddof 1 by default; NaN when count ≤ ddof.
 * Deviations are taken from the first value before the mean is removed, so a constant series has a
 * standard deviation of exactly 0 (summing 1,000 × 0.01 naively leaves a 1e-17 residue, which made
 * the Sharpe of a flat line ~1e15 instead of empyrical's +inf).
 */
export function nanStd(x: ArrayLike<number>, ddof = 1): number {
  let first = NaN;
  for (let i = 0; i < x.length && Number.isNaN(first); i++) first = x[i];
  if (Number.isNaN(first)) return NaN;
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isNaN(v)) {
      s += v - first;
      c++;
    }
  }
  const m = s / c;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isNaN(v)) {
      const d = v - first - m;
      ss += d * d;
    }
  }
  return c - ddof <= 0 ? NaN : Math.sqrt(ss / (c - ddof));
}

/**
 * Cumulative returns (empyrical cum_returns): with startingValue 0, Π(1 + r) − 1 after each
 * period; otherwise startingValue · Π(1 + r), an equity curve. NaN returns count as 0.
 */
export function cumReturns(returns: ArrayLike<number>, startingValue = 0): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n);
  let v = 1;
  for (let t = 0; t < n; t++) {
    const r = returns[t];
    if (!Number.isNaN(r)) v *= 1 + r;
    out[t] = startingValue === 0 ? v - 1 : v * startingValue;
  }
  return out;
}

/** Total compounded return Π(1 + r) − 1 (empyrical cum_returns_final); NaN for an empty series. */
export function totalReturn(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  let v = 1;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t];
    if (!Number.isNaN(r)) v *= 1 + r;
  }
  return v - 1;
}

/**
 * Compound annual growth rate (empyrical annual_return / cagr): (1 + total)^(1/years) − 1 with
 * years = n / annualization, n counting every period including NaN ones.
 */
export function annualReturn(returns: ArrayLike<number>, opts?: AnnualizationOptions): number {
  const ann = annualizationOf(opts);
  const n = returns.length;
  if (n < 1) return NaN;
  const ending = 1 + totalReturn(returns);
  return Math.pow(ending, ann / n) - 1;
}

/** Alias of annualReturn: empyrical's cagr is the same number. */
export const cagr = annualReturn;

/** Annualised volatility: sample std (ddof 1, NaN skipped) · √annualization. NaN below two observations. */
export function annualVolatility(returns: ArrayLike<number>, opts?: AnnualizationOptions): number {
  const ann = annualizationOf(opts);
  if (returns.length < 2) return NaN;
  return nanStd(returns, 1) * Math.sqrt(ann);
}

/**
 * Sharpe ratio: mean(r − rf) / std(r − rf, ddof 1) · √annualization. NaN below two periods; ±Infinity
 * for a constant non-zero excess return (std exactly 0), NaN for a constant zero one.
 */
export function sharpeRatio(returns: ArrayLike<number>, opts?: RiskFreeOptions): number {
  const ann = annualizationOf(opts);
  if (returns.length < 2) return NaN;
  const adj = adjustReturns(returns, opts?.riskFree ?? 0);
  return (nanMean(adj) / nanStd(adj, 1)) * Math.sqrt(ann);
}

/**
 * Downside deviation below the required return, annualised (empyrical downside_risk):
 * √mean(min(r − req, 0)²) · √annualization, the mean over non-NaN periods. NaN when empty.
 */
export function downsideRisk(returns: ArrayLike<number>, opts?: RequiredReturnOptions): number {
  const ann = annualizationOf(opts);
  if (returns.length < 1) return NaN;
  const adj = adjustReturns(returns, opts?.requiredReturn ?? 0);
  let s = 0;
  let c = 0;
  for (let t = 0; t < adj.length; t++) {
    const d = adj[t];
    if (Number.isNaN(d)) continue;
    if (d < 0) s += d * d;
    c++;
  }
  return c === 0 ? NaN : Math.sqrt(s / c) * Math.sqrt(ann);
}

/**
 * Sortino ratio (empyrical sortino_ratio): mean(r − req) · annualization / downsideRisk.
 * NaN below two periods; +Infinity when no period falls below the required return.
 */
export function sortinoRatio(returns: ArrayLike<number>, opts?: RequiredReturnOptions): number {
  const ann = annualizationOf(opts);
  if (returns.length < 2) return NaN;
  const adj = adjustReturns(returns, opts?.requiredReturn ?? 0);
  return (nanMean(adj) * ann) / downsideRisk(returns, opts);
}

/**
 * Calmar ratio (empyrical calmar_ratio): CAGR / |max drawdown|. NaN when there is no drawdown
 * (max drawdown 0) or the ratio is infinite.
 */
export function calmarRatio(returns: ArrayLike<number>, opts?: AnnualizationOptions): number {
  const mdd = maxDrawdown(returns);
  if (!(mdd < 0)) return NaN;
  const ratio = annualReturn(returns, opts) / Math.abs(mdd);
  return Number.isFinite(ratio) ? ratio : NaN;
}

/** Fraction of winning periods among periods that moved: #(r > 0) / #(r ≠ 0), NaN skipped (quantstats' win_rate). */
export function winRate(returns: ArrayLike<number>): number {
  let wins = 0;
  let moved = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t];
    if (Number.isNaN(r) || r === 0) continue;
    moved++;
    if (r > 0) wins++;
  }
  return moved === 0 ? NaN : wins / moved;
}

/**
 * Rolling Sharpe ratio over a trailing window of `window` periods (value at t uses t−window+1..t,
 * nothing after t). The first window−1 values are NaN; windows with fewer than two non-NaN
 * returns are NaN. O(n): running sums shifted by the first valid return to limit cancellation.
 */
export function rollingSharpe(
  returns: ArrayLike<number>,
  window: number,
  opts?: RiskFreeOptions,
): Float64Array {
  const ann = annualizationOf(opts);
  if (!Number.isInteger(window) || window < 2)
    throw new Error(`rolling window must be an integer ≥ 2, got ${window}`);
  const adj = adjustReturns(returns, opts?.riskFree ?? 0);
  const n = adj.length;
  const out = new Float64Array(n).fill(NaN);
  let shift = 0;
  for (let t = 0; t < n; t++) {
    if (!Number.isNaN(adj[t])) {
      shift = adj[t];
      break;
    }
  }
  let s = 0;
  let ss = 0;
  let c = 0;
  const sqrtAnn = Math.sqrt(ann);
  for (let t = 0; t < n; t++) {
    const v = adj[t];
    if (!Number.isNaN(v)) {
      const d = v - shift;
      s += d;
      ss += d * d;
      c++;
    }
    if (t >= window) {
      const old = adj[t - window];
      if (!Number.isNaN(old)) {
        const d = old - shift;
        s -= d;
        ss -= d * d;
        c--;
      }
    }
    if (t >= window - 1 && c >= 2) {
      const meanShifted = s / c;
      const variance = Math.max(0, (ss - c * meanShifted * meanShifted) / (c - 1));
      out[t] = ((meanShifted + shift) / Math.sqrt(variance)) * sqrtAnn;
    }
  }
  return out;
}
