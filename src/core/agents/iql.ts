/**
 * Implicit Q-Learning (Kostrikov, Nair & Levine 2021), following CORL's iql.py and d3rlpy's IQL:
 *
 *   V  ← expectile regression: L_V = E[|τ − 1(u < 0)|·u²],  u = min(Q̄₁, Q̄₂)(s, a) − V(s)
 *   Q  ← r + γ(1 − d)·V(s'),  twin Q₁, Q₂ with Polyak-averaged targets Q̄ (rate 0.005)
 *   π  ← maximise E[min(exp(β·(Q̄ − V)), 100) · log π(a|s)]   (advantage-weighted regression)
 *
 * Updates run in CORL's order (V, then Q, then the actor, then the targets), all from one
 * uniformly sampled batch; the advantage reuses the V forward pass of the V update (CORL does too).
 * The actor is categorical for Discrete / MultiDiscrete spaces (factorized per head: log π = Σ_h
 * log π_h; d3rlpy has no discrete IQL, this is the natural extension) and a Gaussian with a
 * state-independent log-std for Box spaces (mean tanh-squashed into finite bounds, as CORL's
 * GaussianPolicy). Q is a table head Q(s, ·) for Discrete spaces and Q(s, [onehot(a) | a]) otherwise
 * (networks: offline/iqlNetworks.ts).
 * Seed 000's residual variant extends this class (iqlResidual.ts).
 *
 * A run-loop Learner: one iterate() = `logInterval` updates; globalStep = updates.
 * CleanRL order: config, networks (offline/iqlNetworks.ts), act, update.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import type { Space } from '../envs/types.ts';
import type { Learner } from '../run/learner.ts';
import type { ActivationName } from './nets/dense.ts';
import {
  categoricalLogProbEntropy,
  gaussianLogProbEntropy,
  sampleCategorical,
} from './common/distributions.ts';
import { getLearningRate, makeOptimizer, setLearningRate } from './common/optim.ts';
import { NonFiniteLossError, type IterationReport } from './common/onPolicy.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';
import {
  type OfflineDataset,
  boxAffine,
  headSizes,
  isDiscreteSpace,
  validateDataset,
} from './offline/dataset.ts';
import {
  type ObsNormalizer,
  computeObsNormalizer,
  identityNormalizer,
  normalizeInPlace,
} from './offline/batches.ts';
import type { DatasetSourceConfig } from './offline/source.ts';
import { IqlNetworks, type QNetwork } from './offline/iqlNetworks.ts';

// ============================================================================================
// Config
// ============================================================================================

export interface IqlConfig {
  /** Hidden widths of every network (actor, twin Q, V). Default [64, 64] (preset 'corl': [256, 256], CORL and d3rlpy). */
  hidden: number[];
  /** Hidden activation. Default 'relu'. */
  activation: ActivationName;
  /** Adam learning rates. Defaults 3e-4 (CORL, d3rlpy). */
  actorLearningRate: number;
  criticLearningRate: number;
  valueLearningRate: number;
  /** 'cosine' anneals the actor's learning rate to 0 over the run (CORL); default 'constant' (d3rlpy). */
  actorSchedule: 'constant' | 'cosine';
  /** Transitions per update, sampled uniformly with replacement. Default 64 (preset 'corl': 256). */
  batchSize: number;
  /** Discount γ. Default 0.99. */
  gamma: number;
  /** Polyak rate of the target Q networks. Default 0.005. */
  tau: number;
  /** Expectile τ of the value loss. Default 0.7. */
  expectile: number;
  /** Inverse temperature β of the advantage weights exp(β·A). Default 3.0. */
  beta: number;
  /** Cap on exp(β·A). Default 100. */
  maxWeight: number;
  /** Bounds of the Gaussian actor's log-std. Defaults −5, 2 (d3rlpy). */
  logStdMin: number;
  logStdMax: number;
  /** Standardise observations with the dataset's mean/std (CORL's normalize). Default true. */
  normalizeObs: boolean;
  /** Multiply rewards by this (d3rlpy's reward scaler). Default 1. */
  rewardScale: number;
  /** Updates per iteration: one metric record, NaN check and last-good snapshot each. Default 100. */
  logInterval: number;
  /** Seed of init and batch sampling. Default 0. */
  seed: number;
}

/**
 * Preset 'standard' is CORL's IQL sized for a browser on two cores: an update costs ~750 small
 * kernels (6 MLPs, 3 Adam states, Polyak), so on wasm its time is dispatch more than arithmetic, and
 * 256-wide nets on a 256 batch over the market's ~560 observation columns cost ~10× a 64/64 update
 * (measured in the lab: README). Preset 'corl' restores CORL's widths and batch.
 */
export const defaultIqlConfig: IqlConfig = {
  hidden: [64, 64],
  activation: 'relu',
  actorLearningRate: 3e-4,
  criticLearningRate: 3e-4,
  valueLearningRate: 3e-4,
  actorSchedule: 'constant',
  batchSize: 64,
  gamma: 0.99,
  tau: 0.005,
  expectile: 0.7,
  beta: 3.0,
  maxWeight: 100,
  logStdMin: -5,
  logStdMax: 2,
  normalizeObs: true,
  rewardScale: 1,
  logInterval: 100,
  seed: 0,
};

export const iqlPresets: Record<'standard' | 'corl', IqlConfig> = {
  standard: defaultIqlConfig,
  corl: { ...defaultIqlConfig, hidden: [256, 256], batchSize: 256 },
};

/** The registry's config: IqlConfig + update budget + data source. */
export type IqlLearnerConfig = IqlConfig & { totalSteps: number; dataset: DatasetSourceConfig };

function checkConfig(c: IqlConfig): void {
  const bad = (m: string) => new Error(`IQL config: ${m}`);
  if (!(c.expectile > 0 && c.expectile < 1)) throw bad(`expectile must be in (0, 1), got ${c.expectile}`);
  if (!(c.gamma >= 0 && c.gamma <= 1)) throw bad(`gamma must be in [0, 1], got ${c.gamma}`);
  if (!(c.tau > 0 && c.tau <= 1)) throw bad(`tau must be in (0, 1], got ${c.tau}`);
  if (!(c.beta >= 0)) throw bad(`beta must be ≥ 0, got ${c.beta}`);
  if (!(c.maxWeight > 0)) throw bad(`maxWeight must be > 0, got ${c.maxWeight}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1)
    throw bad(`batchSize must be a positive integer, got ${c.batchSize}`);
  if (!Number.isInteger(c.logInterval) || c.logInterval < 1)
    throw bad(`logInterval must be a positive integer, got ${c.logInterval}`);
  for (const k of ['actorLearningRate', 'criticLearningRate', 'valueLearningRate'] as const)
    if (!(c[k] > 0)) throw bad(`${k} must be > 0, got ${c[k]}`);
}

/** CORL's asymmetric_l2_loss: mean(|τ − 1(u < 0)|·u²). τ = 0.5 gives half the MSE. */
export function expectileLoss(u: tf.Tensor, tau: number): tf.Scalar {
  return tf.tidy(() => {
    // step(u) is 1 for u > 0 and 0 otherwise, and has a zero gradient: the weight is a constant.
    const weight = tf.add(1 - tau, tf.mul(2 * tau - 1, tf.step(u)));
    return tf.mean(tf.mul(weight, tf.square(u))) as tf.Scalar;
  });
}

// ============================================================================================
// Learner: act, update
// ============================================================================================

/** One batch as tensors; `baseline` only for the residual variant. */
export interface IqlBatch {
  s: tf.Tensor2D;
  enc: tf.Tensor2D;
  actions: tf.Tensor2D;
  baseline: tf.Tensor2D | null;
}

/** Interval means logged every iteration, in this order (the residual variant appends its own). */
const STAT_NAMES = [
  'losses/value',
  'losses/q',
  'losses/policy',
  'losses/advantage',
  'losses/q_values',
  'losses/v_values',
  'losses/awr_weight',
];

export class IqlLearner implements Learner {
  readonly algo: string = 'iql';
  readonly config: IqlLearnerConfig;
  readonly nets: IqlNetworks;
  readonly kind: Space['kind'];
  /** Discrete heads (categorical actor). */
  readonly nvec: number[];
  /** Action encoding width for Q (Σ nvec, or D). */
  readonly encWidth: number;
  /** Action entries per row: heads, or Box dims D. */
  readonly actionDim: number;
  iteration = 0;
  protected readonly ds: OfflineDataset;
  protected readonly statNames: string[] = [...STAT_NAMES];
  protected normalizer: ObsNormalizer;
  protected readonly rng: Rng;
  protected step = 0;
  private readonly actRng: Rng;
  protected readonly optimizers: { actor: tf.Optimizer; critic: tf.Optimizer; value: tf.Optimizer };
  /** Box with finite bounds: mean = center + half·tanh(raw). */
  private readonly box: { center: Float32Array; half: Float32Array } | null;
  /** Running Σ of statNames over the current interval (one readback per interval). */
  private acc: tf.Tensor1D | null = null;
  private accCount = 0;
  private lastGood: Float32Array[];

  constructor(
    config: IqlLearnerConfig,
    dataset: OfflineDataset,
    private readonly behaviourReturn = NaN,
    actor = { gain: 0.01, gaussian: true },
  ) {
    this.config = { ...config, hidden: [...config.hidden] };
    checkConfig(this.config);
    const ds = (this.ds = validateDataset(dataset));
    const space = ds.meta.actionSpace;
    this.kind = space.kind;
    this.nvec = isDiscreteSpace(space) ? headSizes(space) : [];
    this.actionDim = ds.actionDim;
    this.encWidth = space.kind === 'box' ? this.actionDim : this.nvec.reduce((a, b) => a + b, 0);
    this.box = boxAffine(space);
    const gaussian = space.kind === 'box' && actor.gaussian;
    this.nets = new IqlNetworks(ds.obsDim, this.config, this.encWidth, this.kind, {
      gain: actor.gain,
      logStd: gaussian,
    });
    const c = this.config;
    this.optimizers = {
      actor: makeOptimizer({ name: 'adam', learningRate: c.actorLearningRate }),
      critic: makeOptimizer({ name: 'adam', learningRate: c.criticLearningRate }),
      value: makeOptimizer({ name: 'adam', learningRate: c.valueLearningRate }),
    };
    this.normalizer = c.normalizeObs ? computeObsNormalizer(ds) : identityNormalizer(ds.obsDim);
    const root = new Rng(c.seed);
    this.rng = root.fork('iql/batches');
    this.actRng = root.fork('iql/act');
    this.lastGood = this.nets.getWeights();
  }

  get globalStep(): number {
    return this.step;
  }
  get totalSteps(): number {
    return this.config.totalSteps;
  }
  get numIterations(): number {
    return Math.ceil(this.config.totalSteps / this.config.logInterval);
  }
  get done(): boolean {
    return this.step >= this.config.totalSteps;
  }
  get obsNormalizer(): ObsNormalizer {
    return this.normalizer;
  }

  /** Actor output for normalised obs: logits [B, Σ nvec] or the Gaussian mean [B, D]. */
  protected actorOut(obs: tf.Tensor2D, _baseline: tf.Tensor2D | null): tf.Tensor2D {
    return tf.tidy(() => {
      const raw = this.nets.actor.apply(obs);
      if (!this.box) return raw;
      return tf.add(tf.mul(tf.tanh(raw), tf.tensor1d(this.box.half)), tf.tensor1d(this.box.center));
    });
  }

  /**
   * Actions for `rows` observations: Int32 [rows · heads] (discrete) or Float32 [rows · D] (Box;
   * sampled actions are clipped to finite bounds). `baseline` [rows · D]: residual variant only.
   */
  act(
    obs: Float32Array,
    opts: { greedy?: boolean; masks?: Uint8Array | null; baseline?: Float32Array } = {},
  ): Int32Array | Float32Array {
    const d = this.ds.obsDim;
    if (obs.length % d !== 0)
      throw new Error(`IQL act: observation length ${obs.length} is not a multiple of obsDim ${d}`);
    const rows = obs.length / d;
    const x = normalizeInPlace(Float32Array.from(obs), this.normalizer);
    const outT = tf.tidy(() =>
      this.actorOut(
        tf.tensor2d(x, [rows, d]),
        opts.baseline ? tf.tensor2d(opts.baseline, [rows, this.actionDim]) : null,
      ),
    );
    const out = (outT.dataSync() as Float32Array).slice();
    outT.dispose();
    const greedy = opts.greedy ?? true;
    if (this.kind !== 'box') {
      const actions = new Int32Array(rows * this.nvec.length);
      const { nvec, encWidth: stride, actRng: rng } = this;
      sampleCategorical({
        logits: out,
        stride,
        rows,
        nvec,
        masks: opts.masks ?? null,
        rng,
        deterministic: greedy,
        actions,
        logprobs: new Float32Array(rows),
      });
      return actions;
    }
    if (!greedy && this.nets.logStd) {
      const logStd = this.nets.logStd.dataSync() as Float32Array;
      const { logStdMin: lo, logStdMax: hi } = this.config;
      for (let i = 0; i < out.length; i++)
        out[i] += Math.exp(Math.min(hi, Math.max(lo, logStd[i % this.actionDim]))) * this.actRng.normal();
    }
    if (this.box) {
      const { center, half } = this.box;
      for (let i = 0; i < out.length; i++) {
        const k = i % this.actionDim;
        out[i] = Math.min(center[k] + half[k], Math.max(center[k] - half[k], out[i]));
      }
    }
    return out;
  }

  async predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array> {
    return this.act(obs.subarray(0, rows * this.ds.obsDim), { greedy: deterministic, masks });
  }

  /** Per-row actor loss before the advantage weight: −log π(a|s). */
  protected actorRowLoss(out: tf.Tensor2D, b: IqlBatch): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.kind !== 'box')
        return tf.neg(categoricalLogProbEntropy(out, b.enc, this.nvec).logProb) as tf.Tensor1D;
      const logStd = tf.clipByValue(this.nets.logStd!, this.config.logStdMin, this.config.logStdMax);
      return tf.neg(gaussianLogProbEntropy(out, logStd, b.actions).logProb) as tf.Tensor1D;
    });
  }

  /** AWR weights of a batch's advantages: min(exp(β·A), maxWeight) (CORL). */
  protected advantageWeights(adv: tf.Tensor1D): tf.Tensor1D {
    const { beta, maxWeight } = this.config;
    return tf.tidy(() => tf.minimum(tf.exp(tf.mul(beta, adv)), maxWeight) as tf.Tensor1D);
  }

  /** Extra actor loss terms and the stats they add (statNames beyond STAT_NAMES); none in plain IQL. */
  protected actorExtra(_out: tf.Tensor2D, _b: IqlBatch): { loss: tf.Scalar; stats: tf.Scalar[] } | null {
    return null;
  }

  /** Sample a batch of dataset rows as tensors (observations normalised, actions encoded, rewards scaled). */
  protected sampleBatch(): IqlBatch & { s2: tf.Tensor2D; r: tf.Tensor1D; notDone: tf.Tensor1D } {
    const { batchSize: B, rewardScale } = this.config;
    const ds = this.ds;
    const d = ds.obsDim;
    const k = ds.actionDim;
    const obs = new Float32Array(B * d);
    const next = new Float32Array(B * d);
    const enc = new Float32Array(B * this.encWidth);
    const actions = new Float32Array(B * k);
    const baseline = ds.baseline ? new Float32Array(B * k) : null;
    const r = new Float32Array(B);
    const notDone = new Float32Array(B);
    for (let j = 0; j < B; j++) {
      const i = this.rng.int(ds.size);
      obs.set(ds.obs.subarray(i * d, (i + 1) * d), j * d);
      next.set(ds.nextObs.subarray(i * d, (i + 1) * d), j * d);
      for (let q = 0; q < k; q++) actions[j * k + q] = ds.actions[i * k + q];
      if (baseline) baseline.set(ds.baseline!.subarray(i * k, (i + 1) * k), j * k);
      if (this.kind === 'box') enc.set(actions.subarray(j * k, (j + 1) * k), j * k);
      else
        for (let h = 0, off = 0; h < k; off += this.nvec[h], h++)
          enc[j * this.encWidth + off + ds.actions[i * k + h]] = 1;
      r[j] = ds.rewards[i] * rewardScale;
      notDone[j] = ds.terminals[i] ? 0 : 1;
    }
    normalizeInPlace(obs, this.normalizer);
    normalizeInPlace(next, this.normalizer);
    return {
      s: tf.tensor2d(obs, [B, d]),
      s2: tf.tensor2d(next, [B, d]),
      enc: tf.tensor2d(enc, [B, this.encWidth]),
      actions: tf.tensor2d(actions, [B, k]),
      baseline: baseline ? tf.tensor2d(baseline, [B, k]) : null,
      r: tf.tensor1d(r),
      notDone: tf.tensor1d(notDone),
    };
  }

  /** One IQL update. Its stats stay on the device, summed until the interval's readback. */
  protected update(): void {
    const { gamma, expectile, batchSize: B } = this.config;
    const opt = this.optimizers;
    const stats = tf.tidy(() => {
      const b = this.sampleBatch();
      // Constants of this step (no gradient flows into them).
      const nextV = tf.reshape(this.nets.value.apply(b.s2), [B]);
      const targetQ = tf.minimum(this.nets.q1Target.apply(b.s, b.enc), this.nets.q2Target.apply(b.s, b.enc));
      // V: expectile regression towards min target Q; its forward pass gives V(s) for the advantage.
      let v: tf.Tensor1D | null = null;
      const vLoss = opt.value.minimize(
        () => {
          const pred = tf.reshape(this.nets.value.apply(b.s), [B]) as tf.Tensor1D;
          v = tf.keep(pred);
          return expectileLoss(tf.sub(targetQ, pred), expectile);
        },
        true,
        this.nets.value.variables(),
      )!;
      const vBefore = v as unknown as tf.Tensor1D;
      const adv = tf.sub(targetQ, vBefore);
      // Q: one-step TD towards r + γ(1 − d)V(s').
      const y = tf.add(b.r, tf.mul(gamma, tf.mul(b.notDone, nextV)));
      const td = (q: QNetwork) => tf.mean(tf.square(tf.sub(q.apply(b.s, b.enc), y)));
      const qLoss = opt.critic.minimize(
        () => tf.div(tf.add(td(this.nets.q1), td(this.nets.q2)), 2) as tf.Scalar,
        true,
        this.nets.criticVariables(),
      )!;
      // Actor: advantage-weighted log-likelihood (+ the residual variant's terms).
      const weight = this.advantageWeights(adv as tf.Tensor1D);
      let extraStats: tf.Scalar[] = [];
      const actorLoss = opt.actor.minimize(
        () => {
          const out = this.actorOut(b.s, b.baseline);
          const awr = tf.mean(tf.mul(weight, this.actorRowLoss(out, b))) as tf.Scalar;
          const extra = this.actorExtra(out, b);
          if (!extra) return awr;
          extraStats = extra.stats.map((t) => tf.keep(t));
          return tf.add(awr, extra.loss) as tf.Scalar;
        },
        true,
        this.nets.actorVariables(),
      )!;
      const out = tf.stack([
        vLoss,
        qLoss,
        actorLoss,
        tf.mean(adv),
        tf.mean(targetQ),
        tf.mean(vBefore),
        tf.mean(weight),
        ...extraStats,
      ]);
      tf.dispose([vBefore, ...extraStats]); // kept out of the minimize scopes above
      return out as tf.Tensor1D;
    });
    this.nets.polyak(this.config.tau);
    const prev = this.acc;
    this.acc = prev ? tf.tidy(() => tf.add(prev, stats) as tf.Tensor1D) : stats;
    if (prev) tf.dispose([prev, stats]);
    this.accCount++;
    this.step++;
    if (this.config.actorSchedule === 'cosine')
      setLearningRate(
        opt.actor,
        this.config.actorLearningRate *
          0.5 *
          (1 + Math.cos((Math.PI * Math.min(this.step, this.totalSteps)) / this.totalSteps)),
      );
  }

  /** Work before the first update (the residual variant's BC warm start); returns metrics to log. */
  protected beforeTraining(): Record<string, number> {
    return {};
  }

  /**
   * `logInterval` updates (fewer at the end of the budget), then one readback of the interval's
   * mean stats. NaN/Inf → the last good weights back and NonFiniteLossError.
   */
  async iterate(): Promise<IterationReport> {
    const t0 = performance.now();
    const first = this.step === 0 && this.iteration === 0 ? this.beforeTraining() : {};
    const n = Math.min(
      this.config.logInterval - (this.step % this.config.logInterval),
      this.totalSteps - this.step,
    );
    const start = this.step;
    for (let t = 0; t < n; t++) this.update();
    const v = this.acc ? this.acc.dataSync() : new Float32Array(this.statNames.length);
    const stats: Record<string, number> = { ...first };
    this.statNames.forEach((name, i) => (stats[name] = v[i] / Math.max(1, this.accCount)));
    this.acc?.dispose();
    this.acc = null;
    this.accCount = 0;
    const bad = Object.entries(stats).filter(([, x]) => !Number.isFinite(x));
    if (bad.length) {
      this.nets.setWeights(this.lastGood);
      throw new NonFiniteLossError(
        `IQL: non-finite ${bad.map(([k, x]) => `${k} = ${x}`).join(', ')} in updates ${start + 1}–${this.step}; training stopped, ` +
          `weights of update ${start} kept. Lower the learning rates, scale the rewards (rewardScale) or check the data.`,
        this.step,
        stats,
      );
    }
    this.lastGood = this.nets.getWeights();
    stats['perf/sps'] = n / Math.max(1e-9, (performance.now() - t0) / 1000);
    stats['charts/learning_rate'] = getLearningRate(this.optimizers.actor);
    if (this.iteration === 0 && Number.isFinite(this.behaviourReturn))
      stats['charts/behaviour_return'] = this.behaviourReturn;
    this.iteration++;
    return { globalStep: this.step, iteration: this.iteration, metrics: stats, episodes: [] };
  }

  /** Every network, the three Adam states, the update step, the normaliser and the batch Rng. */
  saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    const { mean, std } = this.normalizer;
    return saveCheckpoint(
      this.nets,
      {
        netConfig: { obsDim: this.ds.obsDim, encWidth: this.encWidth },
        algo: this.algo,
        algoConfig: this.config,
        optimizerStep: this.step,
        rngState: this.rng.getState(),
        backend: tf.getBackend(),
        extra: {
          ...extra,
          iteration: this.iteration,
          normalizer: { mean: Array.from(mean), std: Array.from(std) },
        },
      },
      this.optimizers,
    );
  }

  async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== this.algo)
      throw new Error(`not an ${this.algo} checkpoint (algo '${String(meta.algo)}')`);
    await loadCheckpoint(artifacts, this.nets, this.optimizers);
    this.step = meta.optimizerStep ?? 0;
    if (meta.rngState) this.rng.setState(meta.rngState);
    const extra = (meta.extra ?? {}) as {
      iteration?: number;
      normalizer?: { mean: number[]; std: number[] };
    };
    this.iteration = extra.iteration ?? Math.ceil(this.step / this.config.logInterval);
    if (extra.normalizer)
      this.normalizer = {
        mean: Float32Array.from(extra.normalizer.mean),
        std: Float32Array.from(extra.normalizer.std),
      };
    this.lastGood = this.nets.getWeights();
  }

  dispose(): void {
    this.acc?.dispose();
    this.acc = null;
    this.nets.dispose();
    for (const o of Object.values(this.optimizers)) o.dispose();
  }
}
