/**
 * Observation encoders. Every encoder maps a batch of flat observations [B, obsSize] to
 *   pooled   [B, pooledSize]            — one vector per state (critic, non-factorized heads), and for
 *   perAsset [B, N, perAssetSize]       — market encoders only: one vector per asset (factorized heads).
 *
 * Market observations follow MarketObsLayout (src/core/features/types.ts): the window block
 * X[t-W+1..t, asset, feature] time-major, then N·perAssetExtras values (asset-major: asset i's extras
 * are contiguous), then globalExtras values (cash weight, …).
 *
 * TimeCNN (seed 003 §4): Conv1d along time, weights shared across assets, with a hand-written
 * gradient made of forward convolutions (conv.ts: conv backprop is missing or naive on wasm; this beats
 * the unfold — k shifted slices concatenated on the feature axis — + dense formulation, kept in
 * unfoldTime() as a reference), then pooled over time to z_i ∈ R^D; position and global extras are
 * appended to each z_i and mixed by a dense; then one cross-asset layer (self-attention or a
 * DeepSets-style MLP over [z_i, mean_j z_j]).
 * With a resident market (resident.ts) the TimeCNN also runs once per (asset, day) instead of once
 * per window: embedDays/encodeDays, same outputs and gradients, ~10× less conv arithmetic.
 * Transformer: per-asset temporal self-attention (input projection + learned positions + pre-LN
 * blocks), pooled over time, then the same merge and cross-asset stage. It keeps the per-window
 * path: attention mixes every day of a window with every other, so it does not decompose per day.
 */
import * as tf from '@tensorflow/tfjs';
import type { MarketObsLayout } from '../../features/types.ts';
import { Rng } from '../../rng.ts';
import { SelfAttention, TransformerBlock } from './attention.ts';
import { TemporalConv, timeLast, timeMeanPool } from './conv.ts';
import { planWindows, poolWindows, type ResidentMarket } from './resident.ts';
import { Dense, dense, type ActivationName } from './dense.ts';
import { MLP } from './mlp.ts';
import {
  assertInput2D,
  assertPositiveInt,
  countParams,
  prefixed,
  type Module,
  type NamedVariable,
} from './module.ts';

// A type alias (not an interface) so it is a TensorContainer: `tf.tidy(() => enc.encode(obs))` type-checks.
export type Encoded = {
  pooled: tf.Tensor2D;
  perAsset?: tf.Tensor3D;
};

export interface Encoder extends Module {
  readonly kind: 'mlp' | 'timecnn' | 'transformer';
  readonly obsSize: number;
  readonly pooledSize: number;
  /** Set for market encoders. */
  readonly perAssetSize?: number;
  readonly nAssets?: number;
  encode(obs: tf.Tensor2D): Encoded;
}

/** Flat length the layout implies. */
export function layoutSize(l: MarketObsLayout): number {
  return l.window * l.nAssets * l.nFeatures + l.nAssets * l.perAssetExtras + l.globalExtras;
}

export function checkLayout(l: MarketObsLayout | undefined, obsSize: number, who: string): MarketObsLayout {
  if (!l) throw new Error(`${who}: a market encoder needs the observation layout (layout: MarketObsLayout)`);
  assertPositiveInt(`${who} layout.window`, l.window);
  assertPositiveInt(`${who} layout.nAssets`, l.nAssets);
  assertPositiveInt(`${who} layout.nFeatures`, l.nFeatures);
  for (const k of ['perAssetExtras', 'globalExtras'] as const) {
    if (!Number.isInteger(l[k]) || l[k] < 0)
      throw new Error(`${who}: layout.${k} must be a non-negative integer, got ${l[k]}`);
  }
  const size = layoutSize(l);
  if (size !== obsSize) {
    throw new Error(
      `${who}: layout W=${l.window} × N=${l.nAssets} × F=${l.nFeatures} + N×${l.perAssetExtras} + ${l.globalExtras} = ${size} values, but the observation has ${obsSize}`,
    );
  }
  return l;
}

/**
 * Unfold along time: x [M, T, C] → [M, T-k+1, k·C], row t holding x[t..t+k-1] concatenated on the
 * feature axis (slice j at columns j·C..). Multiplying by a filter [k, C, D] reshaped to [k·C, D]
 * is exactly tf.conv1d(x, filter, 1, 'valid').
 */
export function unfoldTime(x: tf.Tensor3D, k: number): tf.Tensor3D {
  const [M, T, C] = x.shape;
  if (k < 1 || k > T) throw new Error(`unfoldTime: kernel size ${k} must be in [1, ${T}] (sequence length)`);
  if (k === 1) return x;
  const Tout = T - k + 1;
  return tf.tidy(
    () =>
      tf.concat(
        Array.from({ length: k }, (_, j) => tf.slice(x, [0, j, 0], [M, Tout, C])),
        2,
      ) as tf.Tensor3D,
  );
}

/** The window block as batch-major sequences [B·N, W, F] (row b·N + n is asset n of state b). Call inside tf.tidy. */
export function marketWindow(obs: tf.Tensor2D, l: MarketObsLayout): tf.Tensor3D {
  const B = obs.shape[0];
  const { window: W, nAssets: N, nFeatures: F } = l;
  const win = tf.slice(obs, [0, 0], [B, W * N * F]);
  // [B, W, N, F] → [B, N, W, F] → [B·N, W, F]
  return tf.reshape(tf.transpose(tf.reshape(win, [B, W, N, F]), [0, 2, 1, 3]), [B * N, W, F]) as tf.Tensor3D;
}

/** Per-asset extras [B, N, P] and globals [B, G] of a market obs batch (null when absent). Call inside tf.tidy. */
export function splitMarketExtras(
  obs: tf.Tensor2D,
  l: MarketObsLayout,
): { perAsset: tf.Tensor3D | null; global: tf.Tensor2D | null } {
  const B = obs.shape[0];
  const { window: W, nAssets: N, nFeatures: F, perAssetExtras: P, globalExtras: G } = l;
  const winLen = W * N * F;
  const perAsset =
    P > 0 ? (tf.reshape(tf.slice(obs, [0, winLen], [B, N * P]), [B, N, P]) as tf.Tensor3D) : null;
  const global = G > 0 ? (tf.slice(obs, [0, winLen + N * P], [B, G]) as tf.Tensor2D) : null;
  return { perAsset, global };
}

/** Splits a market obs batch into window [B·N, W, F] (asset-major), per-asset extras [B, N, P] and globals [B, G]. Call inside tf.tidy. */
export function splitMarketObs(
  obs: tf.Tensor2D,
  l: MarketObsLayout,
): { window: tf.Tensor3D; perAsset: tf.Tensor3D | null; global: tf.Tensor2D | null } {
  const B = obs.shape[0];
  const { window: W, nAssets: N, nFeatures: F, perAssetExtras: P, globalExtras: G } = l;
  {
    const winLen = W * N * F;
    const win = tf.slice(obs, [0, 0], [B, winLen]);
    // [B, W, N, F] → [B, N, W, F] → [B·N, W, F]
    const window = tf.reshape(tf.transpose(tf.reshape(win, [B, W, N, F]), [0, 2, 1, 3]), [
      B * N,
      W,
      F,
    ]) as tf.Tensor3D;
    const perAsset =
      P > 0 ? (tf.reshape(tf.slice(obs, [0, winLen], [B, N * P]), [B, N, P]) as tf.Tensor3D) : null;
    const global = G > 0 ? (tf.slice(obs, [0, winLen + N * P], [B, G]) as tf.Tensor2D) : null;
    return { window, perAsset, global };
  }
}

/** [B, 1, C] → [B, n, C] by concatenation: wasm's Tile kernel is ~100× slower than a copy (measured). */
function repeatAxis1(x: tf.Tensor3D, n: number): tf.Tensor3D {
  return n === 1
    ? x
    : tf.concat(
        Array.from({ length: n }, () => x),
        1,
      );
}

export type CrossAssetKind = 'attention' | 'mlp' | 'none';

export interface MarketEncoderConfig {
  obsSize: number;
  layout: MarketObsLayout;
  /** Width D of z_i and of every hidden layer. Default 64. */
  dModel?: number;
  /** Default 'relu'. */
  activation?: ActivationName;
  /** Cross-asset layer after the merge. Default 'attention'. */
  crossAsset?: CrossAssetKind;
  /** Heads of the cross-asset attention. Default 1. */
  crossHeads?: number;
  /** Time pooling: mean over time or the last step. Default 'mean'. */
  pooling?: 'mean' | 'last';
  seed: number;
  gradMode?: 'custom' | 'autodiff';
}

export interface TimeCnnConfig extends MarketEncoderConfig {
  /** Temporal kernel size. Default 3. */
  kernelSize?: number;
  /** Number of conv layers (each 'valid', shrinking time by k-1). Default 2. */
  convLayers?: number;
  /**
   * 'conv' (default, fastest: conv.ts) or 'unfold' (k shifted slices concatenated + dense, the
   * textbook formulation; same parameters and numbers, kept for benchmarks and as a cross-check).
   * gradMode 'autodiff' implies 'unfold' with tf's own gradients.
   */
  convImpl?: 'conv' | 'unfold';
}

export interface TransformerEncoderConfig extends MarketEncoderConfig {
  /** Heads of the temporal attention. Default 2. */
  nHeads?: number;
  /** Temporal transformer blocks. Default 1. */
  nLayers?: number;
}

/** Shared tail of the market encoders: merge extras into z_i, cross-asset layer, pooling. */
abstract class MarketEncoderBase implements Encoder {
  abstract readonly kind: 'timecnn' | 'transformer';
  readonly obsSize: number;
  readonly layout: MarketObsLayout;
  readonly dModel: number;
  readonly nAssets: number;
  readonly pooledSize: number;
  readonly perAssetSize: number;
  protected readonly merge: Dense;
  protected readonly crossKind: CrossAssetKind;
  protected readonly crossAttn: SelfAttention | null = null;
  protected readonly crossMlp: Dense | null = null;
  protected readonly pooling: 'mean' | 'last';
  protected readonly rng: Rng;

  constructor(config: MarketEncoderConfig, who: string) {
    this.obsSize = config.obsSize;
    this.layout = checkLayout(config.layout, config.obsSize, who);
    this.dModel = config.dModel ?? 64;
    assertPositiveInt(`${who} dModel`, this.dModel);
    this.nAssets = this.layout.nAssets;
    this.crossKind = config.crossAsset ?? 'attention';
    if (!['attention', 'mlp', 'none'].includes(this.crossKind))
      throw new Error(`${who}: crossAsset must be attention, mlp or none, got '${this.crossKind}'`);
    this.pooling = config.pooling ?? 'mean';
    this.rng = new Rng(config.seed);
    const D = this.dModel;
    const { perAssetExtras: P, globalExtras: G } = this.layout;
    const act = config.activation ?? 'relu';
    // Seeds are drawn in a fixed order here, before subclasses draw theirs.
    this.merge = new Dense({
      inputSize: D + P + G,
      outputSize: D,
      activation: act,
      seed: this.rng.nextUint32(),
      gradMode: config.gradMode,
    });
    if (this.crossKind === 'attention') {
      this.crossAttn = new SelfAttention({
        dModel: D,
        nHeads: config.crossHeads ?? 1,
        seed: this.rng.nextUint32(),
        gradMode: config.gradMode,
      });
    } else if (this.crossKind === 'mlp') {
      this.crossMlp = new Dense({
        inputSize: 2 * D,
        outputSize: D,
        activation: act,
        seed: this.rng.nextUint32(),
        gradMode: config.gradMode,
      });
    }
    this.perAssetSize = D;
    this.pooledSize = D + G;
  }

  /** obs [B, obsSize] → z [B·N, D] (row b·N + n) from the window block. */
  protected abstract encodeTime(obs: tf.Tensor2D): tf.Tensor2D;
  protected abstract timeModules(): [string, Module][];

  protected poolTime(h: tf.Tensor3D): tf.Tensor2D {
    const [M, T, D] = h.shape;
    return this.pooling === 'mean'
      ? tf.mean(h, 1)
      : (tf.reshape(tf.slice(h, [0, T - 1, 0], [M, 1, D]), [M, D]) as tf.Tensor2D);
  }

  encode(obs: tf.Tensor2D): Encoded {
    assertInput2D(`${this.kind} encoder`, obs, this.obsSize);
    return tf.tidy(() => {
      const { perAsset, global } = splitMarketExtras(obs, this.layout);
      return this.tail(this.encodeTime(obs), perAsset, global, obs.shape[0]);
    });
  }

  /** Width of the portfolio part of an observation: N·perAssetExtras + globalExtras. */
  get extrasSize(): number {
    return this.nAssets * this.layout.perAssetExtras + this.layout.globalExtras;
  }

  /**
   * The encoder from time embeddings z [B·N, D] (row b·N + n, what encodeTime gives) and the
   * portfolio part extras [B, extrasSize]: the resident-market paths (resident.ts) enter here.
   */
  encodeEmbedded(z: tf.Tensor2D, extras: tf.Tensor2D): Encoded {
    const B = extras.shape[0];
    const E = this.extrasSize;
    if (extras.shape[1] !== E || z.shape[0] !== B * this.nAssets || z.shape[1] !== this.dModel)
      throw new Error(
        `${this.kind} encoder: embeddings [${z.shape.join(', ')}] and extras [${extras.shape.join(', ')}] do not fit B·${this.nAssets} × ${this.dModel} and B × ${E}`,
      );
    return tf.tidy(() => {
      const { perAssetExtras: P, globalExtras: G } = this.layout;
      const N = this.nAssets;
      const perAsset =
        P > 0 ? (tf.reshape(tf.slice(extras, [0, 0], [B, N * P]), [B, N, P]) as tf.Tensor3D) : null;
      const global = G > 0 ? (tf.slice(extras, [0, N * P], [B, G]) as tf.Tensor2D) : null;
      return this.tail(z, perAsset, global, B);
    });
  }

  /** Merge the extras into z_i, the cross-asset layer, pooling over assets. */
  private tail(
    zFlat: tf.Tensor2D,
    perAsset: tf.Tensor3D | null,
    global: tf.Tensor2D | null,
    B: number,
  ): Encoded {
    const N = this.nAssets;
    const D = this.dModel;
    const z = tf.reshape(zFlat, [B, N, D]) as tf.Tensor3D;
    const parts: tf.Tensor3D[] = [z];
    if (perAsset) parts.push(perAsset);
    if (global) parts.push(repeatAxis1(tf.reshape(global, [B, 1, -1]) as tf.Tensor3D, N));
    const cat = parts.length > 1 ? tf.concat(parts, 2) : z;
    let h = tf.reshape(this.merge.apply(tf.reshape(cat, [B * N, -1]) as tf.Tensor2D), [
      B,
      N,
      D,
    ]) as tf.Tensor3D;
    if (this.crossAttn) {
      h = tf.add(h, this.crossAttn.apply(h)) as tf.Tensor3D;
    } else if (this.crossMlp) {
      const ctx = repeatAxis1(tf.mean(h, 1, true) as tf.Tensor3D, N);
      const mixed = this.crossMlp.apply(tf.reshape(tf.concat([h, ctx], 2), [B * N, 2 * D]) as tf.Tensor2D);
      h = tf.add(h, tf.reshape(mixed, [B, N, D])) as tf.Tensor3D;
    }
    const pooledAssets = tf.mean(h, 1) as tf.Tensor2D;
    const pooled = global ? (tf.concat([pooledAssets, global], 1) as tf.Tensor2D) : pooledAssets;
    return { pooled, perAsset: h };
  }

  private modules(): [string, Module][] {
    const mods: [string, Module][] = [...this.timeModules(), ['merge', this.merge]];
    if (this.crossAttn) mods.push(['cross', this.crossAttn]);
    if (this.crossMlp) mods.push(['cross', this.crossMlp]);
    return mods;
  }
  variables(): tf.Variable[] {
    return this.modules().flatMap(([, m]) => m.variables());
  }
  namedVariables(): NamedVariable[] {
    return this.modules().flatMap(([n, m]) => prefixed(n, m.namedVariables()));
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    for (const [, m] of this.modules()) m.dispose();
  }
}

export class TimeCnnEncoder extends MarketEncoderBase {
  readonly kind = 'timecnn' as const;
  readonly kernelSize: number;
  readonly convs: TemporalConv[] = [];
  readonly convImpl: 'conv' | 'unfold';
  private readonly gradMode: 'custom' | 'autodiff';

  constructor(config: TimeCnnConfig) {
    super(config, 'TimeCNN');
    this.gradMode = config.gradMode ?? 'custom';
    this.convImpl = this.gradMode === 'autodiff' ? 'unfold' : (config.convImpl ?? 'conv');
    if (!['conv', 'unfold'].includes(this.convImpl))
      throw new Error(`TimeCNN: convImpl must be conv or unfold, got '${this.convImpl}'`);
    this.kernelSize = config.kernelSize ?? 3;
    const nConv = config.convLayers ?? 2;
    assertPositiveInt('TimeCNN kernelSize', this.kernelSize);
    assertPositiveInt('TimeCNN convLayers', nConv);
    const W = this.layout.window;
    const Tout = W - nConv * (this.kernelSize - 1);
    if (Tout < 1) {
      throw new Error(
        `TimeCNN: ${nConv} conv layers of kernel ${this.kernelSize} need a window of at least ${nConv * (this.kernelSize - 1) + 1}, got W=${W}`,
      );
    }
    let inC = this.layout.nFeatures;
    for (let i = 0; i < nConv; i++) {
      this.convs.push(
        new TemporalConv({
          inChannels: inC,
          outChannels: this.dModel,
          kernelSize: this.kernelSize,
          activation: config.activation ?? 'relu',
          seed: this.rng.nextUint32(),
          // The first conv reads the observation: no gradient needed there.
          skipInputGrad: i === 0,
        }),
      );
      inC = this.dModel;
    }
  }

  protected encodeTime(obs: tf.Tensor2D): tf.Tensor2D {
    if (this.convImpl === 'unfold') return this.encodeTimeUnfold(obs);
    // (wasm's Slice copies its whole input each call, so only the block needed is sliced.)
    let h = marketWindow(obs, this.layout);
    for (const conv of this.convs) h = conv.apply(h);
    return this.pooling === 'mean' ? timeMeanPool(h) : timeLast(h);
  }

  /** Days of time the conv stack removes: L·(k − 1). */
  get shrink(): number {
    return this.convs.length * (this.kernelSize - 1);
  }

  /**
   * Time embeddings [B·N, D] (row b·N + n) of the windows ending on days `ends`, computed once per
   * (asset, day) on the resident market (resident.ts): equal to encodeTime on the same windows, with
   * exact gradients. Only the 'conv' implementation has this path.
   */
  embedDays(market: ResidentMarket, ends: Int32Array): tf.Tensor2D {
    const { window: W, nAssets: N, nFeatures: F } = this.layout;
    if (market.nAssets !== N || market.nFeatures !== F)
      throw new Error(
        `TimeCNN.embedDays: the market has ${market.nAssets} assets × ${market.nFeatures} features, the encoder ${N} × ${F}`,
      );
    for (const e of ends) {
      if (!(e >= W - 1 && e < market.nRows))
        throw new Error(
          `TimeCNN.embedDays: a ${W}-day window cannot end on day ${e} (market rows 0..${market.nRows - 1})`,
        );
    }
    const plan = planWindows(ends, W, this.shrink, this.pooling);
    return tf.tidy(() => {
      let h = market.gatherDays(plan.days); // [N, P, F]
      for (const conv of this.convs) h = conv.apply(h); // [N, P', D]
      const D = this.dModel;
      const byPosition = tf.reshape(tf.transpose(h, [1, 0, 2]), [plan.positions, N * D]) as tf.Tensor2D;
      return tf.reshape(poolWindows(byPosition, plan), [ends.length * N, D]) as tf.Tensor2D;
    });
  }

  /** encode() of the states whose windows end on `ends`, with portfolio parts `extras` [B, extrasSize]. */
  encodeDays(market: ResidentMarket, ends: Int32Array, extras: tf.Tensor2D): Encoded {
    return tf.tidy(() => this.encodeEmbedded(this.embedDays(market, ends), extras));
  }

  /** The unfold formulation on batch-major sequences [B·N, W, F], same parameters. */
  private encodeTimeUnfold(obs: tf.Tensor2D): tf.Tensor2D {
    let h = marketWindow(obs, this.layout);
    this.convs.forEach((conv, i) => {
      const u = unfoldTime(h, this.kernelSize); // [M, T', k·C]
      const [M, T, KC] = u.shape;
      const D = conv.config.outChannels;
      const y = dense(
        tf.reshape(u, [M * T, KC]) as tf.Tensor2D,
        tf.reshape(conv.filter, [KC, D]) as tf.Tensor2D,
        conv.bias,
        {
          activation: conv.config.activation,
          skipInputGrad: i === 0,
          gradMode: this.gradMode,
        },
      );
      h = tf.reshape(y, [M, T, D]) as tf.Tensor3D;
    });
    return this.poolTime(h);
  }

  protected timeModules(): [string, Module][] {
    return this.convs.map((c, i) => [`conv${i}`, c]);
  }
}

export class TransformerEncoder extends MarketEncoderBase {
  readonly kind = 'transformer' as const;
  readonly inputProj: Dense;
  readonly positions: tf.Variable<tf.Rank.R2>;
  readonly blocks: TransformerBlock[] = [];

  constructor(config: TransformerEncoderConfig) {
    super(config, 'Transformer');
    const nHeads = config.nHeads ?? 2;
    const nLayers = config.nLayers ?? 1;
    assertPositiveInt('Transformer nHeads', nHeads);
    assertPositiveInt('Transformer nLayers', nLayers);
    if (this.dModel % nHeads !== 0)
      throw new Error(`Transformer: nHeads (${nHeads}) must divide dModel (${this.dModel})`);
    this.inputProj = new Dense({
      inputSize: this.layout.nFeatures,
      outputSize: this.dModel,
      gain: 1,
      seed: this.rng.nextUint32(),
      skipInputGrad: true,
      gradMode: config.gradMode,
    });
    // Learned positional embedding, small normal init (0.02, as GPT-2), from the seeded Rng.
    const W = this.layout.window;
    const pos = new Float32Array(W * this.dModel);
    const prng = new Rng(this.rng.nextUint32());
    for (let i = 0; i < pos.length; i++) pos[i] = prng.normal(0, 0.02);
    this.positions = tf.tidy(() => tf.variable(tf.tensor2d(pos, [W, this.dModel]), true));
    for (let i = 0; i < nLayers; i++) {
      this.blocks.push(
        new TransformerBlock({
          dModel: this.dModel,
          nHeads,
          seed: this.rng.nextUint32(),
          gradMode: config.gradMode,
        }),
      );
    }
  }

  protected encodeTime(obs: tf.Tensor2D): tf.Tensor2D {
    const window = marketWindow(obs, this.layout);
    const [M, W, F] = window.shape;
    const D = this.dModel;
    let h = tf.add(
      tf.reshape(this.inputProj.apply(tf.reshape(window, [M * W, F]) as tf.Tensor2D), [M, W, D]),
      this.positions,
    ) as tf.Tensor3D;
    for (const block of this.blocks) h = block.apply(h);
    return this.poolTime(h);
  }

  protected timeModules(): [string, Module][] {
    const positions: Module = {
      variables: () => [this.positions],
      namedVariables: () => [{ name: 'table', variable: this.positions }],
      paramCount: this.positions.size,
      dispose: () => this.positions.dispose(),
    };
    return [
      ['input', this.inputProj],
      ['positions', positions],
      ...this.blocks.map((b, i): [string, Module] => [`block${i}`, b]),
    ];
  }
}

export interface MlpEncoderConfig {
  obsSize: number;
  /** Trunk widths; default [64, 64]. */
  hidden?: number[];
  /** Default 'tanh' (CleanRL). */
  activation?: ActivationName;
  seed: number;
  gradMode?: 'custom' | 'autodiff';
}

/** Flat MLP trunk: obs → hidden features (all hidden layers activated); pooled = last hidden layer. */
export class MlpEncoder implements Encoder {
  readonly kind = 'mlp' as const;
  readonly obsSize: number;
  readonly pooledSize: number;
  readonly trunk: MLP | null;

  constructor(config: MlpEncoderConfig) {
    assertPositiveInt('MLP encoder obsSize', config.obsSize);
    const hidden = config.hidden ?? [64, 64];
    this.obsSize = config.obsSize;
    if (hidden.length === 0) {
      // Identity encoder: heads read the raw observation (a linear policy).
      this.trunk = null;
      this.pooledSize = config.obsSize;
      return;
    }
    const act = config.activation ?? 'tanh';
    this.trunk = new MLP({
      inputSize: config.obsSize,
      hidden: hidden.slice(0, -1),
      outputSize: hidden[hidden.length - 1],
      activation: act,
      outputActivation: act,
      hiddenGain: Math.SQRT2,
      outputGain: Math.SQRT2,
      seed: config.seed,
      skipInputGrad: true,
      gradMode: config.gradMode,
    });
    this.pooledSize = hidden[hidden.length - 1];
  }

  encode(obs: tf.Tensor2D): Encoded {
    assertInput2D('mlp encoder', obs, this.obsSize);
    return { pooled: this.trunk ? this.trunk.apply(obs) : obs };
  }
  variables(): tf.Variable[] {
    return this.trunk ? this.trunk.variables() : [];
  }
  namedVariables(): NamedVariable[] {
    return this.trunk ? this.trunk.namedVariables() : [];
  }
  get paramCount(): number {
    return this.trunk ? this.trunk.paramCount : 0;
  }
  dispose(): void {
    this.trunk?.dispose();
  }
}

export type EncoderKind = 'mlp' | 'timecnn' | 'transformer';

export interface EncoderConfig {
  kind: EncoderKind;
  obsSize: number;
  layout?: MarketObsLayout;
  /** mlp: trunk widths. Default [64, 64]. */
  hidden?: number[];
  dModel?: number;
  activation?: ActivationName;
  crossAsset?: CrossAssetKind;
  crossHeads?: number;
  pooling?: 'mean' | 'last';
  kernelSize?: number;
  convLayers?: number;
  convImpl?: 'conv' | 'unfold';
  nHeads?: number;
  nLayers?: number;
  seed: number;
  gradMode?: 'custom' | 'autodiff';
}

export function makeEncoder(c: EncoderConfig): Encoder {
  switch (c.kind) {
    case 'mlp':
      return new MlpEncoder(c);
    case 'timecnn':
      return new TimeCnnEncoder({ ...c, layout: checkLayout(c.layout, c.obsSize, 'TimeCNN') });
    case 'transformer':
      return new TransformerEncoder({ ...c, layout: checkLayout(c.layout, c.obsSize, 'Transformer') });
    default:
      throw new Error(
        `unknown encoder '${String((c as { kind: unknown }).kind)}' (mlp, timecnn, transformer)`,
      );
  }
}
