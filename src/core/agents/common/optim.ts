/**
 * Optimizer helpers over tf.train: construction with PyTorch-equivalent defaults, learning-rate
 * changes (annealing), and global gradient-norm clipping (torch.nn.utils.clip_grad_norm_).
 */
import * as tf from '@tensorflow/tfjs';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';

export interface OptimizerSpec {
  name: OptimizerName;
  learningRate: number;
  /**
   * PyTorch-style epsilon (added to √v). Adam: used as is (tf adds it to √v̂ too). RMSprop: tf adds
   * ε inside the square root, so ε_tf = ε_torch² gives the same floor on the denominator.
   */
  eps?: number;
  /** RMSprop smoothing (torch `alpha`, tf `decay`); SB3's A2C uses 0.99. */
  rmsDecay?: number;
  adamBeta1?: number;
  adamBeta2?: number;
}

export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (!(spec.learningRate >= 0) || !Number.isFinite(spec.learningRate))
    throw new Error(`learning rate must be a finite number ≥ 0, got ${spec.learningRate}`);
  switch (spec.name) {
    case 'adam':
      return tf.train.adam(
        spec.learningRate,
        spec.adamBeta1 ?? 0.9,
        spec.adamBeta2 ?? 0.999,
        spec.eps ?? 1e-8,
      );
    case 'rmsprop': {
      const eps = spec.eps ?? 1e-8;
      return tf.train.rmsprop(spec.learningRate, spec.rmsDecay ?? 0.99, 0, eps * eps, false);
    }
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    default:
      throw new Error(`unknown optimizer '${String(spec.name)}' (adam, rmsprop, sgd)`);
  }
}

/** Change the learning rate of a tf.train optimizer in place (read on every applyGradients). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate?: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') {
    o.setLearningRate(learningRate);
    return;
  }
  if (typeof o.learningRate !== 'number')
    throw new Error(`setLearningRate: ${optimizer.getClassName()} has no learningRate field`);
  o.learningRate = learningRate;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** √Σ‖g‖² over every gradient. */
export function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(sq)) as tf.Scalar;
  });
}

/**
 * Scale all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) — torch's clip_grad_norm_. Returns new
 * tensors (the caller disposes the inputs) and the norm before clipping. maxNorm ≤ 0 or ∞ disables.
 */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
): { grads: tf.NamedTensorMap; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const out: tf.NamedTensorMap = {};
    if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
      for (const [name, g] of Object.entries(grads)) out[name] = tf.clone(g);
      return { grads: out, norm };
    }
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, scale);
    return { grads: out, norm };
  });
}
