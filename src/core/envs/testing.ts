import type { RowRange, SplitName } from '../data/types.ts';
import type { FeatureSet } from '../features/types.ts';
import { Rng } from '../rng.ts';

/**
 * Tiny FeatureSet factory for env tests and benchmarks, independent of the features module.
 * Feature 0 is the one-day log return (0 on the first row); the others are seeded N(0, 1) noise,
 * so observations are finite and reproducible.
 */
export interface TestFeatureSetOptions {
  /** Features per asset (F ≥ 0). Default 2. */
  nFeatures?: number;
  /** Tickers; default A0, A1, … */
  assets?: string[];
  /** First date (ISO); consecutive calendar days follow. Default 2020-01-01. */
  startDate?: string;
  /** Split rows; default: every row in train, valid and test empty at the end. */
  splits?: Partial<Record<SplitName, RowRange>>;
  /** Seed of the noise features. */
  seed?: number;
}

/** `closePrices[t][asset]`: T rows of N prices. */
export function makeTestFeatureSet(closePrices: number[][], opts: TestFeatureSetOptions = {}): FeatureSet {
  const T = closePrices.length;
  const N = T > 0 ? closePrices[0].length : (opts.assets?.length ?? 0);
  const F = opts.nFeatures ?? 2;
  const assets = opts.assets ?? Array.from({ length: N }, (_, i) => `A${i}`);
  if (assets.length !== N)
    throw new Error(`makeTestFeatureSet: ${assets.length} asset names for ${N} price columns`);
  const close = new Float64Array(T * N);
  for (let t = 0; t < T; t++) {
    if (closePrices[t].length !== N)
      throw new Error(`makeTestFeatureSet: row ${t} has ${closePrices[t].length} prices, expected ${N}`);
    for (let i = 0; i < N; i++) close[t * N + i] = closePrices[t][i];
  }
  const rng = new Rng(opts.seed ?? 1);
  const X = new Float32Array(T * N * F);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < N; i++) {
      const base = (t * N + i) * F;
      for (let f = 0; f < F; f++) {
        X[base + f] =
          f === 0 ? (t === 0 ? 0 : Math.log(close[t * N + i] / close[(t - 1) * N + i])) : rng.normal();
      }
    }
  }
  const start = Date.parse(`${opts.startDate ?? '2020-01-01'}T00:00:00Z`);
  const dates = Array.from({ length: T }, (_, t) =>
    new Date(start + t * 86_400_000).toISOString().slice(0, 10),
  );
  const empty: RowRange = { start: T, end: T };
  return {
    dates,
    assets,
    featureNames: Array.from({ length: F }, (_, f) => (f === 0 ? 'log_return' : `noise_${f}`)),
    X,
    close,
    splits: {
      train: opts.splits?.train ?? { start: 0, end: T },
      valid: opts.splits?.valid ?? empty,
      test: opts.splits?.test ?? empty,
    },
    normalization: { mean: new Float32Array(F), std: new Float32Array(F).fill(1) },
  };
}

/** Seeded geometric random walk prices: T rows × N assets, starting at 100, daily vol `vol`. */
export function randomWalkPrices(T: number, N: number, seed = 7, vol = 0.02): number[][] {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  let prev = new Array<number>(N).fill(100);
  for (let t = 0; t < T; t++) {
    const row = t === 0 ? prev.slice() : prev.map((p) => p * Math.exp(rng.normal(0, vol)));
    rows.push(row);
    prev = row;
  }
  return rows;
}
