/**
 * TimesNet's Inception_Block_V1 (thuml Time-Series-Library, layers/Conv_Blocks.py): num_kernels 2-D
 * convolutions with kernels 1, 3, 5, … (padding i, so every output keeps the input's size), averaged.
 *
 * Mean of 'same' convolutions = ONE 'same' convolution with the mean of the kernels, each zero-padded
 * to the largest size around its centre (and the mean bias). So the block runs a single conv of size
 * (2K−1)² instead of K convs of Σ(2i+1)² taps (121 vs 286 taps for K = 6), and a kernel row or column
 * that can only ever meet padding (|offset| ≥ the grid's height or width) is cropped away, exactly.
 *
 * tfjs's wasm backend cannot backprop tf.conv2d (no Conv2DBackpropFilter; its Conv2DBackpropInput is
 * a naive loop), so conv2dSame has its own gradient written as two forward convolutions (conv.ts does
 * the same in 1-D):
 *   Y        = conv(pad(X, r), W) + b                         'valid' on the padded input
 *   dX       = conv(pad(dY, r), W flipped in space, C ↔ D)
 *   dW[i,j]  = conv(pad(X, r) as [C, H+2r, W+2r, N], dY as [H, W, N, D])    batch ↔ channels
 *   db       = Σ dY
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import { fusedConv2dValid, sumRows } from './kernels.ts';

function padSpace(x: tf.Tensor4D, rh: number, rw: number): tf.Tensor4D {
  if (rh === 0 && rw === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [rh, rh],
    [rw, rw],
    [0, 0],
  ]);
}

/**
 * conv2d(x, filter, stride 1, 'same') + bias for odd kernels, NHWC: x [N, H, W, C], filter
 * [kh, kw, C, D], bias [D] or null → [N, H, W, D], differentiable on every backend.
 */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null): tf.Tensor4D {
  const [kh, kw, C, D] = filter.shape;
  const [N, H, W, Cx] = x.shape;
  if (x.rank !== 4 || Cx !== C)
    throw new Error(`conv2dSame: expected input [N, H, W, ${C}], got shape [${x.shape.join(', ')}]`);
  if (kh % 2 === 0 || kw % 2 === 0) throw new Error(`conv2dSame: kernel must be odd-sized, got ${kh}×${kw}`);
  const rh = (kh - 1) / 2;
  const rw = (kw - 1) / 2;
  const inputs: tf.Tensor[] = [x, filter];
  if (bias) inputs.push(bias);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xp = padSpace(x, rh, rw);
    save([xp, filter]);
    return {
      value: fusedConv2dValid(xp, filter, bias, 'linear'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxp, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const flipped = tf.transpose(tf.reverse(sf, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, D, C]
        const dx = tf.conv2d(padSpace(dy4, rh, rw), flipped, 1, 'valid');
        const xcm = tf.transpose(sxp, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H+2rh, W+2rw, N]
        const dyf = tf.transpose(dy4, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, D]
        const dw = tf.transpose(tf.conv2d(xcm, dyf, 1, 'valid'), [1, 2, 0, 3]); // [C,kh,kw,D] → [kh,kw,C,D]
        const grads: tf.Tensor[] = [dx, dw];
        if (bias) grads.push(sumRows(tf.reshape(dy4, [N * H * W, D]) as tf.Tensor2D));
        return grads;
      },
    };
  });
  return (op as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as tf.Tensor4D;
}

/** Kernel sizes of Inception_Block_V1 with `numKernels` branches: 1, 3, …, 2·numKernels − 1. */
export function inceptionKernelSizes(numKernels: number): number[] {
  return Array.from({ length: numKernels }, (_, i) => 2 * i + 1);
}

/**
 * Weights of one Inception_Block_V1: per branch a filter [k, k, C, D] with kaiming_normal(fan_out,
 * relu) — N(0, 2 / (D·k²)) — and a zero bias, as the library initialises them.
 */
export function initInception(
  inChannels: number,
  outChannels: number,
  numKernels: number,
  rng: Rng,
): { filters: tf.Variable<tf.Rank.R4>[]; biases: tf.Variable<tf.Rank.R1>[] } {
  const filters: tf.Variable<tf.Rank.R4>[] = [];
  const biases: tf.Variable<tf.Rank.R1>[] = [];
  for (const k of inceptionKernelSizes(numKernels)) {
    const std = Math.sqrt(2 / (outChannels * k * k));
    const w = new Float32Array(k * k * inChannels * outChannels);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal(0, std);
    filters.push(tf.variable(tf.tensor4d(w, [k, k, inChannels, outChannels]), true));
    biases.push(tf.variable(tf.zeros([outChannels]) as tf.Tensor1D, true));
  }
  return { filters, biases };
}

/** The mean of the branch filters, each zero-padded to the largest size: [2K−1, 2K−1, C, D]. */
export function mergeInception(filters: readonly tf.Tensor4D[]): tf.Tensor4D {
  const K = filters.length;
  const kMax = 2 * K - 1;
  const padded = filters.map((f) => {
    const r = (kMax - f.shape[0]) / 2;
    return r === 0
      ? f
      : tf.pad(f, [
          [r, r],
          [r, r],
          [0, 0],
          [0, 0],
        ]);
  });
  return tf.div(padded.length === 1 ? padded[0] : tf.addN(padded), K) as tf.Tensor4D;
}

export function meanBias(biases: readonly tf.Tensor1D[]): tf.Tensor1D {
  return tf.div(biases.length === 1 ? biases[0] : tf.addN(biases as tf.Tensor1D[]), biases.length);
}

/**
 * Inception_Block_V1 on x [N, H, W, C] with a merged filter [k, k, C, D] and bias: rows/columns of
 * the kernel farther from the centre than the grid is tall/wide only ever meet the zero padding, so
 * they are cropped before the convolution (same result, less work on narrow period grids).
 */
export function inceptionApply(x: tf.Tensor4D, merged: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  const [, H, W] = x.shape;
  const [k, , C, D] = merged.shape;
  const r = (k - 1) / 2;
  const rh = Math.min(r, H - 1);
  const rw = Math.min(r, W - 1);
  const f =
    rh === r && rw === r
      ? merged
      : (tf.slice(merged, [r - rh, r - rw, 0, 0], [2 * rh + 1, 2 * rw + 1, C, D]) as tf.Tensor4D);
  return conv2dSame(x, f, bias);
}
