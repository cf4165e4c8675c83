/**
 * Action distributions, in two halves that must agree:
 * - CPU side (acting): from logits / means read back once per step, sample with the seeded Rng and
 *   compute the log-probability of the sampled action. Sampling on the CPU keeps runs reproducible
 *   across backends' random kernels and costs nothing next to the forward pass.
 * - Tensor side (learning): log π(a|s) and entropy as differentiable tensors.
 *
 * Categorical heads are factorized (QTMRL's one head per asset): log π(a|s) = Σ_h log π_h(a_h|s),
 * H = Σ_h H_h. Masks follow sb3-contrib's MaskablePPO: invalid logits become −1e8 before the softmax
 * and the entropy sums over valid actions only. Masks are flat over heads, 1 = allowed.
 * The Gaussian is diagonal; its log-std comes from the network (a free parameter per dim, CleanRL's
 * ppo_continuous_action, or a head output).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import type { Space } from '../../envs/types.ts';

/** Logit value of a masked action (sb3-contrib's HUGE_NEG). */
export const MASKED_LOGIT = -1e8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export type PolicyHead =
  | { kind: 'categorical'; /** Actions per head; Discrete(n) is one head [n]. */ nvec: number[] }
  | { kind: 'gaussian'; /** Action dimensions. */ dim: number; low: Float32Array; high: Float32Array };

/** The distribution a policy needs for an env's action space. */
export function policyHeadFor(space: Space): PolicyHead {
  switch (space.kind) {
    case 'discrete':
      return { kind: 'categorical', nvec: [space.n] };
    case 'multi-discrete':
      return { kind: 'categorical', nvec: [...space.nvec] };
    case 'box': {
      const dim = space.shape.reduce((a, b) => a * b, 1);
      const bound = (b: number | Float32Array) =>
        typeof b === 'number' ? new Float32Array(dim).fill(b) : Float32Array.from(b);
      return { kind: 'gaussian', dim, low: bound(space.low), high: bound(space.high) };
    }
  }
}

/** Width of the policy network's output: Σ nvec logits, or `dim` means. */
export function headOutputSize(head: PolicyHead): number {
  return head.kind === 'categorical' ? head.nvec.reduce((a, b) => a + b, 0) : head.dim;
}

/** Action integers (or floats) per row: heads, or dims. */
export function headActionSize(head: PolicyHead): number {
  return head.kind === 'categorical' ? head.nvec.length : head.dim;
}

// ---------------------------------------------------------------- CPU side

export interface CategoricalSampleArgs {
  /** Row r's logits at `logits[r * stride + offset + j]`, j < Σ nvec. */
  logits: ArrayLike<number>;
  stride: number;
  offset?: number;
  rows: number;
  nvec: number[];
  /** [rows · Σ nvec], 1 = allowed; null = everything allowed. */
  masks: Uint8Array | null;
  rng: Rng;
  /** Argmax per head instead of sampling (evaluation). */
  deterministic: boolean;
  /** Out: [rows · heads]. */
  actions: Int32Array;
  /** Out: [rows] Σ_h log π_h(a_h). */
  logprobs: Float32Array;
  /** Optional out: [rows] Σ_h H_h over valid actions. */
  entropies?: Float32Array;
}

/** Sample (or argmax) every head of every row; float64 inside so the log-probs match the tensor side. */
export function sampleCategorical(args: CategoricalSampleArgs): void {
  const { logits, stride, rows, nvec, masks, rng, deterministic, actions, logprobs, entropies } = args;
  const offset = args.offset ?? 0;
  const width = nvec.reduce((a, b) => a + b, 0);
  const heads = nvec.length;
  const maxN = Math.max(...nvec);
  const p = new Float64Array(maxN);
  for (let r = 0; r < rows; r++) {
    let logp = 0;
    let entropy = 0;
    let start = 0;
    for (let h = 0; h < heads; h++) {
      const n = nvec[h];
      const base = r * stride + offset + start;
      const maskBase = r * width + start;
      let max = -Infinity;
      let arg = -1;
      for (let j = 0; j < n; j++) {
        if (masks && masks[maskBase + j] === 0) continue;
        const l = logits[base + j];
        if (l > max) {
          max = l;
          arg = j;
        }
      }
      if (arg < 0) throw new Error(`action mask of row ${r}, head ${h} allows no action`);
      if (!Number.isFinite(max))
        throw new Error(`policy produced a non-finite logit (${max}) in row ${r}, head ${h}`);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = masks && masks[maskBase + j] === 0 ? 0 : Math.exp(logits[base + j] - max);
        p[j] = e;
        sum += e;
      }
      const logSum = Math.log(sum);
      const a = deterministic ? arg : rng.categorical(p, 0, n);
      actions[r * heads + h] = a;
      logp += logits[base + a] - max - logSum;
      if (entropies) {
        for (let j = 0; j < n; j++) if (p[j] > 0) entropy -= (p[j] / sum) * (logits[base + j] - max - logSum);
      }
      start += n;
    }
    logprobs[r] = logp;
    if (entropies) entropies[r] = entropy;
  }
}

export interface GaussianSampleArgs {
  /** Row r's means at `means[r * stride + offset + d]`. */
  means: ArrayLike<number>;
  /** Row r's log σ at `logStds[r * stride + logStdOffset + d]` (stride 0: one vector for all rows). */
  logStds: ArrayLike<number>;
  stride: number;
  offset?: number;
  logStdOffset?: number;
  /** Stride of logStds; default `stride`. */
  logStdStride?: number;
  rows: number;
  dim: number;
  rng: Rng;
  /** Return the mean (evaluation). */
  deterministic: boolean;
  /** Out: [rows · dim] samples of the (pre-squash) Gaussian variable. */
  actions: Float32Array;
  /** Out: [rows]. */
  logprobs: Float32Array;
}

export function sampleGaussian(args: GaussianSampleArgs): void {
  const { means, logStds, stride, rows, dim, rng, deterministic, actions, logprobs } = args;
  const offset = args.offset ?? 0;
  const lsOffset = args.logStdOffset ?? 0;
  const lsStride = args.logStdStride ?? stride;
  for (let r = 0; r < rows; r++) {
    let logp = 0;
    for (let d = 0; d < dim; d++) {
      const mu = means[r * stride + offset + d];
      const logStd = logStds[r * lsStride + lsOffset + d];
      if (!Number.isFinite(mu) || !Number.isFinite(logStd))
        throw new Error(`policy produced a non-finite mean/log-std (${mu}, ${logStd}) in row ${r}, dim ${d}`);
      const std = Math.exp(logStd);
      const z = deterministic ? 0 : rng.normal();
      actions[r * dim + d] = mu + std * z;
      // Log-prob of the float32 action actually stored, so the tensor side recomputes the same number.
      const zStored = (actions[r * dim + d] - mu) / std;
      logp += -0.5 * zStored * zStored - logStd - HALF_LOG_2PI;
    }
    logprobs[r] = logp;
  }
}

/** How a Box env action is made from the Gaussian variable u (nets/actorCritic.ts `squash`). */
export type Squash = 'none' | 'tanh' | 'softmax';

/**
 * u → env action: 'none' clips to the bounds (CleanRL's ClipAction), 'tanh' maps into them
 * (low + (tanh u + 1)/2 · (high − low)), 'softmax' gives weights on the simplex per row.
 */
export function squashActions(
  u: Float32Array,
  squash: Squash,
  low: Float32Array,
  high: Float32Array,
  out: Float32Array = new Float32Array(u.length),
): Float32Array {
  const dim = low.length;
  if (squash === 'none') return clipToBounds(u, low, high, out);
  if (squash === 'tanh') {
    for (let i = 0; i < u.length; i++) {
      const d = i % dim;
      out[i] = low[d] + ((Math.tanh(u[i]) + 1) / 2) * (high[d] - low[d]);
    }
    return out;
  }
  for (let r = 0; r < u.length / dim; r++) {
    let max = -Infinity;
    for (let d = 0; d < dim; d++) max = Math.max(max, u[r * dim + d]);
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += Math.exp(u[r * dim + d] - max);
    for (let d = 0; d < dim; d++) out[r * dim + d] = Math.exp(u[r * dim + d] - max) / sum;
  }
  return out;
}

/** Clip Box actions to the space's bounds before they reach the env (CleanRL's ClipAction wrapper). */
export function clipToBounds(
  actions: Float32Array,
  low: Float32Array,
  high: Float32Array,
  out: Float32Array = new Float32Array(actions.length),
): Float32Array {
  const dim = low.length;
  for (let i = 0; i < actions.length; i++) {
    const d = i % dim;
    out[i] = Math.min(high[d], Math.max(low[d], actions[i]));
  }
  return out;
}

/** One-hot over the flat logits of every head: [rows · Σ nvec]. */
export function actionsToOneHot(
  actions: Int32Array,
  rows: number,
  nvec: number[],
  out?: Float32Array,
): Float32Array {
  const width = nvec.reduce((a, b) => a + b, 0);
  const heads = nvec.length;
  const oneHot = out ?? new Float32Array(rows * width);
  oneHot.fill(0);
  for (let r = 0; r < rows; r++) {
    let start = 0;
    for (let h = 0; h < heads; h++) {
      oneHot[r * width + start + actions[r * heads + h]] = 1;
      start += nvec[h];
    }
  }
  return oneHot;
}

// ---------------------------------------------------------------- Tensor side

export interface LogProbEntropy {
  /** [B] Σ over heads/dims. */
  logProb: tf.Tensor1D;
  /** [B] Σ over heads/dims. */
  entropy: tf.Tensor1D;
}

/** Log-softmax per head of flat logits [B, Σ nvec]; masked logits (mask 0) → −1e8 first. */
export function headLogSoftmax(logits: tf.Tensor2D, nvec: number[], mask?: tf.Tensor2D | null): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    let l: tf.Tensor2D = logits;
    // logits·mask + (mask − 1)·1e8: masked entries are exactly −1e8 and receive no gradient.
    if (mask) l = tf.add(tf.mul(l, mask), tf.mul(tf.sub(mask, 1), -MASKED_LOGIT));
    const [B] = l.shape;
    if (nvec.length === 1) return tf.logSoftmax(l);
    if (nvec.every((n) => n === nvec[0])) {
      return tf.reshape(tf.logSoftmax(tf.reshape(l, [B, nvec.length, nvec[0]])), [B, -1]) as tf.Tensor2D;
    }
    const parts = tf.split(l, nvec, 1).map((part) => tf.logSoftmax(part));
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}

/**
 * Factorized categorical log π(a|s) and entropy. `oneHot` [B, Σ nvec] marks the taken action of
 * every head (see actionsToOneHot); `mask` [B, Σ nvec] as float 0/1 or null.
 */
export function categoricalLogProbEntropy(
  logits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  nvec: number[],
  mask?: tf.Tensor2D | null,
): LogProbEntropy {
  return tf.tidy(() => {
    const logp = headLogSoftmax(logits, nvec, mask);
    const logProb = tf.sum(tf.mul(logp, oneHot), 1) as tf.Tensor1D;
    let pLogP = tf.mul(tf.exp(logp), logp);
    if (mask) pLogP = tf.mul(pLogP, mask);
    const entropy = tf.neg(tf.sum(pLogP, 1)) as tf.Tensor1D;
    return { logProb, entropy };
  });
}

/** Diagonal Gaussian log-prob and entropy; `logStd` [D] (shared by all rows) or [B, D]. */
export function gaussianLogProbEntropy(
  mean: tf.Tensor2D,
  logStd: tf.Tensor,
  actions: tf.Tensor2D,
): LogProbEntropy {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
    const perDim = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), HALF_LOG_2PI);
    const logProb = tf.sum(perDim, 1) as tf.Tensor1D;
    const entPerDim = tf.add(logStd, 0.5 + HALF_LOG_2PI);
    const entRow =
      entPerDim.rank === 1
        ? tf.tile(tf.reshape(tf.sum(entPerDim), [1]), [mean.shape[0]])
        : tf.sum(entPerDim, 1);
    return { logProb, entropy: entRow as tf.Tensor1D };
  });
}
