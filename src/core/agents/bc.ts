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
 * restored), and on the validation split: accuracy, per-class precision/recall (core/metrics).
 *
 * A run-loop Learner: one iterate() = one epoch; globalStep = gradient steps.
 * CleanRL order: config, network (offline/bcNetwork.ts), act, update.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { classificationReport, type ClassificationReport } from '../metrics/classification.ts';
import type { Learner } from '../run/learner.ts';
import type { ActivationName } from './nets/dense.ts';
import { headLogSoftmax, sampleCategorical } from './common/distributions.ts';
import { makeOptimizer } from './common/optim.ts';
import { NonFiniteLossError, type IterationReport } from './common/onPolicy.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';
import { type OfflineDataset, validateDataset } from './offline/dataset.ts';
import type { WeightedSampler } from './offline/batches.ts';
import {
  type ObsNormalizer,
  type SplitMode,
  classBalance,
  computeObsNormalizer,
  gatherRows,
  identityNormalizer,
  normalizeInPlace,
  splitIndices,
} from './offline/batches.ts';
import type { DatasetSourceConfig } from './offline/source.ts';
import { BcNetwork } from './offline/bcNetwork.ts';

export { classWeights } from './offline/batches.ts';

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
  /** Maximum passes over the training split (a totalSteps budget may end training sooner). Default 20 (seed 004). */
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

/** The registry's config: BcConfig + gradient-step budget (0 = none, `epochs` epochs) + data source. */
export type BcLearnerConfig = BcConfig & { totalSteps: number; dataset: DatasetSourceConfig };

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

export interface BcActResult {
  /** [rows · heads] Int32 (discrete) or [rows · dims] Float32 (Box). */
  actions: Int32Array | Float32Array;
  /** [rows] strength in [0, 1], when the net has a strength head. */
  strength?: Float32Array;
  /** [rows · Σ nvec] action probabilities per head (discrete only). */
  probs?: Float32Array;
}

export interface BcEvaluation {
  rows: number;
  /** α·actionLoss + β·strengthMse with the training criterion (class weights / focal as configured). */
  loss: number;
  /** CE (or focal) summed over heads; MSE for Box actions. */
  actionLoss: number;
  /** Strength MSE (0 without a strength head). */
  strengthMse: number;
  /** Discrete: fraction of correct head predictions. Box: NaN. */
  accuracy: number;
  /** Discrete, several heads: fraction of rows with every head right. */
  exactMatch: number;
  /** Discrete: one classification report per head. */
  heads: ClassificationReport[];
}

export class BcLearner implements Learner {
  readonly algo = 'bc';
  readonly config: BcLearnerConfig;
  readonly net: BcNetwork;
  /** Row indices of the train and validation splits. */
  readonly trainRows: Int32Array;
  readonly valRows: Int32Array;
  iteration = 0;
  private readonly ds: OfflineDataset;
  private readonly optimizer: tf.Optimizer;
  private normalizer: ObsNormalizer;
  private readonly rng: Rng;
  private readonly epochs: number;
  private step = 0;
  private readonly weights: number[][] | undefined;
  /** [n · heads] class weight of every row's labels ('class-weights'). */
  private readonly rowWeights: Float32Array | null = null;
  private readonly sampler: WeightedSampler | null = null;
  private readonly early = { best: Infinity, bestEpoch: 0, wait: 0, stopped: false, finished: false };
  private bestWeights: Float32Array[];
  private lastGood: Float32Array[];

  constructor(
    config: BcLearnerConfig,
    dataset: OfflineDataset,
    private readonly behaviourReturn = NaN,
  ) {
    this.config = { ...config, hidden: [...config.hidden] };
    checkConfig(this.config);
    const ds = (this.ds = validateDataset(dataset));
    this.net = new BcNetwork(ds.obsDim, ds.meta.actionSpace, ds.strength !== undefined, this.config);
    this.optimizer = makeOptimizer({ name: 'adam', learningRate: this.config.learningRate });
    this.rng = new Rng(this.config.seed).fork('bc/train');
    const cfg = this.config;
    const split =
      cfg.valFraction > 0
        ? splitIndices(ds.size, cfg.valFraction, cfg.split, new Rng(cfg.seed).fork('bc/split'))
        : { train: Int32Array.from({ length: ds.size }, (_, i) => i), val: new Int32Array(0) };
    this.trainRows = split.train;
    this.valRows = split.val;
    this.normalizer = cfg.normalizeObs
      ? computeObsNormalizer(ds, this.trainRows)
      : identityNormalizer(ds.obsDim);
    if (this.net.discrete && (cfg.imbalance === 'class-weights' || cfg.imbalance === 'oversample'))
      ({
        weights: this.weights,
        rowWeights: this.rowWeights,
        sampler: this.sampler,
      } = classBalance(ds, this.trainRows, cfg.imbalance));
    const budgetEpochs = Math.max(1, Math.ceil(cfg.totalSteps / this.stepsPerEpoch));
    this.epochs = cfg.totalSteps > 0 ? Math.min(cfg.epochs, budgetEpochs) : cfg.epochs;
    this.bestWeights = this.lastGood = this.net.mlp.getWeights();
  }

  /** The observation standardisation act() applies (identity unless normalizeObs); a copy. */
  get obsNormalizer(): ObsNormalizer {
    return { mean: Float32Array.from(this.normalizer.mean), std: Float32Array.from(this.normalizer.std) };
  }

  get globalStep(): number {
    return this.step;
  }
  get stepsPerEpoch(): number {
    return Math.ceil(this.trainRows.length / this.config.batchSize);
  }
  get numIterations(): number {
    return this.epochs;
  }
  /** The budget in gradient steps; once early stopping has ended the run, the steps it took. */
  get totalSteps(): number {
    return this.early.stopped ? this.step : this.epochs * this.stepsPerEpoch;
  }
  get done(): boolean {
    return this.early.finished;
  }

  /** Greedy (argmax per head) or sampled actions; `masks` [rows · Σ nvec] (1 = allowed) keep discrete actions valid. */
  act(obs: Float32Array, opts: { sample?: boolean; masks?: Uint8Array | null } = {}): BcActResult {
    const d = this.net.obsDim;
    if (obs.length % d !== 0)
      throw new Error(`BC act: observation length ${obs.length} is not a multiple of obsDim ${d}`);
    const rows = obs.length / d;
    const { out, strength } = this.forward(normalizeInPlace(Float32Array.from(obs), this.normalizer), rows);
    if (!this.net.discrete) return { actions: out, strength };
    const nvec = this.net.nvec;
    const actions = new Int32Array(rows * nvec.length);
    sampleCategorical({
      logits: out,
      stride: this.net.actionWidth,
      rows,
      nvec,
      masks: opts.masks ?? null,
      rng: this.rng,
      deterministic: !opts.sample,
      actions,
      logprobs: new Float32Array(rows),
    });
    return { actions, strength, probs: softmaxPerHead(out, rows, nvec) };
  }

  async predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array> {
    return this.act(obs.subarray(0, rows * this.net.obsDim), { sample: !deterministic, masks }).actions;
  }

  private forward(x: Float32Array, rows: number): { out: Float32Array; strength?: Float32Array } {
    const { action, strength } = tf.tidy(() => this.net.apply(tf.tensor2d(x, [rows, this.net.obsDim])));
    const out = (action.dataSync() as Float32Array).slice();
    const s = strength ? (strength.dataSync() as Float32Array).slice() : undefined;
    tf.dispose([action, strength].filter((t): t is tf.Tensor2D => t !== undefined));
    return { out, strength: s };
  }

  /** Loss, accuracy and per-head classification reports on dataset rows (the validation split by default). */
  evaluate(rows: ArrayLike<number> = this.valRows.length > 0 ? this.valRows : this.trainRows): BcEvaluation {
    const { alpha, beta, imbalance, focalGamma } = this.config;
    const ds = this.ds;
    const m = rows.length;
    const d = ds.obsDim;
    const k = ds.actionDim;
    const { nvec, discrete, actionWidth } = this.net;
    const H = nvec.length;
    const yTrue = nvec.map(() => new Int32Array(m));
    const yPred = nvec.map(() => new Int32Array(m));
    const ceNum = new Float64Array(H);
    const ceDen = new Float64Array(H);
    let boxSq = 0;
    let strengthSq = 0;
    let exact = 0;
    const chunk = 4096;
    const xb = new Float32Array(Math.min(chunk, m) * d);
    for (let start = 0; start < m; start += chunk) {
      const count = Math.min(chunk, m - start);
      const x = normalizeInPlace(
        gatherRows(ds.obs, d, rows, start, count, xb.subarray(0, count * d)),
        this.normalizer,
      );
      const { out, strength } = this.forward(x, count);
      for (let j = 0; j < count; j++) {
        const i = rows[start + j];
        let allRight = true;
        for (let h = 0, off = 0; h < H; off += nvec[h], h++) {
          const base = j * actionWidth + off;
          let arg = 0;
          for (let c = 1; c < nvec[h]; c++) if (out[base + c] > out[base + arg]) arg = c;
          let sum = 0;
          for (let c = 0; c < nvec[h]; c++) sum += Math.exp(out[base + c] - out[base + arg]);
          const y = ds.actions[i * k + h];
          const logpY = out[base + y] - out[base + arg] - Math.log(sum);
          const ce = imbalance === 'focal' ? Math.pow(1 - Math.exp(logpY), focalGamma) * -logpY : -logpY;
          const w = imbalance === 'class-weights' && this.weights ? this.weights[h][y] : 1;
          ceNum[h] += w * ce;
          ceDen[h] += w;
          yTrue[h][start + j] = y;
          yPred[h][start + j] = arg;
          if (arg !== y) allRight = false;
        }
        if (discrete && allRight) exact++;
        if (!discrete) for (let q = 0; q < k; q++) boxSq += (out[j * k + q] - ds.actions[i * k + q]) ** 2;
        if (strength && ds.strength) strengthSq += (strength[j] - ds.strength[i]) ** 2;
      }
    }
    let actionLoss = discrete ? 0 : boxSq / (m * k);
    for (let h = 0; h < H; h++) actionLoss += ceDen[h] > 0 ? ceNum[h] / ceDen[h] : 0;
    const strengthMse = this.net.strength && ds.strength ? strengthSq / m : 0;
    const heads = nvec.map((n, h) => classificationReport(yTrue[h], yPred[h], n));
    return {
      rows: m,
      loss: alpha * actionLoss + beta * strengthMse,
      actionLoss,
      strengthMse,
      accuracy: discrete ? heads.reduce((a, r) => a + r.accuracy, 0) / H : NaN,
      exactMatch: discrete ? exact / m : NaN,
      heads,
    };
  }

  /** One gradient step on dataset rows `batch`; returns [total, actionLoss, strengthMse]. */
  private trainStep(batch: Int32Array): [number, number, number] {
    const ds = this.ds;
    const B = batch.length;
    const d = ds.obsDim;
    const { alpha, beta, imbalance, focalGamma, dropout, hidden } = this.config;
    const { nvec, actionWidth } = this.net;
    const H = nvec.length;
    const x = normalizeInPlace(gatherRows(ds.obs, d, batch, 0, B, new Float32Array(B * d)), this.normalizer);
    const masks =
      dropout > 0
        ? hidden.map((width) =>
            Float32Array.from({ length: B * width }, () =>
              this.rng.float() < dropout ? 0 : 1 / (1 - dropout),
            ),
          )
        : [];
    let oneHot: Float32Array | null = null;
    if (this.net.discrete) {
      oneHot = new Float32Array(B * actionWidth);
      for (let j = 0; j < B; j++)
        for (let h = 0, off = 0; h < H; off += nvec[h], h++)
          oneHot[j * actionWidth + off + ds.actions[batch[j] * H + h]] = 1;
    }
    const rowW = this.rowWeights
      ? gatherRows(this.rowWeights, H, batch, 0, B, new Float32Array(B * H))
      : null;
    let parts: tf.Tensor1D | null = null;
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [B, d]);
      const maskT = masks.map((m, l) => tf.tensor2d(m, [B, hidden[l]]));
      const yT = oneHot
        ? tf.tensor2d(oneHot, [B, actionWidth])
        : tf.tensor2d(
            gatherRows(
              ds.actions as Float32Array,
              ds.actionDim,
              batch,
              0,
              B,
              new Float32Array(B * ds.actionDim),
            ),
            [B, ds.actionDim],
          );
      const wT = rowW ? tf.tensor2d(rowW, [B, H]) : null;
      const sT =
        this.net.strength && ds.strength
          ? tf.tensor2d(gatherRows(ds.strength, 1, batch, 0, B, new Float32Array(B)), [B, 1])
          : null;
      this.optimizer.minimize(
        () => {
          const { action, strength } = this.net.apply(xt, maskT.length ? maskT : undefined);
          let actionLoss: tf.Scalar;
          if (oneHot) {
            const logpY = tf.matMul(tf.mul(headLogSoftmax(action, nvec), yT), this.net.headMatrix!); // [B, H]
            let perRow = tf.neg(logpY);
            if (imbalance === 'focal') perRow = tf.mul(tf.pow(tf.sub(1, tf.exp(logpY)), focalGamma), perRow);
            actionLoss = (
              wT ? tf.sum(tf.div(tf.sum(tf.mul(perRow, wT), 0), tf.sum(wT, 0))) : tf.sum(tf.mean(perRow, 0))
            ) as tf.Scalar;
          } else {
            actionLoss = tf.mean(tf.square(tf.sub(action, yT)));
          }
          const strengthMse = strength && sT ? tf.mean(tf.square(tf.sub(strength, sT))) : tf.scalar(0);
          const total = tf.add(tf.mul(alpha, actionLoss), tf.mul(beta, strengthMse)) as tf.Scalar;
          parts = tf.keep(tf.stack([total, actionLoss, strengthMse]) as tf.Tensor1D);
          return total;
        },
        false,
        this.net.mlp.variables(),
      );
    });
    const p = parts as tf.Tensor1D | null;
    if (!p) throw new Error('BC: loss was not computed');
    const v = p.dataSync();
    p.dispose();
    this.step++;
    return [v[0], v[1], v[2]];
  }

  /** One epoch of minibatches, validation, early stopping; the last one restores the best weights. */
  async iterate(): Promise<IterationReport> {
    if (this.done) throw new Error('BC: training is finished');
    const cfg = this.config;
    const t0 = performance.now();
    const order = this.sampler
      ? this.sampler.draw(this.trainRows.length, this.rng).map((j) => this.trainRows[j])
      : this.rng.shuffle(this.trainRows.slice());
    const sums = [0, 0, 0];
    for (let start = 0; start < order.length; start += cfg.batchSize) {
      const batch = order.subarray(start, Math.min(order.length, start + cfg.batchSize));
      const losses = this.trainStep(batch);
      if (!losses.every(Number.isFinite)) {
        this.net.mlp.setWeights(this.lastGood);
        this.early.finished = true;
        throw new NonFiniteLossError(
          `BC: non-finite loss at step ${this.step} (total ${losses[0]}, action ${losses[1]}, strength ${losses[2]}); training stopped, ` +
            'last good weights kept (end of the previous epoch). Lower the learning rate or check the data for extreme values.',
          this.step,
          { 'losses/loss': losses[0], 'losses/action': losses[1], 'losses/strength': losses[2] },
        );
      }
      for (let q = 0; q < 3; q++) sums[q] += losses[q] * batch.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    const epoch = ++this.iteration;
    this.lastGood = this.net.mlp.getWeights();
    const val = this.evaluate();
    const n = order.length;
    const metrics: Record<string, number> = {
      'charts/epoch': epoch,
      'losses/loss': sums[0] / n,
      'losses/action': sums[1] / n,
      'losses/strength': sums[2] / n,
      'eval/val_loss': val.loss,
      'perf/sps': this.stepsPerEpoch / seconds,
      'perf/samples_per_s': n / seconds,
    };
    if (this.net.discrete) {
      metrics['eval/val_accuracy'] = val.accuracy;
      if (val.heads.length > 1) metrics['eval/val_exact_match'] = val.exactMatch;
      // Per class, pooled over heads with the same classes (BUY/SELL/HOLD per asset).
      const K = this.net.nvec[0];
      if (this.net.nvec.every((x) => x === K))
        for (let c = 0; c < K; c++) {
          metrics[`eval/val_recall_c${c}`] =
            val.heads.reduce((a, r) => a + r.recall[c], 0) / val.heads.length;
          metrics[`eval/val_precision_c${c}`] =
            val.heads.reduce((a, r) => a + r.precision[c], 0) / val.heads.length;
        }
    }
    const e = this.early;
    if (val.loss < e.best - cfg.minDelta) {
      Object.assign(e, { best: val.loss, bestEpoch: epoch, wait: 0 });
      this.bestWeights = this.lastGood;
    } else if (this.valRows.length > 0 && cfg.patience > 0 && ++e.wait >= cfg.patience) e.stopped = true;
    if (e.stopped || epoch >= this.epochs) {
      e.finished = true;
      if (cfg.restoreBest && this.valRows.length > 0 && e.bestEpoch > 0)
        this.net.mlp.setWeights(this.bestWeights);
      metrics['charts/best_epoch'] = this.valRows.length > 0 ? e.bestEpoch : epoch;
      metrics['charts/early_stopped'] = e.stopped ? 1 : 0;
    }
    if (epoch === 1 && Number.isFinite(this.behaviourReturn))
      metrics['charts/behaviour_return'] = this.behaviourReturn;
    return { globalStep: this.step, iteration: epoch, metrics, episodes: [] };
  }

  /** Weights, Adam moments and step, the shuffling/dropout Rng, the epoch and the obs normaliser. */
  saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    const { mean, std } = this.normalizer;
    return saveCheckpoint(
      this.net.mlp,
      {
        netConfig: { obsDim: this.net.obsDim, strength: this.net.strength },
        algo: 'bc',
        algoConfig: this.config,
        optimizerStep: this.step,
        rngState: this.rng.getState(),
        backend: tf.getBackend(),
        extra: {
          ...extra,
          epoch: this.iteration,
          normalizer: { mean: Array.from(mean), std: Array.from(std) },
        },
      },
      this.optimizer,
    );
  }

  async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'bc') throw new Error(`not a BC checkpoint (algo '${String(meta.algo)}')`);
    await loadCheckpoint(artifacts, this.net.mlp, this.optimizer);
    this.step = meta.optimizerStep ?? 0;
    if (meta.rngState) this.rng.setState(meta.rngState);
    const extra = (meta.extra ?? {}) as { epoch?: number; normalizer?: { mean: number[]; std: number[] } };
    this.iteration = extra.epoch ?? 0;
    this.early.finished = this.iteration >= this.epochs;
    if (extra.normalizer)
      this.normalizer = {
        mean: Float32Array.from(extra.normalizer.mean),
        std: Float32Array.from(extra.normalizer.std),
      };
    this.bestWeights = this.lastGood = this.net.mlp.getWeights();
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}

function softmaxPerHead(logits: Float32Array, rows: number, nvec: number[]): Float32Array {
  const width = nvec.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let h = 0, base = r * width; h < nvec.length; base += nvec[h], h++) {
      let max = -Infinity;
      for (let c = 0; c < nvec[h]; c++) max = Math.max(max, logits[base + c]);
      let sum = 0;
      for (let c = 0; c < nvec[h]; c++) sum += Math.exp(logits[base + c] - max);
      for (let c = 0; c < nvec[h]; c++) out[base + c] = Math.exp(logits[base + c] - max) / sum;
    }
  }
  return out;
}
