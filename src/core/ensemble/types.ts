/**
 * Seed 004's ensemble of analysts: shared vocabulary.
 *
 * Every analyst reads an aligned panel (T dates × N assets) and gives, for each (t, asset), a vote:
 * an action (HOLD = 0, BUY = 1, SELL = 2, the TradingEnv codes) or ABSTAIN (−1, "no view"), and a
 * strength in [0, 1]. Arrays are [T·N], row-major by date then asset, like the panel:
 * value(t, i) = array[t·N + i]. A vote at row t uses data up to and including close t only.
 */
import { BUY, HOLD, SELL } from '../envs/trading.ts';

export { BUY, HOLD, SELL };
/** "No view": the analyst does not take part in the vote (missing inputs, no news). */
export const ABSTAIN = -1;

export const ACTION_NAMES = ['HOLD', 'BUY', 'SELL'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** One analyst's votes over a panel. */
export interface AnalystVotes {
  /** 'technical', 'news', … (the key of its weight in the vote). */
  name: string;
  /** [T·N] HOLD / BUY / SELL or ABSTAIN. */
  action: Int8Array;
  /** [T·N] in [0, 1]; 0 for HOLD and ABSTAIN. */
  strength: Float64Array;
  /** [T·N] the analyst's signed score in [−1, 1] before thresholding (NaN where it abstains), for inspection. */
  score: Float64Array;
}

/** Volatility regimes of the risk analyst. */
export const REGIME_UNKNOWN = -1;
export const REGIME_LOW = 0;
export const REGIME_NORMAL = 1;
export const REGIME_HIGH = 2;
export const REGIME_NAMES = ['low', 'normal', 'high'] as const;

/** The ensemble's decision per (t, asset), after the vote and the risk analyst. */
export interface Decisions {
  T: number;
  N: number;
  /** [T·N] HOLD / BUY / SELL. */
  action: Int8Array;
  /** [T·N] fraction of the asset's capital to hold, in [0, 1] (0 for HOLD); already scaled by the risk analyst. */
  strength: Float64Array;
  /** [T·N] the most exposure the risk analyst allows, |position| ≤ cap, in [0, 1]; 0 = veto. */
  cap: Float64Array;
  /** [T·N] the weighted net vote in [−1, 1] before the threshold and the risk scale (0 when every analyst abstains). */
  score: Float64Array;
  /** [T·N] 1 where the risk analyst vetoed the day (cap 0). */
  veto: Uint8Array;
}

/** Clamp to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Action of a signed score: BUY when score ≥ threshold, SELL when ≤ −threshold, else HOLD (threshold > 0). */
export function actionOfScore(score: number, threshold: number): number {
  return score >= threshold ? BUY : score <= -threshold ? SELL : HOLD;
}

/** Writes a vote from a signed score into votes[k]: action by threshold, strength |score| (0 for HOLD); NaN → ABSTAIN. */
export function writeVote(votes: AnalystVotes, k: number, score: number, threshold: number): void {
  votes.score[k] = score;
  if (Number.isNaN(score)) {
    votes.action[k] = ABSTAIN;
    votes.strength[k] = 0;
    return;
  }
  const a = actionOfScore(score, threshold);
  votes.action[k] = a;
  votes.strength[k] = a === HOLD ? 0 : Math.min(1, Math.abs(score));
}

export function emptyVotes(name: string, size: number): AnalystVotes {
  return {
    name,
    action: new Int8Array(size).fill(ABSTAIN),
    strength: new Float64Array(size),
    score: new Float64Array(size).fill(NaN),
  };
}

/** Thrown for unusable ensemble input (bad config, bad signals file); the CLI maps it to exit 2. */
export class EnsembleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnsembleError';
  }
}
