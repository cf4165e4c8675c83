/**
 * Actor-critic networks for any of the lab's observation/action spaces, built from a JSON-safe config.
 *
 * Output conventions (what the distributions code interprets):
 * - Discrete(n):              logits [B, n]                      → categorical.
 * - MultiDiscrete(nvec):      logits [B, Σ nvec], head i's logits contiguous, in nvec order
 *                             → independent categoricals; log-prob and entropy summed over heads.
 *                             With a market encoder and nvec = [n, n, …] of length N (QTMRL's
 *                             BUY/SELL/HOLD per asset) the actor is factorized: one small head MLP,
 *                             shared across assets, applied to each z_i (seed 003 §4).
 * - Box(A):                   mean [B, A] and logStd [B, A] of a diagonal Gaussian over a pre-squash
 *                             variable u; `squash` says how the env action is made from a sample u:
 *                             'tanh'    a = low + (tanh(u)+1)/2·(high−low)   (squashed Gaussian, SAC-style;
 *                                       log-prob needs the tanh Jacobian: −Σ log(1−tanh(u)²+ε)),
 *                             'softmax' a = softmax(u)  — PortfolioEnv weights: a logistic-normal
 *                                       distribution on the simplex. We chose it over a Dirichlet
 *                                       because tfjs has no gamma sampler with reparameterisation and
 *                                       the Gaussian's log-prob/entropy/KL are exact and cheap; store
 *                                       u in the rollout and use the Gaussian log-prob of u (for
 *                                       PPO ratios the softmax Jacobian is a function of u only and
 *                                       cancels),
 *                             'none'    a = u (clip in the env).
 *                             Market encoder with A = N (or N + 1, the extra being cash): the mean is
 *                             factorized per asset like the discrete case (cash from the pooled vector).
 * - value [B] (rank 1).
 */
import * as tf from '@tensorflow/tfjs';
import type { Space } from '../../envs/types.ts';
import type { MarketObsLayout } from '../../features/types.ts';
import { Rng } from '../../rng.ts';
import type { ActivationName } from './dense.ts';
import {
  makeEncoder,
  TimeCnnEncoder,
  type CrossAssetKind,
  type Encoder,
  type EncoderKind,
} from './encoders.ts';
import type { ResidentMarket } from './resident.ts';
import { MLP } from './mlp.ts';
import {
  assertInput2D,
  countParams,
  getWeights,
  prefixed,
  setWeights,
  type Module,
  type NamedVariable,
} from './module.ts';

export type PolicyKind = 'categorical' | 'multi-categorical' | 'gaussian';
export type BoxSquash = 'tanh' | 'softmax' | 'none';

/** JSON-safe action space description (Box bounds are not needed by the network). */
export type ActionSpaceSpec =
  | { kind: 'discrete'; n: number }
  | { kind: 'multi-discrete'; nvec: number[] }
  | { kind: 'box'; shape: number[] };

export interface ActorCriticConfig {
  /** Observation shape (flat length = product); a BoxSpace works as is. */
  obsSpace: { shape: number[] };
  actionSpace: Space | ActionSpaceSpec;
  /** Default 'mlp'. 'timecnn' and 'transformer' need `layout`. */
  encoder?: EncoderKind;
  layout?: MarketObsLayout;
  /** mlp encoder: trunk widths. Default [64, 64] (CleanRL). */
  hidden?: number[];
  /** Hidden widths of the actor and critic heads on top of the encoder. Default [] for mlp, [dModel] for market encoders. */
  headHidden?: number[];
  /** Market encoders: width D. Default 64. */
  dModel?: number;
  /** Default 'tanh' for mlp, 'relu' for market encoders. */
  activation?: ActivationName;
  /** One encoder for actor and critic (true) or one each (false). Default false for mlp (CleanRL), true for market encoders. */
  shareEncoder?: boolean;
  /** TimeCNN / Transformer knobs (see encoders.ts). */
  crossAsset?: CrossAssetKind;
  crossHeads?: number;
  pooling?: 'mean' | 'last';
  kernelSize?: number;
  convLayers?: number;
  convImpl?: 'conv' | 'unfold';
  nHeads?: number;
  nLayers?: number;
  /** Init gain of the policy output layer; default 0.01 (CleanRL). */
  actorGain?: number;
  /** Init gain of the value output layer; default 1 (CleanRL). */
  criticGain?: number;
  /** Box: how env actions are made from the Gaussian sample. Default 'tanh'. */
  squash?: BoxSquash;
  /** Box: log-std as a free parameter per action dim (CleanRL) or a head output clamped to [−5, 2]. Default 'parameter'. */
  logStdMode?: 'parameter' | 'state';
  /** Box, 'parameter' mode: initial log-std. Default 0. */
  logStdInit?: number;
  seed: number;
  /** 'custom' (fast, default) or 'autodiff' (tf gradients; benchmarks only). */
  gradMode?: 'custom' | 'autodiff';
}

// Type aliases (not interfaces) so they are TensorContainers: `tf.tidy(() => ac.forward(obs))` type-checks.
export type PolicyOutput = {
  kind: PolicyKind;
  /** categorical / multi-categorical: [B, Σ nvec]. */
  logits?: tf.Tensor2D;
  /** gaussian: [B, A] mean and log-std of the pre-squash variable. */
  mean?: tf.Tensor2D;
  logStd?: tf.Tensor2D;
};

export type ActorCriticOutput = PolicyOutput & {
  /** V(s) [B]. */
  value: tf.Tensor1D;
};

export interface ActorCritic extends Module {
  readonly config: Readonly<ActorCriticConfig>;
  readonly obsSize: number;
  readonly policyKind: PolicyKind;
  /** Head sizes: [n] for Discrete, nvec for MultiDiscrete, null for Box. */
  readonly nvec: number[] | null;
  /** Number of logits (discrete) or action dims (Box). */
  readonly actionDim: number;
  readonly squash: BoxSquash;
  /** Whether the market actor is factorized per asset. */
  readonly factorized: boolean;
  /** Policy and value in one pass (shared encoder evaluated once). Call inside tf.tidy / variableGrads. */
  forward(obs: tf.Tensor2D): ActorCriticOutput;
  policy(obs: tf.Tensor2D): PolicyOutput;
  value(obs: tf.Tensor2D): tf.Tensor1D;
  /**
   * Whether the per-(asset, day) path below is available: a TimeCNN ('conv' implementation) shared
   * by actor and critic. The Transformer and MLP encoders only have the per-window path.
   */
  readonly dayPath: boolean;
  /** Time embeddings [B·N, D] of the windows ending on `ends` (dayPath only; see resident.ts). */
  embedDays(market: ResidentMarket, ends: Int32Array): tf.Tensor2D;
  /** forward() from time embeddings z [B·N, D] and the observations' portfolio parts extras [B, E] (dayPath only). */
  forwardEmbedded(z: tf.Tensor2D, extras: tf.Tensor2D): ActorCriticOutput;
  /** forward() of the states whose windows end on `ends`, equal to it on the same observations (dayPath only). */
  forwardDays(market: ResidentMarket, ends: Int32Array, extras: tf.Tensor2D): ActorCriticOutput;
  /** Variables the policy depends on (includes a shared encoder). */
  actorVariables(): tf.Variable[];
  /** Variables the value depends on (includes a shared encoder). */
  criticVariables(): tf.Variable[];
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
  /** One line per part with parameter counts. */
  summary(): string;
}

const LOG_STD_MIN = -5;
const LOG_STD_MAX = 2;

function toSpec(space: Space | ActionSpaceSpec): ActionSpaceSpec {
  switch (space.kind) {
    case 'discrete':
      return { kind: 'discrete', n: space.n };
    case 'multi-discrete':
      return { kind: 'multi-discrete', nvec: [...space.nvec] };
    case 'box':
      return { kind: 'box', shape: [...space.shape] };
    default:
      throw new Error(
        `makeActorCritic: unknown action space kind '${String((space as { kind: unknown }).kind)}'`,
      );
  }
}

/** A JSON-safe copy of the config (typed-array Box bounds dropped) for checkpoints and run records. */
export function serializableConfig(c: ActorCriticConfig): ActorCriticConfig {
  return JSON.parse(
    JSON.stringify({ ...c, obsSpace: { shape: [...c.obsSpace.shape] }, actionSpace: toSpec(c.actionSpace) }),
  ) as ActorCriticConfig;
}

class ActorCriticNet implements ActorCritic {
  readonly config: Readonly<ActorCriticConfig>;
  readonly obsSize: number;
  readonly policyKind: PolicyKind;
  readonly nvec: number[] | null;
  readonly actionDim: number;
  readonly squash: BoxSquash;
  readonly factorized: boolean;
  private readonly actorEnc: Encoder;
  private readonly criticEnc: Encoder | null;
  private readonly actorHead: MLP;
  private readonly cashHead: MLP | null = null;
  private readonly criticHead: MLP;
  private readonly logStdParam: tf.Variable<tf.Rank.R1> | null = null;
  private readonly perAssetOut: number;
  private readonly stateLogStd: boolean;

  constructor(config: ActorCriticConfig) {
    this.config = serializableConfig(config);
    const c = this.config;
    if (!c.obsSpace || !Array.isArray(c.obsSpace.shape))
      throw new Error('makeActorCritic: obsSpace.shape is required');
    this.obsSize = c.obsSpace.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(this.obsSize) || this.obsSize < 1)
      throw new Error(`makeActorCritic: bad observation shape [${c.obsSpace.shape.join(', ')}]`);
    if (!Number.isFinite(c.seed))
      throw new Error(`makeActorCritic: seed must be a finite number, got ${String(c.seed)}`);
    const kind = c.encoder ?? 'mlp';
    const market = kind !== 'mlp';
    const rng = new Rng(c.seed);
    const dModel = c.dModel ?? 64;
    const activation = c.activation ?? (market ? 'relu' : 'tanh');
    const share = c.shareEncoder ?? market;
    const encoderConfig = {
      kind,
      obsSize: this.obsSize,
      layout: c.layout,
      hidden: c.hidden,
      dModel,
      activation,
      crossAsset: c.crossAsset,
      crossHeads: c.crossHeads,
      pooling: c.pooling,
      kernelSize: c.kernelSize,
      convLayers: c.convLayers,
      convImpl: c.convImpl,
      nHeads: c.nHeads,
      nLayers: c.nLayers,
      gradMode: c.gradMode,
    };
    this.actorEnc = makeEncoder({ ...encoderConfig, seed: rng.nextUint32() });
    const criticSeed = rng.nextUint32();
    this.criticEnc = share ? null : makeEncoder({ ...encoderConfig, seed: criticSeed });
    const headHidden = c.headHidden ?? (market ? [dModel] : []);
    const N = this.actorEnc.nAssets ?? 0;
    const spec = toSpec(c.actionSpace);
    this.squash = c.squash ?? 'tanh';
    if (!['tanh', 'softmax', 'none'].includes(this.squash))
      throw new Error(`makeActorCritic: squash must be tanh, softmax or none, got '${this.squash}'`);
    this.stateLogStd = (c.logStdMode ?? 'parameter') === 'state';

    let headIn: number;
    let headOut: number;
    let cashOut = 0;
    if (spec.kind === 'discrete') {
      if (!Number.isInteger(spec.n) || spec.n < 2)
        throw new Error(`makeActorCritic: Discrete n must be an integer ≥ 2, got ${spec.n}`);
      this.policyKind = 'categorical';
      this.nvec = [spec.n];
      this.actionDim = spec.n;
      this.factorized = false;
      headIn = this.actorEnc.pooledSize;
      headOut = spec.n;
    } else if (spec.kind === 'multi-discrete') {
      if (spec.nvec.length === 0 || spec.nvec.some((n) => !Number.isInteger(n) || n < 2)) {
        throw new Error(
          `makeActorCritic: MultiDiscrete nvec must be integers ≥ 2, got [${spec.nvec.join(', ')}]`,
        );
      }
      this.policyKind = 'multi-categorical';
      this.nvec = [...spec.nvec];
      this.actionDim = spec.nvec.reduce((a, b) => a + b, 0);
      this.factorized = market && spec.nvec.length === N && spec.nvec.every((n) => n === spec.nvec[0]);
      headIn = this.factorized ? this.actorEnc.perAssetSize! : this.actorEnc.pooledSize;
      headOut = this.factorized ? spec.nvec[0] : this.actionDim;
    } else {
      if (spec.shape.length !== 1 || !Number.isInteger(spec.shape[0]) || spec.shape[0] < 1) {
        throw new Error(
          `makeActorCritic: Box action spaces must be 1-D, got shape [${spec.shape.join(', ')}]`,
        );
      }
      const A = spec.shape[0];
      this.policyKind = 'gaussian';
      this.nvec = null;
      this.actionDim = A;
      this.factorized = market && (A === N || A === N + 1);
      const perDim = this.stateLogStd ? 2 : 1;
      if (this.factorized) {
        headIn = this.actorEnc.perAssetSize!;
        headOut = perDim;
        cashOut = A === N + 1 ? perDim : 0;
      } else {
        headIn = this.actorEnc.pooledSize;
        headOut = A * perDim;
      }
      if (!this.stateLogStd)
        this.logStdParam = tf.tidy(() => tf.variable(tf.fill([A], c.logStdInit ?? 0) as tf.Tensor1D, true));
    }
    this.perAssetOut = headOut;
    const headCommon = { hidden: headHidden, activation, gradMode: c.gradMode };
    this.actorHead = new MLP({
      ...headCommon,
      inputSize: headIn,
      outputSize: headOut,
      outputGain: c.actorGain ?? 0.01,
      seed: rng.nextUint32(),
    });
    const cashSeed = rng.nextUint32();
    if (cashOut > 0) {
      this.cashHead = new MLP({
        ...headCommon,
        inputSize: this.actorEnc.pooledSize,
        outputSize: cashOut,
        outputGain: c.actorGain ?? 0.01,
        seed: cashSeed,
      });
    }
    const criticEncoder = this.criticEnc ?? this.actorEnc;
    this.criticHead = new MLP({
      ...headCommon,
      inputSize: criticEncoder.pooledSize,
      outputSize: 1,
      outputGain: c.criticGain ?? 1,
      seed: rng.nextUint32(),
    });
  }

  private policyFrom(enc: { pooled: tf.Tensor2D; perAsset?: tf.Tensor3D }): PolicyOutput {
    const B = enc.pooled.shape[0];
    if (this.factorized) {
      const pa = enc.perAsset!;
      const [, N, D] = pa.shape;
      // [B·N, out] → [B, N, out]
      const perAsset = tf.reshape(this.actorHead.apply(tf.reshape(pa, [B * N, D]) as tf.Tensor2D), [
        B,
        N,
        this.perAssetOut,
      ]);
      if (this.policyKind !== 'gaussian')
        return {
          kind: this.policyKind,
          logits: tf.reshape(perAsset, [B, N * this.perAssetOut]) as tf.Tensor2D,
        };
      // Gaussian: per-asset [mean(, logStd)] columns → [B, N] each, cash appended.
      const per = this.stateLogStd ? 2 : 1;
      const cash = this.cashHead ? tf.reshape(this.cashHead.apply(enc.pooled), [B, 1, per]) : null;
      const all = cash ? tf.concat([perAsset, cash], 1) : perAsset; // [B, A, per]
      const A = this.actionDim;
      const mean = tf.reshape(tf.slice(all, [0, 0, 0], [B, A, 1]), [B, A]) as tf.Tensor2D;
      const logStd = this.stateLogStd
        ? (tf.reshape(tf.slice(all, [0, 0, 1], [B, A, 1]), [B, A]) as tf.Tensor2D)
        : null;
      return this.gaussian(mean, logStd);
    }
    const raw = this.actorHead.apply(enc.pooled);
    if (this.policyKind !== 'gaussian') return { kind: this.policyKind, logits: raw };
    const A = this.actionDim;
    if (this.stateLogStd) {
      const [mean, logStd] = tf.split(raw, [A, A], 1) as tf.Tensor2D[];
      return this.gaussian(mean, logStd);
    }
    return this.gaussian(raw, null);
  }

  private gaussian(mean: tf.Tensor2D, rawLogStd: tf.Tensor2D | null): PolicyOutput {
    const B = mean.shape[0];
    let logStd: tf.Tensor2D;
    if (rawLogStd) {
      // Smoothly bounded to [LOG_STD_MIN, LOG_STD_MAX] (as CleanRL's SAC) so a bad step cannot blow up σ.
      logStd = tf.add(
        LOG_STD_MIN,
        tf.mul(0.5 * (LOG_STD_MAX - LOG_STD_MIN), tf.add(tf.tanh(rawLogStd), 1)),
      ) as tf.Tensor2D;
    } else {
      // Broadcast add, not tf.tile: wasm's Tile kernel is ~100× slower than a copy.
      logStd = tf.add(tf.zeros([B, this.actionDim]), this.logStdParam!) as tf.Tensor2D;
    }
    return { kind: 'gaussian', mean, logStd };
  }

  forward(obs: tf.Tensor2D): ActorCriticOutput {
    assertInput2D('ActorCritic.forward', obs, this.obsSize);
    return tf.tidy(() => {
      const a = this.actorEnc.encode(obs);
      const pol = this.policyFrom(a);
      const pooled = this.criticEnc ? this.criticEnc.encode(obs).pooled : a.pooled;
      const value = tf.reshape(this.criticHead.apply(pooled), [-1]) as tf.Tensor1D;
      return { ...pol, value };
    });
  }

  get dayPath(): boolean {
    return this.actorEnc instanceof TimeCnnEncoder && this.actorEnc.convImpl === 'conv' && !this.criticEnc;
  }

  private dayEncoder(who: string): TimeCnnEncoder {
    if (!this.dayPath || !(this.actorEnc instanceof TimeCnnEncoder))
      throw new Error(
        `ActorCritic.${who}: the per-(asset, day) path needs a shared TimeCNN encoder with convImpl 'conv'`,
      );
    return this.actorEnc;
  }

  embedDays(market: ResidentMarket, ends: Int32Array): tf.Tensor2D {
    return this.dayEncoder('embedDays').embedDays(market, ends);
  }

  forwardEmbedded(z: tf.Tensor2D, extras: tf.Tensor2D): ActorCriticOutput {
    const enc = this.dayEncoder('forwardEmbedded');
    return tf.tidy(() => {
      const a = enc.encodeEmbedded(z, extras);
      const value = tf.reshape(this.criticHead.apply(a.pooled), [-1]) as tf.Tensor1D;
      return { ...this.policyFrom(a), value };
    });
  }

  forwardDays(market: ResidentMarket, ends: Int32Array, extras: tf.Tensor2D): ActorCriticOutput {
    const enc = this.dayEncoder('forwardDays');
    return tf.tidy(() => this.forwardEmbedded(enc.embedDays(market, ends), extras));
  }

  policy(obs: tf.Tensor2D): PolicyOutput {
    assertInput2D('ActorCritic.policy', obs, this.obsSize);
    return tf.tidy(() => this.policyFrom(this.actorEnc.encode(obs)));
  }

  value(obs: tf.Tensor2D): tf.Tensor1D {
    assertInput2D('ActorCritic.value', obs, this.obsSize);
    return tf.tidy(
      () =>
        tf.reshape(
          this.criticHead.apply((this.criticEnc ?? this.actorEnc).encode(obs).pooled),
          [-1],
        ) as tf.Tensor1D,
    );
  }

  private parts(): [string, Module][] {
    const parts: [string, Module][] = [
      [this.criticEnc ? 'actor_encoder' : 'encoder', this.actorEnc],
      ['actor_head', this.actorHead],
    ];
    if (this.cashHead) parts.push(['actor_cash_head', this.cashHead]);
    if (this.logStdParam) {
      const v = this.logStdParam;
      parts.push([
        'actor_logstd',
        {
          variables: () => [v],
          namedVariables: () => [{ name: 'value', variable: v }],
          paramCount: v.size,
          dispose: () => v.dispose(),
        },
      ]);
    }
    if (this.criticEnc) parts.push(['critic_encoder', this.criticEnc]);
    parts.push(['critic_head', this.criticHead]);
    return parts;
  }

  actorVariables(): tf.Variable[] {
    const vars = [...this.actorEnc.variables(), ...this.actorHead.variables()];
    if (this.cashHead) vars.push(...this.cashHead.variables());
    if (this.logStdParam) vars.push(this.logStdParam);
    return vars;
  }

  criticVariables(): tf.Variable[] {
    return [...(this.criticEnc ?? this.actorEnc).variables(), ...this.criticHead.variables()];
  }

  variables(): tf.Variable[] {
    return this.parts().flatMap(([, m]) => m.variables());
  }
  namedVariables(): NamedVariable[] {
    return this.parts().flatMap(([n, m]) => prefixed(n, m.namedVariables()));
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  getWeights(): Float32Array[] {
    return getWeights(this);
  }
  setWeights(weights: readonly Float32Array[]): void {
    setWeights(this, weights);
  }
  summary(): string {
    const lines = this.parts().map(([n, m]) => `${n}: ${m.paramCount.toLocaleString('en-US')} params`);
    const c = this.config;
    const kind = c.encoder ?? 'mlp';
    lines.unshift(
      `ActorCritic(${kind}${this.factorized ? ', factorized actor' : ''}, ${this.policyKind}${this.policyKind === 'gaussian' ? `/${this.squash}` : ''}, obs ${this.obsSize}, action ${this.actionDim}): ${this.paramCount.toLocaleString('en-US')} params`,
    );
    return lines.join('\n');
  }
  dispose(): void {
    for (const [, m] of this.parts()) m.dispose();
  }
}

/** Builds the actor-critic the config describes; throws a clear error for inconsistent configs. */
export function makeActorCritic(config: ActorCriticConfig): ActorCritic {
  return new ActorCriticNet(config);
}
