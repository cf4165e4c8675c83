/**
 * Policy evaluation lives in the one evaluation module, src/core/experiment/evaluation.ts; the run
 * loop (trainer.ts) and older imports reach `evaluatePolicy` through here.
 */
export {
  evaluatePolicy,
  type EvalOptions,
  type EvalResult,
  type MarketTrace,
  type Predictor,
} from '../experiment/evaluation.ts';
