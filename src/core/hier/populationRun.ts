/**
 * The hierarchical workflow's population branch (runner.ts, `hierarchical.pbtMembers` > 0): an
 * MF-PBT population of hierarchies (population.ts over member.ts) trained in this thread — the
 * lab's trainer worker, or `lab train` — one member after another, a round being one population
 * cycle of the seed's schedule (populationEvery router decisions). The best member's hierarchy
 * goes back to the runner, which evaluates it as it evaluates a single run; the population's record
 * is the 'hierarchical-pbt' section. `lab hier pbt` runs the same populations on worker threads and
 * machines.
 */
import type { Panel } from '../data/types.ts';
import type { RunExperimentOptions } from '../experiment/run.ts';
import type { MetricRow } from '../run/metrics.ts';
import type { HierConfig } from './config.ts';
import type { HierPbtExtra } from './extras.ts';
import { createHierMember, type HierMember } from './member.ts';
import {
  HIER_PBT_SEARCH,
  LocalExecutor,
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

export interface HierPopulationResult {
  /** The best member's hierarchy (the caller evaluates and disposes it). */
  hierarchy: Hierarchy;
  status: 'completed' | 'stopped';
  /** One row per round, keyed by the env steps each member has trained. */
  rows: MetricRow[];
  /** The best member's MAPD after each round. */
  diversity: { step: number[]; mapd: number[]; klToMean: number[] };
  extra: HierPbtExtra;
}

export async function trainHierPopulation(
  config: unknown,
  panel: Panel,
  hc: HierConfig,
  seed: number,
  opts: RunExperimentOptions = {},
): Promise<HierPopulationResult> {
  const pop = hierPopulationConfig(hc, seed);
  const members = new Map<number, HierMember>();
  const executor = new LocalExecutor((i, s) => {
    const m = createHierMember(panel, config, s);
    members.set(i, m);
    return m;
  }, pop.seed);
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
        const div = (await members.get(best)!.hierarchy()).diversity();
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
    kept = result.best;
    const hierarchy = await members.get(result.best)!.hierarchy();
    return { hierarchy, status: result.status, rows, diversity, extra: result.extra };
  } finally {
    // Every member but the best (whose hierarchy the runner evaluates, then disposes).
    for (const [i, m] of members) if (i !== kept) m.dispose();
  }
}
