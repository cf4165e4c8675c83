/**
 * FFT period detection as TimesNet's FFT_for_Period (thuml Time-Series-Library, models/TimesNet.py),
 * on typed arrays (no tfjs):
 *
 *   A[b, f, c] = |rFFT_t(x[b, :, c])[f]|,  f = 0 … ⌊T/2⌋
 *   S[f]       = mean over b and c of A[b, f, c], with S[0] = 0 (the DC bin is never a period)
 *   top-k f    = the k largest S[f] (ties: the lower frequency first)
 *   period     = ⌊T / f⌋
 *   weight[b, j] = mean over c of A[b, f_j, c]   (TimesBlock softmaxes these to mix its k views)
 *
 * The FFT is iterative radix-2 for power-of-two lengths and Bluestein's chirp-z (three power-of-two
 * FFTs) for any other length, so T = 96, 192, 720 … all cost O(T log T).
 */

export class PeriodError extends Error {}

/** In-place iterative radix-2 FFT of (re, im), length a power of two; inverse = conjugate transform, unscaled. */
function fftPow2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k;
        const b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** A reusable plan for the forward DFT of one length (Bluestein's chirp and its transform cached). */
export class FftPlan {
  readonly n: number;
  private readonly m: number;
  private readonly pow2: boolean;
  private readonly chirpRe: Float64Array = new Float64Array(0);
  private readonly chirpIm: Float64Array = new Float64Array(0);
  private readonly kernRe: Float64Array = new Float64Array(0);
  private readonly kernIm: Float64Array = new Float64Array(0);

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1)
      throw new PeriodError(`FFT length must be a positive integer, got ${n}`);
    this.n = n;
    this.pow2 = (n & (n - 1)) === 0;
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    if (this.pow2) return;
    // w_k = exp(−iπ k²/n); k² mod 2n keeps the angle exact for large k.
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(a);
      this.chirpIm[k] = -Math.sin(a);
    }
    // Kernel b_k = conj(w_k) at k and m − k, transformed once.
    this.kernRe = new Float64Array(m);
    this.kernIm = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.kernRe[k] = this.chirpRe[k];
      this.kernIm[k] = -this.chirpIm[k];
      if (k > 0) {
        this.kernRe[m - k] = this.chirpRe[k];
        this.kernIm[m - k] = -this.chirpIm[k];
      }
    }
    fftPow2(this.kernRe, this.kernIm, false);
  }

  /** Forward DFT X[f] = Σ_t x[t]·e^(−2πi f t / n) of a complex input, into new arrays. */
  transform(re: ArrayLike<number>, im?: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
    const n = this.n;
    if (this.pow2) {
      const r = Float64Array.from({ length: n }, (_, i) => re[i]);
      const j = im ? Float64Array.from({ length: n }, (_, i) => im[i]) : new Float64Array(n);
      fftPow2(r, j, false);
      return { re: r, im: j };
    }
    const m = this.m;
    const ar = new Float64Array(m);
    const ai = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      const xr = re[k];
      const xi = im ? im[k] : 0;
      ar[k] = xr * this.chirpRe[k] - xi * this.chirpIm[k];
      ai[k] = xr * this.chirpIm[k] + xi * this.chirpRe[k];
    }
    fftPow2(ar, ai, false);
    for (let k = 0; k < m; k++) {
      const r = ar[k] * this.kernRe[k] - ai[k] * this.kernIm[k];
      ai[k] = ar[k] * this.kernIm[k] + ai[k] * this.kernRe[k];
      ar[k] = r;
    }
    fftPow2(ar, ai, true);
    const outR = new Float64Array(n);
    const outI = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const cr = ar[k] / m;
      const ci = ai[k] / m;
      outR[k] = cr * this.chirpRe[k] - ci * this.chirpIm[k];
      outI[k] = cr * this.chirpIm[k] + ci * this.chirpRe[k];
    }
    return { re: outR, im: outI };
  }
}

/** Number of rFFT bins of a length-T signal: ⌊T/2⌋ + 1. */
export function rfftBins(length: number): number {
  return Math.floor(length / 2) + 1;
}

/** rFFT of a real signal: bins 0 … ⌊T/2⌋ of its DFT. */
export function rfft(x: ArrayLike<number>, plan: FftPlan = new FftPlan(x.length)) {
  const { re, im } = plan.transform(x);
  const F = rfftBins(x.length);
  return { re: re.slice(0, F), im: im.slice(0, F) };
}

function checkShape(x: ArrayLike<number>, batch: number, length: number, channels: number): void {
  for (const [name, v] of [
    ['batch', batch],
    ['length', length],
    ['channels', channels],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new PeriodError(`${name} must be a positive integer, got ${v}`);
  if (x.length !== batch * length * channels)
    throw new PeriodError(
      `x has ${x.length} values, expected batch·length·channels = ${batch}·${length}·${channels} = ${batch * length * channels}`,
    );
}

/** A[b, f, c] = |rFFT of x[b, :, c]| for x [B, T, C] row-major → Float64Array [B, F, C]. */
export function rfftAmplitudes(
  x: ArrayLike<number>,
  batch: number,
  length: number,
  channels: number,
): Float64Array {
  checkShape(x, batch, length, channels);
  const F = rfftBins(length);
  const plan = new FftPlan(length);
  const out = new Float64Array(batch * F * channels);
  const col = new Float64Array(length);
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++) {
      const base = b * length * channels + c;
      for (let t = 0; t < length; t++) col[t] = x[base + t * channels];
      const { re, im } = plan.transform(col);
      for (let f = 0; f < F; f++) out[(b * F + f) * channels + c] = Math.hypot(re[f], im[f]);
    }
  return out;
}

/** Indices of the k largest values of `spectrum`, bin 0 excluded; ties go to the lower frequency. */
export function topFrequencies(spectrum: ArrayLike<number>, k: number): number[] {
  const F = spectrum.length;
  if (!Number.isInteger(k) || k < 1) throw new PeriodError(`top_k must be a positive integer, got ${k}`);
  if (k > F - 1)
    throw new PeriodError(
      `top_k ${k} is more than the ${F - 1} non-DC frequencies of a length-${2 * (F - 1)}…${2 * F - 1} series`,
    );
  const idx = Array.from({ length: F - 1 }, (_, i) => i + 1);
  idx.sort((a, b) => spectrum[b] - spectrum[a] || a - b);
  return idx.slice(0, k);
}

export interface PeriodDetection {
  /** Length T the periods refer to. */
  length: number;
  /** Top-k frequency bins, strongest first. */
  frequencies: number[];
  /** ⌊T / f⌋ for each frequency. */
  periods: number[];
  /** Mean amplitude (over batch and channels) at each frequency. */
  amplitudes: number[];
  /** [B, k] row-major: the per-sample amplitude (mean over channels) at each frequency. */
  weights: Float64Array;
  /** [F] mean amplitude over batch and channels, DC set to 0. */
  spectrum: Float64Array;
}

/** FFT_for_Period on x [B, T, C] (row-major, time then channel within a sample). */
export function fftForPeriod(
  x: ArrayLike<number>,
  batch: number,
  length: number,
  channels: number,
  k: number,
): PeriodDetection {
  const amp = rfftAmplitudes(x, batch, length, channels);
  const F = rfftBins(length);
  const spectrum = new Float64Array(F);
  for (let b = 0; b < batch; b++)
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let c = 0; c < channels; c++) s += amp[(b * F + f) * channels + c];
      spectrum[f] += s;
    }
  for (let f = 0; f < F; f++) spectrum[f] /= batch * channels;
  spectrum[0] = 0;
  const frequencies = topFrequencies(spectrum, k);
  const weights = new Float64Array(batch * k);
  for (let b = 0; b < batch; b++)
    frequencies.forEach((f, j) => {
      let s = 0;
      for (let c = 0; c < channels; c++) s += amp[(b * F + f) * channels + c];
      weights[b * k + j] = s / channels;
    });
  return {
    length,
    frequencies,
    periods: frequencies.map((f) => Math.floor(length / f)),
    amplitudes: frequencies.map((f) => spectrum[f]),
    weights,
    spectrum,
  };
}
