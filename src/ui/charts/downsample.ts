/**
 * Display-only downsampling. Metrics are always computed on the full series; these only choose
 * which points a chart draws so it stays smooth with 5,000+ points.
 */

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): indices of `threshold` points that keep the
 * visual shape of y over x = index. NaN points are skipped. Always keeps the first and last point.
 */
export function lttbIndices(y: ArrayLike<number>, threshold: number): number[] {
  const n = y.length;
  const valid: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(y[i])) valid.push(i);
  const m = valid.length;
  if (threshold >= m || threshold < 3) return valid;
  const out: number[] = [valid[0]];
  const bucket = (m - 2) / (threshold - 2);
  let a = 0; // index into valid of the last selected point
  for (let b = 0; b < threshold - 2; b++) {
    const nextStart = Math.floor((b + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * bucket) + 1, m);
    let avgX = 0;
    let avgY = 0;
    const span = Math.max(nextEnd - nextStart, 1);
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += valid[j];
      avgY += y[valid[j]];
    }
    avgX /= span;
    avgY /= span;
    const start = Math.floor(b * bucket) + 1;
    const end = Math.floor((b + 1) * bucket) + 1;
    const ax = valid[a];
    const ay = y[ax];
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const x = valid[j];
      const area = Math.abs((ax - avgX) * (y[x] - ay) - (ax - x) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(valid[best]);
    a = best;
  }
  out.push(valid[m - 1]);
  return out;
}

/** Min/max decimation: per bucket the indices of the smallest and largest value (for spiky series). */
export function minMaxIndices(y: ArrayLike<number>, buckets: number): number[] {
  const n = y.length;
  if (n <= buckets * 2) return Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(y[i]));
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor((b * n) / buckets);
    const e = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = s; i < e; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < y[lo]) lo = i;
      if (hi < 0 || v > y[hi]) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return out;
}
