/**
 * The baseline book on one split of prepared posts: its metrics against equal-weight buy-and-hold
 * of the same tickers, an honest test of whether the posts carry an edge, and the per-post
 * decision export (the seed's signal_decisions_test.csv).
 *
 * The book runs over the split's decision days (every trading day from its first to its last day
 * with posts, on the tickers with posts anywhere), starting flat; buy-and-hold over the same days.
 * Metrics follow the lab's (empyrical) conventions; fidelity = mean |policy − baseline| over the
 * split's ticker-days (0 for the baseline itself; the trained policy = the baseline until the
 * residual exists).
 */
import { computeMetrics, metricsRecord, type MetricsRecord } from '../metrics/index.ts';
import { baselineWeights, buyAndHoldReturns, runBook, type BookRun } from './book.ts';
import type { KolSplit, PreparedKol } from './prepare.ts';
import { fidelity } from './residual.ts';
import type { Panel, SplitName } from '../data/types.ts';

/** Is there a signal in the sentiment signs? Tested on the split's ticker-days. */
export interface EdgeStats {
  /** Ticker-days with a non-zero sentiment and a non-zero next-day return. */
  tickerDays: number;
  /** Fraction of them whose sentiment sign matched the next-day return. */
  hitRate: number;
  /** Binomial z-score of the hits against a coin (0.5). */
  hitZ: number;
  meanReward: number;
  /** t-statistic of mean reward_1d (sample std). */
  rewardT: number;
  /** hitZ ≥ 2.33 and rewardT > 0 (one-sided p ≤ 0.01 on the signs): only then is an edge claimed. */
  claimed: boolean;
  verdict: string;
}

export const EDGE_Z = 2.33;

export function edgeStats(
  days: readonly { sentiment: number; nextReturn: number; reward: number }[],
): EdgeStats {
  let n = 0;
  let hits = 0;
  let sum = 0;
  let sum2 = 0;
  for (const d of days) {
    sum += d.reward;
    sum2 += d.reward * d.reward;
    if (d.sentiment === 0 || d.nextReturn === 0) continue;
    n++;
    if (Math.sign(d.sentiment) === Math.sign(d.nextReturn)) hits++;
  }
  const m = days.length;
  const meanReward = m ? sum / m : NaN;
  const sd = m > 1 ? Math.sqrt(Math.max(0, (sum2 - m * meanReward * meanReward) / (m - 1))) : NaN;
  const rewardT = sd > 0 ? meanReward / (sd / Math.sqrt(m)) : NaN;
  const hitRate = n ? hits / n : NaN;
  const hitZ = n ? (hits - n / 2) / Math.sqrt(n / 4) : NaN;
  const claimed = hitZ >= EDGE_Z && rewardT > 0;
  const verdict = claimed
    ? `edge: sentiment signs match the next-day return ${(100 * hitRate).toFixed(1)}% of ${n} ticker-days (z = ${hitZ.toFixed(2)} ≥ ${EDGE_Z})`
    : `no edge claimed: hit rate ${(100 * hitRate).toFixed(1)}% of ${n} ticker-days (z = ${Number.isFinite(hitZ) ? hitZ.toFixed(2) : 'n/a'} < ${EDGE_Z})`;
  return { tickerDays: n, hitRate, hitZ, meanReward, rewardT, claimed, verdict };
}

/** One row of signal_decisions_<split>.csv. */
export interface DecisionRow {
  date: string;
  ticker: string;
  post_id: string;
  published: string;
  author: string;
  sentiment: number;
  confidence: number;
  baseline_raw_score: number;
  baseline_action: number;
  trained_action: number;
  position_before: number;
  position_after: number;
  equity_baseline: number;
  equity_trained: number;
  url: string;
}

export const DECISION_COLUMNS: readonly (keyof DecisionRow)[] = [
  'date',
  'ticker',
  'post_id',
  'published',
  'author',
  'sentiment',
  'confidence',
  'baseline_raw_score',
  'baseline_action',
  'trained_action',
  'position_before',
  'position_after',
  'equity_baseline',
  'equity_trained',
  'url',
];

export interface SplitEvaluation {
  split: KolSplit;
  /** Decision days (trading days from the first to the last day with posts). */
  days: number;
  /** Dates the day returns are realised on (each decision date's next trading date). */
  returnDates: string[];
  /** Decision dates. */
  dates: string[];
  tickers: string[];
  /** [days × tickers] baseline weights. */
  weights: Float64Array;
  run: BookRun;
  buyAndHold: Float64Array;
  /** Headline numbers: total_return, sharpe, max_drawdown, turnover, fidelity (and the rest of the lab's metrics). */
  baseline: MetricsRecord;
  buyAndHoldMetrics: MetricsRecord;
  edge: EdgeStats;
  decisions: DecisionRow[];
}

/** Evaluates the baseline book on one split; null when the split has no days. */
export function evaluateBaseline(
  panel: Panel,
  prep: PreparedKol,
  name: SplitName,
  annualization = 252,
): SplitEvaluation | null {
  const split = prep.splits.find((s) => s.name === name)!;
  if (split.firstRow > split.lastRow) return null;
  const N = panel.assets.length;
  const cols = prep.assets;
  const M = cols.length;
  const a = split.firstRow;
  const D = split.lastRow - a + 1;
  const colOf = new Map(cols.map((c, j) => [c, j]));
  // Closes of the covered tickers for rows a..a+D (the last decision's next close).
  const close = new Float64Array((D + 1) * M);
  for (let t = 0; t <= D; t++)
    for (let j = 0; j < M; j++) close[t * M + j] = panel.close[(a + t) * N + cols[j]];
  const scores = new Float64Array(D * M).fill(NaN);
  const days = prep.tickerDays.filter((td) => td.split === name);
  for (const td of days) scores[(td.row - a) * M + colOf.get(td.asset)!] = td.score;
  const weights = baselineWeights(scores, M, prep.config);
  const run = runBook(weights, close, M, 0, prep.config.feeRate);
  const bh = buyAndHoldReturns(close, M, 0, D, prep.config.feeRate);
  const returnDates = panel.dates.slice(a + 1, a + D + 1);
  const baselineActions = days.map((td) => weights[(td.row - a) * M + colOf.get(td.asset)!]);
  const baseline: MetricsRecord = {
    ...metricsRecord(
      computeMetrics(run.returns, { annualization, dates: returnDates, turnover: run.turnover }),
    ),
    fidelity: fidelity(baselineActions, baselineActions),
    final_equity: run.equity[D],
    total_fees: run.fees.reduce((s, f) => s + f, 0),
  };
  const bhTurnover = new Float64Array(D);
  bhTurnover[0] = 0.5;
  const buyAndHoldMetrics: MetricsRecord = metricsRecord(
    computeMetrics(bh, { annualization, dates: returnDates, turnover: bhTurnover }),
  );

  const decisions: DecisionRow[] = [];
  for (const p of prep.posts) {
    if (p.row < a || p.row > split.lastRow) continue;
    const d = p.row - a;
    const j = colOf.get(p.asset)!;
    const td = prep.tickerDays[p.tickerDay];
    const after = weights[d * M + j];
    decisions.push({
      date: p.date,
      ticker: td.ticker,
      post_id: p.postId,
      published: p.published,
      author: p.author,
      sentiment: p.sentiment,
      confidence: p.confidence,
      baseline_raw_score: td.score,
      baseline_action: after,
      trained_action: after,
      position_before: d > 0 ? weights[(d - 1) * M + j] : 0,
      position_after: after,
      equity_baseline: run.equity[d],
      equity_trained: run.equity[d],
      url: p.url,
    });
  }
  return {
    split,
    days: D,
    returnDates,
    dates: panel.dates.slice(a, a + D),
    tickers: prep.tickers,
    weights,
    run,
    buyAndHold: bh,
    baseline,
    buyAndHoldMetrics,
    edge: edgeStats(days),
    decisions,
  };
}
