/**
 * What an experiment's evaluation returns. Type-only, so workers/protocol.ts re-exports these (and
 * widens SplitEvaluation for the UI) without pulling tfjs into the main bundle. All series are full
 * resolution; large arrays are typed arrays (transferable).
 */
import type { SplitName } from '../data/types.ts';

export interface Trade {
  date: string;
  asset: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  fee: number;
}

/** One strategy's metrics on one split: the numeric entries of metricsRecord (snake_case, as metrics.json). */
export type MetricsRecordView = Record<string, number>;

/** Agent and baselines on one split, on the same rows, fees and start. */
export interface SplitEvaluation {
  split: SplitName;
  /** Dates of the equity points: the first decision row, then one per step. */
  dates: string[];
  assets: string[];
  /** Strategy → value rebased to 1 at the split start ('agent', 'buy-and-hold', 'equal-weight', 'ma-10', …). */
  equity: Record<string, Float64Array>;
  /** Strategy → period returns (length dates − 1; the first period counts the entry trade's fees). */
  returns: Record<string, Float64Array>;
  /** Strategy → underwater series (≤ 0). */
  drawdown: Record<string, Float64Array>;
  /** Strategy → metrics. */
  metrics: Record<string, MetricsRecordView>;
  /** Agent weights per date and asset [T × N] (share of portfolio value). */
  weights: Float32Array;
  /** Agent rolling Sharpe (63-period window), NaN before the window fills. */
  rollingSharpe: Float64Array;
  /** Agent monthly returns table. */
  monthly: { years: number[]; months: number[][]; yearly: number[] };
  trades: Trade[];
}

export interface RunEvaluation {
  splits: SplitEvaluation[];
  /** First date of each split, for boundary markers on whole-period charts. */
  boundaries: { split: SplitName; date: string }[];
  /**
   * A workflow's own results, keyed by its result section id (`kol-decisions`, …; see
   * core/workflows/registry.ts): plain JSON and typed arrays (the trainer worker transfers those).
   */
  extras?: Record<string, unknown>;
  /**
   * Run-level numbers of a workflow, flat keys (`score/penguin`): what sweeps tabulate and
   * metrics.json records beside the splits' metrics, for results that are not one book per split.
   */
  summary?: Record<string, number>;
}
