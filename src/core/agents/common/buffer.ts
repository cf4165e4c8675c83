/**
 * On-policy rollout storage, preallocated [numSteps, numEnvs] (time-major, index t * numEnvs + k)
 * with CleanRL's names: obs / actions / logprobs / rewards / dones / values. Plus what correct
 * bootstrapping needs (timeouts, finalValues), the action masks seen when acting (maskable PPO
 * re-applies them in the update), and the GAE outputs.
 */
import { computeGae } from './gae.ts';

export interface RolloutBufferSpec {
  numSteps: number;
  numEnvs: number;
  obsSize: number;
  /** Integers per env step (heads) for categorical policies, floats (dims) for Gaussian ones. */
  actionSize: number;
  actionKind: 'int' | 'float';
  /** Flat mask width (Σ nvec) when the env gives masks; 0 for none. */
  maskSize: number;
  /**
   * > 0: states are stored by day (the per-(asset, day) path, policy.ts): `days` and the portfolio
   * parts `extras` of this width are kept and `obs` stays empty. Default 0 (full observations).
   */
  extrasSize?: number;
}

export class RolloutBuffer {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly obsSize: number;
  readonly actionSize: number;
  readonly maskSize: number;
  /** [T·K·obsSize] observation the action was taken in (empty when states are stored by day). */
  readonly obs: Float32Array;
  /** [T·K] day the observation's window ends on, or null (full observations). */
  readonly days: Int32Array | null;
  /** [T·K·extrasSize] the observation's portfolio part, or null. */
  readonly extras: Float32Array | null;
  readonly extrasSize: number;
  /** [T·K·actionSize] Int32 (categorical heads) or Float32 (Gaussian, unclipped). */
  readonly actions: Int32Array | Float32Array;
  /** [T·K] log π_old(a|s). */
  readonly logprobs: Float32Array;
  readonly rewards: Float32Array;
  /** [T·K] 1 when this step ended the episode (terminated or truncated). */
  readonly dones: Uint8Array;
  /** [T·K] 1 when this step was truncated (time limit) without terminating. */
  readonly timeouts: Uint8Array;
  /** [T·K] V(final obs) where timeouts = 1. */
  readonly finalValues: Float32Array;
  /** [T·K] V(s_t) when acting. */
  readonly values: Float32Array;
  /** [T·K·maskSize] or null. */
  readonly masks: Uint8Array | null;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;

  constructor(spec: RolloutBufferSpec) {
    const { numSteps, numEnvs, obsSize, actionSize, actionKind, maskSize } = spec;
    for (const [name, v] of Object.entries({ numSteps, numEnvs, obsSize, actionSize })) {
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`RolloutBuffer: ${name} must be a positive integer, got ${v}`);
    }
    const n = numSteps * numEnvs;
    this.numSteps = numSteps;
    this.numEnvs = numEnvs;
    this.obsSize = obsSize;
    this.actionSize = actionSize;
    this.maskSize = maskSize;
    this.extrasSize = spec.extrasSize ?? 0;
    const byDay = this.extrasSize > 0;
    this.obs = new Float32Array(byDay ? 0 : n * obsSize);
    this.days = byDay ? new Int32Array(n) : null;
    this.extras = byDay ? new Float32Array(n * this.extrasSize) : null;
    this.actions = actionKind === 'int' ? new Int32Array(n * actionSize) : new Float32Array(n * actionSize);
    this.logprobs = new Float32Array(n);
    this.rewards = new Float32Array(n);
    this.dones = new Uint8Array(n);
    this.timeouts = new Uint8Array(n);
    this.finalValues = new Float32Array(n);
    this.values = new Float32Array(n);
    this.masks = maskSize > 0 ? new Uint8Array(n * maskSize) : null;
    this.advantages = new Float32Array(n);
    this.returns = new Float32Array(n);
  }

  get size(): number {
    return this.numSteps * this.numEnvs;
  }

  /** Fill advantages and returns with GAE(λ), bootstrapping from V(s_T) = lastValues. */
  computeReturnsAndAdvantages(lastValues: ArrayLike<number>, gamma: number, lambda: number): void {
    computeGae(
      {
        numSteps: this.numSteps,
        numEnvs: this.numEnvs,
        gamma,
        lambda,
        rewards: this.rewards,
        values: this.values,
        dones: this.dones,
        timeouts: this.timeouts,
        finalValues: this.finalValues,
        lastValues,
      },
      { advantages: this.advantages, returns: this.returns },
    );
  }
}
