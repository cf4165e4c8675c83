/**
 * L3/L4 data (seed 001 §3–4), no tfjs:
 * - collectL3Dataset: supervised residuals (expert − baseline). A tournament is played in-process
 *   with the expert's factories shadowed by an L1 + L2 agent (heuristic goals) that sees the same
 *   state: at every half-step the shadow answers first (its answers are read back, then cleared),
 *   then the expert answers. Per thread the label, in units of L3's action (l3.ts RESIDUAL_SCALE), is
 *   Δq = (q_expert − q_L1) ÷ (0.5·n_lines) and Δp = goodness difference ÷ 0.3 where both counter-
 *   offer, and Δaccept = +1 where only the expert accepts, −1 where only L1 does, 0 otherwise (on
 *   threads with a standing offer); labels clipped to [−1, 1], weight 0 where a label is undefined.
 * - playMicroWorld: one training world for MAPPO: the learning seat plays L1 + L2 + sampled L3/L4
 *   and records every half-step (l3.ts MicroStep with rewards); opponents come from the pool
 *   (built-ins, and 'self' = a past snapshot of the agent). The same world is replayed with Penguin
 *   in the learner's seat (common random numbers: same configuration, seeds and opponents) so
 *   score − Penguin's score on that seat is a low-variance progress measure.
 */
import { Rng } from '../../rng.ts';
import { isAgentType, makeAgent, registerAgentFactory, type AgentType } from '../agents/index.ts';
import { generateConfig, nAgentsOf } from '../config.ts';
import { runWorld, tournamentRuns, type TournamentSpec } from '../tournament.ts';
import { ACCEPT, END, REJECT, World, type ScmlAgent } from '../world.ts';
import { heuristicGoal, HrlAgent, type GoalPolicy } from './agent.ts';
import {
  L3_ACT,
  L3_FEATURES,
  MicroController,
  RESIDUAL_SCALE,
  type MicroParams,
  type MicroStep,
} from './l3.ts';

export interface L3Dataset {
  /** [n×(F+1)] inputs (token, α = 1), [n×3] labels and loss weights. */
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  n: number;
  worlds: number;
}

const clip1 = (x: number) => Math.max(-1, Math.min(1, x));

function goodnessOf(w: World, th: number, selling: boolean, p: number): number {
  const k = w.thProduct[th];
  const span = w.priceHi[k] - w.priceLo[k];
  if (span <= 0) return 1;
  const pos = (p - w.priceLo[k]) / span;
  return selling ? pos : 1 - pos;
}

/** The expert, shadowed by an L1 + L2 agent whose answers give the baseline of each label. */
class ShadowedExpert implements ScmlAgent {
  readonly type: string;
  private readonly shadow = new HrlAgent(heuristicGoal, 'shadow');
  private tok: Float32Array = new Float32Array(0);
  private th: Int32Array = new Int32Array(0);
  private nTok = 0;
  constructor(
    private readonly inner: ScmlAgent,
    private readonly sink: (x: number[], y: number[], wt: number[]) => void,
  ) {
    this.type = inner.type;
    this.shadow.tokenSink = (tokens, threads, n) => {
      this.tok = tokens;
      this.th = threads;
      this.nTok = n;
    };
  }
  init(w: World, id: number, rng: Rng): void {
    this.shadow.init(w, id, rng);
    this.inner.init(w, id, rng);
  }
  beginDay(w: World, id: number): void {
    this.shadow.beginDay(w, id);
    this.inner.beginDay?.(w, id);
  }
  onAgreement(w: World, id: number, th: number): void {
    this.inner.onAgreement?.(w, id, th);
  }
  act(w: World, id: number, todo: Int32Array, n: number): void {
    this.shadow.act(w, id, todo, n);
    const base = Array.from({ length: n }, (_, i) => w.response(todo[i]));
    for (let i = 0; i < n; i++) w.respond(todo[i], END);
    this.inner.act(w, id, todo, n);
    const nl = w.nLines;
    for (let i = 0; i < this.nTok; i++) {
      const th = this.th[i];
      const j = Array.prototype.indexOf.call(todo.subarray(0, n), th) as number;
      if (j < 0) continue;
      const b = base[j];
      const e = w.response(th);
      const selling = w.thSeller[th] === id;
      const y = [0, 0, 0];
      const wt = [0, 0, 0];
      if (b.kind === REJECT && e.kind === REJECT) {
        y[0] = clip1((e.q - b.q) / (RESIDUAL_SCALE[0] * nl));
        y[1] = clip1((goodnessOf(w, th, selling, e.p) - goodnessOf(w, th, selling, b.p)) / RESIDUAL_SCALE[1]);
        wt[0] = wt[1] = 1;
      }
      if (w.offerer[th] !== 0) {
        y[2] = e.kind === ACCEPT && b.kind !== ACCEPT ? 1 : b.kind === ACCEPT && e.kind !== ACCEPT ? -1 : 0;
        wt[2] = 1;
      }
      if (wt[0] + wt[2] === 0) continue;
      const x = Array.from(this.tok.subarray(i * L3_FEATURES, (i + 1) * L3_FEATURES));
      x.push(1);
      this.sink(x, y, wt);
    }
  }
}

export interface L3CollectOptions {
  agents: readonly AgentType[];
  expert: AgentType;
  configs: number;
  seed: number;
  nSteps?: number;
}

/** A small tournament in-process → (token, expert − L1 residual) pairs on the expert's threads. */
export function collectL3Dataset(opts: L3CollectOptions): L3Dataset {
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  registerAgentFactory('l3shadow', (inner) => {
    if (!isAgentType(inner)) throw new Error(`collectL3Dataset: unknown expert '${inner}'`);
    return new ShadowedExpert(makeAgent(inner), (x, y, wt) => {
      xs.push(...x);
      ys.push(...y);
      ws.push(...wt);
    });
  });
  const spec: TournamentSpec = {
    agents: opts.agents.map((a) => (a === opts.expert ? (`l3shadow:${opts.expert}` as AgentType) : a)),
    configs: opts.configs,
    seed: opts.seed,
    configOptions: opts.nSteps ? { nSteps: opts.nSteps } : undefined,
  };
  const runs = tournamentRuns(spec);
  for (const run of runs) runWorld(spec, run, { negotiations: false, daily: false });
  return {
    x: Float32Array.from(xs),
    y: Float32Array.from(ys),
    w: Float32Array.from(ws),
    n: ys.length / L3_ACT,
    worlds: runs.length,
  };
}

/** Opponent pool entries: a built-in type, or 'self' (a past snapshot of the whole agent). */
export type PoolEntry = AgentType | 'self';

export const DEFAULT_MICRO_POOL: readonly PoolEntry[] = [
  'penguin',
  'penguin',
  'greedy',
  'syncrandom',
  'random',
  'self',
];

export interface MicroWorldOptions {
  params: MicroParams;
  goal: GoalPolicy;
  pool: readonly PoolEntry[];
  /** Past selves; 'self' uses one drawn at random (the current params when empty). */
  snapshots: readonly MicroParams[];
  nSteps: number;
  useL4: boolean;
  seed: number;
}

export interface MicroWorldResult {
  steps: MicroStep[];
  score: number;
  /** Penguin's score on the same seat of the same world. */
  penguinScore: number;
  bankrupt: boolean;
}

export function playMicroWorld(o: MicroWorldOptions): MicroWorldResult {
  const cfg = generateConfig(o.seed, { nSteps: o.nSteps });
  const nA = nAgentsOf(cfg);
  const r = new Rng(o.seed).fork('micro-world');
  const seat = r.int(nA);
  const types: (PoolEntry | null)[] = Array.from({ length: nA }, (_, a) =>
    a === seat ? null : o.pool[r.int(o.pool.length)],
  );
  const selfParams = types.map((t) =>
    t === 'self' ? (o.snapshots.length > 0 ? o.snapshots[r.int(o.snapshots.length)] : o.params) : null,
  );
  const sampler = r.fork('sample');
  const build = (learner: ScmlAgent): ScmlAgent[] =>
    types.map((t, a) => {
      if (t === null) return learner;
      if (t !== 'self') return makeAgent(t);
      const self = new HrlAgent(o.goal, 'self');
      self.micro = new MicroController(selfParams[a]!);
      return self;
    });
  const agent = new HrlAgent(o.goal, 'hrl');
  const micro = new MicroController(o.params);
  micro.useL4 = o.useL4;
  micro.rng = sampler;
  micro.steps = [];
  agent.micro = micro;
  const w = new World(cfg, build(agent), o.seed);
  w.run();
  agent.closeDay(w, seat);
  const wp = new World(cfg, build(makeAgent('penguin')), o.seed);
  wp.run();
  const steps = micro.steps;
  if (steps.length > 0) steps[steps.length - 1].done = true;
  return { steps, score: w.score(seat), penguinScore: wp.score(seat), bankrupt: w.bankrupt[seat] === 1 };
}
