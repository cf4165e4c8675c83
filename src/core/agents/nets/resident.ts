/**
 * The market on the device, and the TimeCNN computed once per (asset, day) (issue 10).
 *
 * A run uploads the feature tensor X[t, asset, feature] once (ResidentMarket, stored asset-major
 * [N, T, F] so a day gather yields conv-ready sequences). A batch of states is then described by
 * the day its window ends on (plus the small portfolio part), not by W×N×F floats.
 *
 * Why per (asset, day) is exact: the TimeCNN's convolutions are 'valid' and stride 1, so the output
 * at a position depends only on the k·L days ending there, never on where the window starts. The
 * conv stack therefore runs once over the union of the days a batch's windows cover (its runs of
 * consecutive days concatenated; outputs straddling two runs are computed but never read), and each
 * window's pooled vector is a fixed sparse combination of those outputs: the mean of its W − L(k−1)
 * conv positions, or the last one. That combination is one SparseSegmentSum forward, and its
 * gradient (a scatter-add onto the positions) is another SparseSegmentSum over the transposed
 * pattern, so gradients are exact too (nets/resident.test.ts checks both against the per-window path).
 */
import * as tf from '@tensorflow/tfjs';

/** X[t, asset, feature] resident on the current tfjs backend, asset-major. */
export class ResidentMarket {
  /** [N, T, F]. */
  readonly x: tf.Tensor3D;
  readonly nRows: number;
  readonly nAssets: number;
  readonly nFeatures: number;
  /** The host array X was uploaded from (kept by reference, not copied). */
  private readonly host: Float32Array;
  private readonly hostGather: boolean | undefined;

  /**
   * `X` is a FeatureSet's [T·N·F] row-major (t, asset, feature) array. `hostGather`: assemble a
   * batch's day block from the host array instead of a device gather (default: on the wasm and cpu
   * backends, whose "device" memory is host memory anyway and whose Gather kernel works per element,
   * ~10× slower than a JS copy plus upload, measured; both give the same values).
   */
  constructor(X: Float32Array, nAssets: number, nFeatures: number, hostGather?: boolean) {
    const rowLen = nAssets * nFeatures;
    if (!(rowLen > 0) || X.length % rowLen !== 0)
      throw new Error(
        `ResidentMarket: ${X.length} values are not whole rows of ${nAssets} assets × ${nFeatures} features`,
      );
    this.nRows = X.length / rowLen;
    this.nAssets = nAssets;
    this.nFeatures = nFeatures;
    this.x = tf.tidy(
      () => tf.transpose(tf.tensor3d(X, [this.nRows, nAssets, nFeatures]), [1, 0, 2]) as tf.Tensor3D,
    );
    this.host = X;
    this.hostGather = hostGather;
  }

  /** The conv stack's input for `days`: [N, days.length, F]. */
  gatherDays(days: Int32Array): tf.Tensor3D {
    const N = this.nAssets;
    const F = this.nFeatures;
    const P = days.length;
    const backend = tf.getBackend();
    if (!(this.hostGather ?? (backend === 'wasm' || backend === 'cpu')))
      return tf.gather(this.x, tf.tensor1d(days, 'int32'), 1) as tf.Tensor3D;
    const out = new Float32Array(N * P * F);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        const src = (days[p] * N + n) * F;
        out.set(this.host.subarray(src, src + F), (n * P + p) * F);
      }
    }
    return tf.tensor3d(out, [N, P, F]);
  }

  dispose(): void {
    this.x.dispose();
  }
}

/** Which conv positions feed which window, both ways (all int32, for SparseSegmentSum). */
export interface WindowPlan {
  /** Sorted unique days the windows cover: the conv stack's input sequence. */
  days: Int32Array;
  /** Conv output positions (days.length − shrink). */
  positions: number;
  /** Windows (states), in the caller's order. */
  windows: number;
  /** Forward: pooled[w] = scale · Σ h[fwdIdx[i]] over i with fwdSeg[i] = w (fwdSeg sorted). */
  fwdIdx: Int32Array;
  fwdSeg: Int32Array;
  /** Backward: dh[p] = scale · Σ dy[bwdIdx[i]] over i with bwdSeg[i] = p (bwdSeg sorted); index `windows` is a zero row that pins the output length. */
  bwdIdx: Int32Array;
  bwdSeg: Int32Array;
  scale: number;
}

/**
 * The plan for windows of `window` days ending on `ends` (duplicates allowed), through a conv stack
 * that shortens time by `shrink` = L·(k−1), pooled by mean or last.
 */
export function planWindows(
  ends: Int32Array,
  window: number,
  shrink: number,
  pooling: 'mean' | 'last',
): WindowPlan {
  const B = ends.length;
  const tOut = window - shrink;
  if (B < 1) throw new Error('planWindows: no windows');
  if (!(tOut >= 1))
    throw new Error(
      `planWindows: the conv stack shrinks time by ${shrink}, more than the window (${window}) allows`,
    );
  // Union of [end − W + 1, end] over windows: sort the ends, sweep.
  const sorted = Int32Array.from(ends).sort();
  if (sorted[0] - window + 1 < 0)
    throw new Error(`planWindows: a window ending on day ${sorted[0]} starts before day 0`);
  const daysList: number[] = [];
  let next = -Infinity; // first day not yet listed
  for (const e of sorted) {
    for (let d = Math.max(next, e - window + 1); d <= e; d++) daysList.push(d);
    next = Math.max(next, e + 1);
  }
  const days = Int32Array.from(daysList);
  const indexOf = new Map<number, number>();
  days.forEach((d, i) => indexOf.set(d, i));
  const positions = days.length - shrink;
  const per = pooling === 'mean' ? tOut : 1;
  const fwdIdx = new Int32Array(B * per);
  const fwdSeg = new Int32Array(B * per);
  const counts = new Int32Array(positions);
  for (let w = 0; w < B; w++) {
    // Conv output j covers input positions j..j+shrink; the window's are start..start+tOut−1.
    const start = indexOf.get(ends[w] - window + 1)!;
    const first = pooling === 'mean' ? start : start + tOut - 1;
    for (let o = 0; o < per; o++) {
      fwdIdx[w * per + o] = first + o;
      fwdSeg[w * per + o] = w;
      counts[first + o]++;
    }
  }
  // Transposed pattern, grouped by position (counting sort keeps it deterministic).
  const offsets = new Int32Array(positions + 1);
  for (let p = 0; p < positions; p++) offsets[p + 1] = offsets[p] + counts[p];
  const n = offsets[positions];
  const bwdIdx = new Int32Array(n + 1);
  const bwdSeg = new Int32Array(n + 1);
  const fill = offsets.slice(0, positions);
  for (let i = 0; i < fwdIdx.length; i++) {
    const p = fwdIdx[i];
    const at = fill[p]++;
    bwdIdx[at] = fwdSeg[i];
    bwdSeg[at] = p;
  }
  bwdIdx[n] = B;
  bwdSeg[n] = positions - 1;
  return { days, positions, windows: B, fwdIdx, fwdSeg, bwdIdx, bwdSeg, scale: 1 / per };
}

/** h [positions, C] → pooled [windows, C] by the plan, with the scatter-add gradient. */
export function poolWindows(h: tf.Tensor2D, plan: WindowPlan): tf.Tensor2D {
  const [P, C] = h.shape;
  if (P !== plan.positions) throw new Error(`poolWindows: ${P} positions, the plan has ${plan.positions}`);
  const segSum = (data: tf.Tensor2D, idx: Int32Array, seg: Int32Array): tf.Tensor2D => {
    const s = tf.sparse.sparseSegmentSum(
      data,
      tf.tensor1d(idx, 'int32'),
      tf.tensor1d(seg, 'int32'),
    ) as tf.Tensor2D;
    return plan.scale === 1 ? s : (tf.mul(s, plan.scale) as tf.Tensor2D);
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    return {
      value: segSum(x, plan.fwdIdx, plan.fwdSeg),
      gradFunc: (dy: tf.Tensor) =>
        segSum(tf.concat([dy as tf.Tensor2D, tf.zeros([1, C])], 0) as tf.Tensor2D, plan.bwdIdx, plan.bwdSeg),
    };
  });
  return op(h) as tf.Tensor2D;
}
