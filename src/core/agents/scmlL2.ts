/**
 * LitaAgent-HRL's L2 networks (seed 001 §4.1): behaviour cloning of the daily goal from recovered
 * goals, and the synchronous goal policies the SCML-lite agent calls each morning.
 *
 * BC: MLP (64-64 tanh, sigmoid output × the goal's upper bounds) on the macro features, weighted
 * MSE on goals scaled to [0, 1] (a side with nothing signed has weight 0 on its price), Adam,
 * shuffled minibatches, a held-out tail for validation (reported against predicting the mean).
 * The world calls agents synchronously, so inference reads back with dataSync (cpu/wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { GOAL_HIGH, GOAL_SIZE, L2_FEATURES, type GoalPolicy } from '../scml/hrl/agent.ts';
import type { L2Dataset } from '../scml/hrl/goals.ts';
import { makeOptimizer } from './common/optim.ts';
import { MLP, type MLPConfig } from './nets/mlp.ts';

export interface L2BcConfig {
  seed: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Share of samples (the last ones: later worlds) held out for validation. */
  valFraction: number;
}

export const defaultL2BcConfig: L2BcConfig = {
  seed: 1,
  hidden: [64, 64],
  epochs: 30,
  batchSize: 256,
  learningRate: 1e-3,
  valFraction: 0.1,
};

export interface L2BcResult {
  mlp: MLP;
  trainLoss: number;
  valLoss: number;
  /** Validation loss of always predicting the training mean goal (what BC must beat). */
  valLossMean: number;
}

/** The goal's upper bounds as a tensor (made per call: no tensor may exist before the backend is set). */
const scale = (): tf.Tensor1D => tf.tensor1d(Array.from(GOAL_HIGH));

export function makeL2Mlp(hidden: number[], seed: number): MLP {
  const cfg: MLPConfig = {
    inputSize: L2_FEATURES,
    hidden,
    outputSize: GOAL_SIZE,
    activation: 'tanh',
    outputActivation: 'sigmoid',
    seed,
    skipInputGrad: true,
  };
  return new MLP(cfg);
}

/** Goals in their own units from the network's [0, 1] outputs. */
export function l2Forward(mlp: MLP, x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(mlp.apply(x), scale());
}

function weightedMse(mlp: MLP, x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D): tf.Scalar {
  // Scaled to [0, 1] per component so quantities and price positions weigh alike.
  const err = tf.div(tf.sub(l2Forward(mlp, x), y), scale());
  return tf.div(tf.sum(tf.mul(w, tf.square(err))), tf.add(tf.sum(w), 1e-8)) as tf.Scalar;
}

export function evalL2Loss(mlp: MLP, ds: L2Dataset, rows: Int32Array): number {
  if (rows.length === 0) return NaN;
  return tf.tidy(() => {
    const { x, y, w } = gather(ds, rows);
    return weightedMse(mlp, x, y, w).dataSync()[0];
  });
}

function gather(ds: L2Dataset, rows: Int32Array): { x: tf.Tensor2D; y: tf.Tensor2D; w: tf.Tensor2D } {
  const B = rows.length;
  const x = new Float32Array(B * L2_FEATURES);
  const y = new Float32Array(B * GOAL_SIZE);
  const w = new Float32Array(B * GOAL_SIZE);
  for (let i = 0; i < B; i++) {
    const r = rows[i];
    x.set(ds.x.subarray(r * L2_FEATURES, (r + 1) * L2_FEATURES), i * L2_FEATURES);
    y.set(ds.y.subarray(r * GOAL_SIZE, (r + 1) * GOAL_SIZE), i * GOAL_SIZE);
    w.set(ds.w.subarray(r * GOAL_SIZE, (r + 1) * GOAL_SIZE), i * GOAL_SIZE);
  }
  return {
    x: tf.tensor2d(x, [B, L2_FEATURES]),
    y: tf.tensor2d(y, [B, GOAL_SIZE]),
    w: tf.tensor2d(w, [B, GOAL_SIZE]),
  };
}

/** Behaviour cloning of L2 on (features, recovered goal) pairs. */
export function trainL2Bc(ds: L2Dataset, config: Partial<L2BcConfig> = {}): L2BcResult {
  const c = { ...defaultL2BcConfig, ...config };
  if (ds.n < 2) throw new Error(`trainL2Bc: ${ds.n} samples; collect more worlds`);
  const nVal = Math.min(ds.n - 1, Math.floor(c.valFraction * ds.n));
  const nTrain = ds.n - nVal;
  const train = Int32Array.from({ length: nTrain }, (_, i) => i);
  const val = Int32Array.from({ length: nVal }, (_, i) => nTrain + i);
  const rng = new Rng(c.seed).fork('bc');
  const mlp = makeL2Mlp(c.hidden, rng.nextUint32());
  const opt = makeOptimizer({ name: 'adam', learningRate: c.learningRate, eps: 1e-8 });
  let trainLoss = NaN;
  try {
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      rng.shuffle(train);
      let sum = 0;
      let batches = 0;
      for (let s = 0; s < nTrain; s += c.batchSize) {
        const rows = train.subarray(s, Math.min(nTrain, s + c.batchSize));
        const loss = tf.tidy(() => {
          const { x, y, w } = gather(ds, rows);
          return opt.minimize(() => weightedMse(mlp, x, y, w), true, mlp.variables()) ?? tf.scalar(NaN);
        });
        sum += loss.dataSync()[0];
        loss.dispose();
        batches++;
      }
      trainLoss = sum / batches;
      if (!Number.isFinite(trainLoss)) throw new Error(`trainL2Bc: non-finite loss at epoch ${epoch + 1}`);
    }
  } finally {
    opt.dispose();
  }
  // The mean goal of the training rows (weighted per component), scored on the validation rows.
  const mean = new Float64Array(GOAL_SIZE);
  const wsum = new Float64Array(GOAL_SIZE);
  for (const r of train)
    for (let j = 0; j < GOAL_SIZE; j++) {
      mean[j] += ds.w[r * GOAL_SIZE + j] * ds.y[r * GOAL_SIZE + j];
      wsum[j] += ds.w[r * GOAL_SIZE + j];
    }
  let num = 0;
  let den = 0;
  for (const r of val)
    for (let j = 0; j < GOAL_SIZE; j++) {
      const wj = ds.w[r * GOAL_SIZE + j];
      const e = (ds.y[r * GOAL_SIZE + j] - mean[j] / Math.max(1e-8, wsum[j])) / GOAL_HIGH[j];
      num += wj * e * e;
      den += wj;
    }
  return { mlp, trainLoss, valLoss: evalL2Loss(mlp, ds, val), valLossMean: num / Math.max(1e-8, den) };
}

/** The cloned L2 as the agent's synchronous goal policy. */
export function bcGoalPolicy(mlp: MLP): GoalPolicy {
  return (features, _w, _a, out) => {
    const g = tf.tidy(() => l2Forward(mlp, tf.tensor2d(features, [1, L2_FEATURES])).dataSync());
    out.set(g.subarray(0, GOAL_SIZE));
  };
}

export interface SavedMlp {
  hidden: number[];
  weights: number[][];
}

export function exportMlp(mlp: MLP): SavedMlp {
  return { hidden: [...mlp.config.hidden], weights: mlp.getWeights().map((w) => Array.from(w)) };
}

export function importMlp(saved: SavedMlp): MLP {
  const mlp = makeL2Mlp(saved.hidden, 0);
  mlp.setWeights(saved.weights.map((w) => Float32Array.from(w)));
  return mlp;
}
