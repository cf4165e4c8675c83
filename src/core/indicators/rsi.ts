import { checkPeriod, firstFinite, output, type Series } from './internal.ts';

/**
 * Relative Strength Index, Wilder's original smoothing.
 * Convention (Stock.Indicators; technicalindicators and Tulip agree): changes d[t] = x[t] − x[t-1];
 * average gain/loss seeded with the simple mean of the first n changes (d[1..n]), then
 * avg = (avg·(n−1) + x)/n; first value at index n; RSI = 100 − 100/(1 + avgGain/avgLoss), and
 * RSI = 100 when avgLoss = 0 (so a flat series reads 100, as in Stock.Indicators).
 */
export function rsi(close: Series, period = 14, out?: Float64Array): Float64Array {
  checkPeriod('RSI period', period);
  const n = close.length;
  out = output(n, out);
  const s = firstFinite(close);
  if (s + period >= n) return out;
  let gain = 0;
  let loss = 0;
  for (let t = s + 1; t <= s + period; t++) {
    const d = close[t] - close[t - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  out[s + period] = loss > 0 ? 100 - 100 / (1 + gain / loss) : loss === 0 ? 100 : NaN;
  for (let t = s + period + 1; t < n; t++) {
    const d = close[t] - close[t - 1];
    gain = (gain * (period - 1) + (d > 0 ? d : 0)) / period;
    loss = (loss * (period - 1) + (d < 0 ? -d : 0)) / period;
    out[t] = loss > 0 ? 100 - 100 / (1 + gain / loss) : loss === 0 ? 100 : NaN;
  }
  return out;
}
