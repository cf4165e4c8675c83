/**
 * The policy as the on-policy agents see it: an actor-critic network from nets/ (makeActorCritic:
 * MLP, TimeCNN or Transformer encoder; categorical, factorized multi-head or Gaussian output) plus
 * the sampling and log-probability code of common/distributions.ts.
 *
 * Acting runs ONE batched forward pass for all K envs and ONE readback per step (policy output,
 * log σ for Gaussians, and value concatenated), then samples on the CPU with the seeded Rng.
 * Learning re-evaluates log π(a|s), entropy and V(s) as tensors inside the gradient function.
 *
 * Box actions: the Gaussian is over the pre-squash variable u, which is what the buffer stores and
 * what log π is computed of; the env gets squash(u) (net.squash: 'none' clips to the bounds, 'tanh'
 * maps into them, 'softmax' gives simplex weights). The squash Jacobian depends on u only, so it
 * cancels in PPO's ratio and in A2C's gradient; the entropy reported is that of u.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import type { NamedVariable } from '../nets/module.ts';
import type { ActorCritic } from '../nets/actorCritic.ts';
import { categoricalLogProbEntropy, gaussianLogProbEntropy, sampleCategorical, sampleGaussian, type LogProbEntropy, type PolicyHead } from './distributions.ts';

/** Output buffers of Policy.act for K rows. */
export interface ActOutput {
  /** Int32 [K · heads] or Float32 [K · dims] (pre-squash u). */
  actions: Int32Array | Float32Array;
  logprobs: Float32Array;
  values: Float32Array;
}

/** Wall time spent inside act(), for the per-update breakdown (ms, accumulated). */
export interface ActTimings {
  forwardMs: number;
  readbackMs: number;
  sampleMs: number;
}

export class Policy {
  readonly net: ActorCritic;
  readonly head: PolicyHead;
  readonly obsSize: number;
  /** Width of the policy output: Σ nvec logits, or the Gaussian's dims. */
  readonly piSize: number;
  /** Integers (heads) or floats (dims) per action. */
  readonly actionSize: number;
  /** Row width of the packed readback: pi, (log σ), value. */
  private readonly rowSize: number;

  constructor(net: ActorCritic, head: PolicyHead) {
    this.net = net;
    this.head = head;
    this.obsSize = net.obsSize;
    if (head.kind === 'categorical') {
      if (!net.nvec || net.nvec.join() !== head.nvec.join())
        throw new Error(`network heads [${net.nvec?.join(', ') ?? 'Gaussian'}] do not match the action space [${head.nvec.join(', ')}]`);
      this.piSize = head.nvec.reduce((a, b) => a + b, 0);
      this.actionSize = head.nvec.length;
      this.rowSize = this.piSize + 1;
    } else {
      if (net.policyKind !== 'gaussian' || net.actionDim !== head.dim) throw new Error(`network output (${net.policyKind}, ${net.actionDim}) does not match a Box action of ${head.dim} dims`);
      this.piSize = head.dim;
      this.actionSize = head.dim;
      this.rowSize = 2 * head.dim + 1;
    }
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  namedVariables(): NamedVariable[] {
    return this.net.namedVariables();
  }

  get paramCount(): number {
    return this.net.paramCount;
  }

  /** Forward `rows` observations: packed [rows · rowSize]. One readback (async: never blocks a GPU backend). */
  async forward(obs: Float32Array, rows: number, timings?: ActTimings): Promise<Float32Array> {
    const t0 = performance.now();
    const out = tf.tidy(() => {
      const x = tf.tensor2d(obs.subarray(0, rows * this.obsSize), [rows, this.obsSize]);
      const o = this.net.forward(x);
      const value = tf.reshape(o.value, [rows, 1]);
      return this.head.kind === 'categorical' ? tf.concat([o.logits!, value], 1) : tf.concat([o.mean!, o.logStd!, value], 1);
    });
    const t1 = performance.now();
    const data = (await out.data()) as Float32Array;
    out.dispose();
    if (timings) {
      timings.forwardMs += t1 - t0;
      timings.readbackMs += performance.now() - t1;
    }
    return data;
  }

  /** V(s) for `rows` observations (bootstrap values). */
  async predictValues(obs: Float32Array, rows: number): Promise<Float32Array> {
    const data = await this.forward(obs, rows);
    const values = new Float32Array(rows);
    for (let r = 0; r < rows; r++) values[r] = data[r * this.rowSize + this.rowSize - 1];
    return values;
  }

  /** Act in `rows` envs: one forward pass, one readback, CPU sampling with `rng`. */
  async act(obs: Float32Array, rows: number, masks: Uint8Array | null, rng: Rng, deterministic: boolean, out: ActOutput, timings?: ActTimings): Promise<void> {
    const data = await this.forward(obs, rows, timings);
    const t0 = performance.now();
    const stride = this.rowSize;
    for (let r = 0; r < rows; r++) out.values[r] = data[r * stride + stride - 1];
    if (this.head.kind === 'categorical') {
      sampleCategorical({ logits: data, stride, rows, nvec: this.head.nvec, masks, rng, deterministic, actions: out.actions as Int32Array, logprobs: out.logprobs });
    } else {
      sampleGaussian({
        means: data,
        logStds: data,
        stride,
        logStdOffset: this.head.dim,
        rows,
        dim: this.head.dim,
        rng,
        deterministic,
        actions: out.actions as Float32Array,
        logprobs: out.logprobs,
      });
    }
    if (timings) timings.sampleMs += performance.now() - t0;
  }

  /**
   * Differentiable log π(a|s), entropy and V(s) for a batch. `actions` is the one-hot [B, Σ nvec]
   * for categorical heads (actionsToOneHot) or the stored pre-squash u [B, dim] for Gaussian ones.
   */
  evaluateActions(obs: tf.Tensor2D, actions: tf.Tensor2D, mask: tf.Tensor2D | null): LogProbEntropy & { value: tf.Tensor1D } {
    return tf.tidy(() => {
      const o = this.net.forward(obs);
      const dist = this.head.kind === 'categorical' ? categoricalLogProbEntropy(o.logits!, actions, this.head.nvec, mask) : gaussianLogProbEntropy(o.mean!, o.logStd!, actions);
      return { ...dist, value: o.value };
    });
  }

  dispose(): void {
    this.net.dispose();
  }
}
