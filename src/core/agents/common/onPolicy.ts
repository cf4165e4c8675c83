/**
 * What A2C and PPO share around their update rule: env vector, policy, optimizer, rollout buffer
 * and collector, seeding, learning-rate annealing, the NaN guard, evaluation actions and
 * checkpoint state. Each algorithm file supplies its config (documented there) and `update()`.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../../rng.ts';
import type { BoxSpace, Env, Space } from '../../envs/types.ts';
import { SyncVectorEnv } from '../../envs/vector.ts';
import { RolloutBuffer } from './buffer.ts';
import { actionsToOneHot, policyHeadFor } from './distributions.ts';
import { buildActorCritic, envLayout, type NetworkSpec } from './networks.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from '../checkpoint.ts';
import { serializableConfig } from '../nets/actorCritic.ts';
import { ResidentMarket } from '../nets/resident.ts';
import {
  clipByGlobalNorm,
  getLearningRate,
  makeOptimizer,
  setLearningRate,
  type OptimizerName,
} from './optim.ts';
import { Policy } from './policy.ts';
import { RolloutCollector, emptyRolloutTimings, type EpisodeRecord, type RolloutTimings } from './rollout.ts';

/** Fields every on-policy config has (each algorithm documents its own defaults). */
export interface OnPolicyCommonConfig {
  seed: number;
  totalSteps: number;
  numEnvs: number;
  numSteps: number;
  gamma: number;
  gaeLambda: number;
  learningRate: number;
  annealLr: boolean;
  optimizer: OptimizerName;
  optimizerEps: number;
  maxGradNorm: number;
  entCoef: number;
  vfCoef: number;
  network: NetworkSpec;
  useMasks: boolean;
  rewardScale: number;
}

/** A loss or gradient went NaN/Inf: the update was not applied, the agent holds the last good weights. */
export class NonFiniteLossError extends Error {
  readonly globalStep: number;
  readonly stats: Record<string, number>;
  constructor(message: string, globalStep: number, stats: Record<string, number>) {
    super(message);
    this.name = 'NonFiniteLossError';
    this.globalStep = globalStep;
    this.stats = stats;
  }
}

export interface IterationReport {
  /** Env steps taken so far (all envs). */
  globalStep: number;
  iteration: number;
  /** Flat metric schema values of this iteration (losses/*, charts/learning_rate, perf/*). */
  metrics: Record<string, number>;
  /** Episodes that finished during the rollout. */
  episodes: EpisodeRecord[];
}

/** What a checkpoint's meta.extra holds for an on-policy agent, beyond the shared fields. */
interface OnPolicyExtra {
  iteration: number;
  gradientSteps: number;
  minibatchRng: RngState;
}

/** Construction options that are not part of the algorithm's config (they do not change its numbers' meaning). */
export interface OnPolicyOptions {
  /**
   * Keep the market's features on the tfjs device and run the TimeCNN once per (asset, day)
   * (nets/resident.ts) when the network and envs allow it (a shared TimeCNN, market envs that report
   * their day). Default true; false forces the per-window path (the reference, and benchmarks).
   */
  residentMarket?: boolean;
  /**
   * A policy of the caller's making instead of `config.network` over the env's action space (e.g.
   * a HybridPolicy warm-started from behaviour cloning); `seed` is the agent's weight seed.
   */
  policy?: (ctx: { observationSpace: BoxSpace; actionSpace: Space; seed: number }) => Policy;
}

/** The feature array a market env reads its windows from (TradingEnv.marketFeatures), if it has one. */
function envFeatures(env: Env): Float32Array | null {
  const x = (env as { marketFeatures?: unknown }).marketFeatures;
  return x instanceof Float32Array ? x : null;
}

export interface UpdateStats {
  [key: string]: number;
}

/** One gradient step's inputs, as tensors owned by the caller. */
export interface MinibatchTensors {
  obs: tf.Tensor2D;
  /** One-hot [B, Σ nvec] (categorical) or raw actions [B, dim] (Gaussian). */
  actions: tf.Tensor2D;
  mask: tf.Tensor2D | null;
  advantages: tf.Tensor1D;
  returns: tf.Tensor1D;
  oldLogprobs: tf.Tensor1D;
  oldValues: tf.Tensor1D;
  /** Day path: the window-end day of each row; `obs` then holds only the portfolio parts. */
  days: Int32Array | null;
}

export abstract class OnPolicyAgent<C extends OnPolicyCommonConfig> {
  abstract readonly algo: string;
  readonly config: C;
  readonly envs: SyncVectorEnv;
  readonly policy: Policy;
  readonly optimizer: tf.Optimizer;
  readonly buffer: RolloutBuffer;
  readonly numIterations: number;
  globalStep = 0;
  iteration = 0;
  /** Optimizer steps applied so far. */
  gradientSteps = 0;
  protected collector: RolloutCollector;
  protected readonly actRng: Rng;
  protected readonly minibatchRng: Rng;
  /** Sampling in predict(): evaluation never moves the training streams. */
  private readonly evalRng: Rng;
  /** Batch views reused across updates. */
  private oneHotBuf: Float32Array | null = null;
  private maskFloatBuf: Float32Array | null = null;
  /** The market on the device when the per-(asset, day) path is on (see OnPolicyOptions). */
  readonly market: ResidentMarket | null = null;

  constructor(config: C, makeEnv: (index: number) => Env, options: OnPolicyOptions = {}) {
    validateCommon(config);
    this.config = config;
    this.envs = new SyncVectorEnv(makeEnv, config.numEnvs);
    const root = new Rng(config.seed);
    const ctx = {
      observationSpace: this.envs.observationSpace as BoxSpace,
      actionSpace: this.envs.actionSpace,
      seed: root.fork('weights').nextUint32(),
    };
    this.policy = options.policy
      ? options.policy(ctx)
      : new Policy(
          buildActorCritic(config.network, { ...ctx, layout: envLayout(this.envs.envs[0]) }),
          policyHeadFor(this.envs.actionSpace),
        );
    const net = this.policy.net;
    const head = this.policy.head;
    const layout = envLayout(this.envs.envs[0]);
    const X = envFeatures(this.envs.envs[0]);
    // One shared feature array (the envs of a vector read the same FeatureSet) is uploaded once.
    if (
      (options.residentMarket ?? true) &&
      net.dayPath &&
      layout &&
      X &&
      this.envs.envs.every((e) => envFeatures(e) === X)
    ) {
      this.market = new ResidentMarket(X, layout.nAssets, layout.nFeatures);
      this.policy.attachMarket(this.market);
    }
    this.actRng = root.fork('act');
    this.minibatchRng = root.fork('minibatch');
    this.evalRng = root.fork('eval');
    this.optimizer = makeOptimizer({
      name: config.optimizer,
      learningRate: config.learningRate,
      eps: config.optimizerEps,
    });
    const maskSize = config.useMasks && head.kind === 'categorical' ? this.policy.piSize : 0;
    this.collector = new RolloutCollector(this.envs, this.policy, maskSize > 0, config.seed);
    this.buffer = new RolloutBuffer({
      numSteps: config.numSteps,
      numEnvs: config.numEnvs,
      obsSize: this.envs.obsSize,
      actionSize: this.policy.actionSize,
      actionKind: head.kind === 'categorical' ? 'int' : 'float',
      maskSize: this.collector.masks ? maskSize : 0,
      extrasSize: this.market ? this.policy.extrasSize : 0,
    });
    this.numIterations = Math.max(1, Math.floor(config.totalSteps / (config.numEnvs * config.numSteps)));
  }

  get batchSize(): number {
    return this.config.numEnvs * this.config.numSteps;
  }

  /** The budget rounded down to whole iterations. */
  get totalSteps(): number {
    return this.numIterations * this.batchSize;
  }

  get done(): boolean {
    return this.iteration >= this.numIterations;
  }

  /** The algorithm's update on the filled buffer. Must not leak tensors. */
  protected abstract update(timings: RolloutTimings): Promise<UpdateStats>;

  /** One iteration: anneal the learning rate, collect a rollout, update. */
  async iterate(): Promise<IterationReport> {
    const t0 = performance.now();
    if (this.config.annealLr) {
      const frac = 1 - this.iteration / this.numIterations;
      setLearningRate(this.optimizer, frac * this.config.learningRate);
    }
    const timings = emptyRolloutTimings();
    const episodes = await this.collector.collect(this.buffer, this.policy, this.actRng, {
      globalStep: this.globalStep,
      gamma: this.config.gamma,
      lambda: this.config.gaeLambda,
      rewardScale: this.config.rewardScale,
      timings,
    });
    const tu = performance.now();
    const stats = await this.update(timings);
    const updateMs = performance.now() - tu;
    this.globalStep += this.batchSize;
    this.iteration += 1;
    const wall = performance.now() - t0;
    const metrics: Record<string, number> = {
      ...stats,
      'losses/explained_variance': explainedVariance(this.buffer.values, this.buffer.returns),
      'charts/learning_rate': getLearningRate(this.optimizer),
      'perf/sps': (this.batchSize / wall) * 1000,
      'perf/env_ms': timings.envMs,
      'perf/forward_ms': timings.forwardMs,
      'perf/readback_ms': timings.readbackMs,
      'perf/sample_ms': timings.sampleMs,
      'perf/bootstrap_ms': timings.bootstrapMs,
      'perf/update_ms': updateMs,
      'perf/iteration_ms': wall,
    };
    return { globalStep: this.globalStep, iteration: this.iteration, metrics, episodes };
  }

  /**
   * Env actions for `rows` observations (evaluation): argmax per head / the Gaussian mean when
   * deterministic; Box actions come back squashed into the env's space.
   */
  async predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
    rng: Rng = this.evalRng,
  ): Promise<Int32Array | Float32Array> {
    const head = this.policy.head;
    const out = {
      actions:
        head.kind === 'categorical'
          ? new Int32Array(rows * this.policy.actionSize)
          : new Float32Array(rows * this.policy.actionSize),
      logprobs: new Float32Array(rows),
      values: new Float32Array(rows),
    };
    await this.policy.act(obs, rows, this.config.useMasks ? masks : null, rng, deterministic, out);
    return this.policy.envActions(out.actions, new Float32Array(rows * this.policy.actionSize));
  }

  /** Tensors of the whole batch (flattened [T·K]); the caller disposes them. */
  protected batchTensors(advantages: Float32Array): MinibatchTensors {
    const B = this.buffer.size;
    const head = this.policy.head;
    let actions: tf.Tensor2D;
    if (head.kind === 'categorical') {
      this.oneHotBuf = actionsToOneHot(
        this.buffer.actions as Int32Array,
        B,
        head.nvec,
        this.oneHotBuf ?? undefined,
      );
      actions = tf.tensor2d(this.oneHotBuf, [B, this.policy.piSize]);
    } else {
      actions = tf.tensor2d(this.buffer.actions as Float32Array, [B, head.dim]);
    }
    let mask: tf.Tensor2D | null = null;
    if (this.buffer.masks) {
      const m = this.buffer.masks;
      if (!this.maskFloatBuf || this.maskFloatBuf.length !== m.length)
        this.maskFloatBuf = new Float32Array(m.length);
      for (let i = 0; i < m.length; i++) this.maskFloatBuf[i] = m[i];
      mask = tf.tensor2d(this.maskFloatBuf, [B, this.buffer.maskSize]);
    }
    const days = this.buffer.days;
    return {
      obs: days
        ? tf.tensor2d(this.buffer.extras!, [B, this.buffer.extrasSize])
        : tf.tensor2d(this.buffer.obs, [B, this.buffer.obsSize]),
      days,
      actions,
      mask,
      advantages: tf.tensor1d(advantages),
      returns: tf.tensor1d(this.buffer.returns),
      oldLogprobs: tf.tensor1d(this.buffer.logprobs),
      oldValues: tf.tensor1d(this.buffer.values),
    };
  }

  /**
   * One optimizer step on `lossFn` (which returns the scalar loss and a kept stats vector named by
   * `statNames`). Gradients are clipped to maxGradNorm; losses and the gradient norm are read back
   * once and checked: NaN/Inf → nothing is applied and NonFiniteLossError is thrown.
   */
  protected async gradientStep(
    lossFn: () => { loss: tf.Scalar; stats: tf.Tensor1D },
    statNames: string[],
    where: string,
  ): Promise<Record<string, number>> {
    let statsT: tf.Tensor1D | null = null;
    const vars = this.policy.variables();
    const { value, grads } = tf.variableGrads(() => {
      const { loss, stats } = lossFn();
      statsT = tf.keep(stats);
      return loss;
    }, vars);
    const clipped = clipByGlobalNorm(grads, this.config.maxGradNorm);
    tf.dispose(grads);
    const packed = tf.tidy(() => tf.concat([tf.reshape(value, [1]), statsT!, tf.reshape(clipped.norm, [1])]));
    value.dispose();
    tf.dispose(statsT!);
    clipped.norm.dispose();
    const data = await packed.data();
    packed.dispose();
    const stats: Record<string, number> = { 'losses/loss': data[0] };
    statNames.forEach((name, i) => (stats[name] = data[1 + i]));
    stats['losses/grad_norm'] = data[data.length - 1];
    const bad = Object.entries(stats).filter(([, v]) => !Number.isFinite(v));
    if (bad.length > 0) {
      tf.dispose(clipped.grads);
      throw new NonFiniteLossError(
        `${this.algo.toUpperCase()}: non-finite ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')} at global step ${this.globalStep} (${where}); ` +
          'the update was not applied: the agent keeps the last good weights. Lower the learning rate, check the observations for NaN/Inf, or clip rewards.',
        this.globalStep,
        stats,
      );
    }
    this.optimizer.applyGradients(clipped.grads);
    tf.dispose(clipped.grads);
    this.gradientSteps++;
    return stats;
  }

  /**
   * Checkpoint (nets/checkpoint.ts artifacts = model.json + weights.bin): network weights, optimizer
   * slots and step, algorithm config, network config, global step, Rng streams.
   */
  async saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    const onPolicy: OnPolicyExtra = {
      iteration: this.iteration,
      gradientSteps: this.gradientSteps,
      minibatchRng: this.minibatchRng.getState(),
    };
    return saveCheckpoint(
      this.policy.net,
      {
        netConfig: serializableConfig(this.policy.net.config),
        algo: this.algo,
        algoConfig: this.config,
        optimizerStep: this.gradientSteps,
        globalStep: this.globalStep,
        rngState: this.actRng.getState(),
        backend: tf.getBackend(),
        extra: { ...extra, onPolicy },
      },
      this.optimizer,
    );
  }

  /**
   * Restore a checkpoint of this algorithm and network: weights, optimizer slots, Rng streams and
   * counters, so training continues where it stopped. Envs cannot be snapshotted in general: they
   * are re-seeded from (seed, iteration), which keeps a resumed run reproducible.
   */
  async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== this.algo)
      throw new Error(`checkpoint is for '${String(meta.algo)}', this agent is '${this.algo}'`);
    await loadCheckpoint(artifacts, this.policy.net, this.optimizer);
    const extra = (meta.extra?.onPolicy ?? {}) as Partial<OnPolicyExtra>;
    if (meta.rngState) this.actRng.setState(meta.rngState);
    if (extra.minibatchRng) this.minibatchRng.setState(extra.minibatchRng);
    this.globalStep = meta.globalStep ?? 0;
    this.iteration = extra.iteration ?? Math.round(this.globalStep / this.batchSize);
    this.gradientSteps = extra.gradientSteps ?? meta.optimizerStep ?? 0;
    this.collector = new RolloutCollector(
      this.envs,
      this.policy,
      this.buffer.masks !== null,
      this.config.seed + 1_000_003 * this.iteration,
    );
  }

  dispose(): void {
    this.policy.dispose();
    this.optimizer.dispose();
    this.market?.dispose();
  }
}

/** 1 − Var(returns − values) / Var(returns) (CleanRL's explained_variance); NaN when Var(returns) = 0. */
export function explainedVariance(values: Float32Array, returns: Float32Array): number {
  const n = values.length;
  let meanY = 0;
  let meanD = 0;
  for (let i = 0; i < n; i++) {
    meanY += returns[i];
    meanD += returns[i] - values[i];
  }
  meanY /= n;
  meanD /= n;
  let varY = 0;
  let varD = 0;
  for (let i = 0; i < n; i++) {
    varY += (returns[i] - meanY) ** 2;
    const d = returns[i] - values[i] - meanD;
    varD += d * d;
  }
  return varY === 0 ? NaN : 1 - varD / varY;
}

function validateCommon(c: OnPolicyCommonConfig): void {
  const positiveInts: (keyof OnPolicyCommonConfig)[] = ['numEnvs', 'numSteps', 'totalSteps'];
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new Error(`config.${k} must be a positive integer, got ${String(v)}`);
  }
  const ranges: [keyof OnPolicyCommonConfig, number, number][] = [
    ['gamma', 0, 1],
    ['gaeLambda', 0, 1],
    ['learningRate', 0, Infinity],
    ['entCoef', -Infinity, Infinity],
    ['vfCoef', 0, Infinity],
    ['rewardScale', 0, Infinity],
  ];
  for (const [k, lo, hi] of ranges) {
    const v = c[k];
    if (typeof v !== 'number' || Number.isNaN(v) || v < lo || v > hi)
      throw new Error(`config.${k} must be a number in [${lo}, ${hi}], got ${String(v)}`);
  }
  if (typeof c.maxGradNorm !== 'number' || Number.isNaN(c.maxGradNorm))
    throw new Error(
      `config.maxGradNorm must be a number (≤ 0 disables clipping), got ${String(c.maxGradNorm)}`,
    );
  if (!Number.isFinite(c.seed)) throw new Error(`config.seed must be a finite number, got ${String(c.seed)}`);
}
