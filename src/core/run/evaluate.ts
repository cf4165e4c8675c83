/**
 * Policy evaluation lives in the one evaluation module, src/core/experiment/evaluation.ts: one
 * episode loop (runEpisode) under a split's backtest (evaluateSplit) and the episode returns of the
 * run loop's periodic evaluation and the sanity envs (evaluatePolicy). trainer.ts imports it here.
 */
export {
  evaluatePolicy,
  type EvalOptions,
  type EvalResult,
  type MarketTrace,
  type Predictor,
} from '../experiment/evaluation.ts';
