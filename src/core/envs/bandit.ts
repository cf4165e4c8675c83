import type { BoxSpace, Env, ResetOptions, ResetResult, Space, StepResult } from './types.ts';
import { Rng } from '../rng.ts';

/**
 * Contextual bandit with a known optimum, for learning tests of the agents' plumbing.
 *
 * Each episode draws a context c uniformly from `numContexts` and shows it one-hot; the agent
 * answers, gets reward and the episode ends after `episodeLength` steps (a new context every step).
 * Three action modes exercise the three policy heads:
 * - 'discrete': one action in [0, numActions), reward mean `means[c][a]` + N(0, noiseStd²).
 * - 'multi-discrete': `numHeads` heads of `numActions`; reward = mean over heads of `means[c][a_h]`
 *   shifted per head (head h's table is `means` with actions rotated by h), so each head must learn
 *   its own answer — the factorized BUY/SELL/HOLD policy in miniature.
 * - 'box': a vector in R^numHeads, reward 1 − mean_h (a_h − target[c][h])² (clipped to [-1, 1]
 *   before scoring), optimum 1.
 * With `maskedActions`, the best raw action of each context and head is masked out and stepping it
 * throws: a policy that ignores masks crashes; a masked one reaches the (second-best) optimum.
 */
export interface BanditConfig {
  /** Number of contexts (one-hot observation size). */
  numContexts: number;
  /** Actions per head. */
  numActions: number;
  /** Heads for 'multi-discrete', action dimensions for 'box'; ignored for 'discrete'. */
  numHeads: number;
  mode: 'discrete' | 'multi-discrete' | 'box';
  /** Reward noise (standard deviation) added to every reward. */
  noiseStd: number;
  /** Steps per episode; each step shows a fresh context. */
  episodeLength: number;
  /** Mask one trap action per context and head (discrete modes only). */
  maskedActions: boolean;
  /** Mean reward table [numContexts][numActions]; drawn from the seed when absent. */
  means?: number[][];
}

export const defaultBanditConfig: BanditConfig = {
  numContexts: 4,
  numActions: 3,
  numHeads: 1,
  mode: 'discrete',
  noiseStd: 0.1,
  episodeLength: 1,
  maskedActions: false,
};

export class ContextualBanditEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly config: BanditConfig;
  /** Mean reward table [context][action], fixed at construction (independent of reset seeds). */
  readonly means: number[][];
  /** Box mode: target action [context][head]. */
  readonly targets: number[][];
  /** Expected reward per step of the best (valid) policy. */
  readonly optimalMeanReward: number;
  /** Expected reward per step of the uniform random (valid) policy. */
  readonly randomMeanReward: number;

  private rng: Rng;
  private context = 0;
  private elapsed = 0;
  private readonly heads: number;

  /** `tableSeed` fixes the problem (means, targets, traps); reset seeds only drive contexts and noise. */
  constructor(config: Partial<BanditConfig> = {}, tableSeed = 12345) {
    const cfg = { ...defaultBanditConfig, ...config };
    if (cfg.numActions < 2 || cfg.numContexts < 1 || cfg.numHeads < 1)
      throw new Error('ContextualBandit: need numActions ≥ 2, numContexts ≥ 1, numHeads ≥ 1');
    if (cfg.maskedActions && cfg.mode === 'box')
      throw new Error('ContextualBandit: maskedActions needs a discrete mode');
    if (cfg.maskedActions && cfg.numActions < 3)
      throw new Error('ContextualBandit: maskedActions needs numActions ≥ 3');
    this.config = cfg;
    this.heads = cfg.mode === 'discrete' ? 1 : cfg.numHeads;
    const tableRng = new Rng(tableSeed);
    this.means =
      cfg.means ??
      Array.from({ length: cfg.numContexts }, () =>
        Array.from({ length: cfg.numActions }, () => Math.round(tableRng.float() * 100) / 100),
      );
    if (this.means.length !== cfg.numContexts || this.means.some((row) => row.length !== cfg.numActions))
      throw new Error(`ContextualBandit: means must be [${cfg.numContexts}][${cfg.numActions}]`);
    this.targets = Array.from({ length: cfg.numContexts }, () =>
      Array.from({ length: this.heads }, () => tableRng.uniform(-0.8, 0.8)),
    );
    this.observationSpace = { kind: 'box', shape: [cfg.numContexts], low: 0, high: 1 };
    this.actionSpace =
      cfg.mode === 'discrete'
        ? { kind: 'discrete', n: cfg.numActions }
        : cfg.mode === 'multi-discrete'
          ? { kind: 'multi-discrete', nvec: Array.from({ length: cfg.numHeads }, () => cfg.numActions) }
          : { kind: 'box', shape: [cfg.numHeads], low: -1, high: 1 };
    let best = 0;
    let avg = 0;
    if (cfg.mode === 'box') {
      best = 1;
      avg = NaN;
    } else {
      for (let c = 0; c < cfg.numContexts; c++) {
        for (let h = 0; h < this.heads; h++) {
          let m = -Infinity;
          let s = 0;
          let n = 0;
          for (let a = 0; a < cfg.numActions; a++) {
            if (!this.valid(c, h, a)) continue;
            const r = this.mean(c, h, a);
            m = Math.max(m, r);
            s += r;
            n++;
          }
          best += m / (cfg.numContexts * this.heads);
          avg += s / n / (cfg.numContexts * this.heads);
        }
      }
    }
    this.optimalMeanReward = best;
    this.randomMeanReward = avg;
    this.rng = new Rng(tableSeed ^ 0x5bd1e995);
    if (cfg.maskedActions) this.actionMask = () => this.currentMask();
  }

  /** Head h's mean for action a in context c: the table with actions rotated by h. */
  mean(c: number, h: number, a: number): number {
    return this.means[c][(a + h) % this.config.numActions];
  }

  /** The trap: the action with the highest raw mean of each context and head, when masking is on. */
  private trapAction(c: number, h: number): number {
    let arg = 0;
    for (let a = 1; a < this.config.numActions; a++) if (this.mean(c, h, a) > this.mean(c, h, arg)) arg = a;
    return arg;
  }

  private valid(c: number, h: number, a: number): boolean {
    return !this.config.maskedActions || a !== this.trapAction(c, h);
  }

  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.elapsed = 0;
    this.context = this.rng.int(this.config.numContexts);
    return { obs: this.observe(), info: this.config.maskedActions ? { actionMask: this.currentMask() } : {} };
  }

  /** Present only with `maskedActions` (the Env contract's optional method). */
  readonly actionMask?: () => Uint8Array;

  private currentMask(): Uint8Array {
    return this.maskForContext(this.context);
  }

  /** The action mask in context c (all ones without `maskedActions`). */
  maskForContext(c: number): Uint8Array {
    const n = this.config.numActions;
    const mask = new Uint8Array(this.heads * n);
    for (let h = 0; h < this.heads; h++)
      for (let a = 0; a < n; a++) mask[h * n + a] = this.valid(c, h, a) ? 1 : 0;
    return mask;
  }

  step(action: number | Int32Array | Float32Array): StepResult {
    const { mode, numActions, noiseStd } = this.config;
    const c = this.context;
    let reward = 0;
    if (mode === 'box') {
      const a = action as Float32Array;
      for (let h = 0; h < this.heads; h++) {
        const clipped = Math.min(1, Math.max(-1, a[h]));
        reward += 1 - (clipped - this.targets[c][h]) ** 2;
      }
      reward /= this.heads;
    } else {
      const acts = typeof action === 'number' ? [action] : Array.from(action);
      if (acts.length !== this.heads)
        throw new Error(`ContextualBandit: expected ${this.heads} action(s), got ${acts.length}`);
      for (let h = 0; h < this.heads; h++) {
        const a = acts[h];
        if (!Number.isInteger(a) || a < 0 || a >= numActions)
          throw new Error(`ContextualBandit: action ${a} out of range [0, ${numActions})`);
        if (!this.valid(c, h, a))
          throw new Error(`ContextualBandit: masked action ${a} taken in context ${c}, head ${h}`);
        reward += this.mean(c, h, a) / this.heads;
      }
    }
    reward += noiseStd > 0 ? this.rng.normal(0, noiseStd) : 0;
    this.elapsed++;
    const terminated = this.elapsed >= this.config.episodeLength;
    this.context = this.rng.int(this.config.numContexts);
    const info = this.config.maskedActions ? { actionMask: this.currentMask() } : {};
    return { obs: this.observe(), reward, terminated, truncated: false, info };
  }

  private observe(): Float32Array {
    const obs = new Float32Array(this.config.numContexts);
    obs[this.context] = 1;
    return obs;
  }
}
