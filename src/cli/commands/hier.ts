/**
 * `lab hier train`: seed 002's hierarchy (the `hierarchical` workflow) headless, through the same
 * runner as the lab (core/workflows/runners.ts → core/hier/runner.ts). Starts from the workflow's
 * start values (one synthetic asset with two planted regimes, 5-day bars, BUY = all in, SELL = all
 * out); --data/--env replace the market, --set changes any path (hierarchical.klLambda=0, …).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { ensureDir, writeCsv } from '../output.ts';
import { experimentPanel } from '../dataSources.ts';
import { applySets, dataConfigOf, resolveOrUsage } from '../experimentArgs.ts';
import { splitLines, writeEvaluationFiles, writeWorkflowRunJson } from '../runFiles.ts';
import type { BackendPref } from '../../core/agents/backend.ts';
import type { RunEvaluation } from '../../core/experiment/types.ts';
import { unflatten } from '../../core/experiment/vocabulary.ts';
import type {
  HierExpertsExtra,
  HierRegimeProof,
  HierRegimesExtra,
  HierUsageExtra,
  HierDiversityExtra,
} from '../../core/hier/extras.ts';
import { RunControl } from '../../core/run/control.ts';
import { metricRowsToCsv } from '../../core/run/metrics.ts';
import { getWorkflow } from '../../core/workflows/registry.ts';
import { runWorkflow } from '../../core/workflows/runners.ts';
import type { CliCommand } from './index.ts';
import { pbtUsage, runHierPbt } from './hierPbt.ts';

const usage = `usage: lab hier train [--data SRC | --env synthetic[:k=v,…]] [--set path=value…] [--steps N] [--seed S] --out RUN

Seed 002's hierarchy of diverse experts: K discrete SAC experts with a DIAYN skill reward and
V-trace on one shared replay, a maskable-PPO router choosing an expert every n days from regime
features, trained in alternation (router every 10 decisions, experts every 5). The defaults are the
workflow's start values: one synthetic asset with planted trending / mean-reverting quarters
(synthetic:assets=1,days=1500,regimes=2), 5-day OHLCV bars, BUY = all in, SELL = all out.

Writes RUN/metrics.json (per split: the hierarchy's total_return, sharpe, max_drawdown, buy-and-hold's,
every expert's alone, the router's choices by regime and MI(regime; expert); mapd at the end and its
curve), RUN/experts.csv (date, split, chosen expert, regime), RUN/learning.csv, RUN/equity.csv,
RUN/positions.csv, RUN/trades.csv and RUN/run.json (config, data fingerprint, versions, timings).

options:
  --data SRC          file / folder / embedded:NAME (one asset: --set assets=TICKER for several)
  --env E             synthetic[:k=v,…] over the start market's settings (e.g. synthetic:regimes=2,seed=3)
  --set path=value    any config path, repeatable: hierarchical.miRewardWeight=0, hierarchical.experts=4
  --steps N           hierarchical.totalSteps (env steps, all episodes together)
  --seed S            seed
  --backend B         auto (Node: wasm) | wasm | cpu
  --out RUN           output folder (created)`;

const spec = {
  flags: {
    data: { type: 'string' },
    env: { type: 'string' },
    set: { type: 'key-value' },
    steps: { type: 'integer' },
    seed: { type: 'integer' },
    backend: { type: 'string', choices: ['auto', 'wasm', 'cpu', 'webgpu'] },
    out: { type: 'string', required: true },
  },
  positionals: { min: 1, max: 1, names: ['train'] },
} as const;

const fmt = (v: unknown, digits = 4): string =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';

/** metrics.json's hierarchy summary: per split the books, the experts, the router by regime; MAPD. */
export function hierSummary(evaluation: RunEvaluation): Record<string, unknown> {
  const ex = evaluation.extras ?? {};
  const experts = ex['hierarchical-experts'] as HierExpertsExtra | undefined;
  const regimes = ex['hierarchical-regimes'] as HierRegimesExtra | undefined;
  const diversity = ex['hierarchical-diversity'] as HierDiversityExtra | undefined;
  const pick = (m: Record<string, unknown> | undefined) => ({
    return: m?.total_return ?? null,
    sharpe: m?.sharpe ?? null,
    max_drawdown: m?.max_drawdown ?? null,
  });
  const perSplit: Record<string, unknown> = {};
  for (const s of evaluation.splits) {
    const e = experts?.perSplit[s.split];
    const r = regimes?.perSplit[s.split];
    perSplit[s.split] = {
      hierarchy: pick(s.metrics.agent),
      buy_and_hold: pick(s.metrics['buy-and-hold']),
      experts: Object.fromEntries((experts?.experts ?? []).map((name) => [name, pick(s.metrics[name])])),
      usage: e ? Object.fromEntries(experts!.experts.map((n, k) => [n, e.usage[k]])) : null,
      router_by_regime:
        r && regimes
          ? Object.fromEntries(
              regimes.regimes.map((g, i) => [
                g,
                Object.fromEntries(regimes.experts.map((n, k) => [n, r.counts[i]?.[k] ?? 0])),
              ]),
            )
          : null,
      mutual_information: r?.mutualInformation ?? null,
      regime_dependence: r?.proof ? proofSummary(r.proof) : null,
      // What each expert does per regime alone: mean weight, and weight after up days − after down days.
      expert_styles:
        r?.styles && regimes
          ? Object.fromEntries(
              regimes.experts.map((n, k) => [
                n,
                Object.fromEntries(
                  regimes.regimes.map((g, i) => [
                    g,
                    {
                      exposure: r.styles![k]?.exposure[i] ?? null,
                      momentum: r.styles![k]?.momentum[i] ?? null,
                    },
                  ]),
                ),
              ]),
            )
          : null,
    };
  }
  const pooled = regimes?.pooled;
  const n = diversity?.mapd.length ?? 0;
  return {
    mapd: n ? diversity!.mapd[n - 1] : null,
    kl_to_mean: n ? diversity!.klToMean[n - 1] : null,
    mapd_target: diversity?.target ?? 0.25,
    mapd_curve: diversity ? { step: Array.from(diversity.step), mapd: Array.from(diversity.mapd) } : null,
    per_split: perSplit,
    // Pooled over the splits: is the router's choice by regime learned (trained vs untrained router)?
    router_by_regime: pooled
      ? {
          counts: Object.fromEntries(
            regimes!.regimes.map((g, i) => [
              g,
              Object.fromEntries(regimes!.experts.map((n, k) => [n, pooled.counts[i]?.[k] ?? 0])),
            ]),
          ),
          mutual_information: pooled.mutualInformation,
          ...proofSummary(pooled),
        }
      : null,
  };
}

/** A HierRegimeProof in metrics.json's snake case. */
function proofSummary(p: HierRegimeProof): Record<string, unknown> {
  const u = p.untrained;
  return {
    best_expert: p.bestExpert,
    hit_rate: p.hitRate,
    chance_hit_rate: p.chanceHitRate,
    mi_p_value: p.pValue,
    mi_null_mean: p.nullMi,
    untrained: {
      counts: u.counts,
      mutual_information: u.mutualInformation,
      hit_rate: u.hitRate,
      chance_hit_rate: u.chanceHitRate,
      mi_p_value: u.pValue,
    },
  };
}

export function writeExpertsCsv(out: string, evaluation: RunEvaluation): void {
  const usage = evaluation.extras?.['hierarchical-usage'] as HierUsageExtra | undefined;
  const rows: (string | number | null)[][] = [];
  for (const [split, u] of Object.entries(usage?.perSplit ?? {})) {
    if (!u) continue;
    for (let i = 0; i < u.dates.length; i++)
      rows.push([
        u.dates[i],
        split,
        u.expert[i] >= 0 ? usage!.experts[u.expert[i]] : '',
        u.regime[i] >= 0 && usage!.regimes.length ? usage!.regimes[u.regime[i]] : '',
      ]);
  }
  writeCsv(path.join(out, 'experts.csv'), ['date', 'split', 'expert', 'regime'], rows);
}

export const command: CliCommand = {
  summary:
    "seed 002's hierarchy of diverse experts (SAC + DIAYN experts, maskable-PPO router, V-trace): train and backtest; pbt: an MF-PBT population of them",
  usage: `${usage}\n\n${pbtUsage}`,
  async run(argv) {
    // `lab hier pbt`: the population (hierPbt.ts).
    if (argv[0] === 'pbt')
      return runHierPbt(argv.slice(1), { summary: hierSummary, expertsCsv: writeExpertsCsv });
    const t0 = performance.now();
    const { flags } = parseArgs(argv, spec);
    if (flags.data !== undefined && flags.env !== undefined)
      throw new UsageError('give --data or --env, not both');
    const wf = getWorkflow('hierarchical');
    const input = unflatten(wf.start) as Record<string, unknown>;
    input.workflow = 'hierarchical';
    const specText = flags.data ?? flags.env;
    const dataSpecs: string[] = [];
    if (specText !== undefined) {
      if (flags.env !== undefined && !flags.env.startsWith('synthetic'))
        throw new UsageError(`--env expects synthetic[:k=v,…], got '${flags.env}'`);
      const data = dataConfigOf([specText]);
      const start = input.data as { config?: Record<string, unknown> };
      input.data =
        data.kind === 'synthetic' ? { ...data, config: { ...start.config, ...data.config } } : data;
      if (data.kind === 'panel') dataSpecs.push(specText);
    }
    if (flags.seed !== undefined) input.seed = flags.seed;
    if (flags.backend !== undefined) input.backend = flags.backend;
    const sets = { ...flags.set };
    if (flags.steps !== undefined) sets['hierarchical.totalSteps'] = String(flags.steps);
    const config = await resolveOrUsage(applySets(input, sets));
    const out = flags.out;
    const panel = await experimentPanel(config.data, dataSpecs, 'hier train');
    const { initBackend } = await import('../../core/agents/backend.ts');
    const backend = await initBackend(config.backend as BackendPref);
    const control = new RunControl();
    const onSigint = () => {
      process.stderr.write('\nlab hier: stopping after the current cycle…\n');
      control.stop();
    };
    process.once('SIGINT', onSigint);
    let last = 0;
    const t1 = performance.now();
    let res;
    try {
      res = await runWorkflow(config, panel, {
        control,
        keepRows: true,
        callbacks: {
          onMetrics: (rows) => {
            const r = rows[rows.length - 1];
            if (!r || performance.now() - last < 2000) return;
            last = performance.now();
            const v = r.values;
            process.stderr.write(
              `  step ${r.step}  mapd ${fmt(v['charts/mapd'], 3)}  router entropy ${fmt(v['charts/router_entropy'], 3)}  return ${fmt(v['charts/episodic_return'], 3)}  sps ${fmt(v['perf/sps'], 0)}\n`,
            );
          },
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const t2 = performance.now();
    ensureDir(out);
    writeFileSync(path.join(out, 'learning.csv'), metricRowsToCsv(res.rows ?? []));
    const lines = [
      `hierarchical ${res.status} at step ${res.steps} on ${backend.backend} in ${((t2 - t1) / 1000).toFixed(1)} s → ${out}`,
    ];
    if (res.evaluation) {
      const summary = hierSummary(res.evaluation);
      writeEvaluationFiles(out, res.evaluation, res.annualization, {
        workflow: 'hierarchical',
        status: res.status,
        global_step: res.steps,
        backend: backend.backend,
        ...summary,
      });
      writeExpertsCsv(out, res.evaluation);
      lines.push(...splitLines(res.evaluation, fmt));
      const per = summary.per_split as Record<string, { mutual_information: number | null }>;
      lines.push(
        `  mapd ${fmt(summary.mapd, 3)} (target ≥ 0.25)  MI(regime; expert) ${Object.entries(per)
          .map(([s, v]) => `${s} ${fmt(v.mutual_information, 3)}`)
          .join(', ')}`,
      );
    }
    writeWorkflowRunJson(out, {
      command: 'hier train',
      argv,
      result: res,
      config,
      backend,
      dataSpecs,
      panel,
      times: [t0, t1, t2],
    });
    process.stdout.write(lines.join('\n') + '\n');
    if (res.status === 'failed') {
      process.stderr.write(`lab hier: ${res.error ?? 'training failed'}\n`);
      return 1;
    }
    return 0;
  },
};
