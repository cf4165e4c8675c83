/**
 * Metrics of the ensemble's strategies per split, in the flat snake_case record metrics.json uses
 * (core/metrics), for the CLI's files and the lab's results alike. Pure.
 */
import type { Panel, RowRange } from '../data/types.ts';
import { computeMetrics, metricsRecord, type MetricsRecord } from '../metrics/index.ts';
import type { SplitRun } from './ensemble.ts';

/** What every strategy's backtest has (the ensemble's position backtest, the baselines' backtest). */
export interface BookSeries {
  range: RowRange;
  nAssets: number;
  equity: Float64Array;
  returns: Float64Array;
  weights: Float64Array;
  turnover: Float64Array;
  totalFees: number;
  trades: number;
}

/** Metrics of one backtest over its rows, plus final equity, total fees and trades. */
export function bookMetrics(panel: Panel, b: BookSeries, annualization: number): MetricsRecord {
  const dates = panel.dates.slice(b.range.start, b.range.end);
  return {
    ...metricsRecord(
      computeMetrics(b.returns, {
        annualization,
        dates,
        weights: b.weights,
        nAssets: b.nAssets,
        turnover: b.turnover,
      }),
    ),
    final_equity: b.equity[b.equity.length - 1],
    total_fees: b.totalFees,
    trades: b.trades,
  };
}

export interface SplitMetrics {
  ensemble: MetricsRecord;
  buy_and_hold: MetricsRecord;
  excess_total_return: number;
}

/** The ensemble and buy-and-hold of one split (lab ensemble backtest's metrics.json). */
export function splitMetrics(panel: Panel, run: SplitRun, annualization: number): SplitMetrics {
  const ensemble = bookMetrics(panel, run.ensemble, annualization);
  const buyAndHold = bookMetrics(panel, run.buyAndHold, annualization);
  return {
    ensemble,
    buy_and_hold: buyAndHold,
    excess_total_return: (ensemble.total_return as number) - (buyAndHold.total_return as number),
  };
}

/** The headline numbers evaluate.json keeps per strategy. */
export const HEADLINE_KEYS = ['sharpe', 'total_return', 'max_drawdown', 'trades'] as const;

export function headline(m: MetricsRecord): Record<(typeof HEADLINE_KEYS)[number], number> {
  return Object.fromEntries(HEADLINE_KEYS.map((k) => [k, m[k] as number])) as Record<
    (typeof HEADLINE_KEYS)[number],
    number
  >;
}
