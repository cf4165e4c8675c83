/**
 * Direct calls to tfjs's fused kernels, and reductions written to hit fast wasm kernels.
 *
 * tf.fused.matMul / tf.fused.conv2d silently fall back to separate matMul + add + activation
 * whenever a gradient tape is recording (tfjs's shouldFuse), i.e. exactly during training. Inside our
 * own customGrad forward functions the tape is off anyway, so calling the fused kernels directly
 * keeps one kernel (one pass over the output) instead of three.
 */
import * as tf from '@tensorflow/tfjs';

export type FusedActivation = 'linear' | 'relu' | 'sigmoid' | 'elu';

/** act(a·b + bias) for a [n, k], b [k, m], bias [m] or null — the _FusedMatMul kernel. */
export function fusedMatMul2d(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  activation: FusedActivation,
): tf.Tensor2D {
  const [n, k] = a.shape;
  const m = b.shape[1];
  const inputs: Record<string, tf.Tensor> = { a: tf.reshape(a, [1, n, k]), b: tf.reshape(b, [1, k, m]) };
  if (bias) inputs.bias = bias;
  const out = tf.engine().runKernel(
    '_FusedMatMul',
    inputs as tf.NamedTensorMap,
    {
      transposeA: false,
      transposeB: false,
      activation,
      leakyreluAlpha: 0.2,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor;
  return tf.reshape(out, [n, m]);
}

/** act(conv2d(x, filter, stride 1, 'valid') + bias), NHWC — the FusedConv2D kernel. */
export function fusedConv2dValid(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  activation: FusedActivation,
): tf.Tensor4D {
  const inputs: Record<string, tf.Tensor> = { x, filter };
  if (bias) inputs.bias = bias;
  return tf.engine().runKernel(
    'FusedConv2D',
    inputs as tf.NamedTensorMap,
    {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation,
      leakyreluAlpha: 0.2,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** Largest divisor of n in [lo, hi], or 0. */
function divisorIn(n: number, lo: number, hi: number): number {
  for (let b = Math.min(hi, n >> 1); b >= lo; b--) if (n % b === 0) return b;
  return 0;
}

/**
 * Column sums of x [n, m] → [m] (the bias gradient). On wasm tf.sum(x, 0) transposes x first, and
 * tall-to-wide transposes are slow there (7 ms for [12800, 64]); a ones·x matMul re-packs x for
 * XNNPACK (4 ms). Summing [n/b, b, m] over the middle axis, then the rest, takes 0.7 ms (measured).
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  const [n, m] = x.shape;
  if (n <= 256) return tf.sum(x, 0);
  const b = divisorIn(n, 8, 128);
  if (b === 0) return tf.sum(x, 0);
  return sumRows(tf.sum(tf.reshape(x, [n / b, b, m]), 1) as tf.Tensor2D);
}

/**
 * Whether backward matMuls should transpose explicitly. On wasm, matMul with a transpose flag takes a
 * slow non-XNNPACK path (~11× slower); on cpu the opposite holds — its transpose is a JS loop while
 * matMul reads transposed operands through strides for free — and GPU backends handle flags in the
 * shader. Read per call: the backend can change between runs.
 */
export function explicitTransposes(): boolean {
  return tf.getBackend() === 'wasm';
}

/** a · bᵀ for 2-D or batched 3-D operands, using the faster form for the backend. */
export function matMulBT<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  if (!explicitTransposes()) return tf.matMul(a, b, false, true) as T;
  return tf.matMul(a, tf.transpose(b, b.rank === 2 ? [1, 0] : [0, 2, 1])) as T;
}

/** aᵀ · b for 2-D or batched 3-D operands, using the faster form for the backend. */
export function matMulAT<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  if (!explicitTransposes()) return tf.matMul(a, b, true, false) as T;
  return tf.matMul(tf.transpose(a, a.rank === 2 ? [1, 0] : [0, 2, 1]), b) as T;
}
