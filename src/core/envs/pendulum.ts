import type { BoxSpace, Env, Info, ResetOptions, ResetResult, StepResult } from './types.ts';
import { Rng } from '../rng.ts';

/**
 * Pendulum-v1, Gymnasium's classic-control dynamics verbatim (gymnasium/envs/classic_control/
 * pendulum.py): torque u ∈ [−2, 2] clipped, cost θ_n² + 0.1·θ̇² + 0.001·u² with θ_n the angle
 * wrapped to [−π, π) (0 = upright), semi-implicit Euler
 *   θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m·l²)·u)·dt, ±8),   θ' = θ + θ̇'·dt,
 * observation [cos θ, sin θ, θ̇] (float32), never terminated, truncated at 200 steps (the TimeLimit
 * of `gym.make`). Reset draws θ ~ U(−π, π), θ̇ ~ U(−1, 1) (options x_init / y_init change the
 * bounds). The state is float64 as Gymnasium's; the action is read as float32, as its Box is.
 * The continuous-control sanity env: SAC reaches about −150 to −200 per episode (rl-zoo −157 ± 88).
 */
export interface PendulumConfig {
  /** Gravity g. Gymnasium default 10.0. */
  g: number;
  /** Truncation length (TimeLimit). Pendulum-v1: 200. */
  maxEpisodeSteps: number;
}

export const defaultPendulumConfig: PendulumConfig = { g: 10.0, maxEpisodeSteps: 200 };

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const M = 1.0;
const L = 1.0;

/** ((x + π) mod 2π) − π with Python's floored modulo. */
export function angleNormalize(x: number): number {
  const m = 2 * Math.PI;
  const y = (x + Math.PI) % m;
  return (y < 0 ? y + m : y) - Math.PI;
}

export class PendulumEnv implements Env<Float32Array, Info> {
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [3],
    low: Float32Array.of(-1, -1, -MAX_SPEED),
    high: Float32Array.of(1, 1, MAX_SPEED),
  };
  readonly actionSpace: BoxSpace = { kind: 'box', shape: [1], low: -MAX_TORQUE, high: MAX_TORQUE };
  readonly config: PendulumConfig;
  /** [θ, θ̇], float64. */
  readonly state = new Float64Array(2);
  private rng: Rng;
  private elapsed = 0;
  private done = true;
  private obsBuf: Float32Array | null = null;

  constructor(config: Partial<PendulumConfig> = {}, seed = 0) {
    this.config = { ...defaultPendulumConfig, ...config };
    this.rng = new Rng(seed);
  }

  setObservationBuffer(target: Float32Array): void {
    this.obsBuf = target;
    this.writeObs(target);
  }

  private writeObs(out: Float32Array): Float32Array {
    const [th, thdot] = this.state;
    out[0] = Math.cos(th);
    out[1] = Math.sin(th);
    out[2] = thdot;
    return out;
  }

  private obs(): Float32Array {
    return this.writeObs(this.obsBuf ?? new Float32Array(3));
  }

  /** `options.x_init` / `options.y_init`: the symmetric bounds of θ and θ̇ (Gymnasium's names). */
  reset(opts: ResetOptions = {}): ResetResult<Info> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const x = opts.options?.x_init;
    const y = opts.options?.y_init;
    const hx = typeof x === 'number' ? x : Math.PI;
    const hy = typeof y === 'number' ? y : 1.0;
    this.state[0] = this.rng.uniform(-hx, hx);
    this.state[1] = this.rng.uniform(-hy, hy);
    this.elapsed = 0;
    this.done = false;
    return { obs: this.obs(), info: {} };
  }

  step(action: Float32Array): StepResult<Info> {
    if (this.done) throw new Error('Pendulum: step() after the episode ended; call reset() first');
    const a = action[0];
    if (!Number.isFinite(a)) throw new Error(`Pendulum: action must be a finite torque, got ${a}`);
    const { g } = this.config;
    const [th, thdot] = this.state;
    const u = Math.fround(Math.min(MAX_TORQUE, Math.max(-MAX_TORQUE, a)));
    // numpy ≥ 2 keeps (python float)·float32 in float32: the torque terms are rounded as there.
    const torqueCost = Math.fround(Math.fround(0.001) * Math.fround(u * u));
    const torqueAcc = Math.fround((3.0 / (M * L ** 2)) * u);
    const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + torqueCost;
    let newThdot = thdot + (((3 * g) / (2 * L)) * Math.sin(th) + torqueAcc) * DT;
    newThdot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newThdot));
    this.state[0] = th + newThdot * DT;
    this.state[1] = newThdot;
    this.elapsed++;
    const truncated = this.elapsed >= this.config.maxEpisodeSteps;
    this.done = truncated;
    return { obs: this.obs(), reward: -costs, terminated: false, truncated, info: {} };
  }
}
