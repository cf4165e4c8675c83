/**
 * News / sentiment analyst. Where an asset has news on day t (see signals.ts):
 *
 *   score = tanh(2 · sentiment · confidence)      (seed 000's baseline_raw_score)
 *
 * BUY when score ≥ 0.1, SELL when ≤ −0.1, else HOLD; strength = |score|. Where there is no news —
 * and everywhere when no signals are loaded — it abstains. Macro (market-wide) sentiment is not a
 * vote; it is a state feature of the dataset.
 */
import { EnsembleError, emptyVotes, writeVote, type AnalystVotes } from './types.ts';
import type { SentimentSignals } from './signals.ts';

export interface NewsConfig {
  /** |score| needed for BUY/SELL, in (0, 1]. */
  threshold: number;
}

export const DEFAULT_NEWS: Readonly<NewsConfig> = Object.freeze({ threshold: 0.1 });

/** The news score of one (sentiment, confidence), NaN when there is no news. */
export function newsScore(sentiment: number, confidence: number): number {
  if (Number.isNaN(sentiment)) return NaN;
  return Math.tanh(2 * sentiment * (Number.isNaN(confidence) ? 1 : confidence));
}

export function newsAnalyst(
  signals: SentimentSignals | null,
  T: number,
  N: number,
  cfg: NewsConfig = DEFAULT_NEWS,
): AnalystVotes {
  if (!(cfg.threshold > 0 && cfg.threshold <= 1))
    throw new EnsembleError(`news: threshold must be in (0, 1], got ${cfg.threshold}`);
  const votes = emptyVotes('news', T * N);
  if (!signals) return votes;
  if (signals.sentiment.length !== T * N)
    throw new EnsembleError(
      `news: signals have ${signals.sentiment.length} values, expected ${T} dates × ${N} assets`,
    );
  for (let k = 0; k < T * N; k++)
    writeVote(votes, k, newsScore(signals.sentiment[k], signals.confidence[k]), cfg.threshold);
  return votes;
}
