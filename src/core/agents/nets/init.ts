/**
 * Weight initialisers computed in plain JS (float64) from the seeded Rng, so the same seed gives the
 * same weights on every backend — tfjs has no global seed and its own initialisers differ per backend.
 * All return a kernel W[in, out] row-major (the layout of tf.matMul(x, W)).
 */
import type { Rng } from '../../rng.ts';

export type InitName = 'orthogonal' | 'he' | 'glorot' | 'zeros';

/**
 * Orthogonal init as torch.nn.init.orthogonal_ (CleanRL's layer_init): QR of a Gaussian matrix with
 * the signs fixed so diag(R) > 0, times `gain`. Columns of W are orthonormal when in ≥ out, rows
 * otherwise. Modified Gram–Schmidt gives diag(R) > 0 directly.
 */
export function orthogonal(inSize: number, outSize: number, gain: number, rng: Rng): Float32Array {
  const rows = Math.max(inSize, outSize);
  const cols = Math.min(inSize, outSize);
  // Column-major Gaussian matrix A[rows, cols]: column j at a[j*rows ...].
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let j = 0; j < cols; j++) {
    const cj = j * rows;
    for (let k = 0; k < j; k++) {
      const ck = k * rows;
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += a[ck + r] * a[cj + r];
      for (let r = 0; r < rows; r++) a[cj + r] -= dot * a[ck + r];
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += a[cj + r] * a[cj + r];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('orthogonal init: degenerate Gaussian draw');
    for (let r = 0; r < rows; r++) a[cj + r] /= norm;
  }
  const w = new Float32Array(inSize * outSize);
  if (inSize >= outSize) {
    // W[i, o] = Q[i, o]
    for (let i = 0; i < inSize; i++)
      for (let o = 0; o < outSize; o++) w[i * outSize + o] = gain * a[o * rows + i];
  } else {
    // W = Qᵀ: W[i, o] = Q[o, i]
    for (let i = 0; i < inSize; i++)
      for (let o = 0; o < outSize; o++) w[i * outSize + o] = gain * a[i * rows + o];
  }
  return w;
}

/** He (Kaiming) normal: N(0, (gain·√(2/in))²); gain 1 is the ReLU standard. */
export function heNormal(inSize: number, outSize: number, gain: number, rng: Rng): Float32Array {
  const std = gain * Math.sqrt(2 / inSize);
  const w = new Float32Array(inSize * outSize);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal(0, std);
  return w;
}

/** Glorot (Xavier) uniform: U(±gain·√(6/(in+out))). */
export function glorotUniform(inSize: number, outSize: number, gain: number, rng: Rng): Float32Array {
  const limit = gain * Math.sqrt(6 / (inSize + outSize));
  const w = new Float32Array(inSize * outSize);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
  return w;
}

export function initKernel(
  init: InitName,
  inSize: number,
  outSize: number,
  gain: number,
  rng: Rng,
): Float32Array {
  switch (init) {
    case 'orthogonal':
      return orthogonal(inSize, outSize, gain, rng);
    case 'he':
      return heNormal(inSize, outSize, gain, rng);
    case 'glorot':
      return glorotUniform(inSize, outSize, gain, rng);
    case 'zeros':
      return new Float32Array(inSize * outSize);
    default:
      throw new Error(`unknown initialiser '${String(init)}' (orthogonal, he, glorot, zeros)`);
  }
}
