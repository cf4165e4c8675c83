/**
 * The ensemble end to end on a loaded panel: analysts → weighted vote → risk cap → decisions for
 * every (day, asset); then, per split, the position-rule backtest beside buy-and-hold on the same
 * rows and fees, each split starting in cash at its first close (as `lab backtest` does).
 *
 *   const a = analyseEnsemble(panel, splitSpec, signals);      // signals null → news abstains
 *   const runs = backtestEnsemble(panel, a);                    // per split: ensemble + buy-and-hold
 */
import { buyAndHold } from '../baselines/strategies.ts';
import type { BacktestResult } from '../baselines/backtest.ts';
import { DEFAULT_FEE, DEFAULT_INITIAL_CASH } from '../baselines/backtest.ts';
import type { Panel, RowRange, SplitName, SplitSpec } from '../data/types.ts';
import { backtestDecisions, type PositionBacktestResult } from './backtest.ts';
import { DEFAULT_NEWS, newsAnalyst, type NewsConfig } from './news.ts';
import {
  DEFAULT_RISK,
  fitRegimes,
  riskAnalyst,
  rollingVolatility,
  type RegimeFit,
  type RiskConfig,
  type RiskOutput,
} from './risk.ts';
import type { SentimentSignals } from './signals.ts';
import {
  DEFAULT_TECHNICAL,
  assetClose,
  technicalAnalyst,
  technicalInputs,
  type TechnicalConfig,
  type TechnicalInputs,
} from './technical.ts';
import { EnsembleError, type AnalystVotes, type Decisions } from './types.ts';
import { DEFAULT_VOTE, ensembleDecisions, type VoteConfig } from './vote.ts';

export interface EnsembleConfig {
  technical: TechnicalConfig;
  news: NewsConfig;
  risk: RiskConfig;
  vote: VoteConfig;
  /** Fee per traded notional, each side (default 0.0005, the lab's). */
  fee: number;
  initialCash: number;
}

export const DEFAULT_ENSEMBLE: Readonly<EnsembleConfig> = Object.freeze({
  technical: DEFAULT_TECHNICAL,
  news: DEFAULT_NEWS,
  risk: DEFAULT_RISK,
  vote: DEFAULT_VOTE,
  fee: DEFAULT_FEE,
  initialCash: DEFAULT_INITIAL_CASH,
});

export const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

/** Everything computed once per panel (path-independent: no positions yet). */
export interface EnsembleAnalysis {
  panel: Panel;
  config: EnsembleConfig;
  /** Row ranges of the splits in the panel (possibly empty). */
  splitRows: Record<SplitName, RowRange>;
  splitSpec: SplitSpec;
  /** Per asset, the indicator values the technical rules read. */
  indicators: TechnicalInputs[];
  technical: AnalystVotes;
  news: AnalystVotes;
  risk: RiskOutput;
  signals: SentimentSignals | null;
  decisions: Decisions;
}

/** [start, end) of the rows whose date lies in [from, to] (ISO dates compare as strings). */
export function rowsInDates(dates: readonly string[], from: string, to: string): RowRange {
  let start = 0;
  while (start < dates.length && dates[start] < from) start++;
  let end = start;
  while (end < dates.length && dates[end] <= to) end++;
  return { start, end };
}

/**
 * Runs the analysts and the vote over the whole panel. The risk analyst's regimes are fitted on
 * the train split's rows, unless `opts.regimeFit` gives a saved fit (then no train rows are needed).
 */
export function analyseEnsemble(
  panel: Panel,
  splitSpec: SplitSpec,
  signals: SentimentSignals | null,
  config: Partial<EnsembleConfig> = {},
  opts: { regimeFit?: RegimeFit } = {},
): EnsembleAnalysis {
  const cfg: EnsembleConfig = { ...DEFAULT_ENSEMBLE, ...config };
  const T = panel.dates.length;
  const N = panel.assets.length;
  if (T === 0 || N === 0) throw new EnsembleError('ensemble: the panel is empty');
  const splitRows = {} as Record<SplitName, RowRange>;
  for (const s of SPLITS) splitRows[s] = rowsInDates(panel.dates, splitSpec[s].start, splitSpec[s].end);
  const indicators: TechnicalInputs[] = [];
  const close = new Float64Array(T);
  for (let i = 0; i < N; i++) indicators.push(technicalInputs(assetClose(panel, i, close), cfg.technical));
  const technical = technicalAnalyst(panel, cfg.technical, indicators);
  const news = newsAnalyst(signals, T, N, cfg.news);
  const vol = rollingVolatility(panel, cfg.risk.volWindow);
  if (!opts.regimeFit && splitRows.train.end <= splitRows.train.start) {
    const { start, end } = splitSpec.train;
    throw new EnsembleError(
      `ensemble: the train split ${start}..${end} has no rows to fit the volatility regimes on (data: ${panel.dates[0]}..${panel.dates[T - 1]})`,
    );
  }
  const fit = opts.regimeFit ?? fitRegimes(vol, N, splitRows.train, cfg.risk);
  const risk = riskAnalyst(vol, N, fit, cfg.risk);
  const decisions = ensembleDecisions([technical, news], risk, T, N, cfg.vote);
  return { panel, config: cfg, splitRows, splitSpec, indicators, technical, news, risk, signals, decisions };
}

export interface SplitRun {
  split: SplitName;
  rows: RowRange;
  ensemble: PositionBacktestResult;
  buyAndHold: BacktestResult;
}

/** Per split with at least 2 rows: the ensemble's backtest and buy-and-hold on the same rows and fees. */
export function backtestEnsemble(a: EnsembleAnalysis): SplitRun[] {
  const { panel, config } = a;
  const out: SplitRun[] = [];
  for (const split of SPLITS) {
    const rows = a.splitRows[split];
    if (rows.end - rows.start < 2) continue;
    const opts = { fee: config.fee, initialCash: config.initialCash, range: rows };
    out.push({
      split,
      rows,
      ensemble: backtestDecisions(panel.close, a.decisions, opts),
      buyAndHold: buyAndHold(panel.close, panel.assets.length, opts),
    });
  }
  return out;
}
