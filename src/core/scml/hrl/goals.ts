/**
 * L2's behaviour-cloning data (seed 001 §3): daily goals recovered from tournament logs and paired
 * with the macro state the expert saw that morning.
 *
 * recoverGoals reads only the tournament's CSV rows (NEGOTIATION_COLUMNS, DAILY_COLUMNS): every
 * accepted offer is a contract signed that day; the seller is the party on the lower level (from
 * the daily rows); today's price range is rebuilt from the trading price after the previous day
 * ([max(1, ⌊0.9·TP⌋), ⌊1.1·TP⌋]), so day 0 (catalogue prices, not logged) is skipped. Per (world,
 * agent, day): Q = Σ q ÷ n_lines and P = the quantity-weighted mean position of the prices in the
 * range, per side; with nothing signed on a side its P carries weight 0.
 *
 * collectL2Dataset plays a small tournament in-process (runWorld) with the expert's factories
 * wrapped by a recorder of l2Features at the start of each day, then joins features and goals.
 */
import { isAgentType, makeAgent, registerAgentFactory, type AgentType } from '../agents/index.ts';
import {
  DAILY_COLUMNS,
  NEGOTIATION_COLUMNS,
  runWorld,
  tournamentRuns,
  type Row,
  type TournamentSpec,
} from '../tournament.ts';
import type { Rng } from '../../rng.ts';
import { SCML_RANGES } from '../config.ts';
import type { ScmlAgent, World } from '../world.ts';
import { GOAL_SIZE, L2_FEATURES, l2Features } from './agent.ts';

export interface GoalLabel {
  world: number;
  agent: string;
  day: number;
  /** [Q_buy, P_buy, Q_sell, P_sell]. */
  goal: Float32Array;
  /** Loss weights per goal component: prices weigh 0 on a side with nothing signed. */
  weight: Float32Array;
}

const NEG = Object.fromEntries(NEGOTIATION_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof NEGOTIATION_COLUMNS)[number],
  number
>;
const DAY = Object.fromEntries(DAILY_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof DAILY_COLUMNS)[number],
  number
>;

export interface RecoverOptions {
  nLines: number;
  priceLo?: number;
  priceHi?: number;
}

/** Goals of every (world, agent, day ≥ 1) present in the daily rows. */
export function recoverGoals(
  negotiations: readonly Row[],
  daily: readonly Row[],
  opts: RecoverOptions,
): GoalLabel[] {
  const lo = opts.priceLo ?? 0.9;
  const hi = opts.priceHi ?? 1.1;
  const key = (w: unknown, a: unknown, d: unknown) => `${String(w)}|${String(a)}|${String(d)}`;
  const level = new Map<string, number>();
  const tpOut = new Map<string, number>();
  for (const r of daily) {
    level.set(`${String(r[DAY.world])}|${String(r[DAY.agent])}`, Number(r[DAY.level]));
    tpOut.set(key(r[DAY.world], r[DAY.agent], r[DAY.day]), Number(r[DAY.trading_price_out]));
  }
  // Σq and Σq·position per (world, agent, day) and side (0 buy, 1 sell).
  const acc = new Map<string, Float64Array>();
  for (const r of negotiations) {
    if (r[NEG.response] !== 'accept') continue;
    const w = r[NEG.world];
    const d = Number(r[NEG.day]);
    if (d < 1) continue;
    const x = String(r[NEG.proposer]);
    const y = String(r[NEG.responder]);
    const lx = level.get(`${String(w)}|${x}`);
    const ly = level.get(`${String(w)}|${y}`);
    if (lx === undefined || ly === undefined)
      throw new Error(`recoverGoals: world ${String(w)}: no daily rows for ${x} or ${y}`);
    const [seller, buyer] = lx < ly ? [x, y] : [y, x];
    const tp = tpOut.get(key(w, seller, d - 1));
    if (tp === undefined)
      throw new Error(`recoverGoals: world ${String(w)}: no daily row for ${seller} on day ${d - 1}`);
    const pLo = Math.max(1, Math.floor(lo * tp));
    const pHi = Math.max(pLo, Math.floor(hi * tp));
    const q = Number(r[NEG.quantity]);
    const pos = pHi > pLo ? (Number(r[NEG.price]) - pLo) / (pHi - pLo) : 0.5;
    for (const [who, side] of [
      [buyer, 0],
      [seller, 1],
    ] as const) {
      const k = key(w, who, d);
      const e = acc.get(k) ?? new Float64Array(4);
      e[2 * side] += q;
      e[2 * side + 1] += q * pos;
      acc.set(k, e);
    }
  }
  const out: GoalLabel[] = [];
  for (const r of daily) {
    const d = Number(r[DAY.day]);
    if (d < 1) continue;
    const e = acc.get(key(r[DAY.world], r[DAY.agent], d)) ?? new Float64Array(4);
    const goal = new Float32Array(GOAL_SIZE);
    const weight = new Float32Array(GOAL_SIZE);
    for (let side = 0; side < 2; side++) {
      const q = e[2 * side];
      goal[2 * side] = q / opts.nLines;
      goal[2 * side + 1] = q > 0 ? e[2 * side + 1] / q : 0.5;
      weight[2 * side] = 1;
      weight[2 * side + 1] = q > 0 ? 1 : 0;
    }
    out.push({ world: Number(r[DAY.world]), agent: String(r[DAY.agent]), day: d, goal, weight });
  }
  return out;
}

/** Wraps an agent and records its l2Features at the start of each day. */
class Recorder implements ScmlAgent {
  readonly type: string;
  constructor(
    private readonly inner: ScmlAgent,
    private readonly sink: (id: number, day: number, f: Float32Array) => void,
  ) {
    this.type = inner.type;
  }
  init(w: World, id: number, rng: Rng): void {
    this.inner.init(w, id, rng);
  }
  beginDay(w: World, id: number): void {
    this.sink(id, w.day, l2Features(w, id));
    this.inner.beginDay?.(w, id);
  }
  act(w: World, id: number, todo: Int32Array, n: number): void {
    this.inner.act(w, id, todo, n);
  }
}

export interface L2Dataset {
  /** [n, L2_FEATURES] features, [n, GOAL_SIZE] goals and loss weights. */
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  n: number;
  worlds: number;
}

export interface CollectOptions {
  /** Agent types of the tournament; the expert's factories are the ones recorded. */
  agents: readonly AgentType[];
  expert: AgentType;
  configs: number;
  seed: number;
  nSteps?: number;
}

/** A small tournament in-process → (features, recovered goal) pairs of the expert's factories. */
export function collectL2Dataset(opts: CollectOptions): L2Dataset {
  let features = new Map<string, Float32Array>();
  registerAgentFactory('l2rec', (inner) => {
    if (!isAgentType(inner)) throw new Error(`collectL2Dataset: unknown expert '${inner}'`);
    return new Recorder(makeAgent(inner), (id, day, f) => features.set(`a${id}|${day}`, f));
  });
  const recType = `l2rec:${opts.expert}` as AgentType;
  const spec: TournamentSpec = {
    agents: opts.agents.map((a) => (a === opts.expert ? recType : a)),
    configs: opts.configs,
    seed: opts.seed,
    configOptions: opts.nSteps ? { nSteps: opts.nSteps } : undefined,
  };
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  const runs = tournamentRuns(spec);
  for (const run of runs) {
    features = new Map();
    const res = runWorld(spec, run);
    for (const g of recoverGoals(res.negotiations, res.daily, { nLines: SCML_RANGES.nLines })) {
      const f = features.get(`${g.agent}|${g.day}`);
      if (!f) continue; // not the expert, or bankrupt that morning
      xs.push(...f);
      ys.push(...g.goal);
      ws.push(...g.weight);
    }
  }
  const n = xs.length / L2_FEATURES;
  return {
    x: Float32Array.from(xs),
    y: Float32Array.from(ys),
    w: Float32Array.from(ws),
    n,
    worlds: runs.length,
  };
}
