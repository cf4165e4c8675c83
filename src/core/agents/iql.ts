/**
 * Implicit Q-Learning (Kostrikov, Nair & Levine 2021), following CORL's iql.py and d3rlpy's IQL:
 *
 *   V  ← expectile regression: L_V = E[|τ − 1(u < 0)|·u²],  u = min(Q̄₁, Q̄₂)(s, a) − V(s)
 *   Q  ← r + γ(1 − d)·V(s'),  twin Q₁, Q₂ with Polyak-averaged targets Q̄ (rate 0.005)
 *   π  ← maximise E[min(exp(β·(Q̄ − V)), 100) · log π(a|s)]   (advantage-weighted regression)
 *
 * Updates run in CORL's order (V, then Q, then the actor, then the targets), all from one
 * uniformly sampled batch. The actor is categorical for Discrete / MultiDiscrete spaces
 * (factorized per head: log π = Σ_h log π_h; d3rlpy has no discrete IQL, this is the natural
 * extension) and a Gaussian with a state-independent log-std for Box spaces (mean tanh-squashed
 * into finite bounds, as CORL's GaussianPolicy). Q is a table head Q(s, ·) for Discrete spaces and
 * Q(s, [onehot(a) | a]) otherwise.
 *
 * Residual variant (seed 000, Box spaces, needs `dataset.baseline`): the actor outputs δ(s) and
 *   π(s) = b(s) ⊙ (1 + scale·tanh(δ(s)))           (scales the baseline, never flips its sign)
 * with the δ head initialised to zero (π = baseline exactly), an optional BC warm start, the
 * shaped reward r − λ_fid·‖a − b‖² and the advantage-weighted loss E[w·‖π(s) − a‖²] (the
 * Gaussian log-likelihood with a fixed σ). Seed 000 computed the fidelity penalty from the current
 * actor's action; offline, the critic learns Q(s, a) of the logged action, so the penalty is
 * charged on the logged action's deviation — it keeps the critic's target stationary.
 *
 * CleanRL order: config, networks, act, update, train loop.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import type { Space } from '../envs/types.ts';
import { MLP } from './nets/mlp.ts';
import type { ActivationName } from './nets/dense.ts';
import type { Module, NamedVariable } from './nets/module.ts';
import { countParams } from './nets/module.ts';
import {
  categoricalLogProbEntropy,
  gaussianLogProbEntropy,
  sampleCategorical,
} from './common/distributions.ts';
import { makeOptimizer, setLearningRate } from './common/optim.ts';
import { NonFiniteLossError } from './common/onPolicy.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';
import {
  type OfflineDataset,
  boxBound,
  headSizes,
  isDiscreteSpace,
  spaceFromJson,
  spaceToJson,
  validateDataset,
  type SpaceJson,
} from './offline/dataset.ts';
import {
  type ObsNormalizer,
  computeObsNormalizer,
  identityNormalizer,
  normalizeInPlace,
} from './offline/batches.ts';

// ============================================================================================
// Config
// ============================================================================================

export interface IqlResidualConfig {
  /** Residual amplitude: π = b·(1 + scale·tanh δ). Default 0.2 (seed 000's example run). */
  scale: number;
  /** λ_fid of the shaped reward r − λ_fid·‖a − b‖². Default 0.3 (seed 000's example run). */
  fidelityLambda: number;
  /** Epochs of plain BC (unweighted ‖π − a‖²) on the actor before IQL starts. Default 1 (seed 000). */
  bcWarmStartEpochs: number;
}

export interface IqlConfig {
  /** Hidden widths of every network (actor, twin Q, V). Default [256, 256] (CORL, d3rlpy). */
  hidden: number[];
  /** Hidden activation. Default 'relu'. */
  activation: ActivationName;
  /** Adam learning rates. Defaults 3e-4 (CORL, d3rlpy). */
  actorLearningRate: number;
  criticLearningRate: number;
  valueLearningRate: number;
  /** 'cosine' anneals the actor's learning rate to 0 over the run (CORL); default 'constant' (d3rlpy). */
  actorSchedule: 'constant' | 'cosine';
  /** Transitions per update, sampled uniformly with replacement. Default 256. */
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
  /** Seed 000's residual policy (Box spaces + dataset.baseline); null = plain IQL. Default null. */
  residual: IqlResidualConfig | null;
  /** Updates between metric records (and NaN checks, and last-good snapshots). Default 1000. */
  logInterval: number;
  /** Seed of init and batch sampling. Default 0. */
  seed: number;
}

export const defaultIqlResidualConfig: IqlResidualConfig = {
  scale: 0.2,
  fidelityLambda: 0.3,
  bcWarmStartEpochs: 1,
};

export const defaultIqlConfig: IqlConfig = {
  hidden: [256, 256],
  activation: 'relu',
  actorLearningRate: 3e-4,
  criticLearningRate: 3e-4,
  valueLearningRate: 3e-4,
  actorSchedule: 'constant',
  batchSize: 256,
  gamma: 0.99,
  tau: 0.005,
  expectile: 0.7,
  beta: 3.0,
  maxWeight: 100,
  logStdMin: -5,
  logStdMax: 2,
  normalizeObs: true,
  rewardScale: 1,
  residual: null,
  logInterval: 1000,
  seed: 0,
};

export interface IqlSpec {
  obsDim: number;
  actionSpace: Space;
}

function checkConfig(c: IqlConfig, spec: IqlSpec): void {
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
  if (c.residual) {
    if (spec.actionSpace.kind !== 'box')
      throw bad('the residual policy needs a Box action space (portfolio weights)');
    if (!(c.residual.scale > 0)) throw bad(`residual.scale must be > 0, got ${c.residual.scale}`);
    if (!(c.residual.fidelityLambda >= 0))
      throw bad(`residual.fidelityLambda must be ≥ 0, got ${c.residual.fidelityLambda}`);
  }
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
// Networks
// ============================================================================================

type ActionKind = 'discrete' | 'multi-discrete' | 'box';

/** Q(s, a): a table head Q(s, ·) for Discrete, else an MLP on [obs | action encoding]. */
class QNetwork {
  readonly mlp: MLP;
  constructor(
    readonly table: boolean,
    obsDim: number,
    encWidth: number,
    hidden: number[],
    activation: ActivationName,
    seed: number,
  ) {
    this.mlp = new MLP({
      inputSize: table ? obsDim : obsDim + encWidth,
      hidden,
      outputSize: table ? encWidth : 1,
      activation,
      init: 'orthogonal',
      outputGain: 1,
      seed,
      skipInputGrad: true,
    });
  }

  /** [B] Q values of the encoded actions. */
  apply(obs: tf.Tensor2D, enc: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.table) return tf.sum(tf.mul(this.mlp.apply(obs), enc), 1) as tf.Tensor1D;
      return tf.reshape(this.mlp.apply(tf.concat([obs, enc], 1)), [-1]) as tf.Tensor1D;
    });
  }
}

/** All of IQL's networks; a Module so checkpoint.ts can save them under stable names. */
export class IqlNetworks implements Module {
  readonly actor: MLP;
  /** Gaussian actor's state-independent log-std [D] (Box, non-residual only). */
  readonly logStd: tf.Variable | null;
  readonly q1: QNetwork;
  readonly q2: QNetwork;
  readonly q1Target: QNetwork;
  readonly q2Target: QNetwork;
  readonly value: MLP;

  constructor(spec: IqlSpec, config: IqlConfig, encWidth: number, actorWidth: number, kind: ActionKind) {
    const root = new Rng(config.seed).fork('iql/init');
    const { hidden, activation } = config;
    this.actor = new MLP({
      inputSize: spec.obsDim,
      hidden,
      outputSize: actorWidth,
      activation,
      init: 'orthogonal',
      // Residual: δ starts at exactly 0, so π = baseline before any training (seed 000).
      outputGain: config.residual ? 0 : 0.01,
      seed: root.nextUint32(),
      skipInputGrad: true,
    });
    this.logStd =
      kind === 'box' && !config.residual ? tf.tidy(() => tf.variable(tf.zeros([actorWidth]), true)) : null;
    const table = kind === 'discrete';
    const s1 = root.nextUint32();
    const s2 = root.nextUint32();
    this.q1 = new QNetwork(table, spec.obsDim, encWidth, hidden, activation, s1);
    this.q2 = new QNetwork(table, spec.obsDim, encWidth, hidden, activation, s2);
    // Targets start as copies (same seeds → same initial weights), and are never trained directly.
    this.q1Target = new QNetwork(table, spec.obsDim, encWidth, hidden, activation, s1);
    this.q2Target = new QNetwork(table, spec.obsDim, encWidth, hidden, activation, s2);
    this.value = new MLP({
      inputSize: spec.obsDim,
      hidden,
      outputSize: 1,
      activation,
      init: 'orthogonal',
      outputGain: 1,
      seed: root.nextUint32(),
      skipInputGrad: true,
    });
  }

  actorVariables(): tf.Variable[] {
    return this.logStd ? [...this.actor.variables(), this.logStd] : this.actor.variables();
  }

  criticVariables(): tf.Variable[] {
    return [...this.q1.mlp.variables(), ...this.q2.mlp.variables()];
  }

  /** target ← (1 − τ)·target + τ·online. */
  polyak(tau: number): void {
    tf.tidy(() => {
      for (const [target, online] of [
        [this.q1Target, this.q1],
        [this.q2Target, this.q2],
      ] as const) {
        const t = target.mlp.variables();
        const o = online.mlp.variables();
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
      ...(this.logStd ? [{ name: 'actor/log_std', variable: this.logStd }] : []),
      ...pre('q1', this.q1.mlp.namedVariables()),
      ...pre('q2', this.q2.mlp.namedVariables()),
      ...pre('q1_target', this.q1Target.mlp.namedVariables()),
      ...pre('q2_target', this.q2Target.mlp.namedVariables()),
      ...pre('value', this.value.namedVariables()),
    ];
  }

  get paramCount(): number {
    return countParams(this.variables());
  }

  getWeights(): Float32Array[] {
    return this.namedVariables().map(({ variable }) => new Float32Array(variable.dataSync() as Float32Array));
  }

  setWeights(weights: Float32Array[]): void {
    const named = this.namedVariables();
    tf.tidy(() =>
      named.forEach(({ variable }, i) => variable.assign(tf.tensor(weights[i], variable.shape, 'float32'))),
    );
  }

  dispose(): void {
    this.actor.dispose();
    this.logStd?.dispose();
    for (const q of [this.q1, this.q2, this.q1Target, this.q2Target]) q.mlp.dispose();
    this.value.dispose();
  }
}

// ============================================================================================
// Agent
// ============================================================================================

export interface IqlTrainOptions {
  /** Updates to run (after the residual BC warm start, if any). */
  steps: number;
  /** Flat metrics every logInterval updates (and after evaluations), keyed by update step. */
  onMetrics?: (step: number, metrics: Record<string, number>) => void;
  /** Called every evalInterval updates and at the end; its numbers are logged under eval/. */
  evaluate?: (agent: IqlAgent) => Record<string, number> | Promise<Record<string, number>>;
  /** Default: logInterval. */
  evalInterval?: number;
  /** Checked between updates; true ends training early (cleanly). */
  shouldStop?: () => boolean;
}

export interface IqlReport {
  steps: number;
  /** Mean losses over the last log interval. */
  last: Record<string, number>;
  evals: { step: number; metrics: Record<string, number> }[];
  seconds: number;
  updatesPerSecond: number;
  backend: string;
}

export interface IqlActOptions {
  /** Greedy (argmax / mean) when true (default); sample from π otherwise. */
  greedy?: boolean;
  /** Residual policy: the baseline actions [rows · D] of these observations. */
  baseline?: Float32Array;
  /** Discrete: [rows · Σ nvec] action masks, 1 = allowed. */
  masks?: Uint8Array | null;
  rng?: Rng;
}

/** Per-row tensors of one batch, built on the CPU from dataset rows. */
interface BatchBuffers {
  obs: Float32Array;
  nextObs: Float32Array;
  enc: Float32Array;
  actions: Float32Array;
  baseline: Float32Array;
  rewards: Float32Array;
  notDone: Float32Array;
}

const METRIC_NAMES = [
  'losses/value_loss',
  'losses/q_loss',
  'losses/actor_loss',
  'losses/advantage',
  'losses/q_value',
  'losses/v_value',
  'losses/awr_weight',
] as const;

export class IqlAgent {
  readonly config: IqlConfig;
  readonly spec: IqlSpec;
  readonly nets: IqlNetworks;
  readonly kind: ActionKind;
  /** Discrete heads (categorical actor). */
  readonly nvec: number[];
  /** Action encoding width for Q (Σ nvec, or D). */
  readonly encWidth: number;
  /** Box: dims D. */
  readonly actionDim: number;
  private readonly actorOpt: tf.Optimizer;
  private readonly criticOpt: tf.Optimizer;
  private readonly valueOpt: tf.Optimizer;
  private normalizer: ObsNormalizer;
  private readonly rng: Rng;
  private readonly actRng: Rng;
  /** Box with finite bounds: mean = center + half·tanh(raw). */
  private readonly boxCenter: Float32Array | null = null;
  private readonly boxHalf: Float32Array | null = null;
  private step = 0;
  private plannedSteps = 0;
  /** Running Σ of METRIC_NAMES over the current log interval (one readback per interval). */
  private acc: tf.Tensor1D | null = null;
  private accCount = 0;
  /** Training state between startTraining and trainUpdates calls. */
  private dataset: OfflineDataset | null = null;
  private buffers: BatchBuffers | null = null;
  private lastGood: Float32Array[] = [];
  private started = false;
  private intervalStart = 0;
  private stepsAtIntervalStart = 0;

  constructor(spec: IqlSpec, config: Partial<IqlConfig> = {}) {
    this.config = {
      ...defaultIqlConfig,
      ...config,
      hidden: [...(config.hidden ?? defaultIqlConfig.hidden)],
      residual: config.residual ? { ...defaultIqlResidualConfig, ...config.residual } : null,
    };
    this.spec = spec;
    checkConfig(this.config, spec);
    const space = spec.actionSpace;
    this.kind = space.kind;
    this.nvec = isDiscreteSpace(space) ? headSizes(space) : [];
    this.actionDim = space.kind === 'box' ? space.shape.reduce((a, b) => a * b, 1) : this.nvec.length;
    this.encWidth = space.kind === 'box' ? this.actionDim : this.nvec.reduce((a, b) => a + b, 0);
    if (space.kind === 'box') {
      const lo = Array.from({ length: this.actionDim }, (_, i) => boxBound(space.low, i));
      const hi = Array.from({ length: this.actionDim }, (_, i) => boxBound(space.high, i));
      if (lo.every(Number.isFinite) && hi.every(Number.isFinite)) {
        this.boxCenter = Float32Array.from(lo, (l, i) => (l + hi[i]) / 2);
        this.boxHalf = Float32Array.from(lo, (l, i) => (hi[i] - l) / 2);
      }
    }
    this.nets = new IqlNetworks(spec, this.config, this.encWidth, this.encWidth, this.kind);
    this.actorOpt = makeOptimizer({ name: 'adam', learningRate: this.config.actorLearningRate });
    this.criticOpt = makeOptimizer({ name: 'adam', learningRate: this.config.criticLearningRate });
    this.valueOpt = makeOptimizer({ name: 'adam', learningRate: this.config.valueLearningRate });
    this.normalizer = identityNormalizer(spec.obsDim);
    const root = new Rng(this.config.seed);
    this.rng = root.fork('iql/batches');
    this.actRng = root.fork('iql/act');
  }

  get globalStep(): number {
    return this.step;
  }

  get obsNormalizer(): ObsNormalizer {
    return this.normalizer;
  }

  // ------------------------------------------------------------------------------ act

  /** Actor output for normalised obs: logits [B, Σ nvec], Gaussian mean [B, D] or residual π [B, D]. */
  private actorOut(obs: tf.Tensor2D, baseline: tf.Tensor2D | null): tf.Tensor2D {
    return tf.tidy(() => {
      const raw = this.nets.actor.apply(obs);
      if (this.config.residual)
        return tf.mul(baseline!, tf.add(1, tf.mul(this.config.residual.scale, tf.tanh(raw))));
      if (this.kind === 'box' && this.boxCenter && this.boxHalf)
        return tf.add(tf.mul(tf.tanh(raw), tf.tensor1d(this.boxHalf)), tf.tensor1d(this.boxCenter));
      return raw;
    });
  }

  /**
   * Actions for `rows` observations [rows · obsDim]: Int32 [rows · heads] (discrete) or Float32
   * [rows · D] (Box; sampled actions are clipped to finite bounds).
   */
  act(obs: Float32Array, opts: IqlActOptions = {}): Int32Array | Float32Array {
    const d = this.spec.obsDim;
    if (obs.length % d !== 0)
      throw new Error(`IQL act: observation length ${obs.length} is not a multiple of obsDim ${d}`);
    const rows = obs.length / d;
    if (this.config.residual && (!opts.baseline || opts.baseline.length !== rows * this.actionDim))
      throw new Error(
        `IQL act: the residual policy needs the baseline actions [${rows} × ${this.actionDim}]`,
      );
    const x = normalizeInPlace(Float32Array.from(obs), this.normalizer);
    const outT = tf.tidy(() =>
      this.actorOut(
        tf.tensor2d(x, [rows, d]),
        opts.baseline ? tf.tensor2d(opts.baseline, [rows, this.actionDim]) : null,
      ),
    );
    const out = outT.dataSync() as Float32Array;
    outT.dispose();
    const greedy = opts.greedy ?? true;
    const rng = opts.rng ?? this.actRng;
    if (this.kind !== 'box') {
      const actions = new Int32Array(rows * this.nvec.length);
      sampleCategorical({
        logits: out,
        stride: this.encWidth,
        rows,
        nvec: this.nvec,
        masks: opts.masks ?? null,
        rng,
        deterministic: greedy,
        actions,
        logprobs: new Float32Array(rows),
      });
      return actions;
    }
    const actions = out.slice();
    if (!greedy && !this.config.residual && this.nets.logStd) {
      const logStd = this.nets.logStd.dataSync() as Float32Array;
      for (let i = 0; i < actions.length; i++) {
        const ls = Math.min(
          this.config.logStdMax,
          Math.max(this.config.logStdMin, logStd[i % this.actionDim]),
        );
        actions[i] += Math.exp(ls) * rng.normal();
      }
    }
    if (this.boxCenter && this.boxHalf) {
      for (let i = 0; i < actions.length; i++) {
        const k = i % this.actionDim;
        actions[i] = Math.min(
          this.boxCenter[k] + this.boxHalf[k],
          Math.max(this.boxCenter[k] - this.boxHalf[k], actions[i]),
        );
      }
    }
    return actions;
  }

  /**
   * A rollout policy (offline/collect.ts, evaluatePolicy) acting greedily. The residual policy
   * needs `baseline`, the rule that gave the dataset's baseline actions.
   */
  policy(
    baseline?: (obs: Float32Array) => number | Int32Array | Float32Array,
  ): (obs: Float32Array) => number | Int32Array | Float32Array {
    if (this.config.residual && !baseline)
      throw new Error('IQL policy: the residual policy needs the baseline rule');
    return (obs) => {
      const b = baseline ? baseline(obs) : undefined;
      const a = this.act(obs, {
        baseline:
          b === undefined ? undefined : typeof b === 'number' ? Float32Array.of(b) : Float32Array.from(b),
      });
      return this.kind === 'discrete' ? a[0] : a;
    };
  }

  // ------------------------------------------------------------------------------ update

  private makeBuffers(B: number): BatchBuffers {
    const d = this.spec.obsDim;
    return {
      obs: new Float32Array(B * d),
      nextObs: new Float32Array(B * d),
      enc: new Float32Array(B * this.encWidth),
      actions: new Float32Array(B * this.actionDim),
      baseline: new Float32Array(B * this.actionDim),
      rewards: new Float32Array(B),
      notDone: new Float32Array(B),
    };
  }

  /** Gather rows `idx` of the dataset into the batch buffers (normalised, encoded, shaped). */
  private fillBatch(ds: OfflineDataset, idx: Int32Array, buf: BatchBuffers): void {
    const d = this.spec.obsDim;
    const k = ds.actionDim;
    const res = this.config.residual;
    buf.enc.fill(0);
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j];
      buf.obs.set(ds.obs.subarray(i * d, (i + 1) * d), j * d);
      buf.nextObs.set(ds.nextObs.subarray(i * d, (i + 1) * d), j * d);
      let reward = ds.rewards[i];
      if (this.kind === 'box') {
        for (let q = 0; q < k; q++) {
          const a = ds.actions[i * k + q];
          buf.actions[j * k + q] = a;
          buf.enc[j * k + q] = a;
          if (res) {
            const b = ds.baseline![i * k + q];
            buf.baseline[j * k + q] = b;
            reward -= res.fidelityLambda * (a - b) * (a - b);
          }
        }
      } else {
        let off = 0;
        for (let h = 0; h < this.nvec.length; h++) {
          buf.enc[j * this.encWidth + off + ds.actions[i * k + h]] = 1;
          off += this.nvec[h];
        }
      }
      buf.rewards[j] = reward * this.config.rewardScale;
      buf.notDone[j] = ds.terminals[i] ? 0 : 1;
    }
    normalizeInPlace(buf.obs, this.normalizer);
    normalizeInPlace(buf.nextObs, this.normalizer);
  }

  /** log π(a|s) [B] (categorical / Gaussian), or −‖π(s) − a‖² for the residual actor. */
  private actorLogLik(
    obs: tf.Tensor2D,
    enc: tf.Tensor2D,
    actions: tf.Tensor2D,
    baseline: tf.Tensor2D | null,
  ): tf.Tensor1D {
    return tf.tidy(() => {
      const out = this.actorOut(obs, baseline);
      if (this.config.residual) return tf.neg(tf.sum(tf.square(tf.sub(out, actions)), 1)) as tf.Tensor1D;
      if (this.kind !== 'box') return categoricalLogProbEntropy(out, enc, this.nvec).logProb;
      const logStd = tf.clipByValue(this.nets.logStd!, this.config.logStdMin, this.config.logStdMax);
      return gaussianLogProbEntropy(out, logStd, actions).logProb;
    });
  }

  /** One IQL update from prepared batch buffers. Metrics stay on the device until the log interval. */
  private updateFromBuffers(buf: BatchBuffers, B: number): void {
    const { gamma, expectile, beta, maxWeight } = this.config;
    const d = this.spec.obsDim;
    const stats = tf.tidy(() => {
      const s = tf.tensor2d(buf.obs, [B, d]);
      const s2 = tf.tensor2d(buf.nextObs, [B, d]);
      const enc = tf.tensor2d(buf.enc, [B, this.encWidth]);
      const act = tf.tensor2d(buf.actions, [B, this.actionDim]);
      const base = this.config.residual ? tf.tensor2d(buf.baseline, [B, this.actionDim]) : null;
      const r = tf.tensor1d(buf.rewards);
      const notDone = tf.tensor1d(buf.notDone);
      // Constants of this step (no gradient flows into them).
      const nextV = tf.reshape(this.nets.value.apply(s2), [B]);
      const targetQ = tf.minimum(this.nets.q1Target.apply(s, enc), this.nets.q2Target.apply(s, enc));
      const vBefore = tf.reshape(this.nets.value.apply(s), [B]);
      const adv = tf.sub(targetQ, vBefore);
      // V: expectile regression towards min target Q.
      const vLoss = this.valueOpt.minimize(
        () => expectileLoss(tf.sub(targetQ, tf.reshape(this.nets.value.apply(s), [B])), expectile),
        true,
        this.nets.value.variables(),
      )!;
      // Q: one-step TD towards r + γ(1 − d)V(s').
      const y = tf.add(r, tf.mul(gamma, tf.mul(notDone, nextV)));
      const qLoss = this.criticOpt.minimize(
        () =>
          tf.div(
            tf.add(
              tf.mean(tf.square(tf.sub(this.nets.q1.apply(s, enc), y))),
              tf.mean(tf.square(tf.sub(this.nets.q2.apply(s, enc), y))),
            ),
            2,
          ) as tf.Scalar,
        true,
        this.nets.criticVariables(),
      )!;
      // Actor: advantage-weighted log-likelihood.
      const weight = tf.minimum(tf.exp(tf.mul(beta, adv)), maxWeight);
      const actorLoss = this.actorOpt.minimize(
        () => tf.mean(tf.mul(weight, tf.neg(this.actorLogLik(s, enc, act, base)))) as tf.Scalar,
        true,
        this.nets.actorVariables(),
      )!;
      // In METRIC_NAMES order.
      return tf.stack([
        vLoss,
        qLoss,
        actorLoss,
        tf.mean(adv),
        tf.mean(targetQ),
        tf.mean(vBefore),
        tf.mean(weight),
      ]) as tf.Tensor1D;
    });
    this.nets.polyak(this.config.tau);
    const prev = this.acc;
    this.acc = prev ? tf.tidy(() => tf.add(prev, stats) as tf.Tensor1D) : stats;
    if (prev) {
      prev.dispose();
      stats.dispose();
    }
    this.accCount++;
    this.step++;
    if (this.config.actorSchedule === 'cosine' && this.plannedSteps > 0) {
      setLearningRate(
        this.actorOpt,
        this.config.actorLearningRate *
          0.5 *
          (1 + Math.cos((Math.PI * Math.min(this.step, this.plannedSteps)) / this.plannedSteps)),
      );
    }
  }

  /** Residual BC warm start: unweighted ‖π(s) − a‖² on the actor only. Returns the mean loss. */
  private bcWarmStart(ds: OfflineDataset, steps: number, buf: BatchBuffers): number {
    const B = this.config.batchSize;
    const d = this.spec.obsDim;
    const idx = new Int32Array(B);
    let total = 0;
    for (let t = 0; t < steps; t++) {
      for (let j = 0; j < B; j++) idx[j] = this.rng.int(ds.size);
      this.fillBatch(ds, idx, buf);
      const loss = tf.tidy(() => {
        const s = tf.tensor2d(buf.obs, [B, d]);
        const enc = tf.tensor2d(buf.enc, [B, this.encWidth]);
        const act = tf.tensor2d(buf.actions, [B, this.actionDim]);
        const base = tf.tensor2d(buf.baseline, [B, this.actionDim]);
        return this.actorOpt.minimize(
          () => tf.mean(tf.neg(this.actorLogLik(s, enc, act, base))) as tf.Scalar,
          true,
          this.nets.actorVariables(),
        )!;
      });
      total += loss.dataSync()[0];
      loss.dispose();
    }
    return steps > 0 ? total / steps : NaN;
  }

  /** Read and reset the interval's running means; null when no update ran since the last read. */
  private drainStats(): Record<string, number> | null {
    if (!this.acc || this.accCount === 0) return null;
    const v = this.acc.dataSync();
    const out: Record<string, number> = {};
    METRIC_NAMES.forEach((name, i) => (out[name] = v[i] / this.accCount));
    this.acc.dispose();
    this.acc = null;
    this.accCount = 0;
    return out;
  }

  /** One update on an explicit batch of dataset rows (tests, custom loops). */
  updateOn(ds: OfflineDataset, rows: Int32Array): void {
    const buf = this.makeBuffers(rows.length);
    this.fillBatch(ds, rows, buf);
    this.updateFromBuffers(buf, rows.length);
  }

  /** Mean losses since the last call (one readback); null when nothing ran. */
  readStats(): Record<string, number> | null {
    return this.drainStats();
  }

  /**
   * Train for `steps` updates on a dataset. Async: yields to the event loop at every log interval
   * (a worker can take pause/stop messages). A NaN/Inf loss restores the weights of the last good
   * interval and throws NonFiniteLossError.
   */
  async train(dataset: OfflineDataset, options: IqlTrainOptions): Promise<IqlReport> {
    const t0 = performance.now();
    if (!Number.isInteger(options.steps) || options.steps < 0)
      throw new Error(`IQL train: steps must be an integer ≥ 0, got ${options.steps}`);
    const warm = this.startTraining(dataset, this.step + options.steps);
    if (warm !== null) options.onMetrics?.(0, { 'losses/bc_warm_start': warm });
    const evals: IqlReport['evals'] = [];
    const evalInterval = options.evalInterval ?? this.config.logInterval;
    const runEval = async () => {
      if (!options.evaluate) return;
      const m = await options.evaluate(this);
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(m)) metrics[k.includes('/') ? k : `eval/${k}`] = v;
      evals.push({ step: this.step, metrics });
      options.onMetrics?.(this.step, metrics);
    };
    let last: Record<string, number> = {};
    const end = this.step + options.steps;
    while (this.step < end && !options.shouldStop?.()) {
      // Chunks end on log and eval boundaries.
      const toLog = this.config.logInterval - (this.step % this.config.logInterval);
      const toEval = evalInterval - (this.step % evalInterval);
      const stats = this.trainUpdates(Math.min(toLog, toEval, end - this.step), options.shouldStop);
      if (this.step % this.config.logInterval === 0 || this.step === end) {
        last = stats;
        options.onMetrics?.(this.step, stats);
      }
      if (this.step % evalInterval === 0 && this.step !== end) await runEval();
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    await runEval();
    const seconds = (performance.now() - t0) / 1000;
    return {
      steps: this.step,
      last,
      evals,
      seconds,
      updatesPerSecond: options.steps / seconds,
      backend: tf.getBackend(),
    };
  }

  /**
   * Prepare training on a dataset: validation, observation statistics (first time), the residual
   * BC warm start (first time; returns its loss, else null). `totalSteps` is the horizon of the
   * cosine schedule. Then call trainUpdates().
   */
  startTraining(dataset: OfflineDataset, totalSteps: number): number | null {
    const ds = dataset === this.dataset ? dataset : validateDataset(dataset);
    this.checkDataset(ds);
    this.dataset = ds;
    this.plannedSteps = totalSteps;
    const cfg = this.config;
    if (this.step === 0 && !this.started && cfg.normalizeObs) this.normalizer = computeObsNormalizer(ds);
    this.buffers = this.makeBuffers(cfg.batchSize);
    this.lastGood = this.nets.getWeights();
    let warmLoss: number | null = null;
    if (cfg.residual && this.step === 0 && !this.started && cfg.residual.bcWarmStartEpochs > 0) {
      const warm = Math.ceil((cfg.residual.bcWarmStartEpochs * ds.size) / cfg.batchSize);
      warmLoss = this.bcWarmStart(ds, warm, this.buffers);
      if (!Number.isFinite(warmLoss)) {
        this.nets.setWeights(this.lastGood);
        throw new NonFiniteLossError(
          `IQL: non-finite BC warm-start loss (${warmLoss}); training stopped, initial weights kept.`,
          0,
          {
            'losses/bc_warm_start': warmLoss,
          },
        );
      }
      this.lastGood = this.nets.getWeights();
    }
    this.started = true;
    this.intervalStart = performance.now();
    this.stepsAtIntervalStart = this.step;
    return warmLoss;
  }

  /**
   * Run `n` updates on the dataset given to startTraining, then read the interval's mean losses
   * (one readback), check them (NaN/Inf → last good weights back, NonFiniteLossError) and keep
   * the weights as the new last good snapshot.
   */
  trainUpdates(n: number, shouldStop?: () => boolean): Record<string, number> {
    const ds = this.dataset;
    const buf = this.buffers;
    if (!ds || !buf) throw new Error('IQL: call startTraining(dataset) before trainUpdates');
    const B = this.config.batchSize;
    const idx = new Int32Array(B);
    for (let t = 0; t < n && !shouldStop?.(); t++) {
      for (let j = 0; j < B; j++) idx[j] = this.rng.int(ds.size);
      this.fillBatch(ds, idx, buf);
      this.updateFromBuffers(buf, B);
    }
    const stats = this.drainStats() ?? {};
    const bad = Object.entries(stats).filter(([, v]) => !Number.isFinite(v));
    if (bad.length) {
      this.nets.setWeights(this.lastGood);
      throw new NonFiniteLossError(
        `IQL: non-finite ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')} in updates ${this.stepsAtIntervalStart + 1}–${this.step}; training stopped, ` +
          `weights of update ${this.stepsAtIntervalStart} kept. Lower the learning rates, scale the rewards (rewardScale) or check the data.`,
        this.step,
        stats,
      );
    }
    this.lastGood = this.nets.getWeights();
    const now = performance.now();
    stats['perf/updates_per_s'] =
      (this.step - this.stepsAtIntervalStart) / Math.max(1e-9, (now - this.intervalStart) / 1000);
    stats['charts/actor_learning_rate'] = (this.actorOpt as unknown as { learningRate: number }).learningRate;
    this.intervalStart = now;
    this.stepsAtIntervalStart = this.step;
    return stats;
  }

  private checkDataset(ds: OfflineDataset): void {
    if (ds.obsDim !== this.spec.obsDim)
      throw new Error(`IQL: dataset has obsDim ${ds.obsDim}, the agent was built for ${this.spec.obsDim}`);
    const a = JSON.stringify(spaceToJson(ds.meta.actionSpace));
    const b = JSON.stringify(spaceToJson(this.spec.actionSpace));
    if (a !== b) throw new Error(`IQL: dataset action space ${a} differs from the agent's ${b}`);
    if (this.config.residual && !ds.baseline)
      throw new Error(
        'IQL: the residual policy needs dataset.baseline (collect with a baseline rule, or a CSV with baseline columns)',
      );
  }

  // ------------------------------------------------------------------------------ checkpoints

  /** Config + all weights (actor, twin Q and targets, V) + update step + normaliser + Rng state. */
  async saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    return saveCheckpoint(this.nets, {
      netConfig: { obsDim: this.spec.obsDim, actionSpace: spaceToJson(this.spec.actionSpace) },
      algo: 'iql',
      algoConfig: this.config,
      optimizerStep: this.step,
      rngState: this.rng.getState(),
      backend: tf.getBackend(),
      extra: {
        ...extra,
        normalizer: { mean: Array.from(this.normalizer.mean), std: Array.from(this.normalizer.std) },
      },
    });
  }

  /** Load a checkpoint of the same networks into this agent (Adam moments restart; weights exact). */
  async restoreCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'iql') throw new Error(`not an IQL checkpoint (algo '${String(meta.algo)}')`);
    await loadCheckpoint(artifacts, this.nets);
    this.step = meta.optimizerStep ?? 0;
    this.stepsAtIntervalStart = this.step;
    if (meta.rngState) this.rng.setState(meta.rngState);
    const norm = (meta.extra?.normalizer ?? null) as { mean: number[]; std: number[] } | null;
    if (norm) this.normalizer = { mean: Float32Array.from(norm.mean), std: Float32Array.from(norm.std) };
    // A restored agent must not recompute statistics or warm-start again.
    this.started = true;
    this.lastGood = this.nets.getWeights();
  }

  /** Rebuild an agent from saveCheckpoint's artifacts. */
  static async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<IqlAgent> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== 'iql') throw new Error(`not an IQL checkpoint (algo '${String(meta.algo)}')`);
    const net = meta.netConfig as { obsDim: number; actionSpace: SpaceJson };
    const agent = new IqlAgent(
      { obsDim: net.obsDim, actionSpace: spaceFromJson(net.actionSpace) },
      meta.algoConfig as Partial<IqlConfig>,
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
    this.acc?.dispose();
    this.acc = null;
    this.nets.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.valueOpt.dispose();
  }
}

export { METRIC_NAMES as IQL_METRIC_NAMES };

/** Build an IQL agent for a dataset and train it. */
export async function trainIql(
  ds: OfflineDataset,
  config: Partial<IqlConfig>,
  options: IqlTrainOptions,
): Promise<{ agent: IqlAgent; report: IqlReport }> {
  const agent = new IqlAgent({ obsDim: ds.obsDim, actionSpace: ds.meta.actionSpace }, config);
  try {
    return { agent, report: await agent.train(ds, options) };
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) agent.dispose();
    throw e;
  }
}
