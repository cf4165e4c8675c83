/**
 * DIAYN, "Diversity is all you need" (Eysenbach et al. 2018; the authors' haarnoja/sac diayn.py),
 * on top of SAC (sac.ts): K skills z ~ p(z) uniform, drawn once per episode and shown to the policy
 * as a one-hot appended to the observation; a discriminator q_φ(z|s') trained by cross-entropy on
 * replayed states; SAC learns from
 *
 *   r = w_ext·r_env + β·(log q_φ(z|s') − log p(z)),     log p(z) = −log K
 *
 * computed per sampled batch with the current discriminator (as the authors' code), the
 * discriminator stepping once per SAC update on the same batch. β is seed 002's mi_reward_weight
 * (0.5); w_ext = 0 is pure skill discovery. Its mean log q(z|s') rises from −log K towards 0 as
 * the skills separate (charts/discriminator_accuracy from 1/K towards 1).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import type { Action, BoxSpace, Env, Info, ResetOptions, ResetResult, StepResult } from '../envs/types.ts';
import type { ReplaySample } from './common/replayBuffer.ts';
import { makeOptimizer } from './common/optim.ts';
import { MLP } from './nets/mlp.ts';
import { countParams, type Module, type NamedVariable } from './nets/module.ts';
import { SAC, defaultSacConfig, sacPresets, type SacConfig } from './sac.ts';

export interface DiaynConfig extends SacConfig {
  /** Number of skills K. The paper uses 50; small envs separate a handful. */
  numSkills: number;
  /** β: weight of the skill reward log q(z|s') − log p(z) (seed 002: mi_reward_weight 0.5). */
  skillRewardWeight: number;
  /** w_ext: weight of the env's reward (0 = unsupervised skill discovery). */
  externalRewardWeight: number;
  discriminatorLearningRate: number;
  /** Hidden widths of the discriminator. */
  discriminatorHidden: number[];
}

export const defaultDiaynConfig: DiaynConfig = {
  ...defaultSacConfig,
  numSkills: 8,
  skillRewardWeight: 0.5,
  externalRewardWeight: 1,
  discriminatorLearningRate: 3e-4,
  discriminatorHidden: [64, 64],
};

/** 'standard' = SAC's CleanRL defaults; 'pendulum' = SAC's Pendulum preset, skills on top. */
export function diaynConfig(
  preset: keyof typeof sacPresets = 'standard',
  overrides: Partial<DiaynConfig> = {},
): DiaynConfig {
  const base = sacPresets[preset];
  if (!base)
    throw new Error(`unknown DIAYN preset '${String(preset)}' (${Object.keys(sacPresets).join(', ')})`);
  return { ...defaultDiaynConfig, ...base, ...overrides };
}

/**
 * The env seen by the skill-conditioned policy: observation [obs | one-hot z], z drawn uniformly on
 * every reset from the wrapper's Rng (seeded by the reset seed), or fixed with `fixSkill`.
 * info.skill carries z.
 */
export class SkillEnv implements Env<Action, Info> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Env['actionSpace'];
  skill = 0;
  private fixed: number | null = null;
  private rng = new Rng(0);
  private readonly innerSize: number;

  constructor(
    readonly inner: Env,
    readonly numSkills: number,
  ) {
    const o = inner.observationSpace;
    if (o.shape.length !== 1) throw new Error('DIAYN: the observation must be a flat vector');
    this.innerSize = o.shape[0];
    const widen = (b: number | Float32Array, fill: number) => {
      const out = new Float32Array(this.innerSize + numSkills).fill(fill);
      if (typeof b === 'number') out.fill(b, 0, this.innerSize);
      else out.set(b);
      return out;
    };
    this.observationSpace = {
      kind: 'box',
      shape: [this.innerSize + numSkills],
      low: widen(o.low, 0),
      high: widen(o.high, 1),
    };
    this.actionSpace = inner.actionSpace;
  }

  /** Evaluate one skill: every reset from now on uses z (null: draw again). */
  fixSkill(z: number | null): void {
    this.fixed = z;
  }

  private withSkill(obs: Float32Array): Float32Array {
    const out = new Float32Array(this.innerSize + this.numSkills);
    out.set(obs.subarray(0, this.innerSize));
    out[this.innerSize + this.skill] = 1;
    return out;
  }

  reset(opts: ResetOptions = {}): ResetResult<Info> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed).fork('diayn/skill');
    this.skill = this.fixed ?? this.rng.int(this.numSkills);
    const r = this.inner.reset(opts);
    return { obs: this.withSkill(r.obs), info: { ...r.info, skill: this.skill } };
  }

  step(action: Action): StepResult<Info> {
    const r = this.inner.step(action);
    return { ...r, obs: this.withSkill(r.obs), info: { ...r.info, skill: this.skill } };
  }
}

const STATS = ['losses/discriminator', 'charts/discriminator_accuracy', 'charts/skill_reward'];

export class DIAYN extends SAC {
  override readonly algo: string = 'diayn';
  declare readonly config: DiaynConfig;
  readonly discriminator: MLP;
  private readonly discOptimizer: tf.Optimizer;
  private readonly envObsDim: number;
  private acc: tf.Tensor1D | null = null;
  private count = 0;

  constructor(config: Partial<DiaynConfig>, makeEnv: (index: number) => Env) {
    const c = { ...defaultDiaynConfig, ...config };
    if (!Number.isInteger(c.numSkills) || c.numSkills < 2)
      throw new Error(`DIAYN config.numSkills must be an integer ≥ 2, got ${c.numSkills}`);
    for (const k of ['skillRewardWeight', 'externalRewardWeight'] as const)
      if (!(c[k] >= 0)) throw new Error(`DIAYN config.${k} must be ≥ 0, got ${c[k]}`);
    if (!(c.discriminatorLearningRate > 0))
      throw new Error(
        `DIAYN config.discriminatorLearningRate must be > 0, got ${c.discriminatorLearningRate}`,
      );
    super(c, (i) => new SkillEnv(makeEnv(i), c.numSkills));
    this.envObsDim = this.obsDim - c.numSkills;
    this.discriminator = new MLP({
      inputSize: this.envObsDim,
      hidden: c.discriminatorHidden,
      outputSize: c.numSkills,
      activation: 'relu',
      init: 'orthogonal',
      seed: new Rng(c.seed).fork('diayn/discriminator').nextUint32(),
      skipInputGrad: true,
    });
    this.discOptimizer = makeOptimizer({ name: 'adam', learningRate: c.discriminatorLearningRate });
  }

  /** log q(z|s') of each row's skill [B] and the accuracy of argmax q, for s' = next observations. */
  private logQ(nextObs: tf.Tensor2D, skills: tf.Tensor2D): { logQ: tf.Tensor1D; correct: tf.Tensor1D } {
    return tf.tidy(() => {
      const logits = this.discriminator.apply(nextObs);
      const logQ = tf.sum(tf.mul(tf.logSoftmax(logits), skills), 1) as tf.Tensor1D;
      const correct = tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(skills, 1)), 'float32') as tf.Tensor1D;
      return { logQ, correct };
    });
  }

  /** Skill reward with the current discriminator, then one cross-entropy step of it on the batch. */
  protected override batchRewards(batch: ReplaySample): tf.Tensor1D {
    const { numSkills: K, skillRewardWeight: beta, externalRewardWeight: wExt } = this.config;
    const B = batch.size;
    const full = tf.tensor2d(batch.nextObs, [B, this.obsDim]);
    const s2 = tf.slice(full, [0, 0], [B, this.envObsDim]) as tf.Tensor2D;
    const z = tf.slice(full, [0, this.envObsDim], [B, K]) as tf.Tensor2D;
    const { logQ, correct } = this.logQ(s2, z);
    const skillReward = tf.add(logQ, Math.log(K));
    const ce = this.discOptimizer.minimize(
      () => tf.neg(tf.mean(this.logQ(s2, z).logQ)) as tf.Scalar,
      true,
      this.discriminator.variables(),
    )!;
    const stats = tf.keep(tf.stack([ce, tf.mean(correct), tf.mean(skillReward)]) as tf.Tensor1D);
    if (this.acc) {
      const prev = this.acc;
      this.acc = tf.keep(tf.add(prev, stats) as tf.Tensor1D);
      tf.dispose([prev, stats]);
    } else this.acc = stats;
    this.count++;
    return tf.add(tf.mul(wExt, tf.tensor1d(batch.rewards)), tf.mul(beta, skillReward)) as tf.Tensor1D;
  }

  protected override extraMetrics(): Record<string, number> {
    if (!this.acc) return {};
    const v = this.acc.dataSync();
    const out: Record<string, number> = {};
    STATS.forEach((k, i) => (out[k] = v[i] / this.count));
    this.acc.dispose();
    this.acc = null;
    this.count = 0;
    return out;
  }

  /** The skill `predict` acts with when it gets env observations without one (evaluation). */
  evalSkill = 0;

  /** Observations with the skill one-hot pass through; plain env observations get `evalSkill`'s. */
  override predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array> {
    if (obs.length >= rows * this.obsDim) return super.predict(obs, rows, masks, deterministic);
    const d = this.envObsDim;
    const full = new Float32Array(rows * this.obsDim);
    for (let r = 0; r < rows; r++) {
      full.set(obs.subarray(r * d, (r + 1) * d), r * this.obsDim);
      full[r * this.obsDim + d + this.evalSkill] = 1;
    }
    return super.predict(full, rows, masks, deterministic);
  }

  /** The discriminator's most likely skill for each of `rows` env observations. */
  classify(obs: Float32Array, rows: number): Int32Array {
    const t = tf.tidy(() => tf.argMax(this.discriminator.apply(tf.tensor2d(obs, [rows, this.envObsDim])), 1));
    const out = Int32Array.from(t.dataSync());
    t.dispose();
    return out;
  }

  protected override checkpointParts(): { module: Module; optimizers: Record<string, tf.Optimizer> } {
    const base = super.checkpointParts();
    const disc = this.discriminator;
    const named = (): NamedVariable[] => [
      ...base.module.namedVariables(),
      ...disc.namedVariables().map((v) => ({ name: `discriminator/${v.name}`, variable: v.variable })),
    ];
    const module: Module = {
      namedVariables: named,
      variables: () => named().map((v) => v.variable),
      get paramCount() {
        return countParams(named().map((v) => v.variable));
      },
      dispose: () => undefined,
    };
    return { module, optimizers: { ...base.optimizers, discriminator: this.discOptimizer } };
  }

  override dispose(): void {
    this.acc?.dispose();
    this.acc = null;
    this.discriminator.dispose();
    this.discOptimizer.dispose();
    super.dispose();
  }
}
