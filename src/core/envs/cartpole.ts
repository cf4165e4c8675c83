import type { BoxSpace, DiscreteSpace, Env, Info, ResetOptions, ResetResult, StepResult } from './types.ts';
import { Rng } from '../rng.ts';

/**
 * CartPole-v1, Gymnasium's classic-control dynamics verbatim (Barto, Sutton & Anderson 1983;
 * gymnasium/envs/classic_control/cartpole.py): explicit Euler, reward +1 for every step including
 * the one that terminates, truncation at 500 steps (the TimeLimit wrapper of `gym.make`).
 * The state is kept in float64 as Gymnasium does; only the observation is float32.
 * A sanity env: any on-policy agent worth its name solves it (mean return ≥ 475).
 */
export interface CartPoleConfig {
  /** Truncation length (Gymnasium's TimeLimit). CartPole-v1: 500; v0: 200. */
  maxEpisodeSteps: number;
}

export const defaultCartPoleConfig: CartPoleConfig = { maxEpisodeSteps: 500 };

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const HALF_LENGTH = 0.5;
const POLEMASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
const FLOAT32_MAX = 3.4028234663852886e38;

export class CartPoleEnv implements Env<number, Info> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2 };
  readonly config: CartPoleConfig;

  /** [x, x_dot, theta, theta_dot], float64. */
  readonly state = new Float64Array(4);
  private rng: Rng;
  private elapsed = 0;
  private done = true;

  constructor(config: Partial<CartPoleConfig> = {}, seed = 0) {
    this.config = { ...defaultCartPoleConfig, ...config };
    const high = Float32Array.from([X_THRESHOLD * 2, FLOAT32_MAX, THETA_THRESHOLD * 2, FLOAT32_MAX]);
    this.observationSpace = { kind: 'box', shape: [4], low: high.map((v) => -v), high };
    this.rng = new Rng(seed);
  }

  /** `options.low` / `options.high` change the uniform start bounds (Gymnasium's reset options). */
  reset(opts: ResetOptions = {}): ResetResult<Info> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const low = typeof opts.options?.low === 'number' ? opts.options.low : -0.05;
    const high = typeof opts.options?.high === 'number' ? opts.options.high : 0.05;
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(low, high);
    this.elapsed = 0;
    this.done = false;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  step(action: number): StepResult<Info> {
    if (action !== 0 && action !== 1) throw new Error(`CartPole: action must be 0 or 1, got ${action}`);
    if (this.done) throw new Error('CartPole: step() after the episode ended; call reset() first');
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * thetaDot ** 2 * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sinTheta - cosTheta * temp) /
      (HALF_LENGTH * (4.0 / 3.0 - (MASS_POLE * cosTheta ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    this.state[0] = x;
    this.state[1] = xDot;
    this.state[2] = theta;
    this.state[3] = thetaDot;
    this.elapsed++;
    const terminated =
      x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
    // TimeLimit sets truncated independently of terminated: both can be true on the last step.
    const truncated = this.elapsed >= this.config.maxEpisodeSteps;
    this.done = terminated || truncated;
    return { obs: Float32Array.from(this.state), reward: 1.0, terminated, truncated, info: {} };
  }
}
