/**
 * Batching helpers shared by the offline learners (BC, IQL): train/validation split, row gathers
 * into reusable buffers, weighted sampling with replacement (PyTorch's WeightedRandomSampler) and
 * observation normalisation (CORL's compute_mean_std / normalize_states).
 */
import type { Rng } from '../../rng.ts';
import { classCounts, type OfflineDataset } from './dataset.ts';

export type SplitMode = 'random' | 'tail';

/**
 * Row indices of a train/validation split. 'random' shuffles every row (seed 004's random split);
 * 'tail' keeps time order and validates on the last rows (no look-ahead leakage on market data).
 */
export function splitIndices(
  n: number,
  valFraction: number,
  mode: SplitMode,
  rng: Rng,
): { train: Int32Array; val: Int32Array } {
  if (!(valFraction >= 0 && valFraction < 1))
    throw new Error(`valFraction must be in [0, 1), got ${valFraction}`);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (mode === 'random') rng.shuffle(idx);
  else if (mode !== 'tail') throw new Error(`unknown split mode '${String(mode)}' (random, tail)`);
  const nVal = Math.min(n - 1, Math.round(n * valFraction));
  return { train: idx.slice(0, n - nVal), val: idx.slice(n - nVal) };
}

/** Copy rows rows[start .. start + count) of a [n, per] array into out[0 .. count·per). */
export function gatherRows<T extends Float32Array | Int32Array | Uint8Array>(
  src: T,
  per: number,
  rows: ArrayLike<number>,
  start: number,
  count: number,
  out: T,
): T {
  if (per === 1) {
    for (let j = 0; j < count; j++) out[j] = src[rows[start + j]];
    return out;
  }
  for (let j = 0; j < count; j++) {
    const i = rows[start + j];
    out.set(src.subarray(i * per, (i + 1) * per), j * per);
  }
  return out;
}

/** Draws indices with probability ∝ weight, with replacement (binary search over the cumulative sum). */
export class WeightedSampler {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w))
        throw new Error(`WeightedSampler: weight ${i} is ${w}, expected a finite number ≥ 0`);
      acc += w;
      this.cumulative[i] = acc;
    }
    if (!(acc > 0)) throw new Error('WeightedSampler: all weights are zero');
    this.total = acc;
  }

  sample(rng: Rng): number {
    const u = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** `count` draws into a new Int32Array. */
  draw(count: number, rng: Rng): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.sample(rng);
    return out;
  }
}

/** Per-feature mean and scale of the observations: x̂ = (x − mean) / std. */
export interface ObsNormalizer {
  mean: Float32Array;
  std: Float32Array;
}

/** CORL's compute_mean_std: mean and population std over `rows` (all rows by default), std + eps. */
export function computeObsNormalizer(
  ds: OfflineDataset,
  rows?: ArrayLike<number>,
  eps = 1e-3,
): ObsNormalizer {
  const d = ds.obsDim;
  const m = rows ? rows.length : ds.size;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let j = 0; j < m; j++) {
    const i = rows ? rows[j] : j;
    for (let k = 0; k < d; k++) sum[k] += ds.obs[i * d + k];
  }
  const mean = new Float32Array(d);
  for (let k = 0; k < d; k++) mean[k] = sum[k] / m;
  for (let j = 0; j < m; j++) {
    const i = rows ? rows[j] : j;
    for (let k = 0; k < d; k++) {
      const diff = ds.obs[i * d + k] - mean[k];
      sq[k] += diff * diff;
    }
  }
  const std = new Float32Array(d);
  for (let k = 0; k < d; k++) std[k] = Math.sqrt(sq[k] / m) + eps;
  return { mean, std };
}

/** The identity normaliser (mean 0, std 1). */
export function identityNormalizer(d: number): ObsNormalizer {
  return { mean: new Float32Array(d), std: new Float32Array(d).fill(1) };
}

/** Normalise [rows, d] observations in place. */
export function normalizeInPlace(x: Float32Array, norm: ObsNormalizer): Float32Array {
  const d = norm.mean.length;
  for (let i = 0; i < x.length; i++) {
    const k = i % d;
    x[i] = (x[i] - norm.mean[k]) / norm.std[k];
  }
  return x;
}

/** Class weights total/(K·count) per head (seed 004); a class absent from the data gets weight 0. */
export function classWeights(counts: number[][]): number[][] {
  return counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((n) => (n > 0 ? total / (c.length * n) : 0));
  });
}

/**
 * BC's class-imbalance remedies over the training rows: the class weights, and either every row's
 * label weights [n · heads] ('class-weights', PyTorch's weighted CrossEntropyLoss) or a sampler
 * drawing rows ∝ the mean of their labels' weights ('oversample', WeightedRandomSampler).
 */
export function classBalance(
  ds: OfflineDataset,
  trainRows: Int32Array,
  mode: 'class-weights' | 'oversample',
): { weights: number[][]; rowWeights: Float32Array | null; sampler: WeightedSampler | null } {
  const w = classWeights(classCounts(ds, trainRows));
  const H = ds.actionDim;
  if (mode === 'class-weights') {
    const rowWeights = new Float32Array(ds.size * H);
    for (let i = 0; i < ds.size; i++)
      for (let h = 0; h < H; h++) rowWeights[i * H + h] = w[h][ds.actions[i * H + h]];
    return { weights: w, rowWeights, sampler: null };
  }
  const rowWeight = (i: number) => {
    let sum = 0;
    for (let h = 0; h < H; h++) sum += w[h][ds.actions[i * H + h]];
    return sum / H;
  };
  return {
    weights: w,
    rowWeights: null,
    sampler: new WeightedSampler(Float64Array.from(trainRows, rowWeight)),
  };
}
