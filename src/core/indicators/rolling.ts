import { checkPeriod, firstFinite, output, type Series } from './internal.ts';

/**
 * Rolling population standard deviation (ddof = 0) over n values; first value at index n-1.
 * O(T): a sliding update of the sum of squared deviations M2. Values are shifted by the first one,
 * so a constant series gives exactly 0. The window is re-summed exactly (two-pass, O(n)) every n
 * steps, and whenever M2 has fallen below 1e-6 of its peak since the last re-sum — there the
 * sliding update would be left with cancellation noise of order ε·peak (a stock that stops moving
 * after a volatile stretch must read σ = 0, not √(ε·peak)). On market data that second trigger is
 * rare, so the cost stays O(T).
 */
export function rollingStd(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('standard deviation period', period);
  const n = values.length;
  out = output(n, out);
  const s = firstFinite(values);
  if (s + period > n) return out;
  const shift = values[s];
  let sum = 0;
  let m2 = 0;
  let peak = 0;
  let sinceExact = period;
  for (let t = s + period - 1; t < n; t++) {
    if (sinceExact < period) {
      const xNew = values[t] - shift;
      const xOld = values[t - period] - shift;
      const meanOld = sum / period;
      sum += xNew - xOld;
      m2 += (xNew - xOld) * (xNew + xOld - sum / period - meanOld);
      if (m2 > peak) peak = m2;
      sinceExact++;
    }
    if (sinceExact >= period || m2 < 1e-6 * peak) {
      sum = 0;
      for (let k = t - period + 1; k <= t; k++) sum += values[k] - shift;
      const mean = sum / period;
      m2 = 0;
      for (let k = t - period + 1; k <= t; k++) {
        const d = values[k] - shift - mean;
        m2 += d * d;
      }
      peak = m2;
      sinceExact = 1;
    }
    out[t] = Math.sqrt(m2 > 0 ? m2 / period : 0);
  }
  return out;
}

const scratchPool: Float64Array[] = [];

/**
 * Scratch array k of at least n values, kept between calls (kernels run to completion on one
 * thread, and allocating typed arrays costs more than the loops that use them).
 */
export function scratch(k: number, n: number): Float64Array {
  if (!(scratchPool[k]?.length >= n)) scratchPool[k] = new Float64Array(Math.max(n, 1024));
  return scratchPool[k];
}

/**
 * dst[t] = max (or min) of x over (t − period, t] for t ≥ from + period − 1; dst elsewhere untouched.
 * O(T) by van Herk / Gil-Werman: prefix and suffix extremes inside blocks of `period` bars aligned at
 * `from`; a window spans at most two blocks, so its extreme is max(suffix[t−period+1], prefix[t]).
 * Each block's suffix reaches only to the block's end, which is ≤ t: no look-ahead. Math.max/min
 * propagate NaN, so a window holding a NaN reads NaN. Uses scratch arrays 0 and 1.
 */
export function windowExtreme(
  x: Series,
  period: number,
  max: boolean,
  from: number,
  dst: Float64Array,
): void {
  const n = x.length;
  const pre = scratch(0, n);
  const suf = scratch(1, n);
  for (let b = from; b < n; b += period) {
    const e = Math.min(b + period, n);
    let acc = x[b];
    pre[b] = acc;
    for (let t = b + 1; t < e; t++) {
      acc = max ? Math.max(acc, x[t]) : Math.min(acc, x[t]);
      pre[t] = acc;
    }
    acc = x[e - 1];
    suf[e - 1] = acc;
    for (let t = e - 2; t >= b; t--) {
      acc = max ? Math.max(acc, x[t]) : Math.min(acc, x[t]);
      suf[t] = acc;
    }
  }
  for (let t = from + period - 1; t < n; t++) {
    dst[t] = max ? Math.max(suf[t - period + 1], pre[t]) : Math.min(suf[t - period + 1], pre[t]);
  }
}

/** Highest value of the last n (including t); first at index n-1; NaN while a NaN is inside the window. */
export function rollingMax(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('rolling window', period);
  out = output(values.length, out);
  windowExtreme(values, period, true, firstFinite(values), out);
  return out;
}

/** Lowest value of the last n (including t); first at index n-1; NaN while a NaN is inside the window. */
export function rollingMin(values: Series, period: number, out?: Float64Array): Float64Array {
  checkPeriod('rolling window', period);
  out = output(values.length, out);
  windowExtreme(values, period, false, firstFinite(values), out);
  return out;
}
