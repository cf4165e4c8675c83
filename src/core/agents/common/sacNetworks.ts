/**
 * SAC's networks (agents/sac.ts), as CleanRL's sac_continuous_action.py and sac_atari.py: the actor
 * (Box: mean and log-std of a tanh-squashed Gaussian; Discrete: logits), twin soft Q networks with
 * Polyak-averaged target copies (Box: Q(s, a) on [obs | action]; Discrete: Q(s, ·), one output per
 * action), and log α — one Module, so checkpoint.ts saves them under stable names.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import type { BoxSpace } from '../../envs/types.ts';
import { MLP } from '../nets/mlp.ts';
import type { ActivationName } from '../nets/dense.ts';
import {
  countParams,
  getWeights as readModuleWeights,
  setWeights as assignModuleWeights,
  type Module,
  type NamedVariable,
} from '../nets/module.ts';

export interface SacNetSizes {
  hidden: number[];
  activation: ActivationName;
}

export interface SacNetShapes {
  obsDim: number;
  /** Box: action dimensions; Discrete: number of actions. */
  actionDim: number;
  discrete: boolean;
}

/** Box actor: log-std bounds and the affine map from tanh's (−1, 1) to the action bounds. */
export interface SacSquash {
  logStdMin: number;
  logStdMax: number;
  scale: Float32Array;
  bias: Float32Array;
}

export class SacNetworks implements Module {
  readonly actor: MLP;
  readonly q1: MLP;
  readonly q2: MLP;
  readonly q1Target: MLP;
  readonly q2Target: MLP;
  /** log α, learned when autotune is on (starts at log 1 = 0, as CleanRL). */
  readonly logAlpha: tf.Variable;
  readonly shapes: SacNetShapes;
  readonly squash: SacSquash;

  constructor(
    shapes: SacNetShapes,
    sizes: SacNetSizes,
    seed: number,
    initialAlpha: number,
    squash: SacSquash,
  ) {
    this.shapes = shapes;
    this.squash = squash;
    const { obsDim, actionDim, discrete } = shapes;
    const root = new Rng(seed).fork('sac/init');
    const mlp = (inputSize: number, outputSize: number, outputGain: number, seedValue: number) =>
      new MLP({
        inputSize,
        hidden: sizes.hidden,
        outputSize,
        activation: sizes.activation,
        init: 'orthogonal',
        outputGain,
        seed: seedValue,
        // Q's input carries the actor's action in the actor loss: its gradient must flow.
        skipInputGrad: false,
      });
    // Box: [mean | log-std raw] per action dimension.
    this.actor = mlp(obsDim, discrete ? actionDim : 2 * actionDim, 0.01, root.nextUint32());
    const qIn = discrete ? obsDim : obsDim + actionDim;
    const qOut = discrete ? actionDim : 1;
    const s1 = root.nextUint32();
    const s2 = root.nextUint32();
    this.q1 = mlp(qIn, qOut, 1, s1);
    this.q2 = mlp(qIn, qOut, 1, s2);
    // Targets start as copies (same seeds → same weights) and only ever move by Polyak averaging.
    this.q1Target = mlp(qIn, qOut, 1, s1);
    this.q2Target = mlp(qIn, qOut, 1, s2);
    this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(initialAlpha)), true));
  }

  /** Box: Q(s, a) [B]; Discrete: Q(s, ·) [B, n]. */
  q(net: MLP, obs: tf.Tensor2D, action?: tf.Tensor2D): tf.Tensor {
    return tf.tidy(() => {
      if (this.shapes.discrete) return net.apply(obs);
      return tf.reshape(net.apply(tf.concat([obs, action!], 1)), [-1]);
    });
  }

  /**
   * Actions for `rows` observations, computed on the host from one actor pass: Box y = tanh(μ + σ·ε)
   * scaled to the bounds (deterministic: ε = 0, the mean action); Discrete a ~ softmax or argmax.
   */
  act(obs: Float32Array, rows: number, deterministic: boolean, rng: Rng): Int32Array | Float32Array {
    const { obsDim, actionDim: A, discrete } = this.shapes;
    const outT = tf.tidy(() => this.actor.apply(tf.tensor2d(obs, [rows, obsDim])));
    const out = outT.dataSync() as Float32Array;
    outT.dispose();
    if (discrete)
      return Int32Array.from({ length: rows }, (_, r) =>
        pickAction(out.subarray(r * A, (r + 1) * A), deterministic, rng),
      );
    const { logStdMin: lo, logStdMax: hi, scale, bias } = this.squash;
    const actions = new Float32Array(rows * A);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < A; j++) {
        const mean = out[r * 2 * A + j];
        const logStd = lo + 0.5 * (hi - lo) * (Math.tanh(out[r * 2 * A + A + j]) + 1);
        const x = deterministic ? mean : mean + Math.exp(logStd) * rng.normal();
        actions[r * A + j] = Math.tanh(x) * scale[j] + bias[j];
      }
    return actions;
  }

  /** Uniform random actions for `rows` envs (before learningStarts). */
  randomActions(rows: number, rng: Rng): Int32Array | Float32Array {
    const { actionDim: A, discrete } = this.shapes;
    if (discrete) return Int32Array.from({ length: rows }, () => rng.int(A));
    const { scale, bias } = this.squash;
    return Float32Array.from({ length: rows * A }, (_, i) => bias[i % A] + scale[i % A] * rng.uniform(-1, 1));
  }

  /**
   * Box policy on s (CleanRL's get_action): log σ = lo + ½(hi − lo)(tanh(raw) + 1), x = μ + σ·ε,
   * y = tanh(x), action = y·scale + bias, log π = Σ [log N(x; μ, σ) − log(scale·(1 − y²) + 1e−6)].
   * `eps` [B·A] is the caller's standard normal noise (drawn from the run's Rng).
   */
  gaussian(s: tf.Tensor2D, eps: Float32Array): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
    const B = s.shape[0];
    const A = this.shapes.actionDim;
    const { logStdMin: lo, logStdMax: hi, scale, bias } = this.squash;
    return tf.tidy(() => {
      const out = this.actor.apply(s);
      const mean = tf.slice(out, [0, 0], [B, A]);
      const logStd = tf.add(lo, tf.mul(0.5 * (hi - lo), tf.add(tf.tanh(tf.slice(out, [0, A], [B, A])), 1)));
      const e = tf.tensor2d(eps, [B, A]);
      const y = tf.tanh(tf.add(mean, tf.mul(tf.exp(logStd), e)));
      const sc = tf.tensor1d(scale);
      // log N(μ + σε; μ, σ) = −ε²/2 − log σ − ½ log 2π
      const normal = tf.sub(tf.mul(-0.5, tf.square(e)), tf.add(logStd, 0.5 * Math.log(2 * Math.PI)));
      const jac = tf.log(tf.add(tf.mul(sc, tf.sub(1, tf.square(y))), 1e-6));
      return {
        action: tf.add(tf.mul(y, sc), tf.tensor1d(bias)) as tf.Tensor2D,
        logProb: tf.sum(tf.sub(normal, jac), 1) as tf.Tensor1D,
      };
    });
  }

  /** Discrete policy on s: probabilities and log-probabilities of every action [B, n]. */
  categorical(s: tf.Tensor2D): { probs: tf.Tensor2D; logProbs: tf.Tensor2D } {
    return tf.tidy(() => {
      const logProbs = tf.logSoftmax(this.actor.apply(s)) as tf.Tensor2D;
      return { probs: tf.exp(logProbs) as tf.Tensor2D, logProbs };
    });
  }

  criticVariables(): tf.Variable[] {
    return [...this.q1.variables(), ...this.q2.variables()];
  }

  /** target ← (1 − τ)·target + τ·online. */
  polyak(tau: number): void {
    tf.tidy(() => {
      for (const [target, online] of [
        [this.q1Target, this.q1],
        [this.q2Target, this.q2],
      ] as const) {
        const t = target.variables();
        const o = online.variables();
        for (let i = 0; i < t.length; i++) t[i].assign(tf.add(tf.mul(1 - tau, t[i]), tf.mul(tau, o[i])));
      }
    });
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map((n) => n.variable);
  }

  namedVariables(): NamedVariable[] {
    const pre = (p: string, vs: NamedVariable[]) =>
      vs.map((v) => ({ name: `${p}/${v.name}`, variable: v.variable }));
    return [
      ...pre('actor', this.actor.namedVariables()),
      ...pre('q1', this.q1.namedVariables()),
      ...pre('q2', this.q2.namedVariables()),
      ...pre('q1_target', this.q1Target.namedVariables()),
      ...pre('q2_target', this.q2Target.namedVariables()),
      { name: 'log_alpha', variable: this.logAlpha },
    ];
  }

  get paramCount(): number {
    return countParams(this.variables());
  }

  getWeights(): Float32Array[] {
    return readModuleWeights(this);
  }

  setWeights(weights: Float32Array[]): void {
    assignModuleWeights(this, weights);
  }

  dispose(): void {
    for (const m of [this.actor, this.q1, this.q2, this.q1Target, this.q2Target]) m.dispose();
    this.logAlpha.dispose();
  }
}

/** argmax of the logits, or a draw from their softmax. */
export function pickAction(logits: Float32Array, deterministic: boolean, rng: Rng): number {
  let max = -Infinity;
  let arg = 0;
  for (let j = 0; j < logits.length; j++) if (logits[j] > max) [max, arg] = [logits[j], j];
  if (deterministic) return arg;
  let z = 0;
  for (const l of logits) z += Math.exp(l - max);
  let u = rng.float() * z;
  for (let j = 0; j < logits.length; j++) if ((u -= Math.exp(logits[j] - max)) < 0) return j;
  return logits.length - 1;
}

/** Box bounds → (high − low)/2 and (high + low)/2 per dimension; infinite bounds are an error. */
export function boxAffine(space: BoxSpace, dims: number): { scale: Float32Array; bias: Float32Array } {
  const scale = new Float32Array(dims);
  const bias = new Float32Array(dims);
  for (let j = 0; j < dims; j++) {
    const lo = typeof space.low === 'number' ? space.low : space.low[j];
    const hi = typeof space.high === 'number' ? space.high : space.high[j];
    if (!Number.isFinite(lo) || !Number.isFinite(hi))
      throw new Error(`SAC: the Box action space needs finite bounds (dimension ${j}: [${lo}, ${hi}])`);
    scale[j] = (hi - lo) / 2;
    bias[j] = (hi + lo) / 2;
  }
  return { scale, bias };
}
