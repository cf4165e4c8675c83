/**
 * TimesNet as a forecaster on typed arrays: the tfjs side of src/core/forecast/train.ts (which owns
 * the epochs, splits and metrics and never touches tensors). MSE loss and Adam, as the library's
 * long-term-forecast experiment; with `freezeBase` only the LoRA adapters are in the optimizer's
 * variable list, so the base weights cannot move.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { makeOptimizer, setLearningRate } from './common/optim.ts';
import { getWeights, setWeights } from './nets/module.ts';
import { TimesNet, type TimesNetConfig } from './nets/timesnet.ts';

/** One base variable's weights, for saving a trained model and starting another from it. */
export interface NamedWeights {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TimesNetForecasterConfig {
  model: TimesNetConfig;
  learningRate: number;
  /** Train only the LoRA adapters (the model needs some). */
  freezeBase?: boolean;
}

export class TimesNetForecaster {
  readonly model: TimesNet;
  readonly freezeBase: boolean;
  private readonly optimizer: tf.Optimizer;
  private readonly trainable: tf.Variable[];
  private readonly dropoutRng: Rng;
  /** Periods each layer used in the last forward pass. */
  lastPeriods: number[][] = [];

  constructor(config: TimesNetForecasterConfig) {
    this.model = new TimesNet(config.model);
    this.freezeBase = config.freezeBase === true;
    const adapters = this.model.adapterNamedVariables().map((n) => n.variable);
    if (this.freezeBase && adapters.length === 0) {
      this.model.dispose();
      throw new Error('TimesNetForecaster: freezeBase needs LoRA adapters (model.lora.rank ≥ 1)');
    }
    this.trainable = this.freezeBase ? adapters : this.model.variables();
    this.optimizer = makeOptimizer({ name: 'adam', learningRate: config.learningRate });
    this.dropoutRng = new Rng(config.model.seed).fork('dropout');
  }

  /** The variables the optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return [...this.trainable];
  }

  private inputs(x: Float32Array, batch: number, marks?: Float32Array | null) {
    const { seqLen: L, channels: C, markDim } = this.model.config;
    if (x.length !== batch * L * C)
      throw new Error(`TimesNetForecaster: x has ${x.length} values, expected ${batch}·${L}·${C}`);
    const xs = tf.tensor3d(x, [batch, L, C]);
    const ms = markDim > 0 && marks ? tf.tensor3d(marks, [batch, L, markDim]) : null;
    return { xs, ms };
  }

  /** One Adam step on a batch x [B, L, C], y [B, P, C]; returns the batch MSE before the step. */
  trainStep(x: Float32Array, y: Float32Array, batch: number, marks?: Float32Array | null): number {
    const { predLen: P, channels: C } = this.model.config;
    if (y.length !== batch * P * C)
      throw new Error(`TimesNetForecaster: y has ${y.length} values, expected ${batch}·${P}·${C}`);
    const seed = this.dropoutRng.int(2 ** 31);
    const loss = tf.tidy((): tf.Scalar => {
      const { xs, ms } = this.inputs(x, batch, marks);
      const ys = tf.tensor3d(y, [batch, P, C]);
      const l = this.optimizer.minimize(
        () => {
          const out = this.model.forward(xs, ms, seed);
          this.lastPeriods = out.periods;
          return tf.mean(tf.squaredDifference(out.y, ys)) as tf.Scalar;
        },
        true,
        this.trainable,
      );
      if (!l) throw new Error('TimesNetForecaster: optimizer returned no loss');
      return l;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }

  /** Forecast [B, P, C] (no dropout). */
  predict(x: Float32Array, batch: number, marks?: Float32Array | null): Float32Array {
    const out = tf.tidy(() => {
      const { xs, ms } = this.inputs(x, batch, marks);
      const res = this.model.forward(xs, ms);
      this.lastPeriods = res.periods;
      return res.y;
    });
    const v = out.dataSync() as Float32Array;
    out.dispose();
    return new Float32Array(v);
  }

  setLearningRate(lr: number): void {
    setLearningRate(this.optimizer, lr);
  }

  getWeights(): Float32Array[] {
    return getWeights(this.model);
  }
  setWeights(w: readonly Float32Array[]): void {
    setWeights(this.model, w);
  }

  /** Copies of the base weights (adapters excluded), in baseNamedVariables() order. */
  getBaseWeights(): NamedWeights[] {
    return this.model.baseNamedVariables().map(({ name, variable }) => ({
      name,
      shape: [...variable.shape],
      values: new Float32Array(variable.dataSync() as Float32Array),
    }));
  }

  /** Loads base weights saved by getBaseWeights (e.g. before LoRA fine-tuning); names and shapes must match. */
  setBaseWeights(weights: readonly NamedWeights[]): void {
    const named = this.model.baseNamedVariables();
    const byName = new Map(weights.map((w) => [w.name, w]));
    for (const { name, variable } of named) {
      const w = byName.get(name);
      if (!w) throw new Error(`base weights: '${name}' is missing`);
      if (w.shape.join(',') !== variable.shape.join(',') || w.values.length !== variable.size)
        throw new Error(
          `base weights: '${name}' has shape [${w.shape.join(', ')}], the model needs [${variable.shape.join(', ')}]`,
        );
    }
    if (weights.length !== named.length)
      throw new Error(`base weights: ${weights.length} variables given, the model has ${named.length}`);
    for (const { name, variable } of named)
      tf.tidy(() => variable.assign(tf.tensor(byName.get(name)!.values, variable.shape, 'float32')));
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}
