/**
 * The policy as the on-policy agents see it: an actor-critic network from nets/ (makeActorCritic:
 * MLP, TimeCNN or Transformer encoder; categorical, factorized multi-head or Gaussian output) plus
 * the sampling and log-probability code of common/distributions.ts.
 *
 * Acting runs ONE batched forward pass for all K envs and ONE readback per step (policy output,
 * log σ for Gaussians, and value concatenated), then samples on the CPU with the seeded Rng.
 * Learning re-evaluates log π(a|s), entropy and V(s) as tensors inside the gradient function.
 *
 * With a resident market (attachMarket; TimeCNN only) states are referenced by the day their window
 * ends on plus their portfolio part (extras): a rollout embeds the days ahead once (beginRollout;
 * the weights are fixed until the update), so a step uploads K days and K·E extras, runs only the
 * merge, cross-asset layer and heads, and reads back only the packed actions row.
 *
 * Box actions: the Gaussian is over the pre-squash variable u, which is what the buffer stores and
 * what log π is computed of; the env gets squash(u) (net.squash: 'none' clips to the bounds, 'tanh'
 * maps into them, 'softmax' gives simplex weights). The squash Jacobian depends on u only, so it
 * cancels in PPO's ratio and in A2C's gradient; the entropy reported is that of u.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng.ts';
import type { NamedVariable } from '../nets/module.ts';
import type { ActorCritic, ActorCriticOutput } from '../nets/actorCritic.ts';
import type { ResidentMarket } from '../nets/resident.ts';
import {
  categoricalLogProbEntropy,
  gaussianLogProbEntropy,
  sampleCategorical,
  sampleGaussian,
  squashActions,
  type LogProbEntropy,
  type PolicyHead,
} from './distributions.ts';

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
  /** The market on the device (per-(asset, day) path), or null. */
  private market: ResidentMarket | null = null;
  /** This rollout's time embeddings [M, N·D] and the row of each day in them (−1: not embedded). */
  /**
   * `host`: z read back once, on the wasm and cpu backends (host memory anyway): each step copies its
   * rows from it, because their Gather kernel works per element (0.4–0.6 ms for 8 rows of 1,024 on
   * wasm, measured, against a few µs for the copy and upload); the values are the same.
   */
  private cache: { z: tf.Tensor2D; slot: Int32Array; host: Float32Array | null } | null = null;

  /**
   * `custom`: the sizes of a subclass with its own distribution over the net's outputs (e.g.
   * hybridPolicy.ts); it then owns the net/head consistency checks and overrides act,
   * evaluateActions and envActions.
   */
  constructor(
    net: ActorCritic,
    head: PolicyHead,
    custom?: { piSize: number; actionSize: number; rowSize: number },
  ) {
    this.net = net;
    this.head = head;
    this.obsSize = net.obsSize;
    if (custom) {
      this.piSize = custom.piSize;
      this.actionSize = custom.actionSize;
      this.rowSize = custom.rowSize;
    } else if (head.kind === 'categorical') {
      if (!net.nvec || net.nvec.join() !== head.nvec.join())
        throw new Error(
          `network heads [${net.nvec?.join(', ') ?? 'Gaussian'}] do not match the action space [${head.nvec.join(', ')}]`,
        );
      this.piSize = head.nvec.reduce((a, b) => a + b, 0);
      this.actionSize = head.nvec.length;
      this.rowSize = this.piSize + 1;
    } else {
      if (net.policyKind !== 'gaussian' || net.actionDim !== head.dim)
        throw new Error(
          `network output (${net.policyKind}, ${net.actionDim}) does not match a Box action of ${head.dim} dims`,
        );
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
    return this.readPacked(
      () => this.net.forward(tf.tensor2d(obs.subarray(0, rows * this.obsSize), [rows, this.obsSize])),
      rows,
      timings,
    );
  }

  /** Whether states are referenced by day on a resident market (attachMarket). */
  get resident(): boolean {
    return this.market !== null;
  }

  /** Width of an observation's portfolio part (after the window block), for the day path. */
  get extrasSize(): number {
    const l = this.net.config.layout;
    return l ? l.nAssets * l.perAssetExtras + l.globalExtras : 0;
  }

  /** Use the per-(asset, day) path on `market` (the policy does not own it). Needs net.dayPath. */
  attachMarket(market: ResidentMarket): void {
    if (!this.net.dayPath)
      throw new Error(
        'Policy.attachMarket: this network has no per-(asset, day) path (a shared TimeCNN encoder)',
      );
    this.market = market;
  }

  /**
   * Start of a rollout: embeds the windows ending on days d..d+horizon for each current day d, so
   * the steps ahead only gather their rows. Valid until endRollout(): the weights must not change.
   */
  beginRollout(days: Int32Array, horizon: number): void {
    this.endRollout();
    this.ensureDays(days, horizon);
  }

  /** Drops the rollout's embeddings (they are stale once the weights change). */
  endRollout(): void {
    this.cache?.z.dispose();
    this.cache = null;
  }

  /** Embeds days not in the cache (with `horizon` days after each: an env that reset mid-rollout continues there). */
  private ensureDays(days: Int32Array, horizon: number): void {
    const m = this.market!;
    const slot = this.cache?.slot ?? new Int32Array(m.nRows).fill(-1);
    const fresh: number[] = [];
    for (const d of days) {
      if (slot[d] >= 0) continue;
      for (let e = d; e <= Math.min(d + horizon, m.nRows - 1); e++) {
        if (slot[e] < 0) {
          slot[e] = -2; // listed
          fresh.push(e);
        }
      }
    }
    if (fresh.length === 0) return;
    const ends = Int32Array.from(fresh);
    const base = this.cache ? this.cache.z.shape[0] : 0;
    ends.forEach((e, i) => (slot[e] = base + i));
    const old = this.cache?.z ?? null;
    const z = tf.tidy(() => {
      const block = tf.reshape(this.net.embedDays(m, ends), [ends.length, -1]) as tf.Tensor2D;
      return old ? (tf.concat([old, block], 0) as tf.Tensor2D) : block;
    });
    old?.dispose();
    const backend = tf.getBackend();
    const host = backend === 'wasm' || backend === 'cpu' ? (z.dataSync() as Float32Array) : null;
    this.cache = { z, slot, host };
  }

  /**
   * forward() of `rows` states given as window-end days and portfolio parts [rows · extrasSize]:
   * packed [rows · rowSize], from the rollout's embeddings (days missing from them are embedded first).
   */
  async forwardDays(
    days: Int32Array,
    extras: Float32Array,
    rows: number,
    timings?: ActTimings,
  ): Promise<Float32Array> {
    if (!this.market) throw new Error('Policy.forwardDays: no resident market (attachMarket)');
    const t0 = performance.now();
    const d = days.subarray(0, rows);
    this.ensureDays(d, 0);
    if (timings) timings.forwardMs += performance.now() - t0;
    const { z, slot, host } = this.cache!;
    const idx = Int32Array.from(d, (day) => slot[day]);
    const E = this.extrasSize;
    const N = this.net.config.layout!.nAssets;
    const len = z.shape[1];
    return this.readPacked(
      () => {
        let picked: tf.Tensor2D;
        if (host) {
          const buf = new Float32Array(rows * len);
          idx.forEach((i, r) => buf.set(host.subarray(i * len, (i + 1) * len), r * len));
          picked = tf.tensor2d(buf, [rows, len]);
        } else {
          picked = tf.gather(z, tf.tensor1d(idx, 'int32'));
        }
        const zi = tf.reshape(picked, [rows * N, -1]) as tf.Tensor2D;
        return this.net.forwardEmbedded(zi, tf.tensor2d(extras.subarray(0, rows * E), [rows, E]));
      },
      rows,
      timings,
    );
  }

  /** V(s) of `rows` states given by day and portfolio part (bootstrap values on the day path). */
  async predictValuesDays(days: Int32Array, extras: Float32Array, rows: number): Promise<Float32Array> {
    return this.valuesOf(await this.forwardDays(days, extras, rows), rows);
  }

  /** act() on the day path: states given by window-end day and portfolio part. */
  async actDays(
    days: Int32Array,
    extras: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    rng: Rng,
    deterministic: boolean,
    out: ActOutput,
    timings?: ActTimings,
  ): Promise<void> {
    this.sample(
      await this.forwardDays(days, extras, rows, timings),
      rows,
      masks,
      rng,
      deterministic,
      out,
      timings,
    );
  }

  /**
   * The env's actions for sampled `actions` (rows × actionSize): Box samples squashed into the
   * space, discrete ones as they are (then `actions` itself is returned).
   */
  envActions(actions: Int32Array | Float32Array, out: Float32Array): Int32Array | Float32Array {
    const head = this.head;
    return head.kind === 'gaussian'
      ? squashActions(actions as Float32Array, this.net.squash, head.low, head.high, out)
      : actions;
  }

  /** Runs `fn` (a forward pass) in a tidy, packs pi, (log σ), value per row and reads it back once. */
  private async readPacked(
    fn: () => ActorCriticOutput,
    rows: number,
    timings?: ActTimings,
  ): Promise<Float32Array> {
    const t0 = performance.now();
    const out = tf.tidy(() => {
      const o = fn();
      const value = tf.reshape(o.value, [rows, 1]);
      return this.head.kind === 'categorical'
        ? tf.concat([o.logits!, value], 1)
        : tf.concat([o.mean!, o.logStd!, value], 1);
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
    return this.valuesOf(await this.forward(obs, rows), rows);
  }

  private valuesOf(data: Float32Array, rows: number): Float32Array {
    const values = new Float32Array(rows);
    for (let r = 0; r < rows; r++) values[r] = data[r * this.rowSize + this.rowSize - 1];
    return values;
  }

  /** Act in `rows` envs: one forward pass, one readback, CPU sampling with `rng`. */
  async act(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    rng: Rng,
    deterministic: boolean,
    out: ActOutput,
    timings?: ActTimings,
  ): Promise<void> {
    this.sample(await this.forward(obs, rows, timings), rows, masks, rng, deterministic, out, timings);
  }

  /** CPU sampling from a packed forward output. */
  private sample(
    data: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    rng: Rng,
    deterministic: boolean,
    out: ActOutput,
    timings?: ActTimings,
  ): void {
    const t0 = performance.now();
    const stride = this.rowSize;
    for (let r = 0; r < rows; r++) out.values[r] = data[r * stride + stride - 1];
    if (this.head.kind === 'categorical') {
      sampleCategorical({
        logits: data,
        stride,
        rows,
        nvec: this.head.nvec,
        masks,
        rng,
        deterministic,
        actions: out.actions as Int32Array,
        logprobs: out.logprobs,
      });
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
  evaluateActions(
    obs: tf.Tensor2D,
    actions: tf.Tensor2D,
    mask: tf.Tensor2D | null,
    days: Int32Array | null = null,
  ): LogProbEntropy & { value: tf.Tensor1D } {
    if (days && !this.market)
      throw new Error('Policy.evaluateActions: days given but no resident market (attachMarket)');
    return tf.tidy(() => {
      // With days, `obs` holds only the portfolio parts [B, extrasSize]: the per-(asset, day) path.
      const o = days ? this.net.forwardDays(this.market!, days, obs) : this.net.forward(obs);
      const dist =
        this.head.kind === 'categorical'
          ? categoricalLogProbEntropy(o.logits!, actions, this.head.nvec, mask)
          : gaussianLogProbEntropy(o.mean!, o.logStd!, actions);
      return { ...dist, value: o.value };
    });
  }

  dispose(): void {
    this.endRollout();
    this.net.dispose();
  }
}
