/**
 * Attention building blocks on raw variables: batched matMul with explicit-transpose gradients,
 * LayerNorm, and multi-head self-attention (used across time inside one asset and across assets).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import { Dense, dense } from './dense.ts';
import { assertPositiveInt, countParams, prefixed, type Module, type NamedVariable } from './module.ts';
import { matMul3d } from './wasmBatchMatMul.ts';

/**
 * Batched a·b (or a·bᵀ with transposeB) for a [M, n, k], b [M, k, m] (b [M, m, k]). Forward and
 * gradients run through matMul3d: on wasm a SIMD kernel (tfjs-wasm's own BatchMatMul is a scalar
 * loop for batch > 1, ~10× slower; wasmBatchMatMul.ts), elsewhere tf.matMul with transpose flags.
 * C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC; C = A·Bᵀ: dA = dC·B, dB = dCᵀ·A.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeB = false): tf.Tensor3D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[2] as tf.GradSaveFunc;
    save([a, b]);
    return {
      value: matMul3d(a, b, false, transposeB),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor3D[];
        const dc = dy as tf.Tensor3D;
        return transposeB
          ? [matMul3d(dc, sb), matMul3d(dc, sa, true, false)]
          : [matMul3d(dc, sb, false, true), matMul3d(sa, dc, true, false)];
      },
    };
  });
  return op(a, b) as tf.Tensor3D;
}

/** LayerNorm over the last axis with learned scale and shift (γ = 1, β = 0 at init). */
export class LayerNorm implements Module {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  constructor(
    readonly size: number,
    readonly epsilon = 1e-5,
  ) {
    assertPositiveInt('LayerNorm size', size);
    // tidy: tf.variable keeps its own reference, the initial tensor must not outlive it.
    this.gamma = tf.tidy(() => tf.variable(tf.ones([size]) as tf.Tensor1D, true));
    this.beta = tf.tidy(() => tf.variable(tf.zeros([size]) as tf.Tensor1D, true));
  }
  apply<T extends tf.Tensor>(x: T): T {
    if (x.shape[x.rank - 1] !== this.size)
      throw new Error(`LayerNorm: expected last dimension ${this.size}, got shape [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(norm, this.gamma), this.beta) as T;
    });
  }
  variables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }
  namedVariables(): NamedVariable[] {
    return [
      { name: 'gamma', variable: this.gamma },
      { name: 'beta', variable: this.beta },
    ];
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    this.gamma.dispose();
    this.beta.dispose();
  }
}

export interface SelfAttentionConfig {
  dModel: number;
  /** Default 1; must divide dModel. */
  nHeads?: number;
  seed: number;
  gradMode?: 'custom' | 'autodiff';
}

/**
 * Multi-head self-attention without masking: x [B, S, D] → [B, S, D] (no residual; callers add it).
 * One fused QKV projection, scaled dot product, output projection.
 */
export class SelfAttention implements Module {
  readonly dModel: number;
  readonly nHeads: number;
  readonly qkv: Dense;
  readonly out: Dense;

  constructor(config: SelfAttentionConfig) {
    assertPositiveInt('SelfAttention dModel', config.dModel);
    const nHeads = config.nHeads ?? 1;
    assertPositiveInt('SelfAttention nHeads', nHeads);
    if (config.dModel % nHeads !== 0)
      throw new Error(`SelfAttention: nHeads (${nHeads}) must divide dModel (${config.dModel})`);
    this.dModel = config.dModel;
    this.nHeads = nHeads;
    const rng = new Rng(config.seed);
    // Gain 1: attention projections are linear (no ReLU to compensate for).
    this.qkv = new Dense({
      inputSize: config.dModel,
      outputSize: 3 * config.dModel,
      gain: 1,
      seed: rng.nextUint32(),
      gradMode: config.gradMode,
    });
    this.out = new Dense({
      inputSize: config.dModel,
      outputSize: config.dModel,
      gain: 1,
      seed: rng.nextUint32(),
      gradMode: config.gradMode,
    });
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [B, S, D] = x.shape;
    if (x.rank !== 3 || D !== this.dModel)
      throw new Error(
        `SelfAttention: expected [batch, seq, ${this.dModel}], got shape [${x.shape.join(', ')}]`,
      );
    const H = this.nHeads;
    const dh = D / H;
    return tf.tidy(() => {
      const x2 = tf.reshape(x, [B * S, D]) as tf.Tensor2D;
      if (H === 1) {
        // One head (the cross-asset default): no 5-D transpose + unstack. Large batches (the update)
        // take Q, K and V as three [D, D] products on column slices of the qkv weights: on wasm a
        // split copies the whole [B·S, 3D] output, and XNNPACK runs the [·, 3D] product and its weight
        // gradient 3–7× slower per multiply-add than [·, D] (measured). Small batches (a rollout
        // step) pay per kernel instead, so they keep one product and a split.
        let parts: tf.Tensor2D[];
        if (B * S >= 1024) {
          const { kernel, bias } = this.qkv;
          parts = [0, 1, 2].map((i) =>
            dense(x2, tf.slice(kernel, [0, i * D], [D, D]), bias ? tf.slice(bias, [i * D], [D]) : null, {
              gradMode: this.qkv.config.gradMode,
            }),
          );
        } else {
          parts = tf.split(this.qkv.apply(x2), 3, 1) as tf.Tensor2D[];
        }
        const [q, k, v] = parts.map((t) => tf.reshape(t, [B, S, D]) as tf.Tensor3D);
        const scores = tf.mul(batchMatMul(q, k, true), 1 / Math.sqrt(dh)) as tf.Tensor3D;
        const ctx = batchMatMul(tf.softmax(scores, -1) as tf.Tensor3D, v);
        return tf.reshape(this.out.apply(tf.reshape(ctx, [B * S, D]) as tf.Tensor2D), [
          B,
          S,
          D,
        ]) as tf.Tensor3D;
      }
      const qkv = this.qkv.apply(x2); // [B*S, 3D]
      // [B, S, 3, H, dh] → [3, B, H, S, dh]
      const heads = tf.transpose(tf.reshape(qkv, [B, S, 3, H, dh]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(heads, 0).map((t) => tf.reshape(t, [B * H, S, dh]) as tf.Tensor3D);
      const scores = tf.mul(batchMatMul(q, k, true), 1 / Math.sqrt(dh)) as tf.Tensor3D;
      const attn = tf.softmax(scores, -1) as tf.Tensor3D;
      const ctx = batchMatMul(attn, v); // [B*H, S, dh]
      const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [B, H, S, dh]), [0, 2, 1, 3]), [
        B * S,
        D,
      ]) as tf.Tensor2D;
      return tf.reshape(this.out.apply(merged), [B, S, D]) as tf.Tensor3D;
    });
  }

  variables(): tf.Variable[] {
    return [...this.qkv.variables(), ...this.out.variables()];
  }
  namedVariables(): NamedVariable[] {
    return [...prefixed('qkv', this.qkv.namedVariables()), ...prefixed('out', this.out.namedVariables())];
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    this.qkv.dispose();
    this.out.dispose();
  }
}

/** Pre-LN transformer block: h + MHA(LN(h)), then h + FF(LN(h)) with a 2×-wide ReLU feed-forward. */
export class TransformerBlock implements Module {
  readonly ln1: LayerNorm;
  readonly attn: SelfAttention;
  readonly ln2: LayerNorm;
  readonly ff1: Dense;
  readonly ff2: Dense;
  constructor(config: SelfAttentionConfig & { ffMult?: number }) {
    const rng = new Rng(config.seed);
    const D = config.dModel;
    this.ln1 = new LayerNorm(D);
    this.attn = new SelfAttention({ ...config, seed: rng.nextUint32() });
    this.ln2 = new LayerNorm(D);
    const ff = D * (config.ffMult ?? 2);
    this.ff1 = new Dense({
      inputSize: D,
      outputSize: ff,
      activation: 'relu',
      seed: rng.nextUint32(),
      gradMode: config.gradMode,
    });
    this.ff2 = new Dense({
      inputSize: ff,
      outputSize: D,
      gain: 1,
      seed: rng.nextUint32(),
      gradMode: config.gradMode,
    });
  }
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, S, D] = x.shape;
      const h = tf.add(x, this.attn.apply(this.ln1.apply(x))) as tf.Tensor3D;
      const f = this.ff2.apply(this.ff1.apply(tf.reshape(this.ln2.apply(h), [B * S, D]) as tf.Tensor2D));
      return tf.add(h, tf.reshape(f, [B, S, D])) as tf.Tensor3D;
    });
  }
  private parts(): [string, Module][] {
    return [
      ['ln1', this.ln1],
      ['attn', this.attn],
      ['ln2', this.ln2],
      ['ff1', this.ff1],
      ['ff2', this.ff2],
    ];
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
  dispose(): void {
    for (const [, m] of this.parts()) m.dispose();
  }
}
