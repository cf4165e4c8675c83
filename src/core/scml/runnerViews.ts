/**
 * The supplychain runner's result sections (extras.ts) from a tournament's rows: the score table and
 * health counts over every world, and the replay worlds' logs as compact typed columns (offers
 * grouped by thread and day, so the replay view indexes a thread without scanning the log).
 */
import type { ScmlConfig } from './config.ts';
import {
  RESPONSE_LABELS,
  type BalanceExtra,
  type GoalsExtra,
  type HealthExtra,
  type NegotiationExtra,
  type PricesExtra,
  type ReplayWorldMeta,
  type ScoresExtra,
} from './extras.ts';
import { GOAL_SIZE } from './hrl/agent.ts';
import { recoverGoals } from './hrl/goals.ts';
import {
  DAILY_COLUMNS,
  NEGOTIATION_COLUMNS,
  quantileSorted,
  SCORE_COLUMNS,
  summarizeScores,
  type Row,
  type WorldResult,
} from './tournament.ts';

const col = <C extends string>(cols: readonly C[]) =>
  Object.fromEntries(cols.map((c, i) => [c, i])) as Record<C, number>;
const SC = col(SCORE_COLUMNS);
const NEG = col(NEGOTIATION_COLUMNS);
const DAY = col(DAILY_COLUMNS);

/** A fully logged world: its rows, its configuration and the HRL agents' goals (`id|day` → goal). */
export interface ReplayWorld {
  result: WorldResult;
  cfg: ScmlConfig;
  goals: Map<string, Float32Array>;
}

/** 'supplychain-scores' (stats filled in) and 'supplychain-health' from every world's score rows. */
export function scoreExtras(
  rows: readonly Row[],
  base: ScoresExtra,
): { 'supplychain-scores': ScoresExtra; 'supplychain-health': HealthExtra } {
  const byType = new Map<string, { scores: number[]; shortfall: number; withShortfall: number }>();
  for (const r of rows) {
    const t = String(r[SC.agent_type]);
    const e = byType.get(t) ?? { scores: [], shortfall: 0, withShortfall: 0 };
    e.scores.push(Number(r[SC.score]));
    const sf = Number(r[SC.shortfall]);
    e.shortfall += sf;
    if (sf > 0) e.withShortfall++;
    byType.set(t, e);
  }
  const table = summarizeScores(rows);
  const stats = table.map((t) => {
    const s = [...byType.get(t.agentType)!.scores].sort((a, b) => a - b);
    return {
      ...t,
      min: s[0],
      q1: quantileSorted(s, 0.25),
      q3: quantileSorted(s, 0.75),
      max: s[s.length - 1],
    };
  });
  return {
    'supplychain-scores': { ...base, stats },
    'supplychain-health': {
      rows: table.map((t) => {
        const e = byType.get(t.agentType)!;
        return {
          agentType: t.agentType,
          factories: t.n,
          bankruptcies: Math.round(t.bankruptRate * t.n),
          bankruptRate: t.bankruptRate,
          shortfall: e.shortfall,
          meanShortfall: t.meanShortfall,
          withShortfall: e.withShortfall,
        };
      }),
    },
  };
}

const agentIndex = (name: unknown) => Number(String(name).slice(1));

function metaOf(w: ReplayWorld): ReplayWorldMeta {
  const { result, cfg } = w;
  const types = new Map<number, string>();
  for (const r of result.scores) types.set(agentIndex(r[SC.agent]), String(r[SC.agent_type]));
  return {
    index: result.run.index,
    config: result.run.config,
    rotation: result.run.rotation,
    nSteps: cfg.nSteps,
    nProcesses: cfg.nProcesses,
    agents: Array.from(cfg.level, (level, a) => ({ name: `a${a}`, type: types.get(a) ?? '?', level })),
  };
}

function balanceOf(w: ReplayWorld, meta: ReplayWorldMeta): BalanceExtra['worlds'][number] {
  const T = meta.nSteps;
  const nA = meta.agents.length;
  const balance = new Float64Array(nA * T).fill(NaN);
  const inventory = new Int32Array(nA * T);
  const bankruptDay = new Int32Array(nA).fill(-1);
  for (const r of w.result.daily) {
    const a = agentIndex(r[DAY.agent]);
    const d = Number(r[DAY.day]);
    balance[a * T + d] = Number(r[DAY.balance]);
    inventory[a * T + d] = Number(r[DAY.inventory]);
    if (Number(r[DAY.bankrupt]) && bankruptDay[a] < 0) bankruptDay[a] = d;
  }
  return {
    ...meta,
    balance,
    inventory,
    initialBalance: Float64Array.from(w.cfg.initialBalance),
    bankruptDay,
  };
}

const RESPONSE_CODE = new Map<string, number>(RESPONSE_LABELS.map((r, i) => [r, i]));

function negotiationOf(w: ReplayWorld, meta: ReplayWorldMeta): NegotiationExtra['worlds'][number] {
  const rows = w.result.negotiations;
  const n = rows.length;
  const level = meta.agents.map((a) => a.level);
  // Rows are logged by half-step (threads interleaved); group them by (day, thread), keeping order.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort(
    (x, y) =>
      Number(rows[x][NEG.day]) - Number(rows[y][NEG.day]) ||
      Number(rows[x][NEG.thread]) - Number(rows[y][NEG.thread]) ||
      x - y,
  );
  const round = new Uint8Array(n);
  const proposer = new Uint16Array(n);
  const quantity = new Uint16Array(n);
  const delivery = new Uint16Array(n);
  const price = new Int32Array(n);
  const response = new Uint8Array(n);
  const segDay: number[] = [];
  const segThread: number[] = [];
  const segSeller: number[] = [];
  const segBuyer: number[] = [];
  const segOutcome: number[] = [];
  const segStart: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = rows[order[i]];
    const day = Number(r[NEG.day]);
    const th = Number(r[NEG.thread]);
    const p = agentIndex(r[NEG.proposer]);
    const q = agentIndex(r[NEG.responder]);
    const last = segDay.length - 1;
    if (last < 0 || segDay[last] !== day || segThread[last] !== th) {
      segDay.push(day);
      segThread.push(th);
      segSeller.push(level[p] < level[q] ? p : q);
      segBuyer.push(level[p] < level[q] ? q : p);
      segOutcome.push(0);
      segStart.push(i);
    }
    round[i] = Number(r[NEG.round]);
    proposer[i] = p;
    quantity[i] = Number(r[NEG.quantity]);
    delivery[i] = Number(r[NEG.delivery]);
    price[i] = Number(r[NEG.price]);
    response[i] = RESPONSE_CODE.get(String(r[NEG.response])) ?? 2;
    segOutcome[segOutcome.length - 1] = response[i];
  }
  segStart.push(n);
  return {
    ...meta,
    segDay: Int32Array.from(segDay),
    segThread: Int32Array.from(segThread),
    segSeller: Int32Array.from(segSeller),
    segBuyer: Int32Array.from(segBuyer),
    segOutcome: Uint8Array.from(segOutcome),
    segStart: Int32Array.from(segStart),
    round,
    proposer,
    quantity,
    delivery,
    price,
    response,
  };
}

function pricesOf(w: ReplayWorld, meta: ReplayWorldMeta): PricesExtra['worlds'][number] {
  const T = meta.nSteps;
  const nP = meta.nProcesses + 1;
  const level = meta.agents.map((a) => a.level);
  const tradingPrice = new Float64Array(nP * T).fill(NaN);
  for (const r of w.result.daily) {
    const k = Number(r[DAY.level]);
    const d = Number(r[DAY.day]);
    tradingPrice[k * T + d] = Number(r[DAY.trading_price_in]);
    tradingPrice[(k + 1) * T + d] = Number(r[DAY.trading_price_out]);
  }
  const value = new Float64Array(nP * T);
  const contractQty = new Int32Array(nP * T);
  for (const r of w.result.negotiations) {
    if (r[NEG.response] !== 'accept') continue;
    const a = agentIndex(r[NEG.proposer]);
    const b = agentIndex(r[NEG.responder]);
    // The product traded is the seller's output: one above the lower level.
    const k = Math.min(level[a], level[b]) + 1;
    const d = Number(r[NEG.day]);
    const q = Number(r[NEG.quantity]);
    contractQty[k * T + d] += q;
    value[k * T + d] += q * Number(r[NEG.price]);
  }
  const contractPrice = new Float64Array(nP * T);
  for (let i = 0; i < contractPrice.length; i++)
    contractPrice[i] = contractQty[i] > 0 ? value[i] / contractQty[i] : NaN;
  return { ...meta, tradingPrice, contractPrice, contractQty, catalogPrices: [...w.cfg.catalogPrices] };
}

function goalsOf(w: ReplayWorld, meta: ReplayWorldMeta, isHrl: (t: string) => boolean) {
  const T = meta.nSteps;
  const hrl = meta.agents.flatMap((a, i) => (isHrl(a.type) ? [i] : []));
  const pos = new Map(hrl.map((a, h) => [a, h]));
  const goal = new Float32Array(hrl.length * T * GOAL_SIZE).fill(NaN);
  const executed = new Float32Array(hrl.length * T * GOAL_SIZE).fill(NaN);
  for (const [key, g] of w.goals) {
    const [id, day] = key.split('|').map(Number);
    const h = pos.get(id);
    if (h !== undefined) goal.set(g.subarray(0, GOAL_SIZE), (h * T + day) * GOAL_SIZE);
  }
  for (const label of recoverGoals(w.result.negotiations, w.result.daily, { nLines: w.cfg.nLines })) {
    const h = pos.get(agentIndex(label.agent));
    if (h === undefined) continue;
    const o = (h * T + label.day) * GOAL_SIZE;
    for (let j = 0; j < GOAL_SIZE; j++) executed[o + j] = label.weight[j] > 0 ? label.goal[j] : NaN;
  }
  return { ...meta, hrl, goal, executed };
}

/** The replay worlds' sections: balance, negotiation, prices and (when an HRL agent played) goals. */
export function replayExtras(
  worlds: readonly ReplayWorld[],
  agents: readonly string[],
): {
  'supplychain-balance': BalanceExtra;
  'supplychain-negotiation': NegotiationExtra;
  'supplychain-prices': PricesExtra;
  'supplychain-goals': GoalsExtra;
} {
  const metas = worlds.map(metaOf);
  const isHrl = (t: string) => t.startsWith('lita:');
  const played = agents.some(isHrl);
  const goalWorlds = played ? worlds.map((w, i) => goalsOf(w, metas[i], isHrl)) : [];
  const summary: GoalsExtra['summary'] = [];
  for (const t of agents.filter(isHrl)) {
    let days = 0;
    const sum = [0, 0, 0, 0];
    for (const g of goalWorlds)
      g.hrl.forEach((a, h) => {
        if (g.agents[a].type !== t) return;
        for (let d = 1; d < g.nSteps; d++) {
          const o = (h * g.nSteps + d) * GOAL_SIZE;
          if (Number.isNaN(g.goal[o])) continue; // bankrupt: no goal set that morning
          days++;
          sum[0] += g.goal[o];
          sum[1] += g.executed[o];
          sum[2] += g.goal[o + 2];
          sum[3] += g.executed[o + 2];
        }
      });
    const m = (x: number) => (days > 0 ? x / days : NaN);
    summary.push({
      agentType: t,
      days,
      goalBuy: m(sum[0]),
      doneBuy: m(sum[1]),
      goalSell: m(sum[2]),
      doneSell: m(sum[3]),
    });
  }
  return {
    'supplychain-balance': { worlds: worlds.map((w, i) => balanceOf(w, metas[i])) },
    'supplychain-negotiation': { worlds: worlds.map((w, i) => negotiationOf(w, metas[i])) },
    'supplychain-prices': { worlds: worlds.map((w, i) => pricesOf(w, metas[i])) },
    'supplychain-goals': {
      played,
      message: played
        ? ''
        : 'No LitaAgent-HRL played in this tournament: tick it in Setup, or train one in train-hrl mode.',
      worlds: goalWorlds,
      summary,
    },
  };
}
