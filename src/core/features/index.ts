/** Feature engineering (seed 003 §2): indicator columns → scale-free transform → train-fitted z-score. */
export type { FeatureSet, MarketObsLayout } from './types.ts';
export {
  DEFAULT_FEATURE_CONFIG,
  FEATURE_PRESETS,
  FeatureError,
  featurePreset,
  validateFeatureConfig,
  type FeatureConfig,
  type FeaturePreset,
  type MacdParams,
} from './config.ts';
export {
  buildFeatures,
  computeRawFeatures,
  featureColumns,
  featureNames,
  marketObsLayout,
  rawFeatureRecords,
  type BuildFeaturesOptions,
  type FeatureColumn,
  type FeatureScale,
  type RawFeatures,
  type SavedNormalization,
} from './build.ts';
