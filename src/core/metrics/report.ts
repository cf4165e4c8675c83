/**
 * computeMetrics: every metric of one returns series in one report, plus a flat snake_case
 * record of it for JSON/CSV output (`lab metrics`, `lab backtest`'s metrics.json).
 */
import { drawdownSeries, summarizeDrawdownSeries, type DrawdownPeriod } from './drawdown.ts';
import { exposure, turnoverFromWeights, type ExposureStats } from './positions.ts';
import {
  DEFAULT_ANNUALIZATION,
  annualReturn,
  annualVolatility,
  calmarRatio,
  countValid,
  downsideRisk,
  nanMean,
  sharpeRatio,
  sortinoRatio,
  totalReturn,
  winRate,
} from './stats.ts';

export interface MetricsOptions {
  /** Periods per year (default 252; 365 crypto, 52 weekly, 12 monthly). */
  annualization?: number;
  /** Risk-free return per period for the Sharpe ratio (default 0). */
  riskFree?: number;
  /** Minimum acceptable return per period for Sortino / downside risk (default: riskFree, so both ratios measure excess return). */
  requiredReturn?: number;
  /** ISO dates aligned with the returns: adds start/end dates and the dates of drawdown points. */
  dates?: readonly string[];
  /** Weights history [T × nAssets] aligned with the returns: adds exposure, and turnover unless given. */
  weights?: ArrayLike<number>;
  nAssets?: number;
  /** Exact one-sided turnover per period (traded notional / 2 / value), e.g. from the backtester. */
  turnover?: ArrayLike<number>;
}

/** A drawdown spell with its dates (null date = the starting capital, before the first period). */
export interface DatedDrawdown extends DrawdownPeriod {
  peakDate: string | null;
  troughDate: string | null;
  recoveryDate: string | null;
}

export interface MetricsReport {
  /** Number of periods, NaN returns included. */
  periods: number;
  /** Number of non-NaN returns. */
  observations: number;
  annualization: number;
  riskFree: number;
  requiredReturn: number;
  startDate: string | null;
  endDate: string | null;
  totalReturn: number;
  cagr: number;
  annualVolatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  downsideRisk: number;
  /** In [−1, 0]. */
  maxDrawdown: number;
  /** Periods from peak to recovery (or to the end) of the longest drawdown spell. */
  maxDrawdownDuration: number;
  /** The deepest spell; null when never under water. */
  deepestDrawdown: DatedDrawdown | null;
  /** The longest spell; null when never under water. */
  longestDrawdown: DatedDrawdown | null;
  winRate: number;
  meanReturn: number;
  bestPeriod: number;
  worstPeriod: number;
  /** Average one-sided turnover per period; null without weights or turnover. */
  turnover: number | null;
  /** turnover · annualization. */
  annualTurnover: number | null;
  exposure: ExposureStats | null;
}

function dated(p: DrawdownPeriod | null, dates: readonly string[] | undefined): DatedDrawdown | null {
  if (!p) return null;
  const at = (i: number | null): string | null => (dates && i !== null && i >= 0 ? dates[i] : null);
  return { ...p, peakDate: at(p.peak), troughDate: at(p.trough), recoveryDate: at(p.recovery) };
}

function extremes(returns: ArrayLike<number>): { best: number; worst: number } {
  let best = -Infinity;
  let worst = Infinity;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t];
    if (Number.isNaN(r)) continue;
    if (r > best) best = r;
    if (r < worst) worst = r;
  }
  return best === -Infinity ? { best: NaN, worst: NaN } : { best, worst };
}

/** Every metric of a returns series (see stats.ts for the conventions: empyrical's). */
export function computeMetrics(returns: ArrayLike<number>, opts: MetricsOptions = {}): MetricsReport {
  const annualization = opts.annualization ?? DEFAULT_ANNUALIZATION;
  const riskFree = opts.riskFree ?? 0;
  const requiredReturn = opts.requiredReturn ?? riskFree;
  const n = returns.length;
  const { dates } = opts;
  if (dates && dates.length !== n) throw new Error(`dates have length ${dates.length}, returns have ${n}`);

  const dd = summarizeDrawdownSeries(drawdownSeries(returns));
  const { best, worst } = extremes(returns);

  let turnoverSeries: ArrayLike<number> | null = opts.turnover ?? null;
  let exp: ExposureStats | null = null;
  if (opts.weights) {
    const nAssets = opts.nAssets ?? 1;
    if (opts.weights.length !== n * nAssets) {
      throw new Error(
        `weights have length ${opts.weights.length}, expected ${n} periods × ${nAssets} assets`,
      );
    }
    exp = exposure(opts.weights, nAssets);
    turnoverSeries ??= turnoverFromWeights(opts.weights, nAssets);
  }
  const turnover = turnoverSeries ? nanMean(turnoverSeries) : null;

  return {
    periods: n,
    observations: countValid(returns),
    annualization,
    riskFree,
    requiredReturn,
    startDate: dates && n > 0 ? dates[0] : null,
    endDate: dates && n > 0 ? dates[n - 1] : null,
    totalReturn: totalReturn(returns),
    cagr: annualReturn(returns, { annualization }),
    annualVolatility: annualVolatility(returns, { annualization }),
    sharpe: sharpeRatio(returns, { annualization, riskFree }),
    sortino: sortinoRatio(returns, { annualization, requiredReturn }),
    calmar: calmarRatio(returns, { annualization }),
    downsideRisk: downsideRisk(returns, { annualization, requiredReturn }),
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownDuration: dd.maxDuration,
    deepestDrawdown: dated(dd.deepest, dates),
    longestDrawdown: dated(dd.longest, dates),
    winRate: winRate(returns),
    meanReturn: nanMean(returns),
    bestPeriod: best,
    worstPeriod: worst,
    turnover,
    annualTurnover: turnover === null ? null : turnover * annualization,
    exposure: exp,
  };
}

export type MetricsRecord = Record<string, number | string | null>;

/**
 * The report as one flat record with snake_case keys (the names metrics.json uses). Indices of
 * drawdown points are period indices (−1 = the starting capital); dates are given when known.
 * Non-finite numbers stay as they are here; the JSON writers turn them into null.
 */
export function metricsRecord(r: MetricsReport): MetricsRecord {
  const rec: MetricsRecord = {
    total_return: r.totalReturn,
    cagr: r.cagr,
    annual_volatility: r.annualVolatility,
    sharpe: r.sharpe,
    sortino: r.sortino,
    calmar: r.calmar,
    max_drawdown: r.maxDrawdown,
    max_drawdown_duration: r.maxDrawdownDuration,
    downside_risk: r.downsideRisk,
    win_rate: r.winRate,
    mean_return: r.meanReturn,
    best_period: r.bestPeriod,
    worst_period: r.worstPeriod,
    turnover: r.turnover,
    annual_turnover: r.annualTurnover,
  };
  if (r.exposure) {
    rec.time_in_market = r.exposure.timeInMarket;
    rec.average_gross_exposure = r.exposure.averageGross;
    rec.average_net_exposure = r.exposure.averageNet;
  }
  // With dates, points are dates ('start' = the starting capital); without, period indices (−1).
  const hasDates = r.startDate !== null;
  const point = (index: number | null, date: string | null): number | string | null =>
    index === null ? null : !hasDates ? index : index < 0 ? 'start' : date;
  const d = r.deepestDrawdown;
  rec.max_drawdown_peak = d ? point(d.peak, d.peakDate) : null;
  rec.max_drawdown_trough = d ? point(d.trough, d.troughDate) : null;
  rec.max_drawdown_recovery = d ? point(d.recovery, d.recoveryDate) : null;
  const l = r.longestDrawdown;
  rec.longest_drawdown_peak = l ? point(l.peak, l.peakDate) : null;
  rec.longest_drawdown_recovery = l ? point(l.recovery, l.recoveryDate) : null;
  rec.periods = r.periods;
  rec.observations = r.observations;
  rec.annualization = r.annualization;
  rec.risk_free = r.riskFree;
  rec.required_return = r.requiredReturn;
  rec.start_date = r.startDate;
  rec.end_date = r.endDate;
  return rec;
}
