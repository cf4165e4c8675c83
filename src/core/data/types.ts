/**
 * Market data as the rest of the core sees it: an aligned panel of T dates × N assets.
 * All series are row-major by time then asset: value(t, i) = series[t * N + i].
 * Prices stay in Float64Array for exact accounting; features are Float32Array.
 */
export interface Panel {
  /** ISO dates 'YYYY-MM-DD', strictly ascending, length T. */
  dates: string[];
  /** Tickers, length N. */
  assets: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Missing volume is 0. */
  volume: Float64Array;
}

/** A panel with no dates or assets: what a workflow that needs no prices is handed (supplychain). */
export function emptyPanel(): Panel {
  const none = () => new Float64Array(0);
  return { dates: [], assets: [], open: none(), high: none(), low: none(), close: none(), volume: none() };
}

/** A date range [start, end], inclusive ISO dates. */
export interface DateRange {
  start: string;
  end: string;
}

export interface SplitSpec {
  train: DateRange;
  valid: DateRange;
  test: DateRange;
}

/** Half-open row range [start, end) into a panel or feature set. */
export interface RowRange {
  start: number;
  end: number;
}

export type SplitName = 'train' | 'valid' | 'test';

/** QTMRL's default split (seed 003). */
export const QTMRL_SPLIT: SplitSpec = {
  train: { start: '2000-01-01', end: '2010-12-31' },
  valid: { start: '2011-01-01', end: '2018-12-31' },
  test: { start: '2019-01-01', end: '2021-12-31' },
};
