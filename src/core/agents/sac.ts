/**
 * Soft actor-critic (Haarnoja et al. 2018) in CleanRL's order: config, networks
 * (common/sacNetworks.ts), act, update. Box actions follow sac_continuous_action.py, Discrete
 * actions sac_atari.py (Christodoulou 2019):
 *
 *   y   = r + γ(1 − terminated)·V̄(s'),  V̄(s') = E_{a'~π}[min(Q̄₁, Q̄₂)(s', a') − α·log π(a'|s')]
 *   L_Q = mean((Q₁(s, a) − y)²) + mean((Q₂(s, a) − y)²)
 *   L_π = E_s E_{a~π}[α·log π(a|s) − min(Q₁, Q₂)(s, a)]       (Box: reparameterised tanh-Gaussian)
 *   L_α = E[−α·(log π(a|s) + H̄)]                               (α = exp(log α), not log α: a known CleanRL issue)
 *
 * Box: V̄ and L_π use one reparameterised sample (log π with the tanh correction), the actor and α
 * step `policyFrequency` times every `policyFrequency` steps (TD3's delayed update, as CleanRL),
 * target entropy H̄ = −dim(A). Discrete: the expectations are exact sums over the action
 * probabilities, target entropy H̄ = scale·log|A|, with the scale 0.89 of CleanRL, and 0.7 for
 * |A| ≤ 3, where 0.89·log|A| is too close to the maximum entropy and α diverges.
 * Targets move by Polyak averaging every `targetNetworkFrequency` steps. Until `learningStarts`
 * steps the actions are uniform random and nothing is updated. Exploration noise, minibatches and
 * the reparameterisation noise come from the run's seeded Rng, so a seed fixes the run.
 * MultiDiscrete spaces are not supported (a joint Q over several heads is another algorithm).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../rng.ts';
import type { Env } from '../envs/types.ts';
import { SyncVectorEnv, type FinalInfo } from '../envs/vector.ts';
import type { Learner } from '../run/learner.ts';
import type { ActivationName } from './nets/dense.ts';
import { makeOptimizer } from './common/optim.ts';
import { NonFiniteLossError, type IterationReport } from './common/onPolicy.ts';
import type { EpisodeRecord } from './common/rollout.ts';
import { ReplayBuffer, type ReplaySample } from './common/replayBuffer.ts';
import type { Module } from './nets/module.ts';
import { SacNetworks, boxAffine } from './common/sacNetworks.ts';
import {
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointArtifacts,
} from './checkpoint.ts';

export interface SacConfig {
  /** Seeds the weights, exploration, minibatches and the envs (env i gets seed + i). */
  seed: number;
  /** Env steps to train for, all envs together. */
  totalSteps: number;
  numEnvs: number;
  /** Replay capacity in transitions. */
  bufferSize: number;
  gamma: number;
  /** Polyak rate of the target Q networks. */
  tau: number;
  batchSize: number;
  /** Steps of uniform random actions before the first update. */
  learningStarts: number;
  policyLearningRate: number;
  /** Learning rate of the twin Q networks and of α. */
  qLearningRate: number;
  /** Actor (and α) updated every this many steps, this many times (Box; Discrete: once). */
  policyFrequency: number;
  targetNetworkFrequency: number;
  /** Entropy coefficient; the initial value when autotune is on. */
  alpha: number;
  /** Learn α towards the target entropy. */
  autotune: boolean;
  /** Discrete target entropy = scale·log|A|; null = 0.89, or 0.7 when |A| ≤ 3. */
  targetEntropyScale: number | null;
  hidden: number[];
  activation: ActivationName;
  /** Bounds of the Box actor's log-std. */
  logStdMin: number;
  logStdMax: number;
  /** Env steps per iterate() (one metrics record, NaN check and last-good snapshot each). */
  logInterval: number;
}

/** CleanRL sac_continuous_action.py's defaults. */
export const defaultSacConfig: SacConfig = {
  seed: 1,
  totalSteps: 1_000_000,
  numEnvs: 1,
  bufferSize: 1_000_000,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 256,
  learningStarts: 5000,
  policyLearningRate: 3e-4,
  qLearningRate: 1e-3,
  policyFrequency: 2,
  targetNetworkFrequency: 1,
  alpha: 0.2,
  autotune: true,
  targetEntropyScale: null,
  hidden: [256, 256],
  activation: 'relu',
  logStdMin: -5,
  logStdMax: 2,
  logInterval: 1000,
};

/**
 * 'pendulum': Pendulum-v1 in 20k steps on two CPU cores: rl-zoo's lr 1e-3 for every net and an
 * early start (it uses 100 random steps) with 64-wide nets and batch 128, which the wasm backend
 * updates several times faster than CleanRL's 256 × 256 / 256 (README: measured return and time).
 */
export const sacPresets: Record<'standard' | 'pendulum', Partial<SacConfig>> = {
  standard: {},
  pendulum: {
    totalSteps: 20_000,
    learningStarts: 1000,
    policyLearningRate: 1e-3,
    qLearningRate: 1e-3,
    hidden: [64, 64],
    batchSize: 128,
    logInterval: 200,
  },
};

export function sacConfig(
  preset: keyof typeof sacPresets = 'standard',
  overrides: Partial<SacConfig> = {},
): SacConfig {
  const base = sacPresets[preset];
  if (!base)
    throw new Error(`unknown SAC preset '${String(preset)}' (${Object.keys(sacPresets).join(', ')})`);
  return {
    ...defaultSacConfig,
    ...base,
    ...overrides,
    hidden: [...(overrides.hidden ?? base.hidden ?? defaultSacConfig.hidden)],
  };
}

function checkConfig(c: SacConfig): void {
  const bad = (m: string) => new Error(`SAC config.${m}`);
  for (const k of [
    'totalSteps',
    'numEnvs',
    'bufferSize',
    'batchSize',
    'policyFrequency',
    'targetNetworkFrequency',
    'logInterval',
  ] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw bad(`${k} must be a positive integer, got ${c[k]}`);
  if (!Number.isInteger(c.learningStarts) || c.learningStarts < 0)
    throw bad(`learningStarts must be an integer ≥ 0, got ${c.learningStarts}`);
  if (!(c.gamma >= 0 && c.gamma <= 1)) throw bad(`gamma must be in [0, 1], got ${c.gamma}`);
  if (!(c.tau > 0 && c.tau <= 1)) throw bad(`tau must be in (0, 1], got ${c.tau}`);
  if (!(c.alpha > 0)) throw bad(`alpha must be > 0, got ${c.alpha}`);
  for (const k of ['policyLearningRate', 'qLearningRate'] as const)
    if (!(c[k] > 0)) throw bad(`${k} must be > 0, got ${c[k]}`);
  if (c.targetEntropyScale !== null && !(c.targetEntropyScale > 0 && c.targetEntropyScale <= 1))
    throw bad(`targetEntropyScale must be in (0, 1] or null, got ${c.targetEntropyScale}`);
  if (!Array.isArray(c.hidden) || !c.hidden.every((h) => Number.isInteger(h) && h >= 1))
    throw bad(`hidden must be a list of positive layer widths, got ${JSON.stringify(c.hidden)}`);
  if (!(c.logStdMin < c.logStdMax)) throw bad(`logStdMin must be below logStdMax`);
}

const Q_STATS = ['losses/qf1', 'losses/qf2', 'losses/qf1_values', 'losses/qf2_values', 'losses/qf'];
const PI_STATS = ['losses/actor', 'losses/alpha', 'losses/entropy'];

export class SAC implements Learner {
  readonly algo: string = 'sac';
  readonly config: SacConfig;
  readonly envs: SyncVectorEnv;
  readonly nets: SacNetworks;
  readonly buffer: ReplayBuffer;
  readonly discrete: boolean;
  /** Box: action dims; Discrete: number of actions. */
  readonly actionDim: number;
  readonly targetEntropy: number;
  readonly optimizers: { actor: tf.Optimizer; q: tf.Optimizer; alpha: tf.Optimizer };
  globalStep = 0;
  iteration = 0;
  protected readonly obsDim: number;
  private readonly scale: Float32Array;
  private readonly bias: Float32Array;
  private readonly rng: { act: Rng; batch: Rng; noise: Rng; eval: Rng };
  private obs: Float32Array;
  private readonly epReturn: Float64Array;
  private readonly epLength: Int32Array;
  private qAcc: tf.Tensor1D | null = null;
  private piAcc: tf.Tensor1D | null = null;
  private qCount = 0;
  private piCount = 0;
  private lastGood: Float32Array[];

  constructor(config: Partial<SacConfig>, makeEnv: (index: number) => Env) {
    const c = (this.config = { ...defaultSacConfig, ...config });
    checkConfig(c);
    this.envs = new SyncVectorEnv(makeEnv, c.numEnvs);
    const space = this.envs.actionSpace;
    if (space.kind === 'multi-discrete')
      throw new Error('SAC: MultiDiscrete action spaces are not supported (use a Discrete or Box env)');
    this.discrete = space.kind === 'discrete';
    this.obsDim = this.envs.obsSize;
    this.actionDim = space.kind === 'discrete' ? space.n : space.shape.reduce((a, b) => a * b, 1);
    const affine =
      space.kind === 'box'
        ? boxAffine(space, this.actionDim)
        : { scale: new Float32Array(0), bias: new Float32Array(0) };
    this.scale = affine.scale;
    this.bias = affine.bias;
    const scaleH = c.targetEntropyScale ?? (this.actionDim <= 3 ? 0.7 : 0.89);
    this.targetEntropy = this.discrete ? scaleH * Math.log(this.actionDim) : -this.actionDim;
    const root = new Rng(c.seed);
    this.nets = new SacNetworks(
      { obsDim: this.obsDim, actionDim: this.actionDim, discrete: this.discrete },
      c,
      root.fork('weights').nextUint32(),
      c.alpha,
      { logStdMin: c.logStdMin, logStdMax: c.logStdMax, scale: this.scale, bias: this.bias },
    );
    this.rng = {
      act: root.fork('act'),
      batch: root.fork('batch'),
      noise: root.fork('noise'),
      eval: root.fork('eval'),
    };
    this.optimizers = {
      actor: makeOptimizer({ name: 'adam', learningRate: c.policyLearningRate }),
      q: makeOptimizer({ name: 'adam', learningRate: c.qLearningRate }),
      alpha: makeOptimizer({ name: 'adam', learningRate: c.qLearningRate }),
    };
    this.buffer = new ReplayBuffer({
      capacity: Math.min(c.bufferSize, c.totalSteps),
      obsDim: this.obsDim,
      actionDim: this.discrete ? 1 : this.actionDim,
    });
    this.obs = Float32Array.from(this.envs.reset({ seed: c.seed }).obs);
    this.epReturn = new Float64Array(c.numEnvs);
    this.epLength = new Int32Array(c.numEnvs);
    this.lastGood = this.nets.getWeights();
  }

  get totalSteps(): number {
    return Math.floor(this.config.totalSteps / this.config.numEnvs) * this.config.numEnvs;
  }
  get numIterations(): number {
    return Math.ceil(this.totalSteps / this.config.logInterval);
  }
  get done(): boolean {
    return this.globalStep >= this.totalSteps;
  }

  async predict(
    obs: Float32Array,
    rows: number,
    _masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array> {
    return this.nets.act(obs.subarray(0, rows * this.obsDim), rows, deterministic, this.rng.eval);
  }

  /** Box policy on s with fresh reparameterisation noise from the run's Rng. */
  private gaussian(s: tf.Tensor2D): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
    const n = s.shape[0] * this.actionDim;
    return this.nets.gaussian(
      s,
      Float32Array.from({ length: n }, () => this.rng.noise.normal()),
    );
  }

  /** Rewards of a sampled batch as SAC learns them (DIAYN: mixed with its skill reward). Called inside a tidy. */
  protected batchRewards(batch: ReplaySample): tf.Tensor1D {
    return tf.tensor1d(batch.rewards);
  }

  /** Metrics of the interval beyond SAC's own (DIAYN: the discriminator's). */
  protected extraMetrics(): Record<string, number> {
    return {};
  }

  /** What a checkpoint holds: the networks and the optimizers by name. */
  protected checkpointParts(): { module: Module; optimizers: Record<string, tf.Optimizer> } {
    return { module: this.nets, optimizers: this.optimizers };
  }

  private update(updatePolicy: boolean): void {
    const c = this.config;
    const B = c.batchSize;
    const nets = this.nets;
    const batch = this.buffer.sample(B, this.rng.batch);
    let piStats: tf.Tensor1D | null = null;
    const qStats = tf.tidy(() => {
      const s = tf.tensor2d(batch.obs, [B, this.obsDim]);
      const s2 = tf.tensor2d(batch.nextObs, [B, this.obsDim]);
      const r = this.batchRewards(batch);
      const notDone = tf.sub(1, tf.tensor1d(batch.terminated));
      const alpha = tf.exp(nets.logAlpha);
      const a = this.discrete
        ? (tf.oneHot(tf.tensor1d(batch.actions, 'int32'), this.actionDim).toFloat() as tf.Tensor2D)
        : tf.tensor2d(batch.actions, [B, this.actionDim]);
      // Soft value of s' under the current policy and the target critics (a constant for L_Q).
      let nextV: tf.Tensor;
      if (this.discrete) {
        const { probs, logProbs } = nets.categorical(s2);
        const minQ = tf.minimum(nets.q(nets.q1Target, s2), nets.q(nets.q2Target, s2));
        nextV = tf.sum(tf.mul(probs, tf.sub(minQ, tf.mul(alpha, logProbs))), 1);
      } else {
        const { action, logProb } = this.gaussian(s2);
        const minQ = tf.minimum(nets.q(nets.q1Target, s2, action), nets.q(nets.q2Target, s2, action));
        nextV = tf.sub(minQ, tf.mul(alpha, logProb));
      }
      const y = tf.add(r, tf.mul(c.gamma, tf.mul(notDone, nextV)));
      const qa = (net: typeof nets.q1) =>
        this.discrete ? tf.sum(tf.mul(nets.q(net, s), a), 1) : nets.q(net, s, a);
      let kept: tf.Tensor[] = [];
      const qLoss = this.optimizers.q.minimize(
        () => {
          const q1 = qa(nets.q1);
          const q2 = qa(nets.q2);
          const l1 = tf.mean(tf.square(tf.sub(q1, y)));
          const l2 = tf.mean(tf.square(tf.sub(q2, y)));
          kept = [l1, l2, tf.mean(q1), tf.mean(q2)].map((t) => tf.keep(t));
          return tf.add(l1, l2) as tf.Scalar;
        },
        true,
        nets.criticVariables(),
      )!;
      const out = tf.stack([...kept, qLoss]) as tf.Tensor1D;
      tf.dispose(kept);
      if (updatePolicy) piStats = tf.keep(this.updatePolicy(s));
      return out;
    });
    this.qAcc = accumulate(this.qAcc, qStats);
    this.qCount++;
    if (piStats) {
      this.piAcc = accumulate(this.piAcc, piStats);
      this.piCount++;
    }
  }

  /** Actor then α (Box: policyFrequency times); returns [actor loss, α loss, entropy estimate], means. */
  private updatePolicy(s: tf.Tensor2D): tf.Tensor1D {
    const { nets, optimizers: opt } = this;
    const repeats = this.discrete ? 1 : this.config.policyFrequency;
    const sums: tf.Tensor[] = [];
    for (let k = 0; k < repeats; k++) {
      const alpha = tf.exp(nets.logAlpha);
      let entropy: tf.Tensor = tf.scalar(0);
      let logPiDetached: tf.Tensor = tf.scalar(0);
      let probsDetached: tf.Tensor | null = null;
      const actorLoss = opt.actor.minimize(
        () => {
          if (this.discrete) {
            const { probs, logProbs } = nets.categorical(s);
            const minQ = tf.minimum(nets.q(nets.q1, s), nets.q(nets.q2, s));
            entropy = tf.keep(tf.neg(tf.mean(tf.sum(tf.mul(probs, logProbs), 1))));
            logPiDetached = tf.keep(logProbs);
            probsDetached = tf.keep(probs);
            return tf.mean(tf.sum(tf.mul(probs, tf.sub(tf.mul(alpha, logProbs), minQ)), 1)) as tf.Scalar;
          }
          const { action, logProb } = this.gaussian(s);
          const minQ = tf.minimum(nets.q(nets.q1, s, action), nets.q(nets.q2, s, action));
          entropy = tf.keep(tf.neg(tf.mean(logProb)));
          return tf.mean(tf.sub(tf.mul(alpha, logProb), minQ)) as tf.Scalar;
        },
        true,
        nets.actor.variables(),
      )!;
      let alphaLoss: tf.Tensor = tf.scalar(0);
      if (this.config.autotune) {
        // Box: a fresh sample from the updated actor, as CleanRL; Discrete: the same probabilities.
        const logPi = this.discrete ? logPiDetached : this.gaussian(s).logProb;
        alphaLoss = opt.alpha.minimize(
          () => {
            const gap = tf.add(logPi, this.targetEntropy);
            const weighted = probsDetached ? tf.sum(tf.mul(probsDetached, gap), 1) : gap;
            return tf.mean(tf.mul(tf.neg(tf.exp(nets.logAlpha)), weighted)) as tf.Scalar;
          },
          true,
          [nets.logAlpha],
        )!;
      }
      sums.push(tf.stack([actorLoss, alphaLoss, entropy]));
      tf.dispose([entropy, logPiDetached, ...(probsDetached ? [probsDetached] : [])]);
    }
    return tf.div(tf.addN(sums), repeats) as tf.Tensor1D;
  }

  /** `logInterval` env steps (fewer at the end): act, store, update; then one readback of the stats. */
  async iterate(): Promise<IterationReport> {
    const t0 = performance.now();
    const c = this.config;
    const K = c.numEnvs;
    const target = Math.min(
      this.totalSteps,
      (Math.floor(this.globalStep / c.logInterval) + 1) * c.logInterval,
    );
    const startStep = this.globalStep;
    const episodes: EpisodeRecord[] = [];
    while (this.globalStep < target) {
      const stepIndex = this.globalStep / K;
      const actions =
        this.globalStep < c.learningStarts
          ? this.nets.randomActions(K, this.rng.act)
          : this.nets.act(this.obs, K, false, this.rng.act);
      const res = this.envs.step(actions);
      this.globalStep += K;
      for (let i = 0; i < K; i++) {
        const info = res.infos[i] as FinalInfo;
        const next = info.finalObs ?? res.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim);
        this.buffer.add(
          this.obs.subarray(i * this.obsDim),
          next,
          this.discrete ? [actions[i]] : actions.subarray(i * this.actionDim),
          res.rewards[i],
          res.terminated[i] === 1,
        );
        this.epReturn[i] += res.rewards[i];
        this.epLength[i]++;
        if (res.terminated[i] || res.truncated[i]) {
          episodes.push({
            step: this.globalStep,
            env: i,
            return: this.epReturn[i],
            length: this.epLength[i],
            info: info.finalInfo ?? {},
          });
          this.epReturn[i] = 0;
          this.epLength[i] = 0;
        }
      }
      this.obs.set(res.obs);
      if (this.globalStep > c.learningStarts && this.buffer.size >= c.batchSize) {
        this.update(stepIndex % c.policyFrequency === 0);
        if (stepIndex % c.targetNetworkFrequency === 0) this.nets.polyak(c.tau);
      }
    }
    const metrics = { ...this.readStats(startStep), ...this.extraMetrics() };
    metrics['charts/alpha'] = Math.exp((await this.nets.logAlpha.data())[0]);
    metrics['perf/sps'] = ((this.globalStep - startStep) / Math.max(1e-9, performance.now() - t0)) * 1000;
    this.iteration++;
    return { globalStep: this.globalStep, iteration: this.iteration, metrics, episodes };
  }

  /** Interval means of the update stats; NaN/Inf → the last good weights back and NonFiniteLossError. */
  private readStats(startStep: number): Record<string, number> {
    const stats: Record<string, number> = {};
    for (const [acc, names, n] of [
      [this.qAcc, Q_STATS, this.qCount],
      [this.piAcc, PI_STATS, this.piCount],
    ] as const) {
      if (!acc) continue;
      const v = acc.dataSync();
      names.forEach((name, i) => (stats[name] = v[i] / n));
    }
    tf.dispose([this.qAcc, this.piAcc].filter((t): t is tf.Tensor1D => t !== null));
    [this.qAcc, this.piAcc, this.qCount, this.piCount] = [null, null, 0, 0];
    if (!this.config.autotune) delete stats['losses/alpha'];
    const bad = Object.entries(stats).filter(([, x]) => !Number.isFinite(x));
    if (bad.length) {
      this.nets.setWeights(this.lastGood);
      throw new NonFiniteLossError(
        `SAC: non-finite ${bad.map(([k, x]) => `${k} = ${x}`).join(', ')} in env steps ${startStep + 1}–${this.globalStep}; training stopped, ` +
          'the weights before them kept. Lower the learning rates or check the observations and rewards for NaN/Inf.',
        this.globalStep,
        stats,
      );
    }
    this.lastGood = this.nets.getWeights();
    return stats;
  }

  /** Every network, log α, the three Adam states, the step and the Rng streams (not the replay buffer). */
  saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    const rngs: Record<string, RngState> = {};
    for (const [k, r] of Object.entries(this.rng)) rngs[k] = r.getState();
    const { module, optimizers } = this.checkpointParts();
    return saveCheckpoint(
      module,
      {
        netConfig: { ...this.nets.shapes, hidden: this.config.hidden, activation: this.config.activation },
        algo: this.algo,
        algoConfig: this.config,
        globalStep: this.globalStep,
        backend: tf.getBackend(),
        extra: { ...extra, iteration: this.iteration, rngs },
      },
      optimizers,
    );
  }

  /** Restores weights, optimizers, counters and Rngs; the replay buffer refills from the restored policy. */
  async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    const meta = readCheckpointMeta(artifacts);
    if (meta.algo !== this.algo)
      throw new Error(`checkpoint is for '${String(meta.algo)}', this agent is '${this.algo}'`);
    const { module, optimizers } = this.checkpointParts();
    await loadCheckpoint(artifacts, module, optimizers);
    this.globalStep = meta.globalStep ?? 0;
    const extra = (meta.extra ?? {}) as { iteration?: number; rngs?: Record<string, RngState> };
    this.iteration = extra.iteration ?? Math.ceil(this.globalStep / this.config.logInterval);
    for (const [k, r] of Object.entries(this.rng)) if (extra.rngs?.[k]) r.setState(extra.rngs[k]);
    this.lastGood = this.nets.getWeights();
  }

  dispose(): void {
    tf.dispose([this.qAcc, this.piAcc].filter((t): t is tf.Tensor1D => t !== null));
    this.nets.dispose();
    for (const o of Object.values(this.optimizers)) o.dispose();
  }
}

function accumulate(acc: tf.Tensor1D | null, x: tf.Tensor1D): tf.Tensor1D {
  if (!acc) return x;
  const sum = tf.add(acc, x) as tf.Tensor1D;
  tf.dispose([acc, x]);
  return sum;
}
