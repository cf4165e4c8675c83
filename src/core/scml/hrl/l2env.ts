/**
 * L2's Gymnasium view (the lab's Env contract): one learning HRL factory among fixed opponents,
 * one env step = one simulated day. Observation: l2Features at the start of the day. Action: a
 * Box [−1, 1]^4 residual on the prior goal (the cloned L2), g = clip(prior(s) + RESIDUAL·a), so
 * PPO starts from the BC policy (its Gaussian mean starts near 0). L1 then plays the day.
 *
 * Reward (seed 001 §4.2), in units of the initial balance B₀:
 *   r = Δcash + γ·(Φ' − Φ) − λ_risk·risk + ε·liquidity,  Φ = inventory · TP_in (0 at the end);
 * risk = tomorrow's predicted shortfall (sales due − inputs on hand or due) ÷ n_lines, liquidity =
 * units signed today ÷ n_lines. With λ_risk = ε = 0 the discounted shaped return telescopes to
 * the discounted Δcash return − Φ(s₀) (potential-based shaping leaves optimal policies unchanged).
 */
import { Rng } from '../../rng.ts';
import type { BoxSpace, Env, Info, ResetOptions, ResetResult, StepResult } from '../../envs/types.ts';
import { makeAgent, type AgentType } from '../agents/index.ts';
import { generateConfig, nAgentsOf } from '../config.ts';
import { World, type ScmlAgent } from '../world.ts';
import {
  clampGoal,
  GOAL_SIZE,
  heuristicGoal,
  HrlAgent,
  L2_FEATURES,
  l2Features,
  type GoalPolicy,
} from './agent.ts';

/** Residual reach per goal component (quantities in n_lines, prices in range positions). */
export const RESIDUAL = [0.5, 0.3, 0.5, 0.3] as const;

export interface ShapingParams {
  gamma: number;
  riskCoef: number;
  liquidityCoef: number;
}

export const defaultShaping: ShapingParams = { gamma: 0.99, riskCoef: 0.01, liquidityCoef: 0.001 };

/** r = Δcash + γ·Φ' − Φ − λ·risk + ε·liquidity (Φ' = 0 when terminal). */
export function shapedReward(
  dCash: number,
  phi: number,
  phiNext: number,
  terminal: boolean,
  risk: number,
  liquidity: number,
  p: ShapingParams,
): number {
  return dCash + p.gamma * (terminal ? 0 : phiNext) - phi - p.riskCoef * risk + p.liquidityCoef * liquidity;
}

export interface L2EnvOptions {
  /** Types the opponents are drawn from per factory; 'self' = an HRL agent with the prior goal (past self). */
  pool?: readonly (AgentType | 'self')[];
  /** Days per world (default: drawn from the tournament range). */
  nSteps?: number;
  prior?: GoalPolicy;
  shaping?: ShapingParams;
}

export class ScmlL2Env implements Env<Float32Array, Info> {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [L2_FEATURES], low: -10, high: 10 };
  readonly actionSpace: BoxSpace = { kind: 'box', shape: [GOAL_SIZE], low: -1, high: 1 };
  world!: World;
  learner = 0;
  private agent!: HrlAgent;
  private rng: Rng;
  private readonly goal = new Float32Array(GOAL_SIZE);
  private readonly obs = new Float32Array(L2_FEATURES);
  private readonly prior: GoalPolicy;
  private readonly shaping: ShapingParams;

  constructor(
    private readonly opts: L2EnvOptions = {},
    seed = 0,
  ) {
    this.rng = new Rng(seed);
    this.prior = opts.prior ?? heuristicGoal;
    this.shaping = opts.shaping ?? defaultShaping;
  }

  private phi(): number {
    const w = this.world;
    const a = this.learner;
    return (w.inventory[a] * w.tp[w.level[a]]) / w.cfg.initialBalance[a];
  }

  /** The features the agent reads in beginDay (startDay changes none of them). */
  private observe(): Float32Array {
    return l2Features(this.world, this.learner, this.obs);
  }

  reset(opts: ResetOptions = {}): ResetResult<Info> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const seed = this.rng.nextUint32();
    const cfg = generateConfig(seed, this.opts.nSteps ? { nSteps: this.opts.nSteps } : undefined);
    const nA = nAgentsOf(cfg);
    const r = new Rng(seed).fork('l2env');
    this.learner = r.int(nA);
    const pool = this.opts.pool ?? ['penguin'];
    this.agent = new HrlAgent(this.prior, 'hrl');
    this.agent.goalOverride = this.goal;
    const agents: ScmlAgent[] = [];
    for (let a = 0; a < nA; a++) {
      if (a === this.learner) agents.push(this.agent);
      else {
        const t = pool[r.int(pool.length)];
        agents.push(t === 'self' ? new HrlAgent(this.prior, 'self') : makeAgent(t));
      }
    }
    this.world = new World(cfg, agents, seed);
    return { obs: this.observe(), info: { day: 0, score: 1 } };
  }

  step(action: Float32Array): StepResult<Info> {
    const w = this.world;
    const a = this.learner;
    if (w.done || w.bankrupt[a]) throw new Error('ScmlL2Env.step: the episode has ended; call reset()');
    this.prior(this.obs, w, a, this.goal);
    for (let i = 0; i < GOAL_SIZE; i++) {
      const x = Number.isFinite(action[i]) ? Math.max(-1, Math.min(1, action[i])) : 0;
      this.goal[i] += RESIDUAL[i] * x;
    }
    clampGoal(this.goal);
    const B0 = w.cfg.initialBalance[a];
    const cash0 = w.balance[a];
    const phi = this.phi();
    const T = w.nSteps;
    let signed0 = 0;
    for (let t = 0; t < T; t++) signed0 += w.salesAt[a * T + t] + w.suppliesAt[a * T + t];
    w.stepDay();
    let signed = -signed0;
    for (let t = 0; t < T; t++) signed += w.salesAt[a * T + t] + w.suppliesAt[a * T + t];
    const terminal = w.done || w.bankrupt[a] === 1;
    const dCash = (w.balance[a] - cash0) / B0;
    const phiNext = this.phi();
    let risk = 0;
    if (!terminal) {
      const d = w.day;
      const due = w.salesAt[a * T + d];
      const inputs = w.inventory[a] + w.suppliesAt[a * T + d] + (w.level[a] === 0 ? w.exInQty(a, d - 1) : 0);
      risk = Math.max(0, due - Math.min(w.nLines, inputs)) / w.nLines;
    }
    const liquidity = Math.max(0, signed) / w.nLines;
    const s = this.shaping;
    const reward = shapedReward(dCash, phi, phiNext, terminal, risk, liquidity, s);
    const obs = terminal ? this.obs : this.observe();
    return {
      obs,
      reward,
      terminated: terminal,
      truncated: false,
      info: {
        day: w.day,
        score: w.score(a),
        bankrupt: w.bankrupt[a] === 1,
        goal: Array.from(this.goal),
        rewardParts: {
          cash: dCash,
          shaping: s.gamma * (terminal ? 0 : phiNext) - phi,
          risk: -s.riskCoef * risk,
          liquidity: s.liquidityCoef * liquidity,
        },
        phi,
      },
    };
  }
}
