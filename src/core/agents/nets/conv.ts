/**
 * Temporal convolution for the TimeCNN: a 'valid', stride-1 conv1d along time over M sequences
 * (asset windows) x [M, T, C] with a filter [k, C, D] shared by all of them.
 *
 * tfjs's wasm backend has no Conv2DBackpropFilter (training a tf.conv1d throws) and its
 * Conv2DBackpropInput is a naive loop (~25× slower than the forward conv, measured), while the
 * forward Conv2D runs on XNNPACK. So the hand-written gradient expresses both backward products as
 * forward convolutions (portable to every backend):
 *   forward  Y  = act(conv1d(X, W) + b)                         fused conv2d (bias + ReLU in-kernel)
 *   dZ          = dY ⊙ act'(Y)
 *   dW[j,c,d]   = Σ_m Σ_t X[m,t+j,c] dZ[m,t,d]
 *               = conv1d(X as [C, T, M], dZ as [T', M, D])      channels ↔ batch swapped (two transposes)
 *   db          = ones · dZ                                      (tf.sum over rows is slow on wasm)
 *   dX          = conv1d(pad_time(dZ, k−1), W flipped in time, channels swapped)   the "full" correlation
 * Alternatives measured slower on wasm: unfold (k time-shifted slices concatenated) + dense — the wasm
 * Slice/Concat kernels copy the whole input through a fresh JS ArrayBuffer on every call — and k
 * matMuls on time-major row blocks (same slicing cost).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../rng.ts';
import { activate, type ActivationName } from './dense.ts';
import { initKernel, type InitName } from './init.ts';
import { fusedConv2dValid, sumRows } from './kernels.ts';
import { assertPositiveInt, countParams, type Module, type NamedVariable } from './module.ts';

const FUSABLE = new Set<ActivationName>(['linear', 'relu', 'tanh']);

export interface TemporalConvOpOptions {
  activation?: ActivationName;
  /** First layer: its input is the observation; no input gradient. */
  skipInputGrad?: boolean;
}

function conv1dValid(x: tf.Tensor3D, filter: tf.Tensor3D): tf.Tensor3D {
  return tf.conv1d(x, filter, 1, 'valid');
}

/**
 * act(conv1d(x, filter, stride 1, 'valid') + bias): x [M, T, C], filter [k, C, D], bias [D] or null
 * → [M, T − k + 1, D], with the gradient described above.
 */
export function temporalConv(
  x: tf.Tensor3D,
  filter: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  opts: TemporalConvOpOptions = {},
): tf.Tensor3D {
  const [k, C, D] = filter.shape;
  const [M, T, Cx] = x.shape;
  if (x.rank !== 3 || Cx !== C)
    throw new Error(`temporalConv: expected input [M, T, ${C}], got shape [${x.shape.join(', ')}]`);
  const Tout = T - k + 1;
  if (Tout < 1) throw new Error(`temporalConv: kernel ${k} is longer than the sequence (T=${T})`);
  const act = opts.activation ?? 'linear';
  if (!FUSABLE.has(act))
    return activate(temporalConv(x, filter, bias, { ...opts, activation: 'linear' }), act);
  const skip = opts.skipInputGrad === true;
  const inputs: tf.Tensor[] = skip ? [filter] : [x, filter];
  if (bias) inputs.push(bias);

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    // conv2d on [M, 1, T, C] with a [1, k, C, D] filter is conv1d; the fused kernel adds bias and ReLU.
    const y4 = fusedConv2dValid(
      tf.reshape(x, [M, 1, T, C]) as tf.Tensor4D,
      tf.reshape(filter, [1, k, C, D]) as tf.Tensor4D,
      bias,
      act === 'relu' ? 'relu' : 'linear',
    );
    let y = tf.reshape(y4, [M, Tout, D]) as tf.Tensor3D;
    if (act === 'tanh') y = tf.tanh(y);
    save([x, filter, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sf, sy] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        let dz = dy as tf.Tensor3D;
        if (act === 'relu') dz = tf.mul(dz, tf.step(sy));
        else if (act === 'tanh') dz = tf.mul(dz, tf.sub(1, tf.square(sy)));
        const grads: tf.Tensor[] = [];
        if (!skip) {
          const dzPadded = tf.pad(dz, [
            [0, 0],
            [k - 1, k - 1],
            [0, 0],
          ]) as tf.Tensor3D;
          const flipped = tf.transpose(tf.reverse(sf, 0), [0, 2, 1]) as tf.Tensor3D; // [k, D, C]
          grads.push(conv1dValid(dzPadded, flipped));
        }
        const xcm = tf.transpose(sx, [2, 1, 0]) as tf.Tensor3D; // [C, T, M]
        const dzt = tf.transpose(dz, [1, 0, 2]) as tf.Tensor3D; // [T', M, D]
        grads.push(tf.transpose(conv1dValid(xcm, dzt), [1, 0, 2])); // [C, k, D] → [k, C, D]
        if (bias) grads.push(sumRows(tf.reshape(dz, [M * Tout, D]) as tf.Tensor2D));
        return grads;
      },
    };
  });
  return (op as (...t: tf.Tensor[]) => tf.Tensor)(...inputs) as tf.Tensor3D;
}

/**
 * Mean over time: y [M, T, D] → [M, D]. Custom gradient: one broadcasting multiply (tf's own builds
 * a ones tensor and divides).
 */
export function timeMeanPool(y: tf.Tensor3D): tf.Tensor2D {
  const [M, T, D] = y.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    void args;
    return {
      value: tf.mean(y, 1) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => tf.mul(tf.reshape(dy, [M, 1, D]), tf.fill([1, T, 1], 1 / T)),
    };
  });
  return op(y) as tf.Tensor2D;
}

/** Last time step: y [M, T, D] → [M, D]. */
export function timeLast(y: tf.Tensor3D): tf.Tensor2D {
  const [M, T, D] = y.shape;
  return tf.reshape(tf.slice(y, [0, T - 1, 0], [M, 1, D]), [M, D]) as tf.Tensor2D;
}

export interface TemporalConvConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  activation?: ActivationName;
  init?: InitName;
  /** Default √2 (orthogonal, ReLU). */
  gain?: number;
  useBias?: boolean;
  seed: number;
  skipInputGrad?: boolean;
}

/**
 * Conv1d layer along time with weights shared across all sequences (assets). Filter [k, C, D] in
 * tf.conv1d's layout, initialised like a dense layer of fan-in k·C (as torch's Conv1d weight viewed
 * as [D, C·k]).
 */
export class TemporalConv implements Module {
  readonly config: Readonly<TemporalConvConfig>;
  readonly filter: tf.Variable<tf.Rank.R3>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(config: TemporalConvConfig) {
    assertPositiveInt('TemporalConv inChannels', config.inChannels);
    assertPositiveInt('TemporalConv outChannels', config.outChannels);
    assertPositiveInt('TemporalConv kernelSize', config.kernelSize);
    this.config = { ...config };
    const { kernelSize: k, inChannels: C, outChannels: D } = config;
    const init = config.init ?? 'orthogonal';
    const values = initKernel(
      init,
      k * C,
      D,
      config.gain ?? (init === 'orthogonal' ? Math.SQRT2 : 1),
      new Rng(config.seed),
    );
    this.filter = tf.tidy(() => tf.variable(tf.tensor3d(values, [k, C, D]), true));
    this.bias =
      config.useBias === false ? null : tf.tidy(() => tf.variable(tf.zeros([D]) as tf.Tensor1D, true));
  }

  /** x [M, T, C] → [M, T − k + 1, D]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    if (x.rank !== 3 || x.shape[2] !== this.config.inChannels) {
      throw new Error(
        `TemporalConv.apply: expected [M, T, ${this.config.inChannels}], got shape [${x.shape.join(', ')}]`,
      );
    }
    return temporalConv(x, this.filter, this.bias, {
      activation: this.config.activation,
      skipInputGrad: this.config.skipInputGrad,
    });
  }

  variables(): tf.Variable[] {
    return this.bias ? [this.filter, this.bias] : [this.filter];
  }
  namedVariables(): NamedVariable[] {
    const out: NamedVariable[] = [{ name: 'filter', variable: this.filter }];
    if (this.bias) out.push({ name: 'bias', variable: this.bias });
    return out;
  }
  get paramCount(): number {
    return countParams(this.variables());
  }
  dispose(): void {
    this.filter.dispose();
    this.bias?.dispose();
  }
}
