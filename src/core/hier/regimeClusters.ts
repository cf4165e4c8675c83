/**
 * Unsupervised market states for the experts' credit (hierarchical.ownership 'cluster'): k-means
 * (k-means++ seeding, Lloyd's iterations) on the router's regime features of the train split's
 * rows, z-scored by the train split's mean and sd, with K = the number of experts. A decision's days
 * then belong to the expert of the cluster its first day falls in, so each expert learns from one
 * kind of market, as a mixture of experts whose gate starts as a clustering (the regimes are never
 * seen: only features of past returns). Written here rather than taken from npm so it draws from
 * the lab's seeded Rng and runs on typed arrays.
 */
import type { Rng } from '../rng.ts';

export interface RegimeClusters {
  /** [K × d] centroids in z-scored units. */
  centroids: Float64Array;
  /** [d] mean and sd the features are z-scored by (sd 0 → 1). */
  mean: Float64Array;
  sd: Float64Array;
  k: number;
  d: number;
}

/** Squared distance of the z-scored x to centroid c. */
function dist2(cl: RegimeClusters, x: ArrayLike<number>, c: number): number {
  let s = 0;
  for (let j = 0; j < cl.d; j++) {
    const z = (x[j] - cl.mean[j]) / cl.sd[j];
    const e = z - cl.centroids[c * cl.d + j];
    s += e * e;
  }
  return s;
}

/** The nearest centroid (ties → the lower index). */
export function clusterOf(cl: RegimeClusters, x: ArrayLike<number>): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < cl.k; c++) {
    const d = dist2(cl, x, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/**
 * k-means of the rows of x ([n × d], row-major). k-means++ seeding (each next centroid drawn with
 * probability ∝ squared distance to the nearest chosen one), then Lloyd's iterations until no
 * assignment changes or `maxIter`; an emptied cluster keeps its centroid.
 */
export function fitRegimeClusters(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  maxIter = 100,
): RegimeClusters {
  if (!(k >= 1 && Number.isInteger(k))) throw new Error(`fitRegimeClusters: k = ${k} must be an integer ≥ 1`);
  if (n < k) throw new Error(`fitRegimeClusters: ${n} rows for ${k} clusters`);
  if (x.length !== n * d) throw new Error(`fitRegimeClusters: ${x.length} values for ${n} × ${d}`);
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i * d + j] - mean[j]) / sd[j];
  const cl: RegimeClusters = { centroids: new Float64Array(k * d), mean, sd, k, d };
  const zRow = (i: number) => z.subarray(i * d, (i + 1) * d);
  // The distances below are on z already: a centroid-space view with mean 0, sd 1.
  const zView: RegimeClusters = { ...cl, mean: new Float64Array(d), sd: new Float64Array(d).fill(1) };

  cl.centroids.set(zRow(rng.int(n)), 0);
  const near = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i], dist2(zView, zRow(i), c - 1));
      total += near[i];
    }
    // All rows on the chosen centroids already: any row will do.
    let pick = rng.int(n);
    if (total > 0) {
      let u = rng.float() * total;
      for (let i = 0; i < n; i++) {
        u -= near[i];
        if (u <= 0) {
          pick = i;
          break;
        }
      }
    }
    cl.centroids.set(zRow(pick), c * d);
  }

  const assign = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = clusterOf(zView, zRow(i));
      if (c !== assign[i]) {
        assign[i] = c;
        changed++;
      }
    }
    if (changed === 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      counts[assign[i]]++;
      for (let j = 0; j < d; j++) sums[assign[i] * d + j] += z[i * d + j];
    }
    for (let c = 0; c < k; c++)
      if (counts[c] > 0) for (let j = 0; j < d; j++) cl.centroids[c * d + j] = sums[c * d + j] / counts[c];
  }
  return cl;
}
