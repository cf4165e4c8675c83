import { checkPeriod, firstFinite, output, type Series } from './internal.ts';

/**
 * Simple moving average: out[t] = mean(x[t-n+1..t]).
 * Convention (Stock.Indicators, technicalindicators, Tulip all agree): first value at index n-1
 * (counted from the first finite input). O(T) running sum of x − x[start]; the shift keeps the
 * sum small (less rounding) and makes the SMA of a constant series exactly that constant.
 */
export function sma(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('SMA period', period);
  const n = values.length;
  out = output(n, out);
  const s = firstFinite(values);
  if (s + period > n) return out;
  const shift = values[s];
  let sum = 0;
  for (let t = s; t < s + period; t++) sum += values[t] - shift;
  out[s + period - 1] = shift + sum / period;
  for (let t = s + period; t < n; t++) {
    sum += values[t] - shift - (values[t - period] - shift);
    out[t] = shift + sum / period;
  }
  return out;
}

/** Mean of values[from..from+count-1], shifted by values[from] (exact for constant runs). */
function seedMean(values: Series, from: number, count: number): number {
  const shift = values[from];
  let sum = 0;
  for (let t = from; t < from + count; t++) sum += values[t] - shift;
  return shift + sum / count;
}

/**
 * Exponential moving average, alpha = 2/(n+1).
 * Convention: Stock.Indicators / TA-Lib / technicalindicators — seeded with the SMA of the first n
 * values at index n-1, then ema[t] = ema[t-1] + alpha·(x[t] − ema[t-1]). (Tulip instead seeds with
 * the first value and outputs from index 0; not used here.)
 */
export function ema(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('EMA period', period);
  const n = values.length;
  out = output(n, out);
  const s = firstFinite(values);
  if (s + period > n) return out;
  const alpha = 2 / (period + 1);
  let e = seedMean(values, s, period);
  out[s + period - 1] = e;
  for (let t = s + period; t < n; t++) {
    e += alpha * (values[t] - e);
    out[t] = e;
  }
  return out;
}

/**
 * Wilder's smoothing (RMA, alpha = 1/n), as used inside RSI and ATR.
 * Convention (Stock.Indicators, TA-Lib, Tulip `wilders`): seeded with the SMA of the first n
 * values at index n-1, then out[t] = (out[t-1]·(n−1) + x[t]) / n, computed as
 * out[t-1] + (x[t] − out[t-1])/n (same value, exact on constant input).
 */
export function wilderSmooth(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('Wilder smoothing period', period);
  const n = values.length;
  out = output(n, out);
  const s = firstFinite(values);
  if (s + period > n) return out;
  let w = seedMean(values, s, period);
  out[s + period - 1] = w;
  for (let t = s + period; t < n; t++) {
    w += (values[t] - w) / period;
    out[t] = w;
  }
  return out;
}
