/**
 * LoRA (Hu et al. 2021): a frozen weight W [in, out] is used as W + (α/r)·A·B with A [in, r] and
 * B [r, out] trainable. B starts at zero, so the adapted layer equals the base one until the
 * adapters learn; A starts as PEFT's kaiming_uniform(a = √5), i.e. U(±1/√in).
 *
 * The update is merged into the weight (W + ΔW) rather than applied as x·A·B beside x·W: the same
 * function, and it lets one adapter serve a convolution's filter viewed as [k·…·C, D] as well.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import { assertPositiveInt, countParams, type Module, type NamedVariable } from './module.ts';

export interface LoraConfig {
  /** Rank r (≥ 1). */
  rank: number;
  /** Scale numerator α; the update is (α/r)·A·B. Default: α = r (scale 1). */
  alpha?: number;
}

export class LoraAdapter implements Module {
  readonly a: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R2>;
  readonly scale: number;
  readonly inSize: number;
  readonly outSize: number;

  constructor(inSize: number, outSize: number, config: LoraConfig, rng: Rng) {
    assertPositiveInt('LoRA rank', config.rank);
    assertPositiveInt('LoRA input size', inSize);
    assertPositiveInt('LoRA output size', outSize);
    const alpha = config.alpha ?? config.rank;
    if (!Number.isFinite(alpha)) throw new Error(`LoRA alpha must be a finite number, got ${alpha}`);
    this.inSize = inSize;
    this.outSize = outSize;
    this.scale = alpha / config.rank;
    const bound = 1 / Math.sqrt(inSize);
    const a = Float32Array.from({ length: inSize * config.rank }, () => rng.uniform(-bound, bound));
    this.a = tf.variable(tf.tensor2d(a, [inSize, config.rank]), true);
    this.b = tf.variable(tf.zeros([config.rank, outSize]) as tf.Tensor2D, true);
  }

  /** (α/r)·A·B as [in, out]. */
  delta(): tf.Tensor2D {
    return tf.mul(tf.matMul(this.a, this.b), this.scale);
  }

  /** W + ΔW for a weight of any shape whose size is in·out (row-major [in, out] view). */
  adapt<T extends tf.Tensor>(w: T): T {
    if (w.size !== this.inSize * this.outSize)
      throw new Error(
        `LoRA: weight of shape [${w.shape.join(', ')}] does not match the adapter's ${this.inSize}×${this.outSize}`,
      );
    return tf.add(w, tf.reshape(this.delta(), w.shape)) as T;
  }

  variables(): tf.Variable[] {
    return [this.a, this.b];
  }
  namedVariables(): NamedVariable[] {
    return [
      { name: 'lora_a', variable: this.a },
      { name: 'lora_b', variable: this.b },
    ];
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    this.a.dispose();
    this.b.dispose();
  }
}
