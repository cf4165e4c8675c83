import { checkPeriod, checkSameLength, firstFinite, output, type Series } from './internal.ts';

/** TR at t ≥ 1: max(H−L, |H−C[t-1]|, |L−C[t-1]|). */
function tr(high: Series, low: Series, close: Series, t: number): number {
  const h = high[t];
  const l = low[t];
  const pc = close[t - 1];
  return Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
}

/**
 * True range TR[t] = max(H−L, |H−C[t-1]|, |L−C[t-1]|). Undefined (NaN) on the first bar, which has
 * no previous close (Stock.Indicators / TA-Lib convention; Tulip uses H−L there instead).
 */
export function trueRange(high: Series, low: Series, close: Series, out?: Float64Array): Float64Array {
  const n = checkSameLength(high, low, close);
  out = output(n, out);
  for (let t = firstFinite(high, low, close) + 1; t < n; t++) out[t] = tr(high, low, close, t);
  return out;
}

/**
 * Average true range, Wilder (default n = 14).
 * Convention (Stock.Indicators, technicalindicators, TA-Lib): first ATR at index n = mean(TR[1..n]),
 * then ATR[t] = (ATR[t-1]·(n−1) + TR[t]) / n. (Tulip starts one bar earlier using TR[0] = H−L.)
 */
export function atr(high: Series, low: Series, close: Series, period = 14, out?: Float64Array): Float64Array {
  checkPeriod('ATR period', period);
  const n = checkSameLength(high, low, close);
  out = output(n, out);
  const s = firstFinite(high, low, close);
  if (s + period >= n) return out;
  let a = 0;
  for (let t = s + 1; t <= s + period; t++) a += tr(high, low, close, t);
  a /= period;
  out[s + period] = a;
  for (let t = s + period + 1; t < n; t++) {
    a += (tr(high, low, close, t) - a) / period;
    out[t] = a;
  }
  return out;
}
