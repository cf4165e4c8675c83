/**
 * The hierarchical workflow's population branch (runner.ts, `hierarchical.pbtMembers` > 0): an
 * MF-PBT population of hierarchies (population.ts over member.ts), a round being one population
 * cycle of the seed's schedule (populationEvery router decisions). By default the members train in
 * this thread one after another (`lab train`, tests); a caller that passes `populationPool` (the
 * lab's trainer worker: a pool of member workers, pool.ts) has them train elsewhere, and the best
 * member comes back as its snapshot, restored here and checked to score what the population
 * recorded. The best member's hierarchy goes back to the runner, which evaluates it as it evaluates
 * a single run; the population's record is the 'hierarchical-pbt' section. `lab hier pbt` runs the
 * same populations on worker threads and machines.
 */
import type { Panel } from '../data/types.ts';
import type { RunExperimentOptions } from '../experiment/run.ts';
import type { MetricRow } from '../run/metrics.ts';
import type { HierConfig } from './config.ts';
import type { HierPbtExtra } from './extras.ts';
import { createHierMember, type HierMember } from './member.ts';
import type { HierLaneSpec, HierPoolExecutor } from './pool.ts';
import {
  HIER_PBT_SEARCH,
  LocalExecutor,
  memberSeed,
  POPULATION_DEFAULTS,
  runPopulation,
  type PopulationConfig,
} from './population.ts';
import { ranking } from '../sweeps/mfpbt.ts';
import type { Hierarchy } from './train.ts';

/** Sub-populations for a population size: 4 → [1], 8 → [1, 10], 12 → [1, 10, 25], 16·k → [1, 10, 25, 50]. */
export function pbtFrequencies(members: number): number[] {
  const all = POPULATION_DEFAULTS.frequencies;
  const fits = (m: number) => members % (4 * m) === 0;
  const count = members >= 16 && fits(4) ? 4 : members === 12 ? 3 : members === 8 ? 2 : members === 4 ? 1 : 0;
  if (count === 0)
    throw new Error(
      `hierarchical.pbtMembers: ${members} members do not split into sub-populations of a multiple of 4 (use 4, 8, 12, 16, 32, 48 or 64; 0 = no population)`,
    );
  return all.slice(0, count);
}

/** The population a hierarchy config asks for (round = one population cycle; rounds cover totalSteps). */
export function hierPopulationConfig(hc: HierConfig, seed: number): PopulationConfig {
  const tReady = hc.populationEvery * hc.routerInterval * hc.numEnvs;
  return {
    members: hc.pbtMembers,
    frequencies: pbtFrequencies(hc.pbtMembers),
    tReady,
    rounds: Math.max(1, Math.round(hc.totalSteps / tReady)),
    hyperparameters: HIER_PBT_SEARCH,
    perturbFactors: POPULATION_DEFAULTS.perturbFactors,
    seed,
  };
}

/**
 * Builds the executor a population's members train in, from what its lanes need (config, panel,
 * population seed) and the population's size; the caller's to build, the branch disposes it.
 */
export type HierPoolFactory = (
  spec: HierLaneSpec & { members: number },
) => HierPoolExecutor | Promise<HierPoolExecutor>;

/** The population branch's own option (workflows/runners.ts passes it through runWorkflow). */
export interface HierPopulationOptions {
  /** `hierarchical.pbtMembers` > 0: where the members train; absent, in this thread (LocalExecutor). */
  populationPool?: HierPoolFactory;
}

export interface HierPopulationResult {
  /** The best member's hierarchy (the caller evaluates and disposes it). */
  hierarchy: Hierarchy;
  status: 'completed' | 'stopped';
  /** One row per round, keyed by the env steps each member has trained. */
  rows: MetricRow[];
  /** The best member's MAPD after each round. */
  diversity: { step: number[]; mapd: number[]; klToMean: number[] };
  extra: HierPbtExtra;
  /** Training episodes the best member finished (its own count, wherever it trained). */
  episodes: number;
  /** With a pool: what the best member restored here scored (equal to its recorded score); null otherwise. */
  restoredScore: number | null;
}

export async function trainHierPopulation(
  config: unknown,
  panel: Panel,
  hc: HierConfig,
  seed: number,
  opts: RunExperimentOptions & HierPopulationOptions = {},
): Promise<HierPopulationResult> {
  const pop = hierPopulationConfig(hc, seed);
  const members = new Map<number, HierMember>();
  const pool = opts.populationPool
    ? await opts.populationPool({ config, panel, seed: pop.seed, members: pop.members })
    : null;
  const executor =
    pool ??
    new LocalExecutor((i, s) => {
      const m = createHierMember(panel, config, s);
      members.set(i, m);
      return m;
    }, pop.seed);
  // What the best member's diversity and episodes are, read where it lives.
  const stats = async (i: number) => {
    if (pool) return pool.stats(i);
    const h = await members.get(i)!.hierarchy();
    return { ...h.diversity(), episodes: h.shared.episodes.length };
  };
  const rows: MetricRow[] = [];
  const diversity = { step: [] as number[], mapd: [] as number[], klToMean: [] as number[] };
  const cb = opts.callbacks ?? {};
  let kept: number | null = null;
  try {
    const result = await runPopulation(pop, executor, {
      control: opts.control,
      onRound: async (r) => {
        const step = (r.round + 1) * pop.tReady;
        const finite = Array.from(r.scores).filter(Number.isFinite);
        const best = ranking(r.scores)[0];
        const div = await stats(best);
        diversity.step.push(step);
        diversity.mapd.push(div.mapd);
        diversity.klToMean.push(div.klToMean);
        const row: MetricRow = {
          step,
          values: {
            'charts/pbt_best_score': r.scores[best],
            'charts/pbt_mean_score': finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
            'charts/pbt_copies': r.parentNetwork.filter((p, i) => p !== i).length,
            'charts/mapd': div.mapd,
            'charts/kl_to_mean': div.klToMean,
            'perf/round_seconds': r.seconds,
          },
        };
        rows.push(row);
        cb.onMetrics?.([row]);
        cb.onStatus?.({ state: 'running', step, totalSteps: pop.rounds * pop.tReady });
      },
    });
    const best = result.best;
    const extra: HierPbtExtra = pool ? { ...result.extra, workers: pool.workers } : result.extra;
    const done = { status: result.status, rows, diversity, extra };
    if (result.roundsCompleted === 0) {
      // Stopped before a round finished: member 0 untrained, built here (a single run stopped at step 0 is evaluated too).
      const m = createHierMember(panel, config, memberSeed(pop.seed, best));
      members.set(best, m);
      m.setHyperparameters(result.hps[best]);
      kept = best;
      return { ...done, hierarchy: await m.hierarchy(), episodes: 0, restoredScore: null };
    }
    const { episodes } = await stats(best);
    if (!pool) {
      kept = best;
      return { ...done, hierarchy: await members.get(best)!.hierarchy(), episodes, restoredScore: null };
    }
    const snapshot = (await pool.snapshots(result.roundsCompleted - 1, [best])).get(best);
    if (!snapshot) throw new Error(`population: the pool returned no snapshot of the best member ${best}`);
    // The best member rebuilt here from its seed, state and hyperparameters (as lab hier pbt's bestRun.ts).
    const m = createHierMember(panel, config, memberSeed(pop.seed, best));
    members.set(best, m);
    await m.restore(snapshot);
    m.setHyperparameters(result.hps[best]);
    const restoredScore = await m.score();
    const recorded = result.scores[best];
    if (!sameScore(restoredScore, recorded))
      throw new Error(
        `population: the best member m${best} restored from its snapshot scores ${restoredScore}, but it scored ${recorded} in its worker (the snapshot misses part of its state)`,
      );
    kept = best;
    return { ...done, hierarchy: await m.hierarchy(), episodes, restoredScore };
  } finally {
    // Every local member but the best (whose hierarchy the runner evaluates, then disposes); the pool's workers.
    for (const [i, m] of members) if (i !== kept) m.dispose();
    await pool?.dispose();
  }
}

/** A recorded score is NaN where the member scored a non-finite Sharpe (population.ts's runJob). */
function sameScore(restored: number, recorded: number): boolean {
  if (!Number.isFinite(recorded)) return !Number.isFinite(restored);
  return Math.abs(restored - recorded) <= 1e-9 * Math.max(1, Math.abs(recorded));
}
