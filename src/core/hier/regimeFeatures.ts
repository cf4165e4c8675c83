/**
 * What the router sees (seed 002's meta_router): features of the recent returns that tell a
 * trending market from a mean-reverting one, computed at row t from closes ≤ t only (no look-ahead).
 * On the log returns r of the last L days (L = lookback) and of the last ⌈L/4⌉:
 *
 *   ac1     lag-1 autocorrelation Σ (r_i − r̄)(r_{i−1} − r̄) / Σ (r_i − r̄)²  (trending > 0 > mean-reverting)
 *   agree   2·(share of days whose return has the sign of the day before) − 1
 *   trend   r̄ / sd · √L, clipped to ±3, / 3 (a t-statistic of the drift)
 *   vol     sd · √252 (annualised volatility)
 *
 * Several assets: the equal-weight index's log return (mean of the assets'). With the encoder on,
 * `periodFeatures` adds the amplitudes of the train split's top FFT periods (TimesNet's
 * FFT_for_Period, core/forecast/periods.ts) in the current window, relative to the window's
 * mean amplitude.
 */
import { fftForPeriod, rfftAmplitudes, rfftBins } from '../forecast/periods.ts';

export const REGIME_FEATURE_NAMES = [
  'ac1_long',
  'agree_long',
  'trend_long',
  'vol_long',
  'ac1_short',
  'agree_short',
  'trend_short',
] as const;

/** Log returns of the equal-weight index per row [T] (row 0: 0). */
export function indexLogReturns(close: ArrayLike<number>, assets: number): Float64Array {
  const T = close.length / assets;
  const r = new Float64Array(T);
  for (let t = 1; t < T; t++) {
    let s = 0;
    for (let i = 0; i < assets; i++) s += Math.log(close[t * assets + i] / close[(t - 1) * assets + i]);
    r[t] = s / assets;
  }
  return r;
}

function stats(r: Float64Array, from: number, to: number, out: Float32Array, at: number): void {
  const n = to - from;
  if (n < 3) return; // too few returns: zeros
  let mean = 0;
  for (let i = from; i < to; i++) mean += r[i];
  mean /= n;
  let v = 0;
  let c = 0;
  let agree = 0;
  for (let i = from; i < to; i++) {
    v += (r[i] - mean) ** 2;
    if (i > from) {
      c += (r[i] - mean) * (r[i - 1] - mean);
      if (Math.sign(r[i]) === Math.sign(r[i - 1])) agree++;
    }
  }
  const sd = Math.sqrt(v / n);
  out[at] = v > 0 ? c / v : 0;
  out[at + 1] = (2 * agree) / (n - 1) - 1;
  out[at + 2] = sd > 0 ? Math.max(-3, Math.min(3, (mean / sd) * Math.sqrt(n))) / 3 : 0;
  if (at === 0) out[3] = sd * Math.sqrt(252);
}

/** The REGIME_FEATURE_NAMES at row t from returns r[t−L+1..t] (row 0's return excluded). */
export function regimeFeatures(r: Float64Array, t: number, lookback: number): Float32Array {
  const out = new Float32Array(REGIME_FEATURE_NAMES.length);
  const to = t + 1;
  stats(r, Math.max(1, to - lookback), to, out, 0);
  stats(r, Math.max(1, to - Math.max(4, Math.ceil(lookback / 4))), to, out, 4);
  return out;
}

/** TimesNet's top-k periods of the return windows of rows [start, end) (stride = half a window). */
export function detectPeriods(
  r: Float64Array,
  start: number,
  end: number,
  window: number,
  k: number,
): { periods: number[]; frequencies: number[]; amplitudes: number[] } {
  const from = Math.max(1, start);
  const stride = Math.max(1, Math.floor(window / 2));
  const starts: number[] = [];
  for (let s = from; s + window <= end; s += stride) starts.push(s);
  if (starts.length === 0)
    throw new Error(
      `hierarchical.encoder: the train split has fewer than lookback = ${window} returns for period detection`,
    );
  const x = new Float64Array(starts.length * window);
  starts.forEach((s, b) => x.set(r.subarray(s, s + window), b * window));
  const det = fftForPeriod(x, starts.length, window, 1, k);
  return { periods: det.periods, frequencies: det.frequencies, amplitudes: det.amplitudes };
}

/** Amplitude of each given frequency in the window ending at t, ÷ the window's mean non-DC amplitude. */
export function periodFeatures(
  r: Float64Array,
  t: number,
  window: number,
  frequencies: number[],
): Float32Array {
  const out = new Float32Array(frequencies.length);
  const from = t + 1 - window;
  if (from < 1) return out;
  const amp = rfftAmplitudes(r.subarray(from, t + 1), 1, window, 1);
  const F = rfftBins(window);
  let mean = 0;
  for (let f = 1; f < F; f++) mean += amp[f];
  mean /= F - 1;
  frequencies.forEach((f, j) => (out[j] = mean > 0 ? amp[f] / mean - 1 : 0));
  return out;
}
