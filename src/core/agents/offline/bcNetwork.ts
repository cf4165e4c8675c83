/** BC's network (bc.ts): an MLP trunk whose last layer holds [action logits | strength logit]. */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import type { Space } from '../../envs/types.ts';
import { MLP } from '../nets/mlp.ts';
import type { ActivationName } from '../nets/dense.ts';
import { boxAffine, headSizes, isDiscreteSpace } from './dataset.ts';

/** Trunk + heads as one MLP whose last layer holds [action logits | strength logit]. */
export class BcNetwork {
  readonly mlp: MLP;
  /** Action head width: Σ nvec logits, or Box dims. */
  readonly actionWidth: number;
  readonly discrete: boolean;
  readonly nvec: number[];
  /** Box: action = center + half·tanh(raw) when bounded, raw when not. */
  private readonly box: { center: Float32Array; half: Float32Array } | null;
  /** Discrete: [Σ nvec, heads] 0/1, which logit belongs to which head (per-head sums by one matMul). */
  readonly headMatrix: tf.Tensor2D | null = null;

  constructor(
    readonly obsDim: number,
    space: Space,
    readonly strength: boolean,
    config: { hidden: number[]; activation: ActivationName; seed: number },
  ) {
    this.discrete = isDiscreteSpace(space);
    this.nvec = this.discrete ? headSizes(space) : [];
    this.actionWidth =
      space.kind === 'box' ? space.shape.reduce((a, b) => a * b, 1) : this.nvec.reduce((a, b) => a + b, 0);
    this.box = boxAffine(space);
    if (this.discrete) {
      const H = this.nvec.length;
      const s = new Float32Array(this.actionWidth * H);
      for (let h = 0, off = 0; h < H; off += this.nvec[h], h++)
        for (let j = 0; j < this.nvec[h]; j++) s[(off + j) * H + h] = 1;
      this.headMatrix = tf.keep(tf.tensor2d(s, [this.actionWidth, H]));
    }
    this.mlp = new MLP({
      inputSize: obsDim,
      hidden: config.hidden,
      outputSize: this.actionWidth + (strength ? 1 : 0),
      activation: config.activation,
      init: 'orthogonal',
      outputGain: 0.01,
      seed: new Rng(config.seed).fork('bc/init').nextUint32(),
      skipInputGrad: true,
    });
  }

  /** Action part (logits / Box action) and strength in [0, 1]; `dropoutMasks[l]` (scaled by 1/(1−p)) multiply hidden layer l. */
  apply(x: tf.Tensor2D, dropoutMasks?: tf.Tensor2D[]): { action: tf.Tensor2D; strength?: tf.Tensor2D } {
    return tf.tidy(() => {
      let h = x;
      const layers = this.mlp.layers;
      for (let l = 0; l < layers.length; l++) {
        h = layers[l].apply(h);
        if (dropoutMasks && l < layers.length - 1) h = tf.mul(h, dropoutMasks[l]);
      }
      const B = h.shape[0];
      let action = this.strength ? tf.slice(h, [0, 0], [B, this.actionWidth]) : h;
      if (this.box)
        action = tf.add(tf.mul(tf.tanh(action), tf.tensor1d(this.box.half)), tf.tensor1d(this.box.center));
      if (!this.strength) return { action };
      return { action, strength: tf.sigmoid(tf.slice(h, [0, this.actionWidth], [B, 1])) as tf.Tensor2D };
    });
  }

  dispose(): void {
    this.mlp.dispose();
    this.headMatrix?.dispose();
  }
}
