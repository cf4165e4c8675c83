/**
 * Behaviour cloning (seed 004): supervised imitation of a dataset's actions.
 *
 * Network: MLP trunk (128-128 ReLU, optional dropout) → action head (softmax over K classes, or
 * one softmax per asset for a MultiDiscrete space; the mean for a Box space) + strength head
 * (sigmoid, when the dataset has `strength`).
 * Loss: α·CE(action) + β·MSE(strength). Against class imbalance: class weights total/(K·count)
 * (PyTorch's weighted CrossEntropyLoss: Σ w_y·CE / Σ w_y), oversampling (WeightedRandomSampler
 * with those weights, with replacement) or focal loss (1 − p_t)^γ·CE.
 * Train/validation split, early stopping on the validation loss with patience (best weights
 * restored), and on the validation split: accuracy, per-class precision/recall, confusion matrix.
 *
 * CleanRL order: config, network, act, update (fit).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import type { Space } from '../envs/types.ts';
import { MLP } from './nets/mlp.ts';
import type { ActivationName } from './nets/dense.ts';
import { headLogSoftmax, sampleCategorical } from './common/distributions.ts';
import { makeOptimizer } from './common/optim.ts';
import { NonFiniteLossError } from './common/onPolicy.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';
import {
  type OfflineDataset,
  type SpaceJson,
  boxBound,
  classCounts,
  headSizes,
  isDiscreteSpace,
  spaceFromJson,
  spaceToJson,
  validateDataset,
} from './offline/dataset.ts';
import {
  type ObsNormalizer,
  type SplitMode,
  WeightedSampler,
  computeObsNormalizer,
  gatherRows,
  identityNormalizer,
  normalizeInPlace,
  splitIndices,
} from './offline/batches.ts';

// ============================================================================================
// Config
// ============================================================================================

export type ImbalanceMode = 'none' | 'class-weights' | 'oversample' | 'focal';

export interface BcConfig {
  /** Hidden layer widths of the trunk. Default [128, 128] (seed 004). */
  hidden: number[];
  /** Hidden activation. Default 'relu' (seed 004). */
  activation: ActivationName;
  /** Dropout probability after each hidden layer, training only. Default 0 (seed 004: 0.05–0.4 when overfitting). */
  dropout: number;
  /** Weight α of the action loss (CE, or MSE for Box actions). Default 1. */
  alpha: number;
  /** Weight β of the strength MSE. Default 1. */
  beta: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate: number;
  /** Minibatch size. Default 256. */
  batchSize: number;
  /** Maximum passes over the training split. Default 20 (seed 004). */
  epochs: number;
  /** Fraction of rows held out for validation. Default 0.1; 0 disables validation and early stopping. */
  valFraction: number;
  /** 'random' (default, seed 004) or 'tail' (last rows validate: no look-ahead on time series). */
  split: SplitMode;
  /** Epochs without a validation-loss improvement before stopping. Default 5; 0 disables early stopping. */
  patience: number;
  /** Smallest decrease of the validation loss that counts as an improvement. Default 0. */
  minDelta: number;
  /** Put the best-validation-loss weights back at the end. Default true. */
  restoreBest: boolean;
  /** Class imbalance handling (discrete actions). Default 'none'. */
  imbalance: ImbalanceMode;
  /** Focal loss γ. Default 2. */
  focalGamma: number;
  /** Standardise observations with the training split's mean/std (kept in checkpoints). Default false. */
  normalizeObs: boolean;
  /** Seed of init, split, shuffling and dropout. Default 0. */
  seed: number;
}

export const defaultBcConfig: BcConfig = {
  hidden: [128, 128],
  activation: 'relu',
  dropout: 0,
  alpha: 1,
  beta: 1,
  learningRate: 1e-3,
  batchSize: 256,
  epochs: 20,
  valFraction: 0.1,
  split: 'random',
  patience: 5,
  minDelta: 0,
  restoreBest: true,
  imbalance: 'none',
  focalGamma: 2,
  normalizeObs: false,
  seed: 0,
};

/** What the network is built for (from a dataset: see bcSpecOf). */
export interface BcSpec {
  obsDim: number;
  actionSpace: Space;
  /** Whether the net has a strength head. */
  strength: boolean;
}

export function bcSpecOf(ds: OfflineDataset): BcSpec {
  return { obsDim: ds.obsDim, actionSpace: ds.meta.actionSpace, strength: ds.strength !== undefined };
}

function checkConfig(c: BcConfig): void {
  const bad = (m: string) => new Error(`BC config: ${m}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw bad(`dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.learningRate > 0)) throw bad(`learningRate must be > 0, got ${c.learningRate}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1)
    throw bad(`batchSize must be a positive integer, got ${c.batchSize}`);
  if (!Number.isInteger(c.epochs) || c.epochs < 1)
    throw bad(`epochs must be a positive integer, got ${c.epochs}`);
  if (!(c.alpha >= 0) || !(c.beta >= 0)) throw bad('alpha and beta must be ≥ 0');
  if (!(c.focalGamma >= 0)) throw bad(`focalGamma must be ≥ 0, got ${c.focalGamma}`);
  if (!['none', 'class-weights', 'oversample', 'focal'].includes(c.imbalance))
    throw bad(`unknown imbalance '${c.imbalance}' (none, class-weights, oversample, focal)`);
}

/** Class weights total/(K·count) per head (seed 004); a class absent from the data gets weight 0. */
export function classWeights(counts: number[][]): number[][] {
  return counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((n) => (n > 0 ? total / (c.length * n) : 0));
  });
}

// ============================================================================================
// Network
// ============================================================================================

/** Trunk + heads as one MLP whose last layer holds [action logits | strength logit]. */
export class BcNetwork {
  readonly mlp: MLP;
  readonly spec: BcSpec;
  /** Action head width: Σ nvec logits, or Box dims. */
  readonly actionWidth: number;
  readonly discrete: boolean;
  readonly nvec: number[];
  /** Box: action = center + half·tanh(raw) when bounded, raw when not. */
  private readonly boxCenter: Float32Array | null;
  private readonly boxHalf: Float32Array | null;

  constructor(spec: BcSpec, config: BcConfig) {
    this.spec = spec;
    this.discrete = isDiscreteSpace(spec.actionSpace);
    this.nvec = this.discrete ? headSizes(spec.actionSpace) : [];
    const space = spec.actionSpace;
    this.actionWidth = this.discrete
      ? this.nvec.reduce((a, b) => a + b, 0)
      : space.kind === 'box'
        ? space.shape.reduce((a, b) => a * b, 1)
        : 0;
    this.boxCenter = null;
    this.boxHalf = null;
    if (space.kind === 'box') {
      const lo = Array.from({ length: this.actionWidth }, (_, i) => boxBound(space.low, i));
      const hi = Array.from({ length: this.actionWidth }, (_, i) => boxBound(space.high, i));
      if (lo.every(Number.isFinite) && hi.every(Number.isFinite)) {
        this.boxCenter = Float32Array.from(lo, (l, i) => (l + hi[i]) / 2);
        this.boxHalf = Float32Array.from(lo, (l, i) => (hi[i] - l) / 2);
      }
    }
    this.mlp = new MLP({
      inputSize: spec.obsDim,
      hidden: config.hidden,
      outputSize: this.actionWidth + (spec.strength ? 1 : 0),
      activation: config.activation,
      init: 'orthogonal',
      outputGain: 0.01,
      seed: new Rng(config.seed).fork('bc/init').nextUint32(),
      skipInputGrad: true,
    });
  }

  /**
   * Forward pass. `dropoutMasks[l]` [B, hidden[l]] (already scaled by 1/(1−p)) multiplies hidden
   * layer l's output during training. Returns the action part (logits / Box action) and the
   * strength in [0, 1] (or null).
   */
  apply(x: tf.Tensor2D, dropoutMasks?: tf.Tensor2D[]): { action: tf.Tensor2D; strength?: tf.Tensor2D } {
    return tf.tidy(() => {
      let h = x;
      const layers = this.mlp.layers;
      for (let l = 0; l < layers.length; l++) {
        h = layers[l].apply(h);
        if (dropoutMasks && l < layers.length - 1) h = tf.mul(h, dropoutMasks[l]);
      }
      const B = h.shape[0];
      let action = this.spec.strength ? tf.slice(h, [0, 0], [B, this.actionWidth]) : h;
      if (this.boxCenter && this.boxHalf)
        action = tf.add(tf.mul(tf.tanh(action), tf.tensor1d(this.boxHalf)), tf.tensor1d(this.boxCenter));
      if (!this.spec.strength) return { action };
      return { action, strength: tf.sigmoid(tf.slice(h, [0, this.actionWidth], [B, 1])) as tf.Tensor2D };
    });
  }

  dispose(): void {
    this.mlp.dispose();
  }
}

// ============================================================================================
// Agent: act, evaluate, update
// ============================================================================================

export interface BcActResult {
  /** [rows · heads] Int32 (discrete) or [rows · dims] Float32 (Box). */
  actions: Int32Array | Float32Array;
  /** [rows] strength in [0, 1], when the net has a strength head. */
  strength?: Float32Array;
  /** [rows · Σ nvec] action probabilities per head (discrete only). */
  probs?: Float32Array;
}

export interface HeadReport {
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Per class: TP / predicted (0 when never predicted, sklearn's zero_division=0). */
  precision: number[];
  /** Per class: TP / actual (0 when the class is absent). */
  recall: number[];
  accuracy: number;
}

export interface BcEvaluation {
  rows: number;
  /** α·actionLoss + β·strengthMse with the training criterion (class weights / focal as configured). */
  loss: number;
  /** Action loss: CE (or focal) summed over heads; MSE for Box actions. */
  actionLoss: number;
  /** Strength MSE (0 without a strength head). */
  strengthMse: number;
  /** Discrete: fraction of correct head predictions (= plain accuracy for one head). Box: NaN. */
  accuracy: number;
  /** Discrete, several heads: fraction of rows with every head right. */
  exactMatch: number;
  /** Discrete: one report per head. */
  heads: HeadReport[];
}

export interface BcEpochLog {
  epoch: number;
  step: number;
  trainLoss: number;
  val: BcEvaluation | null;
}

export interface BcReport {
  epochsRun: number;
  /** Epoch (1-based) with the best validation loss (the last epoch without validation). */
  bestEpoch: number;
  bestValLoss: number;
  stoppedEarly: boolean;
  /** Gradient steps taken. */
  steps: number;
  /** Evaluation of the final (restored best) weights on the validation split (train split when valFraction = 0). */
  final: BcEvaluation;
  history: BcEpochLog[];
  /** Per-head class weights used ('class-weights' and 'oversample'). */
  classWeights?: number[][];
  trainRows: number;
  valRows: number;
  backend: string;
  seconds: number;
}

export interface BcFitOptions {
  /** Called once per epoch with the flat metrics, keyed by global step. */
  onMetrics?: (step: number, metrics: Record<string, number>) => void;
  /** Checked before every batch; true stops after the current epoch's bookkeeping. */
  shouldStop?: () => boolean;
}

export class BcAgent {
  readonly config: BcConfig;
  readonly spec: BcSpec;
  readonly net: BcNetwork;
  private readonly optimizer: tf.Optimizer;
  private normalizer: ObsNormalizer;
  private readonly rng: Rng;
  private step = 0;
  private epoch = 0;
  /** [Σ nvec, heads] 0/1: which logit belongs to which head (segment sums by one matMul). */
  private headMatrix: tf.Tensor2D | null = null;
  private session: FitSession | null = null;

  constructor(spec: BcSpec, config: Partial<BcConfig> = {}) {
    this.config = { ...defaultBcConfig, ...config, hidden: [...(config.hidden ?? defaultBcConfig.hidden)] };
    checkConfig(this.config);
    this.spec = spec;
    this.net = new BcNetwork(spec, this.config);
    this.optimizer = makeOptimizer({ name: 'adam', learningRate: this.config.learningRate });
    this.normalizer = identityNormalizer(spec.obsDim);
    this.rng = new Rng(this.config.seed).fork('bc/train');
    if (this.net.discrete) {
      const nvec = this.net.nvec;
      const s = new Float32Array(this.net.actionWidth * nvec.length);
      let off = 0;
      nvec.forEach((n, h) => {
        for (let j = 0; j < n; j++) s[(off + j) * nvec.length + h] = 1;
        off += n;
      });
      this.headMatrix = tf.keep(tf.tensor2d(s, [this.net.actionWidth, nvec.length]));
    }
  }

  get globalStep(): number {
    return this.step;
  }

  get paramCount(): number {
    return this.net.mlp.paramCount;
  }

  /**
   * Greedy (argmax per head) or sampled actions for `rows` observations [rows · obsDim]; `masks`
   * [rows · Σ nvec] (1 = allowed) keep discrete actions valid.
   */
  act(obs: Float32Array, opts: { sample?: boolean; rng?: Rng; masks?: Uint8Array | null } = {}): BcActResult {
    const d = this.spec.obsDim;
    if (obs.length % d !== 0)
      throw new Error(`BC act: observation length ${obs.length} is not a multiple of obsDim ${d}`);
    const rows = obs.length / d;
    const { action, strength } = this.forwardNoGrad(
      normalizeInPlace(Float32Array.from(obs), this.normalizer),
      rows,
    );
    const out = action.dataSync() as Float32Array;
    const s = strength ? (strength.dataSync() as Float32Array).slice() : undefined;
    action.dispose();
    strength?.dispose();
    if (!this.net.discrete) return { actions: out.slice(), strength: s };
    const nvec = this.net.nvec;
    const actions = new Int32Array(rows * nvec.length);
    sampleCategorical({
      logits: out,
      stride: this.net.actionWidth,
      rows,
      nvec,
      masks: opts.masks ?? null,
      rng: opts.rng ?? this.rng,
      deterministic: !opts.sample,
      actions,
      logprobs: new Float32Array(rows),
    });
    return { actions, strength: s, probs: softmaxPerHead(out, rows, nvec) };
  }

  /** A rollout policy (collect.ts / evaluatePolicy) acting greedily. */
  policy(): (obs: Float32Array) => { action: number | Int32Array | Float32Array; strength?: number } {
    return (obs) => {
      const r = this.act(obs);
      const action = this.spec.actionSpace.kind === 'discrete' ? r.actions[0] : r.actions;
      return { action, strength: r.strength?.[0] };
    };
  }

  private forwardNoGrad(x: Float32Array, rows: number): { action: tf.Tensor2D; strength?: tf.Tensor2D } {
    return tf.tidy(() => this.net.apply(tf.tensor2d(x, [rows, this.spec.obsDim])));
  }

  /**
   * Evaluate on dataset rows (all rows by default) with the training criterion; computed on the
   * CPU in float64 from one forward pass per chunk.
   */
  evaluate(ds: OfflineDataset, rows?: ArrayLike<number>, weights?: number[][]): BcEvaluation {
    const { alpha, beta, imbalance, focalGamma } = this.config;
    const idx = rows ?? Int32Array.from({ length: ds.size }, (_, i) => i);
    const m = idx.length;
    const d = this.spec.obsDim;
    const discrete = this.net.discrete;
    const nvec = this.net.nvec;
    const H = discrete ? nvec.length : 0;
    const k = ds.actionDim;
    const heads: HeadReport[] = nvec.map((n) => ({
      confusion: Array.from({ length: n }, () => new Array<number>(n).fill(0)),
      precision: [],
      recall: [],
      accuracy: 0,
    }));
    const ceNum = new Float64Array(H);
    const ceDen = new Float64Array(H);
    let boxSq = 0;
    let strengthSq = 0;
    let exact = 0;
    const chunk = 4096;
    const xb = new Float32Array(Math.min(chunk, m) * d);
    for (let start = 0; start < m; start += chunk) {
      const count = Math.min(chunk, m - start);
      const x = gatherRows(ds.obs, d, idx, start, count, xb.subarray(0, count * d));
      normalizeInPlace(x, this.normalizer);
      const { action, strength } = this.forwardNoGrad(x, count);
      const out = action.dataSync() as Float32Array;
      const s = strength ? (strength.dataSync() as Float32Array) : null;
      for (let j = 0; j < count; j++) {
        const i = idx[start + j];
        if (discrete) {
          let off = 0;
          let allRight = true;
          for (let h = 0; h < H; h++) {
            const n = nvec[h];
            const base = j * this.net.actionWidth + off;
            let max = -Infinity;
            let arg = 0;
            for (let c = 0; c < n; c++) {
              if (out[base + c] > max) {
                max = out[base + c];
                arg = c;
              }
            }
            let sum = 0;
            for (let c = 0; c < n; c++) sum += Math.exp(out[base + c] - max);
            const y = ds.actions[i * k + h];
            const logpY = out[base + y] - max - Math.log(sum);
            const ce = imbalance === 'focal' ? Math.pow(1 - Math.exp(logpY), focalGamma) * -logpY : -logpY;
            const w = imbalance === 'class-weights' && weights ? weights[h][y] : 1;
            ceNum[h] += w * ce;
            ceDen[h] += w;
            heads[h].confusion[y][arg]++;
            if (arg !== y) allRight = false;
            off += n;
          }
          if (allRight) exact++;
        } else {
          for (let q = 0; q < k; q++) boxSq += (out[j * k + q] - ds.actions[i * k + q]) ** 2;
        }
        if (s && ds.strength) strengthSq += (s[j] - ds.strength[i]) ** 2;
      }
      action.dispose();
      strength?.dispose();
    }
    let actionLoss = 0;
    if (discrete) for (let h = 0; h < H; h++) actionLoss += ceDen[h] > 0 ? ceNum[h] / ceDen[h] : 0;
    else actionLoss = boxSq / (m * k);
    const strengthMse = this.spec.strength && ds.strength ? strengthSq / m : 0;
    let correct = 0;
    for (const hr of heads) {
      const n = hr.confusion.length;
      let diag = 0;
      for (let c = 0; c < n; c++) {
        const tp = hr.confusion[c][c];
        diag += tp;
        const actual = hr.confusion[c].reduce((a, b) => a + b, 0);
        let predicted = 0;
        for (let t = 0; t < n; t++) predicted += hr.confusion[t][c];
        hr.precision.push(predicted > 0 ? tp / predicted : 0);
        hr.recall.push(actual > 0 ? tp / actual : 0);
      }
      hr.accuracy = m > 0 ? diag / m : 0;
      correct += diag;
    }
    return {
      rows: m,
      loss: alpha * actionLoss + beta * strengthMse,
      actionLoss,
      strengthMse,
      accuracy: discrete ? correct / (m * H) : NaN,
      exactMatch: discrete ? exact / m : NaN,
      heads,
    };
  }

  /**
   * One gradient step on rows `batch` (indices into ds). `rowWeights` [B · heads] are the class
   * weights of each row's labels (1 without class weighting). Returns [total, actionLoss, strengthMse].
   */
  private trainStep(
    ds: OfflineDataset,
    batch: Int32Array,
    rowWeights: Float32Array | null,
    buffers: StepBuffers,
  ): [number, number, number] {
    const B = batch.length;
    const d = this.spec.obsDim;
    const { alpha, beta, imbalance, focalGamma, dropout, hidden } = this.config;
    const x = normalizeInPlace(
      gatherRows(ds.obs, d, batch, 0, B, buffers.obs.subarray(0, B * d)),
      this.normalizer,
    );
    const masks: Float32Array[] = [];
    if (dropout > 0) {
      const keep = 1 / (1 - dropout);
      for (const width of hidden) {
        const m = new Float32Array(B * width);
        for (let i = 0; i < m.length; i++) m[i] = this.rng.float() < dropout ? 0 : keep;
        masks.push(m);
      }
    }
    let oneHot: Float32Array | null = null;
    let targets: Float32Array | null = null;
    if (this.net.discrete) {
      const nvec = this.net.nvec;
      const width = this.net.actionWidth;
      oneHot = buffers.oneHot.subarray(0, B * width);
      oneHot.fill(0);
      for (let j = 0; j < B; j++) {
        let off = 0;
        for (let h = 0; h < nvec.length; h++) {
          oneHot[j * width + off + ds.actions[batch[j] * nvec.length + h]] = 1;
          off += nvec[h];
        }
      }
    } else {
      targets = gatherRows(
        ds.actions as Float32Array,
        ds.actionDim,
        batch,
        0,
        B,
        buffers.box.subarray(0, B * ds.actionDim),
      );
    }
    const strengthTarget =
      this.spec.strength && ds.strength
        ? gatherRows(ds.strength, 1, batch, 0, B, buffers.strength.subarray(0, B))
        : null;

    let parts: tf.Tensor1D | null = null;
    const xt = tf.tensor2d(x, [B, d]);
    const maskT = masks.map((m, l) => tf.tensor2d(m, [B, hidden[l]]));
    const oneHotT = oneHot ? tf.tensor2d(oneHot, [B, this.net.actionWidth]) : null;
    const targetT = targets ? tf.tensor2d(targets, [B, ds.actionDim]) : null;
    const wT = rowWeights ? tf.tensor2d(rowWeights, [B, this.net.nvec.length]) : null;
    const sT = strengthTarget ? tf.tensor2d(strengthTarget, [B, 1]) : null;
    try {
      this.optimizer.minimize(
        () => {
          const { action, strength } = this.net.apply(xt, maskT.length ? maskT : undefined);
          let actionLoss: tf.Scalar;
          if (oneHotT) {
            const logp = headLogSoftmax(action, this.net.nvec);
            const logpY = tf.matMul(tf.mul(logp, oneHotT), this.headMatrix!); // [B, H]
            let perRow = tf.neg(logpY);
            if (imbalance === 'focal') perRow = tf.mul(tf.pow(tf.sub(1, tf.exp(logpY)), focalGamma), perRow);
            actionLoss = wT
              ? (tf.sum(tf.div(tf.sum(tf.mul(perRow, wT), 0), tf.sum(wT, 0))) as tf.Scalar)
              : (tf.sum(tf.mean(perRow, 0)) as tf.Scalar);
          } else {
            actionLoss = tf.mean(tf.square(tf.sub(action, targetT!))) as tf.Scalar;
          }
          const strengthMse =
            strength && sT ? (tf.mean(tf.square(tf.sub(strength, sT))) as tf.Scalar) : tf.scalar(0);
          const total = tf.add(tf.mul(alpha, actionLoss), tf.mul(beta, strengthMse)) as tf.Scalar;
          parts = tf.keep(tf.stack([total, actionLoss, strengthMse]) as tf.Tensor1D);
          return total;
        },
        false,
        this.net.mlp.variables(),
      );
    } finally {
      tf.dispose([xt, ...maskT, ...[oneHotT, targetT, wT, sT].filter((t): t is tf.Tensor2D => t !== null)]);
    }
    const p = parts as tf.Tensor1D | null;
    if (!p) throw new Error('BC: loss was not computed');
    const v = p.dataSync();
    p.dispose();
    this.step++;
    return [v[0], v[1], v[2]];
  }

  /**
   * Train on a dataset: split, epochs of minibatches, validation, early stopping. Async so a worker
   * can take messages (pause/stop) between epochs. Throws NonFiniteLossError (with the last good
   * weights restored) when a loss turns NaN/Inf.
   */
  async fit(dataset: OfflineDataset, options: BcFitOptions = {}): Promise<BcReport> {
    this.startFit(dataset);
    while (!this.fitDone) {
      const { step, metrics } = this.fitEpoch(options.shouldStop);
      options.onMetrics?.(step, metrics);
      if (options.shouldStop?.()) break;
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    return this.finishFit();
  }

  /** Begin an epoch-by-epoch fit (fit() = startFit, fitEpoch until fitDone, finishFit). */
  startFit(dataset: OfflineDataset): void {
    const t0 = performance.now();
    const ds = validateDataset(dataset);
    this.checkDataset(ds);
    const cfg = this.config;
    const splitRng = new Rng(cfg.seed).fork('bc/split');
    const { train, val } =
      cfg.valFraction > 0
        ? splitIndices(ds.size, cfg.valFraction, cfg.split, splitRng)
        : { train: Int32Array.from({ length: ds.size }, (_, i) => i), val: new Int32Array(0) };
    if (cfg.normalizeObs) this.normalizer = computeObsNormalizer(ds, train);
    const H = this.net.nvec.length;
    let weights: number[][] | undefined;
    let rowWeights: Float32Array | null = null;
    let sampler: WeightedSampler | null = null;
    if (this.net.discrete && (cfg.imbalance === 'class-weights' || cfg.imbalance === 'oversample')) {
      weights = classWeights(classCounts(ds, train));
      if (cfg.imbalance === 'class-weights') {
        rowWeights = new Float32Array(ds.size * H);
        for (let i = 0; i < ds.size; i++)
          for (let h = 0; h < H; h++) rowWeights[i * H + h] = weights[h][ds.actions[i * H + h]];
      } else {
        // One weight per row: the mean over heads of its labels' class weights.
        const w = new Float64Array(train.length);
        for (let j = 0; j < train.length; j++) {
          let sum = 0;
          for (let h = 0; h < H; h++) sum += weights[h][ds.actions[train[j] * H + h]];
          w[j] = sum / H;
        }
        sampler = new WeightedSampler(w);
      }
    }
    const B = cfg.batchSize;
    const initial = this.net.mlp.getWeights();
    this.session = {
      t0,
      ds,
      train,
      val,
      evalRows: val.length > 0 ? val : train,
      weights,
      rowWeights,
      sampler,
      buffers: {
        obs: new Float32Array(B * ds.obsDim),
        oneHot: new Float32Array(B * Math.max(1, this.net.actionWidth)),
        box: new Float32Array(B * ds.actionDim),
        strength: new Float32Array(B),
        rowWeights: new Float32Array(B * Math.max(1, H)),
      },
      history: [],
      epochsRun: 0,
      best: Infinity,
      bestEpoch: 0,
      bestWeights: initial,
      lastGood: initial,
      wait: 0,
      stoppedEarly: false,
      done: false,
    };
  }

  /** Gradient steps in one epoch of the current fit (ceil(train rows / batch)). */
  get stepsPerEpoch(): number {
    if (!this.session) throw new Error('BC: no fit in progress (call startFit first)');
    return Math.ceil(this.session.train.length / this.config.batchSize);
  }

  /** True when the epochs are spent or early stopping fired. */
  get fitDone(): boolean {
    return this.session?.done ?? true;
  }

  /** One epoch of minibatches, then validation and the early-stopping bookkeeping. */
  fitEpoch(shouldStop?: () => boolean): { step: number; metrics: Record<string, number> } {
    const f = this.session;
    if (!f || f.done) throw new Error('BC: no fit in progress (call startFit first)');
    const cfg = this.config;
    const B = cfg.batchSize;
    const H = this.net.nvec.length;
    const tEpoch = performance.now();
    const order = f.sampler
      ? f.sampler.draw(f.train.length, this.rng).map((j) => f.train[j])
      : this.rng.shuffle(f.train.slice());
    let sums = [0, 0, 0];
    let seen = 0;
    for (let start = 0; start < order.length; start += B) {
      if (shouldStop?.()) break;
      const batch = order.subarray(start, Math.min(order.length, start + B));
      const w = f.rowWeights
        ? gatherRows(
            f.rowWeights,
            H,
            batch,
            0,
            batch.length,
            f.buffers.rowWeights.subarray(0, batch.length * H),
          )
        : null;
      const losses = this.trainStep(f.ds, batch, w, f.buffers);
      if (!losses.every(Number.isFinite)) {
        this.net.mlp.setWeights(f.lastGood);
        f.done = true;
        throw new NonFiniteLossError(
          `BC: non-finite loss at step ${this.step} (total ${losses[0]}, action ${losses[1]}, strength ${losses[2]}); training stopped, ` +
            'last good weights kept (end of the previous epoch). Lower the learning rate or check the data for extreme values.',
          this.step,
          { 'losses/bc_total': losses[0], 'losses/bc_ce': losses[1], 'losses/bc_mse': losses[2] },
        );
      }
      sums = sums.map((sum, q) => sum + losses[q] * batch.length);
      seen += batch.length;
    }
    this.epoch++;
    const e = ++f.epochsRun;
    const valEval = this.evaluate(f.ds, f.evalRows, f.weights);
    const trainLoss = seen > 0 ? sums[0] / seen : NaN;
    f.history.push({ epoch: e, step: this.step, trainLoss, val: f.val.length > 0 ? valEval : null });
    f.lastGood = this.net.mlp.getWeights();
    const metrics: Record<string, number> = {
      'charts/epoch': e,
      'losses/bc_total': trainLoss,
      'losses/bc_ce': seen > 0 ? sums[1] / seen : NaN,
      'losses/bc_mse': seen > 0 ? sums[2] / seen : NaN,
      'eval/val_loss': valEval.loss,
      'eval/val_ce': valEval.actionLoss,
      'eval/val_mse': valEval.strengthMse,
      'perf/samples_per_s': seen / ((performance.now() - tEpoch) / 1000),
    };
    if (this.net.discrete) {
      metrics['eval/val_accuracy'] = valEval.accuracy;
      if (H > 1) metrics['eval/val_exact_match'] = valEval.exactMatch;
      // Per class, pooled over heads with the same classes (BUY/SELL/HOLD per asset).
      const n = this.net.nvec[0];
      if (this.net.nvec.every((x) => x === n)) {
        for (let c = 0; c < n; c++) {
          metrics[`eval/val_recall_c${c}`] = mean(valEval.heads.map((hr) => hr.recall[c]));
          metrics[`eval/val_precision_c${c}`] = mean(valEval.heads.map((hr) => hr.precision[c]));
        }
      }
    }
    const patience = f.val.length > 0 ? cfg.patience : 0;
    if (valEval.loss < f.best - cfg.minDelta) {
      f.best = valEval.loss;
      f.bestEpoch = e;
      f.bestWeights = f.lastGood;
      f.wait = 0;
    } else if (patience > 0 && ++f.wait >= patience) {
      f.stoppedEarly = true;
      f.done = true;
    }
    if (e >= cfg.epochs || shouldStop?.()) f.done = true;
    return { step: this.step, metrics };
  }

  /** End the fit: restore the best weights (restoreBest) and report on the validation split. */
  finishFit(): BcReport {
    const f = this.session;
    if (!f) throw new Error('BC: no fit in progress (call startFit first)');
    this.session = null;
    const hasVal = f.val.length > 0;
    if (this.config.restoreBest && hasVal && f.bestEpoch > 0) this.net.mlp.setWeights(f.bestWeights);
    const final = this.evaluate(f.ds, f.evalRows, f.weights);
    return {
      epochsRun: f.history.length,
      bestEpoch: hasVal ? f.bestEpoch : f.history.length,
      bestValLoss: hasVal ? f.best : NaN,
      stoppedEarly: f.stoppedEarly,
      steps: this.step,
      final,
      history: f.history,
      classWeights: f.weights,
      trainRows: f.train.length,
      valRows: f.val.length,
      backend: tf.getBackend(),
      seconds: (performance.now() - f.t0) / 1000,
    };
  }

  private checkDataset(ds: OfflineDataset): void {
    if (ds.obsDim !== this.spec.obsDim)
      throw new Error(`BC: dataset has obsDim ${ds.obsDim}, the agent was built for ${this.spec.obsDim}`);
    const a = JSON.stringify(ds.meta.actionSpace, arrays);
    const b = JSON.stringify(this.spec.actionSpace, arrays);
    if (a !== b) throw new Error(`BC: dataset action space ${a} differs from the agent's ${b}`);
    if (this.spec.strength && !ds.strength)
      throw new Error('BC: the agent has a strength head but the dataset has no strength column');
  }

  // ------------------------------------------------------------------------------ checkpoints

  /** Config, weights, Adam moments and step, the shuffling/dropout Rng, the obs normaliser (checkpoint.ts). */
  async saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    return saveCheckpoint(
      this.net.mlp,
      {
        netConfig: {
          obsDim: this.spec.obsDim,
          actionSpace: spaceToJson(this.spec.actionSpace),
          strength: this.spec.strength,
        },
        algo: 'bc',
        algoConfig: this.config,
        optimizerStep: this.step,
        rngState: this.rng.getState(),
        backend: tf.getBackend(),
        extra: {
          ...extra,
          epoch: this.epoch,
          normalizer: { mean: Array.from(this.normalizer.mean), std: Array.from(this.normalizer.std) },
        },
      },
      this.optimizer,
    );
  }

  /** Load a checkpoint of the same network into this agent (weights, Adam moments, step, Rng, normaliser). */
  async restoreCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'bc') throw new Error(`not a BC checkpoint (algo '${String(meta.algo)}')`);
    await loadCheckpoint(artifacts, this.net.mlp, this.optimizer);
    this.step = meta.optimizerStep ?? 0;
    if (meta.rngState) this.rng.setState(meta.rngState);
    const extra = (meta.extra ?? {}) as { epoch?: number; normalizer?: { mean: number[]; std: number[] } };
    this.epoch = extra.epoch ?? 0;
    if (extra.normalizer)
      this.normalizer = {
        mean: Float32Array.from(extra.normalizer.mean),
        std: Float32Array.from(extra.normalizer.std),
      };
  }

  /** Rebuild an agent from saveCheckpoint's artifacts; training resumes where it stopped. */
  static async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<BcAgent> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'bc') throw new Error(`not a BC checkpoint (algo '${String(meta.algo)}')`);
    const net = meta.netConfig as { obsDim: number; actionSpace: SpaceJson; strength: boolean };
    const agent = new BcAgent(
      { obsDim: net.obsDim, actionSpace: spaceFromJson(net.actionSpace), strength: net.strength },
      meta.algoConfig as Partial<BcConfig>,
    );
    try {
      await agent.restoreCheckpoint(artifacts);
    } catch (e) {
      agent.dispose();
      throw e;
    }
    return agent;
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
    this.headMatrix?.dispose();
    this.headMatrix = null;
  }
}

interface StepBuffers {
  obs: Float32Array;
  oneHot: Float32Array;
  box: Float32Array;
  strength: Float32Array;
  rowWeights: Float32Array;
}

/** State of an epoch-by-epoch fit (startFit … finishFit). */
interface FitSession {
  t0: number;
  ds: OfflineDataset;
  train: Int32Array;
  val: Int32Array;
  evalRows: Int32Array;
  weights: number[][] | undefined;
  /** [n · heads] class weight of every row's labels ('class-weights'). */
  rowWeights: Float32Array | null;
  sampler: WeightedSampler | null;
  buffers: StepBuffers;
  history: BcEpochLog[];
  epochsRun: number;
  best: number;
  bestEpoch: number;
  bestWeights: Float32Array[];
  lastGood: Float32Array[];
  wait: number;
  stoppedEarly: boolean;
  done: boolean;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function arrays(_key: string, v: unknown): unknown {
  return v instanceof Float32Array ? Array.from(v) : v;
}

function softmaxPerHead(logits: Float32Array, rows: number, nvec: number[]): Float32Array {
  const width = nvec.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (const n of nvec) {
      const base = r * width + off;
      let max = -Infinity;
      for (let c = 0; c < n; c++) max = Math.max(max, logits[base + c]);
      let sum = 0;
      for (let c = 0; c < n; c++) sum += Math.exp(logits[base + c] - max);
      for (let c = 0; c < n; c++) out[base + c] = Math.exp(logits[base + c] - max) / sum;
      off += n;
    }
  }
  return out;
}

/** Build a BC agent for a dataset and train it. */
export async function trainBc(
  ds: OfflineDataset,
  config: Partial<BcConfig> = {},
  options: BcFitOptions = {},
): Promise<{ agent: BcAgent; report: BcReport }> {
  const agent = new BcAgent(bcSpecOf(ds), config);
  try {
    const report = await agent.fit(ds, options);
    return { agent, report };
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) agent.dispose();
    throw e;
  }
}
