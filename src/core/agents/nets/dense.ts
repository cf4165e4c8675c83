/**
 * Dense layer on raw tf.Variables with a hand-written gradient.
 *
 * Why not tfjs-layers / autodiff: autodiff's matMul gradient uses matMul(…, transposeA/B), which on
 * the wasm backend runs ~11× slower than an explicit tf.transpose + plain matMul (measured, see
 * shared/research/tfjs-performance.md §1); layers also add ~2 ms per call. (On the cpu backend it is
 * the other way round, so kernels.ts picks the form per backend.) The custom gradient:
 *   dZ = dY ⊙ act'(Y),  dW = transpose(X)·dZ,  db = Σ_batch dZ,  dX = dZ·transpose(W)
 * with the activation fused into the same op (forward through the _FusedMatMul kernel where it
 * supports the activation) so one dense costs one tape node, and db as ones·dZ (see kernels.ts). `skipInputGrad` drops dX — for the first layer, whose
 * input is the observation, that is a third of an MLP step.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import { initKernel, type InitName } from './init.ts';
import { fusedMatMul2d, matMulAT, matMulBT, sumRows, type FusedActivation } from './kernels.ts';
import { assertInput2D, assertPositiveInt, countParams, type Module, type NamedVariable } from './module.ts';

export type ActivationName = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'gelu';

export const ACTIVATIONS: readonly ActivationName[] = ['linear', 'relu', 'tanh', 'sigmoid', 'elu', 'gelu'];

/** Activation functions by name (autodiff-friendly; used outside the fused dense, e.g. after attention). */
export function activate<T extends tf.Tensor>(x: T, name: ActivationName): T {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'gelu': {
      // tanh approximation (GPT-2 / PyTorch approximate='tanh'): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
      return tf.tidy(() => {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
      }) as T;
    }
    default:
      throw new Error(`unknown activation '${String(name)}' (${ACTIVATIONS.join(', ')})`);
  }
}

/** Activations whose derivative is a cheap function of the output Y, so they fuse into the custom op. */
const FUSABLE = new Set<ActivationName>(['linear', 'relu', 'tanh', 'sigmoid']);
/** Activations tf.fused.matMul applies inside the kernel (wasm/cpu both support these). */
const KERNEL_FUSED = new Set<ActivationName>(['linear', 'relu', 'sigmoid']);

/** dZ = dY ⊙ act'(Z) written in terms of Y = act(Z). */
function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, act: ActivationName): tf.Tensor2D {
  switch (act) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(y));
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    default:
      throw new Error(`activation '${act}' is not fusable`);
  }
}

export interface DenseOpOptions {
  activation?: ActivationName;
  /** Do not propagate a gradient to x (first layer: x is data). Gradients reaching x are then zero/absent. */
  skipInputGrad?: boolean;
  /** 'custom' (default, fast) or 'autodiff' (tf's own gradients: the slow baseline, for tests/benchmarks). */
  gradMode?: 'custom' | 'autodiff';
}

/**
 * y = act(x·W + b) for x [B, in], W [in, out], b [out] (or null), with the explicit-transpose gradient.
 * Functional form: use it when you own the variables yourself.
 */
export function dense(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D | null,
  opts: DenseOpOptions = {},
): tf.Tensor2D {
  const act = opts.activation ?? 'linear';
  if (opts.gradMode === 'autodiff') {
    // What tfjs-layers does: plain ops, tf's gradients (transposed matMuls in the backward pass).
    const z = b ? tf.add(tf.matMul(x, w), b) : tf.matMul(x, w);
    return activate(z as tf.Tensor2D, act);
  }
  if (!FUSABLE.has(act)) {
    return activate(dense(x, w, b, { ...opts, activation: 'linear' }), act);
  }
  const skip = opts.skipInputGrad === true;
  // Inputs we want gradients for; x is closed over (not an input) when skipped, so the tape never
  // sees it and nothing upstream gets a gradient.
  const inputs: tf.Tensor[] = skip ? [w] : [x, w];
  if (b) inputs.push(b);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // engine.gradients runs the forward pass inside a tidy: anything the backward pass reads must go
    // through save() (x may be another layer's output, freed after the forward pass otherwise).
    const save = args[args.length - 1] as tf.GradSaveFunc;
    let y: tf.Tensor2D;
    if (KERNEL_FUSED.has(act)) {
      y = fusedMatMul2d(x, w, b, act as FusedActivation);
    } else {
      const z = b ? tf.add(tf.matMul(x, w), b) : tf.matMul(x, w);
      y = activate(z as tf.Tensor2D, act);
    }
    save(act === 'linear' ? [x, w] : [x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as tf.Tensor2D[];
        const dz = act === 'linear' ? (dy as tf.Tensor2D) : activationGrad(dy as tf.Tensor2D, sy, act);
        const grads: tf.Tensor[] = [];
        if (!skip) grads.push(matMulBT(dz, sw));
        grads.push(matMulAT(sx, dz));
        if (b) grads.push(sumRows(dz));
        return grads;
      },
    };
  });
  return (op as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as tf.Tensor2D;
}

/** CleanRL's √2 for orthogonal; 1 for he/glorot, whose formulas already scale for fan-in/out. */
export function defaultGain(init: InitName): number {
  return init === 'orthogonal' ? Math.SQRT2 : 1;
}

export interface DenseConfig {
  inputSize: number;
  outputSize: number;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Default 'orthogonal'. */
  init?: InitName;
  /** Initialiser gain; default defaultGain(init) (√2 for orthogonal, CleanRL's layer_init). 0.01 for a policy head, 1 for a value head. */
  gain?: number;
  /** Default true; biases start at 0. */
  useBias?: boolean;
  /** Seed for the initialiser (same seed → identical weights on every backend). */
  seed: number;
  /** First layer only: skip the input gradient (see dense()). */
  skipInputGrad?: boolean;
  /** Default 'custom'. */
  gradMode?: 'custom' | 'autodiff';
}

export class Dense implements Module {
  readonly config: Readonly<DenseConfig>;
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly activation: ActivationName;

  constructor(config: DenseConfig) {
    assertPositiveInt('Dense inputSize', config.inputSize);
    assertPositiveInt('Dense outputSize', config.outputSize);
    if (!Number.isFinite(config.seed))
      throw new Error(`Dense seed must be a finite number, got ${config.seed}`);
    const activation = config.activation ?? 'linear';
    if (!ACTIVATIONS.includes(activation))
      throw new Error(`Dense: unknown activation '${activation}' (${ACTIVATIONS.join(', ')})`);
    this.config = { ...config };
    this.inputSize = config.inputSize;
    this.outputSize = config.outputSize;
    this.activation = activation;
    const values = initKernel(
      config.init ?? 'orthogonal',
      config.inputSize,
      config.outputSize,
      config.gain ?? defaultGain(config.init ?? 'orthogonal'),
      new Rng(config.seed),
    );
    this.kernel = tf.tidy(() =>
      tf.variable(tf.tensor2d(values, [config.inputSize, config.outputSize]), true),
    );
    this.bias =
      config.useBias === false
        ? null
        : tf.tidy(() => tf.variable(tf.zeros([config.outputSize]) as tf.Tensor1D, true));
  }

  /** x [B, inputSize] → [B, outputSize]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    assertInput2D('Dense.apply', x, this.inputSize);
    return dense(x, this.kernel, this.bias, {
      activation: this.activation,
      skipInputGrad: this.config.skipInputGrad,
      gradMode: this.config.gradMode,
    });
  }

  /** Applies to the last axis of any-rank x [..., inputSize] (reshapes to 2-D and back). */
  applyND(x: tf.Tensor): tf.Tensor {
    const shape = x.shape;
    if (shape[shape.length - 1] !== this.inputSize) {
      throw new Error(
        `Dense.applyND: expected last dimension ${this.inputSize}, got shape [${shape.join(', ')}]`,
      );
    }
    if (x.rank === 2) return this.apply(x as tf.Tensor2D);
    return tf.tidy(() => {
      const y = this.apply(tf.reshape(x, [-1, this.inputSize]) as tf.Tensor2D);
      return tf.reshape(y, [...shape.slice(0, -1), this.outputSize]);
    });
  }

  variables(): tf.Variable[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [{ name: 'kernel', variable: this.kernel }];
    if (this.bias) out.push({ name: 'bias', variable: this.bias });
    return out;
  }

  get paramCount(): number {
    return countParams(this.variables());
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias?.dispose();
  }
}
