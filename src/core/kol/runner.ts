/**
 * The lab's runner of the kol workflow (core/workflows/runners.ts): the panel of prices and the
 * flat `kol.*` settings → posts (synthetic, or a signals CSV handed over with provideKolSignals) →
 * prepare in memory → the train split's replay buffer → residual IQL through core's runTraining
 * (callbacks and control, so the lab's curves, progress and Stop work) → per split, the trained
 * book beside the baseline book and buy-and-hold of the same tickers, in the shared evaluation
 * shape (agent = the trained book), plus the workflow's own result sections in `extras`.
 */
import type { Panel, SplitName, SplitSpec } from '../data/types.ts';
import { resolveExperimentConfig } from '../experiment/config.ts';
import type { ExperimentResult, RunExperimentOptions } from '../experiment/run.ts';
import type { MetricsRecordView, RunEvaluation, SplitEvaluation } from '../experiment/types.ts';
import {
  computeMetrics,
  drawdownFromEquity,
  metricsRecord,
  monthlyReturnsTable,
  rollingSharpe,
} from '../metrics/index.ts';
import { workflowValues } from '../workflows/registry.ts';
import { buyAndHoldReturns } from './book.ts';
import { kolSplitBooks } from './books.ts';
import { prepareKol, type PreparedKol } from './prepare.ts';
import {
  evaluateKolResidual,
  residualEdge,
  trainKolResidual,
  type KolResidualEvaluation,
} from './residualTrain.ts';
import { providedSignals } from '../workflows/signalsInput.ts';
import { importSignals } from './signals.ts';
import { generateKolSignals, syntheticSignalsCsv } from './synthetic.ts';
import type { KolPost } from './types.ts';
import { kolConfigFromValues, kolResidualFromValues } from './workflow.ts';

/** Per split: the deviation of the trained book from the baseline, per decision day. */
export interface KolDeviationExtra {
  split: SplitName;
  dates: string[];
  /** Mean over the tickers of |trained − baseline| weight, per decision day. */
  deviation: Float64Array;
  /** Mean |policy − baseline| over the split's ticker-days (the fidelity metric). */
  fidelity: number;
  /** The paired test of the day returns (does the residual claim an edge?). */
  edge: { t: number; claimed: boolean; verdict: string };
}

/** One post's decision (the seed's signal_decisions_<split>.csv, with the text). */
export interface KolDecisionExtra {
  date: string;
  ticker: string;
  postId: string;
  author: string;
  text: string;
  sentiment: number;
  confidence: number;
  baseline: number;
  trained: number;
  before: number;
  after: number;
  equityBaseline: number;
  equityTrained: number;
}

const ROLLING_WINDOW = 63;

function numeric(r: Record<string, unknown>): MetricsRecordView {
  const out: MetricsRecordView = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') out[k] = v;
  return out;
}

function postsOf(panel: Panel, values: ReturnType<typeof kolConfigFromValues>): KolPost[] {
  let name: string;
  let text: string;
  if (values.synthetic) {
    name = 'synthetic posts';
    text = syntheticSignalsCsv(generateKolSignals(panel, values.synthetic).rows);
  } else {
    const file = providedSignals();
    if (!file)
      throw new Error(
        'kol.signals: no signals CSV loaded (load one in the Data panel, or choose synthetic posts)',
      );
    ({ name, text } = file);
  }
  const res = importSignals(text, { fileName: name, scorer: values.scorer });
  if (!res.ok)
    throw new Error(`${res.error.file}:${res.error.line}:${res.error.column}: ${res.error.message}`);
  return res.posts;
}

function splitEvaluation(
  split: SplitName,
  ev: KolResidualEvaluation,
  fee: number,
  annualization: number,
): SplitEvaluation {
  const { book, cmp } = ev;
  const M = book.tickers.length;
  const D = book.dates.length;
  const dates = [book.dates[0], ...book.returnDates];
  const bh = buyAndHoldReturns(book.close, M, 0, D, fee);
  const bhEquity = new Float64Array(D + 1);
  bhEquity[0] = 1;
  for (let d = 0; d < D; d++) bhEquity[d + 1] = bhEquity[d] * (1 + bh[d]);
  const bhTurnover = new Float64Array(D);
  bhTurnover[0] = 0.5;
  const equity = {
    agent: cmp.trainedRun.equity,
    'kol-baseline': cmp.baselineRun.equity,
    'buy-and-hold': bhEquity,
  };
  const returns = {
    agent: cmp.trainedRun.returns,
    'kol-baseline': cmp.baselineRun.returns,
    'buy-and-hold': bh,
  };
  const drawdown: Record<string, Float64Array> = {};
  for (const [k, e] of Object.entries(equity)) drawdown[k] = drawdownFromEquity(e);
  const rs = rollingSharpe(cmp.trainedRun.returns, Math.min(ROLLING_WINDOW, Math.max(2, D)), {
    annualization,
  });
  const rolling = new Float64Array(D + 1).fill(NaN);
  rolling.set(rs.subarray(0, D), 1);
  // Weights per equity date: each decision day's book, the last one held to the last close.
  const weights = new Float32Array((D + 1) * M);
  weights.set(cmp.trainedWeights);
  weights.set(cmp.trainedWeights.subarray((D - 1) * M), D * M);
  return {
    split,
    dates,
    assets: book.tickers.slice(),
    equity,
    returns,
    drawdown,
    metrics: {
      agent: numeric(cmp.trained),
      'kol-baseline': numeric(cmp.baseline),
      'buy-and-hold': numeric(
        metricsRecord(computeMetrics(bh, { annualization, dates: book.returnDates, turnover: bhTurnover })),
      ),
    },
    weights,
    rollingSharpe: rolling,
    monthly: monthlyReturnsTable(book.returnDates, cmp.trainedRun.returns),
    trades: [],
  };
}

function deviationExtra(split: SplitName, ev: KolResidualEvaluation): KolDeviationExtra {
  const { book, cmp } = ev;
  const M = book.tickers.length;
  const D = book.dates.length;
  const deviation = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let s = 0;
    for (let i = 0; i < M; i++) s += Math.abs(cmp.trainedWeights[d * M + i] - ev.baseline[d * M + i]);
    deviation[d] = s / M;
  }
  const edge = residualEdge(cmp.baselineRun.returns, cmp.trainedRun.returns);
  return {
    split,
    dates: book.dates.slice(),
    deviation,
    fidelity: Number(cmp.trained.fidelity),
    edge: { t: edge.t, claimed: edge.claimed, verdict: edge.verdict },
  };
}

function decisionsExtra(prep: PreparedKol, ev: KolResidualEvaluation): KolDecisionExtra[] {
  const { book, cmp } = ev;
  const M = book.tickers.length;
  const rowOf = new Map(book.dates.map((d, i) => [d, i]));
  const colOf = new Map(book.tickers.map((t, j) => [t, j]));
  const out: KolDecisionExtra[] = [];
  for (const p of prep.posts) {
    const d = rowOf.get(p.date);
    const j = colOf.get(prep.tickerDays[p.tickerDay].ticker);
    if (d === undefined || j === undefined) continue;
    const k = d * M + j;
    if (Number.isNaN(book.scores[k])) continue;
    out.push({
      date: p.date,
      ticker: book.tickers[j],
      postId: p.postId,
      author: p.author,
      text: p.text,
      sentiment: p.sentiment,
      confidence: p.confidence,
      baseline: ev.baseline[k],
      trained: cmp.trainedWeights[k],
      before: d > 0 ? cmp.trainedWeights[k - M] : 0,
      after: cmp.trainedWeights[k],
      equityBaseline: cmp.baselineRun.equity[d],
      equityTrained: cmp.trainedRun.equity[d],
    });
  }
  return out;
}

/** The date ranges of the signal days of each split (an empty split: its start and end are ''). */
function splitSpecOf(prep: PreparedKol): SplitSpec {
  const r = (n: SplitName) => {
    const s = prep.splits.find((x) => x.name === n)!;
    return { start: s.start, end: s.end };
  };
  return { train: r('train'), valid: r('valid'), test: r('test') };
}

/** Runs the kol workflow on a panel of prices (the runner of core/workflows/runners.ts). */
export async function runKol(
  config: unknown,
  panel: Panel,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const clock = opts.clock ?? (() => performance.now());
  const resolved = await resolveExperimentConfig(config);
  const values = workflowValues({ ...(config as Record<string, unknown>), workflow: 'kol' });
  const kol = kolConfigFromValues(values);
  const residual = kolResidualFromValues(values, resolved.seed);
  opts.onPhase?.('building features');
  const prep = prepareKol(panel, postsOf(panel, kol), kol.prepare);
  const books = kolSplitBooks(panel, prep);
  if (!books.train) throw new Error('kol: the train split has no ticker-days (no posts joined to it)');
  opts.onPhase?.('training');
  const trained = await trainKolResidual(books.train, prep.config, residual, {
    callbacks: opts.callbacks,
    control: opts.control,
    keepRows: opts.keepRows,
  });
  const training = trained.result;
  const learner = training.learner;
  let evaluation: RunEvaluation | null = null;
  const t0 = clock();
  const annualization = 252;
  try {
    if (learner && training.status !== 'failed') {
      opts.onPhase?.('evaluating');
      const splits: SplitEvaluation[] = [];
      const deviation: KolDeviationExtra[] = [];
      const decisions: Partial<Record<SplitName, KolDecisionExtra[]>> = {};
      for (const name of ['train', 'valid', 'test'] as const) {
        const book = books[name];
        if (!book || !resolved.eval.splits.includes(name)) continue;
        const ev = await evaluateKolResidual(learner, book, prep.config, residual.textDim, annualization);
        splits.push(splitEvaluation(name, ev, prep.config.feeRate, annualization));
        deviation.push(deviationExtra(name, ev));
        decisions[name] = decisionsExtra(prep, ev);
      }
      evaluation = {
        splits,
        boundaries: splits.map((s) => ({ split: s.split, date: s.dates[0] })),
        extras: { 'kol-deviation': deviation, 'kol-decisions': decisions },
      };
    }
  } finally {
    if (!opts.keepLearner) learner?.dispose();
  }
  return {
    config: resolved,
    status: training.status,
    ...(training.error ? { error: training.error } : {}),
    nonFinite: /non-finite/i.test(training.error ?? ''),
    steps: training.globalStep,
    iterations: training.iterations,
    episodes: 0,
    recentReturn: NaN,
    trainMs: training.wallMs,
    evalMs: clock() - t0,
    assets: prep.tickers.slice(),
    featureNames: [],
    annualization,
    splitSpec: splitSpecOf(prep),
    notes: [
      `kol: ${prep.counts.postsJoined} posts → ${prep.counts.tickerDays} ticker-days on ${prep.tickers.length} tickers; residual IQL on ${trained.replay.cells.length} train ticker-days (${trained.replay.dataset.size} transitions)`,
    ],
    evaluation,
    ...(opts.keepRows ? { rows: trained.rows } : {}),
    learner: opts.keepLearner ? learner : null,
  };
}
