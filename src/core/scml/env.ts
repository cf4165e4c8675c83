/**
 * Learning interfaces over the SCML-lite world, as the scml package's own RL interface: one env
 * step = one negotiation half-step in which the learner has threads to answer; reward = change in
 * score (balance ÷ initial balance); days advance between steps without asking the learner.
 *
 * - ScmlParallelEnv: PettingZoo's parallel API (dicts keyed by agent name): reset({seed}) →
 *   {observations, infos}; step(actions) → {observations, rewards, terminations, truncations,
 *   infos}. Learners are chosen factories; the other factories are played by fixed agents.
 * - ScmlSingleAgentEnv: the Gymnasium view (the lab's Env contract) of one learner among fixed
 *   opponents.
 *
 * Observation (fixed size, whatever the configuration): 14 global features, then 12 partner
 * slots (6 suppliers, 6 consumers; a level has at most 6 factories) × 7 features. Action:
 * MultiDiscrete, per slot [kind (accept / counter / end), quantity − 1, delivery offset, price
 * level 0..10 across today's range]; slots where it is not the learner's turn are ignored.
 */
import { Rng } from '../rng.ts';
import type {
  BoxSpace,
  Env,
  Info,
  MultiDiscreteSpace,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../envs/types.ts';
import { makeAgent, type AgentType } from './agents/index.ts';
import { generateConfig, nAgentsOf, SCML_RANGES, type ScmlConfigOptions } from './config.ts';
import { ACCEPT, END, REJECT, T_RUNNING, World, type ScmlAgent } from './world.ts';

export const SIDE_SLOTS = SCML_RANGES.agentsPerLevel[1];
export const SLOTS = 2 * SIDE_SLOTS;
export const GLOBAL_FEATURES = 14;
export const SLOT_FEATURES = 7;
export const OBS_SIZE = GLOBAL_FEATURES + SLOTS * SLOT_FEATURES;
export const PRICE_LEVELS = 11;
export const HEADS_PER_SLOT = 4;

export interface ScmlEnvOptions {
  config?: ScmlConfigOptions;
  /** Type of every fixed factory (cycled over factories), default all Penguin. */
  opponents?: readonly AgentType[];
}

/** A factory whose answers come from the env's action buffer. */
class ExternalAgent implements ScmlAgent {
  readonly type = 'external';
  /** Per slot: kind, q − 1, delivery offset, price level. */
  readonly action = new Int32Array(SLOTS * HEADS_PER_SLOT);
  constructor(private readonly slotOf: (w: World, a: number, th: number) => number) {}
  init(): void {}
  act(w: World, a: number, todo: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      const s = this.slotOf(w, a, th) * HEADS_PER_SLOT;
      const kind = this.action[s];
      if (kind === ACCEPT && w.offerer[th] !== 0) w.respond(th, ACCEPT);
      else if (kind === END || kind === ACCEPT) w.respond(th, END);
      else {
        const k = w.thProduct[th];
        const lo = w.priceLo[k];
        const hi = w.priceHi[k];
        const p = Math.round(lo + ((hi - lo) * this.action[s + 3]) / (PRICE_LEVELS - 1));
        const t = Math.min(w.day + this.action[s + 2], w.deliveryMax);
        w.respond(th, REJECT, 1 + this.action[s + 1], t, p);
      }
    }
  }
}

/** Partner slot of a thread for agent a: suppliers 0..5 by index on the level below, consumers 6..11. */
function slotOf(w: World, a: number, th: number): number {
  const partner = w.partner(th, a);
  const k = w.level[partner];
  const i = partner - w.starts[k];
  return w.thSeller[th] === a ? SIDE_SLOTS + i : i;
}

export class ScmlParallelEnv {
  readonly possibleAgents: string[] = [];
  /** Learners still playing (PettingZoo's `agents`). */
  agents: string[] = [];
  world!: World;
  readonly learners: readonly number[];
  readonly opts: ScmlEnvOptions;
  private external = new Map<number, ExternalAgent>();
  private lastScore = new Float64Array(0);
  private finished = new Uint8Array(0);
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [OBS_SIZE], low: -10, high: 10 };
  readonly actionSpace: MultiDiscreteSpace;

  /** `learners`: factory indices (taken modulo the number of factories of each drawn world). */
  constructor(learners: readonly number[], opts: ScmlEnvOptions = {}) {
    this.learners = learners;
    this.opts = opts;
    const nvec: number[] = [];
    for (let s = 0; s < SLOTS; s++) nvec.push(3, SCML_RANGES.nLines * 3, 11, PRICE_LEVELS);
    this.actionSpace = { kind: 'multi-discrete', nvec };
  }

  /** PettingZoo's `observation_space(agent)` / `action_space(agent)`: the same for every agent. */
  observationSpaceOf(_agent: string): BoxSpace {
    return this.observationSpace;
  }
  actionSpaceOf(_agent: string): MultiDiscreteSpace {
    return this.actionSpace;
  }

  reset({ seed = 0 }: { seed?: number } = {}): {
    observations: Record<string, Float32Array>;
    infos: Record<string, Info>;
  } {
    const cfg = generateConfig(seed, this.opts.config);
    const nA = nAgentsOf(cfg);
    const opp = this.opts.opponents ?? ['penguin'];
    this.external = new Map();
    const agents: ScmlAgent[] = [];
    const learnerSet = new Set(this.learners.map((l) => ((l % nA) + nA) % nA));
    for (let a = 0; a < nA; a++) {
      if (learnerSet.has(a)) {
        const ext = new ExternalAgent(slotOf);
        this.external.set(a, ext);
        agents.push(ext);
      } else agents.push(makeAgent(opp[a % opp.length]));
    }
    this.world = new World(cfg, agents, seed);
    this.possibleAgents.length = 0;
    for (const a of this.external.keys()) this.possibleAgents.push(`a${a}`);
    this.agents = [...this.possibleAgents];
    this.lastScore = new Float64Array(nA).fill(1);
    this.finished = new Uint8Array(nA);
    this.world.startDay();
    this.advance();
    const observations: Record<string, Float32Array> = {};
    const infos: Record<string, Info> = {};
    for (const a of this.external.keys()) {
      observations[`a${a}`] = this.observe(a);
      infos[`a${a}`] = this.info(a);
    }
    return { observations, infos };
  }

  /** Whether learner a must answer on some thread this half-step. */
  private hasTurn(a: number): boolean {
    const w = this.world;
    if (w.bankrupt[a]) return false;
    for (let i = w.agStart[a]; i < w.agStart[a + 1]; i++) {
      const th = w.agThreads[i];
      if (w.thStatus[th] === T_RUNNING && w.actor(th) === a) return true;
    }
    return false;
  }

  /** Runs half-steps and days until a learner has a turn or the world ends. */
  private advance(): void {
    const w = this.world;
    while (!w.done) {
      for (const a of this.external.keys()) if (this.hasTurn(a)) return;
      if (!w.negotiationStep()) {
        w.endDay();
        if (!w.done) w.startDay();
      }
    }
  }

  step(actions: Record<string, Int32Array>): {
    observations: Record<string, Float32Array>;
    rewards: Record<string, number>;
    terminations: Record<string, boolean>;
    truncations: Record<string, boolean>;
    infos: Record<string, Info>;
  } {
    const w = this.world;
    if (w.done) throw new Error('ScmlParallelEnv.step: the world has ended; call reset()');
    for (const [a, ext] of this.external) {
      const act = actions[`a${a}`];
      if (act) ext.action.set(act.subarray(0, ext.action.length));
      else ext.action.fill(END);
    }
    if (!w.negotiationStep()) {
      w.endDay();
      if (!w.done) w.startDay();
    }
    this.advance();
    const observations: Record<string, Float32Array> = {};
    const rewards: Record<string, number> = {};
    const terminations: Record<string, boolean> = {};
    const truncations: Record<string, boolean> = {};
    const infos: Record<string, Info> = {};
    for (const a of this.external.keys()) {
      if (this.finished[a]) continue;
      const name = `a${a}`;
      const score = w.score(a);
      rewards[name] = score - this.lastScore[a];
      this.lastScore[a] = score;
      terminations[name] = w.done || w.bankrupt[a] === 1;
      truncations[name] = false;
      observations[name] = this.observe(a);
      infos[name] = this.info(a);
      if (terminations[name]) this.finished[a] = 1;
    }
    this.agents = this.possibleAgents.filter((n) => !this.finished[Number(n.slice(1))]);
    return { observations, rewards, terminations, truncations, infos };
  }

  private info(a: number): Info {
    const w = this.world;
    return {
      day: w.day,
      round: w.round,
      score: w.score(a),
      bankrupt: w.bankrupt[a] === 1,
      level: w.level[a],
    };
  }

  observe(a: number, out = new Float32Array(OBS_SIZE)): Float32Array {
    const w = this.world;
    const T = w.nSteps;
    const d = Math.min(w.day, T - 1);
    const k = w.level[a];
    const nl = w.nLines;
    out.fill(0);
    const g = [
      w.day / T,
      w.round / w.cfg.rounds,
      w.score(a),
      w.inventory[a] / nl,
      k / Math.max(1, w.lastLevel),
      k === 0 ? 1 : 0,
      k === w.lastLevel ? 1 : 0,
      w.exInQty(a, d) / nl,
      w.exOutQty(a, d) / nl,
      w.suppliesAt[a * T + d] / nl,
      w.salesAt[a * T + d] / nl,
      w.cfg.cost[a] / w.tp[k + 1],
      w.tp[k] / w.cfg.catalogPrices[k],
      w.tp[k + 1] / w.cfg.catalogPrices[k + 1],
    ];
    for (let i = 0; i < GLOBAL_FEATURES; i++) out[i] = Math.max(-10, Math.min(10, g[i]));
    for (let i = w.agStart[a]; i < w.agStart[a + 1]; i++) {
      const th = w.agThreads[i];
      const o = GLOBAL_FEATURES + slotOf(w, a, th) * SLOT_FEATURES;
      const kp = w.thProduct[th];
      const span = Math.max(1, w.priceHi[kp] - w.priceLo[kp]);
      const running = w.thStatus[th] === T_RUNNING;
      out[o] = 1;
      out[o + 1] = running && w.actor(th) === a ? 1 : 0;
      out[o + 2] = running && w.offerer[th] !== 0 ? 1 : 0;
      if (out[o + 2]) {
        out[o + 3] = w.offQ[th] / w.qtyMax;
        out[o + 4] = (w.offT[th] - w.day) / w.cfg.horizon;
        out[o + 5] = (w.offP[th] - w.priceLo[kp]) / span;
        out[o + 6] = w.offT[th] === w.day ? 1 : 0;
      }
    }
    return out;
  }
}

/** One learner among fixed opponents, as a Gymnasium env (the lab's Env contract). */
export class ScmlSingleAgentEnv implements Env<Int32Array, Info> {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [OBS_SIZE], low: -10, high: 10 };
  readonly actionSpace: MultiDiscreteSpace;
  private inner: ScmlParallelEnv;
  private rng: Rng;
  private readonly opts: ScmlEnvOptions & { learner?: number };
  private name = 'a0';

  /** `opts.learner`: a factory index, or undefined for a random factory at every reset. */
  constructor(opts: ScmlEnvOptions & { learner?: number } = {}, seed = 0) {
    this.rng = new Rng(seed);
    this.opts = opts;
    this.inner = new ScmlParallelEnv([opts.learner ?? 0], opts);
    this.actionSpace = this.inner.actionSpace;
  }

  get world(): World {
    return this.inner.world;
  }

  reset(opts: ResetOptions = {}): ResetResult<Info> {
    // A given seed re-seeds the env's stream (the Env contract); each world's seed comes from it.
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    const seed = this.rng.nextUint32();
    const nA = nAgentsOf(generateConfig(seed, this.opts.config));
    const learner = this.opts.learner ?? new Rng(seed).fork('learner').int(nA);
    this.inner = new ScmlParallelEnv([learner], this.opts);
    const r = this.inner.reset({ seed });
    this.name = this.inner.possibleAgents[0];
    return { obs: r.observations[this.name], info: r.infos[this.name] };
  }

  step(action: Int32Array): StepResult<Info> {
    const r = this.inner.step({ [this.name]: action });
    return {
      obs: r.observations[this.name],
      reward: r.rewards[this.name],
      terminated: r.terminations[this.name],
      truncated: false,
      info: r.infos[this.name],
    };
  }
}
