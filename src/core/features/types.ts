import type { RowRange, SplitName } from '../data/types.ts';

/**
 * What feature building hands to envs and agents (seed 003 §2): X[t, asset, feature] normalised,
 * Close[t, asset] unnormalised, dates[t]. Rows before every indicator is valid are already dropped.
 */
export interface FeatureSet {
  /** ISO dates, ascending, length T. */
  dates: string[];
  /** Tickers, length N. */
  assets: string[];
  /** Column names, length F (documented names: close, volume, sma_10, rsi_14, macd, …). */
  featureNames: string[];
  /** [T * N * F] row-major (t, asset, feature), z-scored with train-split statistics. */
  X: Float32Array;
  /** [T * N] unnormalised close, for execution and valuation. */
  close: Float64Array;
  /** Row ranges [start, end) of each split inside this feature set (empty range if no rows). */
  splits: Record<SplitName, RowRange>;
  /** z-score statistics per feature, fitted on the train split only. */
  normalization: { mean: Float32Array; std: Float32Array };
}

/**
 * How a market env lays out its flat observation, so encoders can read it without guessing:
 * first `window * nAssets * nFeatures` values are X[t-W+1..t, asset, feature] (time-major),
 * then `extras` values (per-asset position weights, then cash weight, …).
 */
export interface MarketObsLayout {
  window: number;
  nAssets: number;
  nFeatures: number;
  /** Per-asset extra values appended after the window block, e.g. position weight (length nAssets * perAssetExtras). */
  perAssetExtras: number;
  /** Global extra values at the very end, e.g. cash weight. */
  globalExtras: number;
}
