/**
 * SCML-lite tournaments: configurations × round-robin assignment of agent types to factories ×
 * seeds. Configuration c is drawn from the tournament seed; it is played once per rotation r of
 * the type list (factory a gets type (a + r) mod k), so every type sits on every factory across
 * the rotations. Each world run has an index (c·k + r), which is what `--shard i/n` slices.
 * Scores per type: mean, median and truncated mean (negmas' default, by which the package ranks
 * agents: scores above Q3 + 2·IQR dropped).
 */
import { Rng } from '../rng.ts';
import { makeAgent, type AgentType } from './agents/index.ts';
import { generateConfig, nAgentsOf, type ScmlConfigOptions } from './config.ts';
import { RESPONSE_NAMES, World, type WorldLogger } from './world.ts';

export interface TournamentSpec {
  agents: readonly AgentType[];
  /** Configurations; each is played once per rotation (agents.length world runs). */
  configs: number;
  seed: number;
  configOptions?: ScmlConfigOptions;
}

export interface WorldRun {
  index: number;
  config: number;
  rotation: number;
  configSeed: number;
  worldSeed: number;
}

export const SCORE_COLUMNS = [
  'world',
  'config',
  'rotation',
  'agent',
  'agent_type',
  'level',
  'initial_balance',
  'final_balance',
  'score',
  'shortfall',
  'bankrupt',
] as const;
export const NEGOTIATION_COLUMNS = [
  'world',
  'day',
  'thread',
  'round',
  'proposer',
  'responder',
  'quantity',
  'delivery',
  'price',
  'response',
] as const;
export const DAILY_COLUMNS = [
  'world',
  'day',
  'agent',
  'agent_type',
  'level',
  'balance',
  'inventory',
  'bought',
  'produced',
  'sales',
  'revenue',
  'shortfall_penalty',
  'storage_cost',
  'trading_price_in',
  'trading_price_out',
  'bankrupt',
] as const;

export type Row = (string | number)[];

export interface WorldResult {
  run: WorldRun;
  nSteps: number;
  agentDays: number;
  scores: Row[];
  negotiations: Row[];
  daily: Row[];
}

export function tournamentRuns(spec: TournamentSpec): WorldRun[] {
  const k = spec.agents.length;
  if (k === 0) throw new Error('scml tournament: no agent types');
  const root = new Rng(spec.seed);
  const runs: WorldRun[] = [];
  for (let c = 0; c < spec.configs; c++) {
    const cr = root.fork(c);
    const configSeed = cr.nextUint32();
    for (let r = 0; r < k; r++)
      runs.push({ index: c * k + r, config: c, rotation: r, configSeed, worldSeed: cr.fork(r).nextUint32() });
  }
  return runs;
}

/** Runs i, i+n, i+2n, … (the sweeps' --shard convention). */
export function shardWorldRuns(runs: WorldRun[], shard: { index: number; count: number }): WorldRun[] {
  return runs.filter((r) => r.index % shard.count === shard.index);
}

export const agentName = (a: number): string => `a${a}`;

export function assignTypes(agents: readonly AgentType[], nAgents: number, rotation: number): AgentType[] {
  return Array.from({ length: nAgents }, (_, a) => agents[(a + rotation) % agents.length]);
}

/** Plays one world run; `log` collects the negotiation and daily rows (off for speed). */
export function runWorld(
  spec: TournamentSpec,
  run: WorldRun,
  log = { negotiations: true, daily: true },
): WorldResult {
  const cfg = generateConfig(run.configSeed, spec.configOptions);
  const nA = nAgentsOf(cfg);
  const types = assignTypes(spec.agents, nA, run.rotation);
  const world = new World(cfg, types.map(makeAgent), run.worldSeed);
  const negotiations: Row[] = [];
  const daily: Row[] = [];
  if (log.negotiations || log.daily) {
    const logger: WorldLogger = {
      offer: (day, thread, round, proposer, responder, q, t, p, response) => {
        if (log.negotiations)
          negotiations.push([
            run.index,
            day,
            thread,
            round,
            agentName(proposer),
            agentName(responder),
            q,
            t,
            p,
            RESPONSE_NAMES[response],
          ]);
      },
      daily: (day, a, w) => {
        if (!log.daily) return;
        const k = w.level[a];
        daily.push([
          run.index,
          day,
          agentName(a),
          types[a],
          k,
          w.balance[a],
          w.inventory[a],
          w.stl.bought[a],
          w.stl.produced[a],
          w.stl.qout[a],
          w.stl.revenue[a],
          w.stl.shortfall[a],
          w.stl.storage[a],
          w.tp[k],
          w.tp[k + 1],
          w.bankrupt[a],
        ]);
      },
    };
    world.logger = logger;
  }
  world.run();
  const scores: Row[] = [];
  for (let a = 0; a < nA; a++)
    scores.push([
      run.index,
      run.config,
      run.rotation,
      agentName(a),
      types[a],
      cfg.level[a],
      cfg.initialBalance[a],
      world.balance[a],
      world.score(a),
      world.shortfallUnits[a],
      world.bankrupt[a],
    ]);
  return { run, nSteps: cfg.nSteps, agentDays: nA * cfg.nSteps, scores, negotiations, daily };
}

export interface TypeStats {
  agentType: string;
  n: number;
  mean: number;
  median: number;
  truncatedMean: number;
  std: number;
  bankruptRate: number;
  meanShortfall: number;
}

/** numpy's default quantile (linear interpolation between order statistics) of sorted values. */
export function quantileSorted(s: readonly number[], q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/**
 * negmas' truncated mean with its defaults (the package's ranking metric): Tukey fences on the top
 * only — scores above Q3 + 2·IQR are dropped, none at the bottom — then the mean.
 */
export function truncatedMean(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const top = q3 + 2 * (q3 - q1);
  let sum = 0;
  let n = 0;
  for (const x of s)
    if (x <= top) {
      sum += x;
      n++;
    }
  return n > 0 ? sum / n : NaN;
}

export function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const COL = Object.fromEntries(SCORE_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof SCORE_COLUMNS)[number],
  number
>;

/** Per-type statistics over score rows (SCORE_COLUMNS), sorted by mean score, best first. */
export function summarizeScores(rows: readonly Row[]): TypeStats[] {
  const by = new Map<string, { scores: number[]; bankrupt: number; shortfall: number }>();
  for (const r of rows) {
    const t = String(r[COL.agent_type]);
    const e = by.get(t) ?? { scores: [], bankrupt: 0, shortfall: 0 };
    e.scores.push(Number(r[COL.score]));
    e.bankrupt += Number(r[COL.bankrupt]);
    e.shortfall += Number(r[COL.shortfall]);
    by.set(t, e);
  }
  const out: TypeStats[] = [];
  for (const [agentType, e] of by) {
    const n = e.scores.length;
    const mean = e.scores.reduce((a, b) => a + b, 0) / n;
    const variance = e.scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
    out.push({
      agentType,
      n,
      mean,
      median: medianOf(e.scores),
      truncatedMean: truncatedMean(e.scores),
      std: Math.sqrt(variance),
      bankruptRate: e.bankrupt / n,
      meanShortfall: e.shortfall / n,
    });
  }
  return out.sort((a, b) => b.mean - a.mean);
}
