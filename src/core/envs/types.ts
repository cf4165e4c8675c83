/**
 * Gymnasium-style environment contract shared by every env, the vector wrapper, the agents and
 * the run loop. Observations are always flat Float32Arrays described by a Box space; the space's
 * `shape` says how to read them.
 */

/** Continuous box; `low`/`high` are scalars (same bound everywhere) or per-element arrays. */
export interface BoxSpace {
  kind: 'box';
  shape: number[];
  low: number | Float32Array;
  high: number | Float32Array;
}

/** One integer action in [0, n). */
export interface DiscreteSpace {
  kind: 'discrete';
  n: number;
}

/** One integer per head, head i in [0, nvec[i]) — QTMRL's factorized BUY/SELL/HOLD per asset. */
export interface MultiDiscreteSpace {
  kind: 'multi-discrete';
  nvec: number[];
}

export type Space = BoxSpace | DiscreteSpace | MultiDiscreteSpace;

/** Action value for each space kind: Discrete → number, MultiDiscrete → Int32Array, Box → Float32Array. */
export type ActionOf<S extends Space> = S extends DiscreteSpace
  ? number
  : S extends MultiDiscreteSpace
    ? Int32Array
    : Float32Array;

export type Action = number | Int32Array | Float32Array;

/** Free-form per-step information; reward parts go in `rewardParts`. */
export interface Info {
  [key: string]: unknown;
  /** Named parts of the reward (Gymnasium habit), e.g. { pnl, fee, fidelity }. */
  rewardParts?: Record<string, number>;
  /** For discrete/multi-discrete envs that support masking: 1 = allowed, flattened over heads. */
  actionMask?: Uint8Array;
}

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}

export interface ResetResult<I extends Info = Info> {
  obs: Float32Array;
  info: I;
}

export interface StepResult<I extends Info = Info> {
  obs: Float32Array;
  reward: number;
  /** The MDP ended (e.g. ran out of data, pole fell). */
  terminated: boolean;
  /** Cut by a time limit, not by the MDP: bootstrap from V(s'). */
  truncated: boolean;
  info: I;
}

export interface Env<A extends Action = Action, I extends Info = Info> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Reset; a given seed re-seeds the env's own Rng, otherwise the stream continues. */
  reset(opts?: ResetOptions): ResetResult<I>;
  step(action: A): StepResult<I>;
  /** Optional: the current action mask (see Info.actionMask) without stepping. */
  actionMask?(): Uint8Array;
  /**
   * Optional: from now on write observations into `target` (length = observation size) and
   * return it from reset()/step(), e.g. a vector env's row of its batch buffer, so the per-step
   * copy into the batch disappears. The env's current observation is written into it at once.
   */
  setObservationBuffer?(target: Float32Array): void;
}

/** Flat length of an observation or Box action. */
export function spaceSize(space: Space): number {
  switch (space.kind) {
    case 'box':
      return space.shape.reduce((a, b) => a * b, 1);
    case 'discrete':
      return 1;
    case 'multi-discrete':
      return space.nvec.length;
  }
}

/** Total number of logits a policy needs for a discrete space (Σ nvec, or n). */
export function logitCount(space: Space): number {
  switch (space.kind) {
    case 'discrete':
      return space.n;
    case 'multi-discrete':
      return space.nvec.reduce((a, b) => a + b, 0);
    case 'box':
      throw new Error('logitCount: a Box action space has no logits');
  }
}

/**
 * Risk monitoring every market env reports in its info (seed 002's risk monitor): the drawdown of
 * the portfolio value from its peak since reset, and its exposure as a share of that value.
 */
export interface RiskInfo {
  /** Portfolio value / its peak since reset − 1 (≤ 0). */
  drawdown: number;
  peakValue: number;
  /** Σ |position value| / portfolio value. */
  grossExposure: number;
  /** Σ position value / portfolio value (long − short). */
  netExposure: number;
}
