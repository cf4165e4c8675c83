/**
 * The `ensemble` workflow's runner (seed 004): the config's `ensemble.*` settings → core's
 * pipeline (ensemble/policy/pipeline.ts) → an ExperimentResult the lab, sweeps and `lab train`
 * read like market's.
 *
 * Splits: `agent` is the ensemble with the BC policy as its 4th analyst (the seed's deployed
 * system: the RL analyst votes beside technical and news, under the risk cap); the baselines are
 * `ensemble` (3 analysts), `ppo-bc` (PPO fine-tuned from BC), `ppo-scratch`, `bc` (the policy
 * alone) and `buy-and-hold`, all on the same rows, fees and cash. The single-asset strategies
 * (bc, PPO) trade the first asset. Extras per result section: `ensemble-votes` (every analyst's
 * vote, the decisions and the close of the first asset per day), `ensemble-actions`,
 * `ensemble-bc` (curves, confusion, per-class report), `ensemble-checklist`.
 */
import { inferAnnualization } from '../data/align.ts';
import { isoFromDays } from '../data/dates.ts';
import { generateSynthetic, type SyntheticConfig } from '../data/synthetic.ts';
import {
  alignSignals,
  syntheticSignalRecords,
  type SentimentSignals,
  type SignalRecord,
} from '../ensemble/signals.ts';
import { importSignals } from '../kol/signals.ts';
import type { Panel } from '../data/types.ts';
import { ACTION_NAMES, REGIME_NAMES, STATE_FEATURES } from '../ensemble/index.ts';
import type { PositionBacktestResult } from '../ensemble/backtest.ts';
import type { ActionsExtra, BcExtra, ChecklistExtra, VotesExtra } from '../ensemble/extras.ts';
import type { SplitBooks } from '../ensemble/policy/evaluate.ts';
import { runEnsemblePipeline, type EnsemblePipelineResult } from '../ensemble/policy/pipeline.ts';
import { bookMetrics } from '../ensemble/report.ts';
import { resolveExperimentConfig, splitSpecOf, type ResolvedExperimentConfig } from '../experiment/config.ts';
import { selectAssets } from '../experiment/data.ts';
import type { ExperimentResult, RunExperimentOptions } from '../experiment/run.ts';
import type { MetricsRecordView, RunEvaluation, SplitEvaluation, Trade } from '../experiment/types.ts';
import { drawdownFromEquity, monthlyReturnsTable, rollingSharpe } from '../metrics/index.ts';
import type { MetricRow } from '../run/metrics.ts';
import { workflowValues } from './registry.ts';
import { providedSignals } from './signalsInput.ts';

const numeric = (r: Record<string, unknown>): MetricsRecordView =>
  Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'number')) as MetricsRecordView;

/** Strategy name in the splits → its book on a split. */
const STRATEGIES: [string, keyof SplitBooks][] = [
  ['agent', 'ensemble_rl'],
  ['ensemble', 'ensemble'],
  ['ppo-bc', 'ppo_bc'],
  ['ppo-scratch', 'ppo_scratch'],
  ['bc', 'bc'],
  ['buy-and-hold', 'buy_and_hold'],
];

function tradesOf(panel: Panel, b: PositionBacktestResult): Trade[] {
  const N = b.nAssets;
  const out: Trade[] = [];
  const prev = new Float64Array(N);
  for (let k = 0; k < b.equity.length; k++) {
    const t = b.range.start + k;
    let count = 0;
    for (let i = 0; i < N; i++) count += b.traded[k * N + i];
    for (let i = 0; i < N; i++) {
      if (!b.traded[k * N + i]) continue;
      const price = panel.close[t * N + i];
      const shares = (b.weights[k * N + i] * b.equity[k]) / price;
      out.push({
        date: panel.dates[t],
        asset: panel.assets[i],
        side: shares > prev[i] ? 'BUY' : 'SELL',
        quantity: Math.abs(shares - prev[i]),
        price,
        // The row's fee, shared equally by the row's orders.
        fee: b.fees[k] / count,
      });
      prev[i] = shares;
    }
  }
  return out;
}

function splitEvaluation(panel: Panel, s: SplitBooks, annualization: number): SplitEvaluation {
  const dates = panel.dates.slice(s.rows.start, s.rows.end);
  const equity: Record<string, Float64Array> = {};
  const returns: Record<string, Float64Array> = {};
  const drawdown: Record<string, Float64Array> = {};
  const metrics: Record<string, MetricsRecordView> = {};
  for (const [name, key] of STRATEGIES) {
    const b = s[key] as PositionBacktestResult | undefined;
    if (!b) continue;
    const cash = b.initialCash;
    const eq = Float64Array.from(b.equity, (v) => v / cash);
    equity[name] = eq;
    // As the market workflow's baselines: the first period from the initial cash.
    const r = new Float64Array(eq.length - 1);
    for (let k = 1; k < eq.length; k++) r[k - 1] = eq[k] / (k === 1 ? 1 : eq[k - 1]) - 1;
    returns[name] = r;
    drawdown[name] = drawdownFromEquity(eq);
    metrics[name] = numeric(bookMetrics(panel, b, annualization));
  }
  const agent = s.ensemble_rl ?? s.ensemble;
  const ar = returns.agent ?? returns.ensemble;
  const L = dates.length;
  const rs = rollingSharpe(ar, Math.min(63, Math.max(2, ar.length)), { annualization });
  const rolling = new Float64Array(L).fill(NaN);
  rolling.set(rs.subarray(0, L - 1), 1);
  return {
    split: s.split,
    dates,
    assets: panel.assets.slice(),
    equity,
    returns,
    drawdown,
    metrics,
    weights: Float32Array.from(agent.weights),
    rollingSharpe: rolling,
    monthly: monthlyReturnsTable(dates.slice(1), ar),
    trades: tradesOf(panel, agent),
  };
}

/** The result sections' data (see the module comment); typed arrays where long. */
export function ensembleExtras(r: EnsemblePipelineResult): Record<string, unknown> {
  const { analysis, evaluation, bc } = r;
  const { panel, technical, news, risk, decisions } = analysis;
  const N = panel.assets.length;
  const T = panel.dates.length;
  const col = <A extends Int8Array | Float64Array>(src: A, make: (n: number) => A): A => {
    const out = make(T);
    for (let t = 0; t < T; t++) out[t] = src[t * N];
    return out;
  };
  const i8 = (n: number) => new Int8Array(n);
  const f64 = (n: number) => new Float64Array(n);
  const report = bc.trained.report;
  const { config: _config, ...ppoView } = evaluation.ppo;
  return {
    'ensemble-votes': {
      asset: panel.assets[0],
      dates: panel.dates.slice(),
      close: col(panel.close, f64),
      technical: col(technical.action, i8),
      news: col(news.action, i8),
      rl: evaluation.withRl ? col(evaluation.withRl.rl.action, i8) : null,
      regime: col(risk.regime, i8),
      cap: col(decisions.cap, f64),
      ensemble: col(decisions.action, i8),
      ensembleRl: evaluation.withRl ? col(evaluation.withRl.decisions.action, i8) : null,
      actions: ACTION_NAMES,
      regimes: REGIME_NAMES,
      splits: r.runs.map((x) => ({ split: x.split, start: x.rows.start, end: x.rows.end })),
    } satisfies VotesExtra,
    'ensemble-actions': {
      classes: ACTION_NAMES,
      all: r.distribution,
      perSplit: Object.fromEntries(
        r.runs.map((x) => {
          const counts = [0, 0, 0];
          for (let k = 0; k < r.dataset.size; k++)
            if (r.dataset.split[k] === x.split) counts[r.dataset.action[k]]++;
          return [x.split, counts];
        }),
      ),
    } satisfies ActionsExtra,
    'ensemble-bc': {
      classes: ACTION_NAMES,
      epochs: report.epochs,
      bestEpoch: report.best_epoch,
      earlyStopped: report.early_stopped,
      best: report.best,
      validation: report.validation,
      dataset: report.dataset,
      features: STATE_FEATURES,
    } satisfies BcExtra & { features: readonly string[] },
    'ensemble-checklist': {
      ...r.checklist,
      rl: evaluation.rl,
      ppo: ppoView,
    } satisfies ChecklistExtra,
  };
}

/**
 * The news analyst's posts: none (it abstains); synthetic (the synthetic market regenerated from
 * its config, sentiment from its planted signal, as `lab ensemble --signals synthetic`); or the
 * signals CSV the lab handed over (read as kol reads it: text-only posts scored by the lexicon).
 */
function newsSignals(
  source: string,
  resolved: ResolvedExperimentConfig,
  panel: Panel,
): { signals: SentimentSignals | null; note: string } {
  let records: SignalRecord[];
  let label: string;
  if (source === 'none') return { signals: null, note: 'news: none (the news analyst abstains)' };
  if (source === 'synthetic') {
    if (resolved.data.kind !== 'synthetic')
      throw new Error(
        'ensemble.news: synthetic news is drawn from the synthetic market’s planted signal; choose the synthetic market in Data, or another news source',
      );
    const market = generateSynthetic(resolved.data.config as Partial<SyntheticConfig>);
    records = syntheticSignalRecords(market.panel, market.meta);
    label = 'synthetic';
  } else {
    const file = providedSignals();
    if (!file)
      throw new Error(
        'ensemble.news: no signals CSV loaded (load one in the Data panel, or choose another news source)',
      );
    const r = importSignals(file.text, { fileName: file.name });
    if (!r.ok) throw new Error(`${r.error.file}:${r.error.line}:${r.error.column}: ${r.error.message}`);
    records = r.posts.map((p) => ({
      date: isoFromDays(p.day),
      asset: p.ticker,
      sentiment: p.sentiment,
      confidence: p.confidence,
    }));
    label = `file:${file.name}`;
  }
  const { signals, report } = alignSignals(records, panel, label);
  if (report.used === 0)
    throw new Error(`ensemble.news: no post of ${label} matches the data's dates and assets`);
  return { signals, note: `news: ${label}, ${report.used} of ${report.records} posts used` };
}

/** Runs the `ensemble` workflow (the runner contract of ./runners.ts). */
export async function runEnsembleWorkflow(
  config: unknown,
  fullPanel: Panel,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const clock = opts.clock ?? (() => performance.now());
  const resolved = await resolveExperimentConfig(config);
  const v = workflowValues(resolved as unknown as Record<string, unknown>);
  const num = (k: string) => v[`ensemble.${k}`] as number;
  const panel = selectAssets(fullPanel, resolved.assets);
  const splitSpec = splitSpecOf(resolved.splits, panel.dates);
  const annualization = resolved.eval.annualization ?? inferAnnualization(panel.dates);
  const news = newsSignals(String(v['ensemble.news']), resolved, panel);
  const rows: MetricRow[] = [];
  const t0 = clock();
  let tEval = t0;
  const result = await runEnsemblePipeline(
    panel,
    {
      splitSpec,
      annualization,
      ensemble: {
        fee: num('fee'),
        vote: {
          threshold: num('threshold'),
          weights: { technical: num('weightTechnical'), news: num('weightNews') },
        },
      },
      signals: news.signals,
      bc: {
        epochs: num('bcEpochs'),
        patience: num('bcPatience'),
        dropout: num('bcDropout'),
        learningRate: num('bcLearningRate'),
        batchSize: num('bcBatchSize'),
        imbalance: v['ensemble.imbalance'] as 'none',
        seed: resolved.seed,
      },
      rlWeight: num('rlWeight'),
      bcSeeds: num('bcSeeds'),
      finetune:
        num('ppoSteps') > 0
          ? {
              totalSteps: num('ppoSteps'),
              learningRate: num('ppoLearningRate'),
              episodeLength: num('ppoEpisodeLength'),
              seed: resolved.seed,
            }
          : null,
      source: resolved.data.kind === 'embedded' ? `embedded:${resolved.data.name}` : resolved.data.kind,
    },
    {
      control: opts.control,
      onPhase: (phase) => {
        if (phase === 'evaluating' && tEval === t0) tEval = clock();
        opts.onPhase?.(phase);
      },
      onMetrics: (batch) => {
        if (opts.keepRows) rows.push(...batch);
        opts.callbacks?.onMetrics?.(batch);
      },
      onProgress: (step, totalSteps) => opts.callbacks?.onStatus?.({ state: 'running', step, totalSteps }),
    },
  );
  try {
    const splits = result.evaluation.splits.map((s) => splitEvaluation(panel, s, annualization));
    const evaluation: RunEvaluation = {
      splits,
      boundaries: splits.map((s) => ({ split: s.split, date: s.dates[0] })),
      extras: ensembleExtras(result),
    };
    const ppoRows = result.evaluation.ppoRows.ppo_bc;
    const episodic = ppoRows
      .map((x) => x.values['charts/episodic_return'])
      .filter((x): x is number => Number.isFinite(x));
    const notes = [
      news.note,
      `PPO: ${result.evaluation.ppo.status}${result.evaluation.ppo.reason ? ` (${result.evaluation.ppo.reason})` : ''}`,
    ];
    if (result.evaluation.rl.status === 'fallback')
      notes.push(`the ensemble runs without the RL analyst: ${result.evaluation.rl.reason}`);
    const report = result.bc.trained.report;
    return {
      config: resolved,
      status: result.status,
      nonFinite: false,
      steps: result.bc.trained.learner.globalStep + (result.evaluation.ppo.total_steps ?? 0),
      iterations: report.epochs.length + ppoRows.length,
      episodes: 0,
      recentReturn: episodic.length
        ? episodic.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, episodic.length)
        : NaN,
      trainMs: tEval - t0,
      evalMs: clock() - tEval,
      assets: panel.assets.slice(),
      featureNames: STATE_FEATURES.slice(),
      annualization,
      splitSpec,
      notes,
      evaluation,
      ...(opts.keepRows ? { rows } : {}),
      learner: null,
    };
  } finally {
    result.bc.trained.learner.dispose();
  }
}
