/**
 * The lab's runner of the hierarchical workflow (core/workflows/runners.ts): config + panel →
 * features and market envs (experiment/run.ts's prepareExperiment: costs, slippage, limits as any
 * market run) → trainHierarchy (callbacks, pause/stop) → per split the hierarchy ('agent'), each
 * expert alone ('expert-k') and the baselines in the shared evaluation shape, plus the workflow's
 * sections (extras.ts). With the synthetic market's planted regimes (data.config.regimes = 2) the
 * true regime per day comes from regenerating the same seeded market (the panel holds no meta).
 */
import type { Panel, SplitName } from '../data/types.ts';
import { generateSynthetic } from '../data/synthetic.ts';
import { prepareExperiment, type ExperimentResult, type RunExperimentOptions } from '../experiment/run.ts';
import type { RunEvaluation } from '../experiment/types.ts';
import type { MetricRow } from '../run/metrics.ts';
import { hierPopulationConfig, trainHierPopulation, type HierPopulationOptions } from './populationRun.ts';
import type {
  HierDiversityExtra,
  HierPbtExtra,
  HierExpertsExtra,
  HierPeriodsExtra,
  HierRegimesExtra,
  HierUsageExtra,
} from './extras.ts';
import { evaluateHierarchySplits, expertName, type HierSplitResult } from './evaluate.ts';
import { mutualInformation } from '../metrics/diversity.ts';
import { regimeProof } from './regimeProof.ts';
import { Hierarchy, trainHierarchy } from './train.ts';
import { hierConfigOf } from './workflow.ts';

export const REGIME_NAMES = ['trending', 'mean-reverting'] as const;

/** Row → planted regime for a synthetic two-regime market whose dates match the features, else null. */
export function plantedRegimes(
  data: { kind: string; config?: Record<string, unknown> },
  featureDates: readonly string[],
): ((row: number) => number) | null {
  if (data.kind !== 'synthetic' || data.config?.regimes !== 2) return null;
  const { panel, meta } = generateSynthetic(data.config);
  const byDate = new Map(panel.dates.map((d, i) => [d, meta.trendRegime[i]]));
  const regime = Int8Array.from(featureDates, (d) => byDate.get(d) ?? -1);
  if (regime.every((r) => r < 0)) return null;
  return (row) => (row >= 0 && row < regime.length ? regime[row] : -1);
}

/** The router's deterministic choice at every features row (before training: the untrained router). */
export async function routerChoices(h: Hierarchy): Promise<Int32Array> {
  const T = h.market.features.dates.length;
  const size = h.shared.routerObsSize;
  const K = h.config.experts;
  const obs = new Float32Array(T * size);
  for (let t = 0; t < T; t++) obs.set(h.routerObs(t), t * size);
  const masks = new Uint8Array(T * K);
  for (let t = 0; t < T; t++) masks.set(h.shared.allowed.subarray(0, K), t * K);
  return Int32Array.from(await h.router.predict(obs, T, masks, true));
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : NaN;
}

/** The workflow's sections from the per-split results (extras.ts shapes). */
export function hierExtras(
  h: Hierarchy,
  results: Partial<Record<SplitName, HierSplitResult>>,
  diversity: { step: number[]; mapd: number[]; klToMean: number[] },
  withRegimes: boolean,
): Record<string, unknown> {
  const K = h.config.experts;
  const experts = Array.from({ length: K }, (_, k) => expertName(k));
  const regimes = withRegimes ? [...REGIME_NAMES] : [];
  const fs = h.market.features;
  const rowOf = new Map(fs.dates.map((d, i) => [d, i]));
  const usage: HierUsageExtra = { experts, regimes, perSplit: {} };
  const expertsX: HierExpertsExtra = { experts, perSplit: {} };
  const regimesX: HierRegimesExtra = { experts, regimes, perSplit: {} };
  for (const [split, r] of Object.entries(results) as [SplitName, HierSplitResult][]) {
    const ev = r.evaluation;
    usage.perSplit[split] = {
      dates: ev.dates.slice(),
      price: Float64Array.from(ev.dates, (d) => fs.close[rowOf.get(d) ?? 0]),
      expert: r.expertPerDate,
      regime: r.regimePerDate,
    };
    expertsX.perSplit[split] = {
      dates: ev.dates.slice(),
      equity: experts.map((e) => ev.equity[e]),
      totalReturn: experts.map((e) => num(ev.metrics[e]?.total_return)),
      sharpe: experts.map((e) => num(ev.metrics[e]?.sharpe)),
      maxDrawdown: experts.map((e) => num(ev.metrics[e]?.max_drawdown)),
      usage: r.usage,
    };
    if (withRegimes)
      regimesX.perSplit[split] = {
        counts: r.counts,
        mutualInformation: r.mutualInformation,
        ...(r.proof ? { proof: r.proof } : {}),
        ...(r.styles ? { styles: r.styles } : {}),
      };
  }
  const diversityX: HierDiversityExtra = {
    step: Float64Array.from(diversity.step),
    mapd: Float64Array.from(diversity.mapd),
    klToMean: Float64Array.from(diversity.klToMean),
    target: 0.25,
  };
  const out: Record<string, unknown> = {
    'hierarchical-usage': usage,
    'hierarchical-experts': expertsX,
    'hierarchical-diversity': diversityX,
  };
  if (withRegimes) {
    // Pooled over the splits in order: the per-split best experts label each split's decisions.
    const all = Object.values(results).filter((r): r is HierSplitResult => !!r?.proof);
    if (all.length) {
      const known = all.map((r) => r.decisions.filter((d) => d.regime >= 0));
      const regime = known.flatMap((ds) => ds.map((d) => d.regime));
      const trained = known.flatMap((ds) => ds.map((d) => d.expert));
      const untrained = all.flatMap((r) => r.untrainedDecisions!);
      const best = all.flatMap((r, i) => known[i].map((d) => r.bestExpert![d.regime]));
      const proof = regimeProof(regime, trained, untrained, best, all[all.length - 1].bestExpert!, K, h.seed);
      const counts = Array.from({ length: regimes.length }, () => new Array<number>(K).fill(0));
      regime.forEach((g, i) => counts[g] && counts[g][trained[i]]++);
      regimesX.pooled = { ...proof, counts, mutualInformation: mutualInformation(regime, trained) };
    }
    out['hierarchical-regimes'] = regimesX;
  }
  if (h.periods) {
    const periods: HierPeriodsExtra = {
      periods: h.periods.periods,
      amplitudes: h.periods.amplitudes,
      window: h.periods.window,
    };
    out['hierarchical-periods'] = periods;
  }
  return out;
}

/** Runs the hierarchical workflow on a panel (the runner of core/workflows/runners.ts). */
export async function runHierarchical(
  config: unknown,
  panel: Panel,
  opts: RunExperimentOptions & HierPopulationOptions = {},
): Promise<ExperimentResult> {
  const clock = opts.clock ?? (() => performance.now());
  const hc = hierConfigOf(config);
  opts.onPhase?.('building features');
  const prep = await prepareExperiment(config, panel);
  opts.onPrepared?.(prep);
  const c = prep.config;
  const regimeOfRow = plantedRegimes(
    c.data as { kind: string; config?: Record<string, unknown> },
    prep.features.dates,
  );
  opts.onPhase?.('training');
  const cb = opts.callbacks ?? {};
  const t0 = clock();
  let status: ExperimentResult['status'] = 'completed';
  let error: string | undefined;
  let h: Hierarchy | null = null;
  let rows: MetricRow[] = [];
  let diversity = { step: [] as number[], mapd: [] as number[], klToMean: [] as number[] };
  // hierarchical.pbtMembers > 0: an MF-PBT population (populationRun.ts); its best member is evaluated below.
  let pbt: HierPbtExtra | null = null;
  let pbtEpisodes = 0;
  if (hc.pbtMembers > 0) hierPopulationConfig(hc, c.seed);
  // The same seed's router before training, on the same decision days: what training must beat.
  let untrainedChoice: Int32Array | undefined;
  try {
    let res;
    if (hc.pbtMembers > 0) res = await trainHierPopulation(config, panel, hc, c.seed, opts);
    else {
      h = new Hierarchy(prep, hc, c.seed);
      if (regimeOfRow) untrainedChoice = await routerChoices(h);
      res = await trainHierarchy(h, hc, {
        control: opts.control,
        callbacks: {
          onMetrics: (batch) => cb.onMetrics?.(batch),
          onStatus: (s) => cb.onStatus?.({ state: 'running', step: s.step, totalSteps: s.totalSteps }),
        },
      });
    }
    h = res.hierarchy;
    status = res.status;
    rows = res.rows;
    diversity = res.diversity;
    if ('extra' in res) {
      pbt = res.extra;
      // A pooled population's best member was restored here: its episodes were counted where it trained.
      pbtEpisodes = res.episodes;
    }
  } catch (e) {
    status = 'failed';
    error = e instanceof Error ? e.message : String(e);
    // A hierarchy that failed in training is not evaluated.
    h?.dispose();
    h = null;
  }
  const trainMs = clock() - t0;
  const t1 = clock();
  let evaluation: RunEvaluation | null = null;
  try {
    if (h) {
      opts.onPhase?.('evaluating');
      const { results, splits } = await evaluateHierarchySplits(h, prep, {
        regimeOfRow,
        regimes: REGIME_NAMES.length,
        untrainedChoice,
        seed: c.seed,
      });
      evaluation = {
        splits,
        boundaries: splits.map((s) => ({ split: s.split, date: s.dates[0] })),
        extras: {
          ...hierExtras(h, results, diversity, regimeOfRow !== null),
          ...(pbt ? { 'hierarchical-pbt': pbt } : {}),
        },
      };
    }
  } finally {
    h?.dispose();
  }
  cb.onStatus?.({
    state: status === 'failed' ? 'failed' : 'done',
    step: h?.envSteps ?? 0,
    totalSteps: hc.totalSteps,
  });
  const last = rows[rows.length - 1]?.values ?? {};
  return {
    config: c,
    status,
    ...(error ? { error } : {}),
    nonFinite: /non-finite/i.test(error ?? ''),
    steps: h?.envSteps ?? 0,
    iterations: h?.cycles ?? 0,
    episodes: pbt ? pbtEpisodes : (h?.shared.episodes.length ?? 0),
    recentReturn: num(last['charts/episodic_return']),
    trainMs,
    evalMs: clock() - t1,
    assets: prep.features.assets.slice(),
    featureNames: prep.features.featureNames.slice(),
    annualization: prep.annualization,
    splitSpec: prep.splitSpec,
    notes: [
      ...prep.notes,
      `hierarchical: ${hc.experts} experts, router every ${hc.routerInterval} days; ${regimeOfRow ? 'planted regimes from the synthetic market' : 'no regime labels in this data'}`,
      ...(pbt?.workers
        ? [
            `population: ${pbt.members.length} members on ${pbt.workers} member worker${pbt.workers === 1 ? '' : 's'}`,
          ]
        : []),
    ],
    evaluation,
    ...(opts.keepRows ? { rows } : {}),
    learner: null,
  };
}
