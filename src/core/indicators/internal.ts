/**
 * Helpers shared by the indicator kernels. Every kernel:
 * - takes equal-length numeric series and returns new Float64Arrays of the same length;
 * - writes NaN where the indicator is not yet defined (warm-up);
 * - treats a leading run of NaN in its inputs as "no data yet" and starts its warm-up at the first
 *   index where every input is finite (so a late-listed asset in a union-aligned panel still gets
 *   its indicators); a NaN after that point propagates through the arithmetic;
 * - reads only x[0..t] to produce out[t] (no look-ahead), in one O(T) pass;
 * - optionally writes into caller-provided output arrays (`out`), which it fills completely.
 */

/** A numeric series the kernels accept: a typed array or a plain array of numbers. */
export type Series = ArrayLike<number>;

/** Throws a RangeError unless `period` is an integer ≥ `min`. */
export function checkPeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${period}`);
  }
}

/** Throws a RangeError unless `value` is a finite number ≥ 0. */
export function checkNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
}

/** Throws a RangeError unless every series has the length of the first. Returns that length. */
export function checkSameLength(...series: Series[]): number {
  const n = series[0].length;
  for (let k = 1; k < series.length; k++) {
    if (series[k].length !== n) {
      throw new RangeError(`input series lengths differ: ${series.map((s) => s.length).join(' vs ')}`);
    }
  }
  return n;
}

/** First index at which every series is finite (length if none). */
export function firstFinite(...series: Series[]): number {
  const n = series[0].length;
  outer: for (let t = 0; t < n; t++) {
    for (let k = 0; k < series.length; k++) if (!Number.isFinite(series[k][t])) continue outer;
    return t;
  }
  return n;
}

/**
 * The output array of a kernel, filled with NaN: the caller's `out` when given (it must have length
 * n; reusing buffers avoids allocating, which dominates the cost of these O(T) loops), else new.
 */
export function output(n: number, out?: Float64Array): Float64Array {
  if (!out) return new Float64Array(n).fill(NaN);
  if (out.length !== n) throw new RangeError(`output array has length ${out.length}, expected ${n}`);
  return out.fill(NaN);
}
