/**
 * Multi-layer perceptron from custom-gradient Dense layers (see dense.ts for why not tfjs-layers).
 * Defaults follow CleanRL's PPO/A2C nets: tanh, orthogonal init with gain √2 for hidden layers and a
 * caller-chosen gain for the output layer (0.01 policy head, 1 value head).
 */
import type * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import { ACTIVATIONS, Dense, defaultGain, type ActivationName } from './dense.ts';
import type { InitName } from './init.ts';
import {
  assertInput2D,
  assertPositiveInt,
  countParams,
  getWeights,
  prefixed,
  setWeights,
  type Module,
  type NamedVariable,
} from './module.ts';

export interface MLPConfig {
  inputSize: number;
  /** Hidden layer widths; [] gives a single linear/affine layer. */
  hidden: number[];
  outputSize: number;
  /** Hidden activation; default 'tanh'. */
  activation?: ActivationName;
  /** Activation of the output layer; default 'linear'. */
  outputActivation?: ActivationName;
  /** Default 'orthogonal'. */
  init?: InitName;
  /** Gain of the hidden layers' init; default √2 for orthogonal, 1 for he/glorot. */
  hiddenGain?: number;
  /** Gain of the output layer's init; default 1 (0.01 for a policy head, 1 for a value head). */
  outputGain?: number;
  /** Seed for all initialisers (each layer gets its own stream derived from it). */
  seed: number;
  /**
   * Skip the gradient w.r.t. the MLP's input: set true when the input is the observation (saves about
   * a third of a train step); leave false (default) when the MLP sits on top of a trainable encoder,
   * or the encoder would silently get no gradient.
   */
  skipInputGrad?: boolean;
  /** Default 'custom'; 'autodiff' is the slow tf-gradients baseline for tests/benchmarks. */
  gradMode?: 'custom' | 'autodiff';
}

export class MLP implements Module {
  readonly config: Readonly<MLPConfig>;
  readonly layers: Dense[];
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(config: MLPConfig) {
    assertPositiveInt('MLP inputSize', config.inputSize);
    assertPositiveInt('MLP outputSize', config.outputSize);
    if (!Array.isArray(config.hidden)) throw new Error('MLP hidden must be an array of layer widths');
    config.hidden.forEach((h, i) => assertPositiveInt(`MLP hidden[${i}]`, h));
    const act = config.activation ?? 'tanh';
    if (!ACTIVATIONS.includes(act))
      throw new Error(`MLP: unknown activation '${act}' (${ACTIVATIONS.join(', ')})`);
    this.config = { ...config, hidden: [...config.hidden] };
    this.inputSize = config.inputSize;
    this.outputSize = config.outputSize;
    const rng = new Rng(config.seed);
    const sizes = [config.inputSize, ...config.hidden, config.outputSize];
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const last = i + 2 === sizes.length;
      this.layers.push(
        new Dense({
          inputSize: sizes[i],
          outputSize: sizes[i + 1],
          activation: last ? (config.outputActivation ?? 'linear') : act,
          init: config.init ?? 'orthogonal',
          gain: last
            ? (config.outputGain ?? 1)
            : (config.hiddenGain ?? defaultGain(config.init ?? 'orthogonal')),
          seed: rng.nextUint32(),
          skipInputGrad: i === 0 && config.skipInputGrad === true,
          gradMode: config.gradMode,
        }),
      );
    }
  }

  /** x [B, inputSize] → [B, outputSize]. Call inside tf.tidy (or tf.variableGrads). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    assertInput2D('MLP.apply', x, this.inputSize);
    let h = x;
    for (const layer of this.layers) h = layer.apply(h);
    return h;
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.variables());
  }

  namedVariables(): NamedVariable[] {
    return this.layers.flatMap((l, i) => prefixed(`l${i}`, l.namedVariables()));
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

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
