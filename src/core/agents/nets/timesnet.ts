/**
 * TimesNet (Wu et al., ICLR 2023) as thuml Time-Series-Library's models/TimesNet.py, long-term
 * forecast path, in tfjs:
 *
 *   x [B, L, C] → per-series normalisation (subtract the mean, divide by √(var + 1e-5), over time)
 *   → DataEmbedding: circular token conv1d (k 3, no bias) + sinusoidal position (+ a linear
 *     time-feature embedding when marks are given), dropout
 *   → predict_linear over time, L → L + P
 *   → e_layers × LayerNorm(TimesBlock(·))  (one LayerNorm shared by the layers, as the library)
 *   → projection d_model → C on the last P steps, de-normalised.
 *
 * TimesBlock(x [B, T, N]): FFT_for_Period (mean rFFT amplitude over batch and channels, DC removed,
 * top-k f, period ⌊T/f⌋; per-sample weight = mean amplitude over channels at f); for each period pad
 * T up to a multiple by repeating the tail, fold to a 2-D grid [B, T/p, p, N], Inception → GELU →
 * Inception, unfold, truncate to T; mix the k views with softmax(weights); add x.
 *
 * The spectrum is a matMul with a cosine/sine basis (tfjs's wasm backend has no FFT kernel); only the
 * mean spectrum [F] is read back to pick the top-k bins (forecast/periods.ts's topFrequencies, the
 * rule the typed-array detector uses). The weights keep their gradient, as torch's do.
 *
 * LoRA (nets/lora.ts) can adapt the token conv, predict_linear, the projection and the merged kernel
 * of every Inception block; base and adapter weights come from separate Rng forks, so a model with
 * adapters starts as the exact function of the same seed's model without them.
 */
import * as tf from '@tensorflow/tfjs';
import { topFrequencies } from '../../forecast/periods.ts';
import { Rng } from '../../rng.ts';
import { temporalConv } from './conv.ts';
import { inceptionApply, initInception, meanBias, mergeInception } from './inception.ts';
import { LoraAdapter } from './lora.ts';
import { assertPositiveInt, countParams, prefixed, type Module, type NamedVariable } from './module.ts';

export type LoraTarget = 'embedding' | 'predict' | 'projection' | 'inception';
export const LORA_TARGETS: readonly LoraTarget[] = ['embedding', 'predict', 'projection', 'inception'];

export interface TimesNetConfig {
  /** Input length L (library seq_len). */
  seqLen: number;
  /** Forecast horizon P (pred_len). */
  predLen: number;
  /** Series per sample, in and out (enc_in = c_out). */
  channels: number;
  /** Default 16 (the library's ETTh1 script). */
  dModel?: number;
  /** Default 32. */
  dFF?: number;
  /** Periods per TimesBlock. Default 5. */
  topK?: number;
  /** TimesBlocks. Default 2. */
  eLayers?: number;
  /** Inception branches (kernels 1, 3, …). Default 6. */
  numKernels?: number;
  /** Embedding dropout. Default 0.1. */
  dropout?: number;
  /** Time features per step (0 = none; the library's timeF daily marks have 3). Default 0. */
  markDim?: number;
  /** LoRA adapters; absent or rank 0 = none. */
  lora?: { rank: number; alpha?: number; targets?: readonly LoraTarget[] };
  seed: number;
}

type Resolved = Required<Omit<TimesNetConfig, 'lora'>> & { lora: TimesNetConfig['lora'] };

function linearInit(inSize: number, outSize: number, rng: Rng, bias: boolean) {
  // torch.nn.Linear: kaiming_uniform(a = √5) → U(±1/√in); bias U(±1/√in).
  const bound = 1 / Math.sqrt(inSize);
  const w = Float32Array.from({ length: inSize * outSize }, () => rng.uniform(-bound, bound));
  const kernel = tf.variable(tf.tensor2d(w, [inSize, outSize]), true);
  const b = bias
    ? tf.variable(tf.tensor1d(Float32Array.from({ length: outSize }, () => rng.uniform(-bound, bound))), true)
    : null;
  return { kernel, bias: b };
}

/** Sinusoidal positions pe[t, 2i] = sin(t·10000^(−2i/d)), pe[t, 2i+1] = cos(…) (Embed.py). */
export function positionalEncoding(length: number, d: number): Float32Array {
  const pe = new Float32Array(length * d);
  for (let t = 0; t < length; t++)
    for (let i = 0; i < d; i += 2) {
      const a = t * Math.exp(-(i * Math.log(10000)) / d);
      pe[t * d + i] = Math.sin(a);
      if (i + 1 < d) pe[t * d + i + 1] = Math.cos(a);
    }
  return pe;
}

function gelu(x: tf.Tensor): tf.Tensor {
  // torch.nn.GELU's exact form, x·Φ(x).
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

interface InceptionParams {
  filters: tf.Variable<tf.Rank.R4>[];
  biases: tf.Variable<tf.Rank.R1>[];
  lora: LoraAdapter | null;
}

export interface TimesNetForward {
  /** [B, P, C] forecast in the input's units. */
  y: tf.Tensor3D;
  /** Per layer: the periods it used (strongest first). */
  periods: number[][];
}

export class TimesNet implements Module {
  readonly config: Readonly<Resolved>;
  private readonly tokenFilter: tf.Variable<tf.Rank.R3>;
  private readonly mark: tf.Variable<tf.Rank.R2> | null;
  private readonly predict: { kernel: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> };
  private readonly projection: { kernel: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> };
  private readonly norm: { gamma: tf.Variable<tf.Rank.R1>; beta: tf.Variable<tf.Rank.R1> };
  private readonly blocks: { conv1: InceptionParams; conv2: InceptionParams }[] = [];
  private readonly loraEmbed: LoraAdapter | null = null;
  private readonly loraPredict: LoraAdapter | null = null;
  private readonly loraProjection: LoraAdapter | null = null;
  private readonly pe: tf.Tensor3D;
  private readonly dftCos: tf.Tensor2D;
  private readonly dftSin: tf.Tensor2D;

  constructor(config: TimesNetConfig) {
    const c: Resolved = {
      dModel: 16,
      dFF: 32,
      topK: 5,
      eLayers: 2,
      numKernels: 6,
      dropout: 0.1,
      markDim: 0,
      ...config,
      lora: config.lora,
    };
    for (const k of [
      'seqLen',
      'predLen',
      'channels',
      'dModel',
      'dFF',
      'topK',
      'eLayers',
      'numKernels',
    ] as const)
      assertPositiveInt(`TimesNet ${k}`, c[k]);
    if (!Number.isInteger(c.markDim) || c.markDim < 0)
      throw new Error(`TimesNet markDim must be an integer ≥ 0, got ${c.markDim}`);
    if (!(c.dropout >= 0 && c.dropout < 1))
      throw new Error(`TimesNet dropout must be in [0, 1), got ${c.dropout}`);
    const T = c.seqLen + c.predLen;
    const F = Math.floor(T / 2) + 1;
    if (c.topK > F - 1)
      throw new Error(
        `TimesNet topK ${c.topK} exceeds the ${F - 1} non-DC frequencies of seqLen + predLen = ${T}`,
      );
    this.config = c;
    const root = new Rng(c.seed);
    const { seqLen: L, channels: C, dModel: D, dFF } = c;

    // TokenEmbedding: kaiming_normal(fan_in, leaky_relu a=0) → N(0, 2/(3C)).
    const rTok = root.fork('token');
    const tok = Float32Array.from({ length: 3 * C * D }, () => rTok.normal(0, Math.sqrt(2 / (3 * C))));
    this.tokenFilter = tf.variable(tf.tensor3d(tok, [3, C, D]), true);
    this.mark = c.markDim > 0 ? linearInit(c.markDim, D, root.fork('mark'), false).kernel : null;
    this.predict = linearInit(L, T, root.fork('predict'), true) as TimesNet['predict'];
    this.projection = linearInit(D, C, root.fork('projection'), true) as TimesNet['projection'];
    this.norm = {
      gamma: tf.variable(tf.ones([D]) as tf.Tensor1D, true),
      beta: tf.variable(tf.zeros([D]) as tf.Tensor1D, true),
    };

    const lora = c.lora && c.lora.rank > 0 ? c.lora : null;
    const targets = new Set(lora ? (lora.targets ?? LORA_TARGETS) : []);
    const rLora = root.fork('lora');
    const adapter = (target: LoraTarget, inSize: number, outSize: number, label: string) =>
      lora && targets.has(target) ? new LoraAdapter(inSize, outSize, lora, rLora.fork(label)) : null;
    this.loraEmbed = adapter('embedding', 3 * C, D, 'embedding');
    this.loraPredict = adapter('predict', L, T, 'predict');
    this.loraProjection = adapter('projection', D, C, 'projection');
    const kMax = 2 * c.numKernels - 1;
    for (let l = 0; l < c.eLayers; l++) {
      const r = root.fork(`block${l}`);
      this.blocks.push({
        conv1: {
          ...initInception(D, dFF, c.numKernels, r.fork('conv1')),
          lora: adapter('inception', kMax * kMax * D, dFF, `block${l}/conv1`),
        },
        conv2: {
          ...initInception(dFF, D, c.numKernels, r.fork('conv2')),
          lora: adapter('inception', kMax * kMax * dFF, D, `block${l}/conv2`),
        },
      });
    }

    this.pe = tf.tensor3d(positionalEncoding(L, D), [1, L, D]);
    const cos = new Float32Array(T * F);
    const sin = new Float32Array(T * F);
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) {
        const a = (2 * Math.PI * ((t * f) % T)) / T;
        cos[t * F + f] = Math.cos(a);
        sin[t * F + f] = Math.sin(a);
      }
    this.dftCos = tf.tensor2d(cos, [T, F]);
    this.dftSin = tf.tensor2d(sin, [T, F]);
  }

  /**
   * Forecast [B, P, C] from x [B, L, C] (and marks [B, L, markDim] when configured). `dropoutSeed`
   * switches training-mode dropout on (a seed per call keeps runs reproducible). Call inside tf.tidy
   * or tf.variableGrads; the returned tensors are the caller's.
   */
  forward(x: tf.Tensor3D, marks?: tf.Tensor3D | null, dropoutSeed?: number): TimesNetForward {
    const { seqLen: L, predLen: P, channels: C, dModel: D, markDim } = this.config;
    const [B, Lx, Cx] = x.shape;
    if (x.rank !== 3 || Lx !== L || Cx !== C)
      throw new Error(`TimesNet: expected input [B, ${L}, ${C}], got shape [${x.shape.join(', ')}]`);
    if (markDim > 0 && (!marks || marks.shape[0] !== B || marks.shape[1] !== L || marks.shape[2] !== markDim))
      throw new Error(
        `TimesNet: expected marks [${B}, ${L}, ${markDim}], got ${marks ? `[${marks.shape.join(', ')}]` : 'none'}`,
      );
    const T = L + P;

    // Normalisation from Non-stationary Transformer (data, so no gradient is needed through it).
    const { mean, variance } = tf.moments(x, 1, true);
    const std = tf.sqrt(tf.add(variance, 1e-5));
    const xn = tf.div(tf.sub(x, mean), std) as tf.Tensor3D;

    // DataEmbedding: circular padding by one step each side, then a 'valid' conv1d of width 3.
    const xc = tf.concat([tf.slice(xn, [0, L - 1, 0], [B, 1, C]), xn, tf.slice(xn, [0, 0, 0], [B, 1, C])], 1);
    const filter = this.loraEmbed ? this.loraEmbed.adapt(this.tokenFilter) : this.tokenFilter;
    let h: tf.Tensor = tf.add(
      temporalConv(xc as tf.Tensor3D, filter, null, { skipInputGrad: true }),
      this.pe,
    );
    if (this.mark && marks)
      h = tf.add(h, tf.reshape(tf.matMul(tf.reshape(marks, [B * L, markDim]), this.mark), [B, L, D]));
    if (dropoutSeed !== undefined && this.config.dropout > 0)
      h = tf.dropout(h, this.config.dropout, undefined, dropoutSeed);

    // predict_linear along time: [B, L, D] → [B, D, L] · W[L, T] → [B, T, D].
    const wp = this.loraPredict ? this.loraPredict.adapt(this.predict.kernel) : this.predict.kernel;
    const ht = tf.reshape(tf.transpose(h, [0, 2, 1]), [B * D, L]);
    h = tf.transpose(tf.reshape(tf.add(tf.matMul(ht, wp), this.predict.bias), [B, D, T]), [0, 2, 1]);

    const periods: number[][] = [];
    for (const block of this.blocks) {
      const out = this.timesBlock(h as tf.Tensor3D, block);
      periods.push(out.periods);
      h = this.layerNorm(out.y);
    }

    // Projection on the forecast steps only (it acts per step), then de-normalise.
    const tail = tf.reshape(tf.slice(h, [0, L, 0], [B, P, D]), [B * P, D]);
    const wo = this.loraProjection
      ? this.loraProjection.adapt(this.projection.kernel)
      : this.projection.kernel;
    const y = tf.reshape(tf.add(tf.matMul(tail, wo), this.projection.bias), [B, P, C]);
    return { y: tf.add(tf.mul(y, std), mean) as tf.Tensor3D, periods };
  }

  private layerNorm(x: tf.Tensor3D): tf.Tensor3D {
    const { mean, variance } = tf.moments(x, 2, true);
    const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(xn, this.norm.gamma), this.norm.beta) as tf.Tensor3D;
  }

  private mergedKernel(p: InceptionParams): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
    const merged = mergeInception(p.filters);
    return { filter: p.lora ? p.lora.adapt(merged) : merged, bias: meanBias(p.biases) };
  }

  /**
   * FFT_for_Period on x [B, T, N]: the top-k periods (read back: they shape the reshapes) and the
   * per-sample amplitude weights [B, k] as a tensor with its gradient. The full spectrum only picks
   * the bins; the weights are recomputed from a [T, k] basis of the chosen bins, so the backward
   * pass is a [B·N, k]·[k, T] product instead of the full [B·N, F]·[F, T] (a slow transposed
   * BatchMatMul on wasm, measured 80 ms a call).
   */
  fftForPeriod(x: tf.Tensor3D, k: number = this.config.topK): { periods: number[]; weights: tf.Tensor2D } {
    const [B, T, N] = x.shape;
    if (T !== this.dftCos.shape[0])
      throw new Error(`TimesNet.fftForPeriod: expected length ${this.dftCos.shape[0]}, got ${T}`);
    const rows = tf.reshape(tf.transpose(x, [0, 2, 1]), [B * N, T]);
    const spectrum = (cos: tf.Tensor2D, sin: tf.Tensor2D) =>
      // +1e-12 keeps the sqrt's gradient finite at an exactly empty bin.
      tf.sqrt(tf.add(tf.add(tf.square(tf.matMul(rows, cos)), tf.square(tf.matMul(rows, sin))), 1e-12));
    const s = Float64Array.from(tf.tidy(() => tf.mean(spectrum(this.dftCos, this.dftSin), 0).dataSync()));
    s[0] = 0;
    const freqs = topFrequencies(s, k);
    const cos = new Float32Array(T * k);
    const sin = new Float32Array(T * k);
    for (let t = 0; t < T; t++)
      freqs.forEach((f, j) => {
        const a = (2 * Math.PI * ((t * f) % T)) / T;
        cos[t * k + j] = Math.cos(a);
        sin[t * k + j] = Math.sin(a);
      });
    const amp = spectrum(tf.tensor2d(cos, [T, k]), tf.tensor2d(sin, [T, k])); // [B·N, k]
    const weights = tf.mean(tf.reshape(amp, [B, N, k]), 1) as tf.Tensor2D;
    return { periods: freqs.map((f) => Math.floor(T / f)), weights };
  }

  private timesBlock(x: tf.Tensor3D, block: { conv1: InceptionParams; conv2: InceptionParams }) {
    const [B, T, N] = x.shape;
    const { periods, weights } = this.fftForPeriod(x);
    const mix = tf.softmax(weights); // [B, k]

    const c1 = this.mergedKernel(block.conv1);
    const c2 = this.mergedKernel(block.conv2);
    let res: tf.Tensor | null = null;
    periods.forEach((p, j) => {
      const length = Math.ceil(T / p) * p;
      const padded =
        length === T ? x : tf.concat([x, tf.slice(x, [0, T - (length - T), 0], [B, length - T, N])], 1);
      const grid = tf.reshape(padded, [B, length / p, p, N]) as tf.Tensor4D;
      const z = inceptionApply(
        gelu(inceptionApply(grid, c1.filter, c1.bias)) as tf.Tensor4D,
        c2.filter,
        c2.bias,
      );
      let view = tf.reshape(z, [B, length, N]);
      if (length !== T) view = tf.slice(view, [0, 0, 0], [B, T, N]);
      const w = tf.reshape(tf.slice(mix, [0, j], [B, 1]), [B, 1, 1]);
      const term = tf.mul(view, w);
      res = res ? tf.add(res, term) : term;
    });
    return { y: tf.add(res!, x) as tf.Tensor3D, periods };
  }

  /** Base (pre-trained) weights: everything but the adapters. */
  baseNamedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [{ name: 'embed/token', variable: this.tokenFilter }];
    if (this.mark) out.push({ name: 'embed/mark', variable: this.mark });
    out.push(
      { name: 'predict/kernel', variable: this.predict.kernel },
      { name: 'predict/bias', variable: this.predict.bias },
    );
    this.blocks.forEach((b, l) => {
      for (const [cn, p] of [
        ['conv1', b.conv1],
        ['conv2', b.conv2],
      ] as const)
        p.filters.forEach((f, i) =>
          out.push(
            { name: `block${l}/${cn}/k${2 * i + 1}/filter`, variable: f },
            { name: `block${l}/${cn}/k${2 * i + 1}/bias`, variable: p.biases[i] },
          ),
        );
    });
    out.push(
      { name: 'norm/gamma', variable: this.norm.gamma },
      { name: 'norm/beta', variable: this.norm.beta },
      { name: 'projection/kernel', variable: this.projection.kernel },
      { name: 'projection/bias', variable: this.projection.bias },
    );
    return out;
  }

  /** LoRA adapter weights (empty without adapters). */
  adapterNamedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [];
    const add = (name: string, a: LoraAdapter | null) => {
      if (a) out.push(...prefixed(name, a.namedVariables()));
    };
    add('embed/token', this.loraEmbed);
    add('predict', this.loraPredict);
    this.blocks.forEach((b, l) => {
      add(`block${l}/conv1`, b.conv1.lora);
      add(`block${l}/conv2`, b.conv2.lora);
    });
    add('projection', this.loraProjection);
    return out;
  }

  namedVariables(): NamedVariable[] {
    return [...this.baseNamedVariables(), ...this.adapterNamedVariables()];
  }
  variables(): tf.Variable[] {
    return this.namedVariables().map((n) => n.variable);
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    for (const { variable } of this.namedVariables()) variable.dispose();
    this.pe.dispose();
    this.dftCos.dispose();
    this.dftSin.dispose();
  }
}
