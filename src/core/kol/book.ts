/**
 * Seed 000's baseline book (its PortfolioLayer), as pure functions over typed arrays.
 *
 * Built as its own pure function here rather than on PortfolioEnv: the env's `holdDecay` acts on
 * NaN actions (which no agent produces) and on price-drifted weights, while the seed's rule is
 * "a ticker not mentioned today keeps yesterday's weight × hold_decay". The per-day rules are the
 * env's own `portfolioLayer` (one definition of normalisation and cap), fed with NaN for every
 * ticker not mentioned and with yesterday's *target* weights (before price drift):
 *
 *   day d, ticker i:  w_i = score_{d,i}                   when mentioned on d (the signed score),
 *                     w_i = w_{d−1,i} × holdDecay          otherwise (0 before the first mention);
 *   if Σ|w| > 1:      w_i ← w_i / Σ|w|                     (gross exposure ≤ 1);
 *   then              w_i ← clamp(w_i, −maxWeight, maxWeight), the capped mass staying in cash.
 *
 * Accounting (runBook), as PortfolioEnv: the day-d book is set at the close of d and held to the
 * close of d + 1; fees = feeRate × Σ|w_d − w̃_d| where w̃_d are the weights the book holds at the
 * close of d after prices moved (w̃ = 0 on the first day); day return = Σ w_{d,i} r_{d+1,i} − fees,
 * r = close_{d+1}/close_d − 1; the rest (1 − Σ w, more than 1 with shorts) is cash earning nothing.
 * Reported turnover is one-sided, Σ|w_d − w̃_d| / 2, the lab's metrics convention.
 */
import { portfolioLayer } from '../envs/portfolio.ts';

export interface KolBookConfig {
  /** Cap on each |w| after normalisation (seed default 0.2). */
  maxWeight: number;
  /** An unmentioned ticker keeps yesterday's weight × holdDecay (1 = keep, 0 = close). */
  holdDecay: number;
  /** Fee per unit of traded value (0.0005 = 5 bps). */
  feeRate: number;
}

export const DEFAULT_KOL_BOOK: Readonly<KolBookConfig> = Object.freeze({
  maxWeight: 0.2,
  holdDecay: 1,
  feeRate: 0.0005,
});

/** Throws an Error naming the field when a setting is outside its range. */
export function checkBookConfig(cfg: KolBookConfig): void {
  if (!(cfg.maxWeight > 0 && cfg.maxWeight <= 1))
    throw new Error(`max_weight must be in (0, 1], got ${cfg.maxWeight}`);
  if (!(cfg.holdDecay >= 0 && cfg.holdDecay <= 1))
    throw new Error(`hold_decay must be in [0, 1], got ${cfg.holdDecay}`);
  if (!(cfg.feeRate >= 0 && cfg.feeRate < 1)) throw new Error(`fee must be in [0, 1), got ${cfg.feeRate}`);
}

/** Signed baseline score of a post (or of a ticker-day's averaged sentiment and confidence): tanh(2·sentiment·confidence). */
export function baselineRawScore(sentiment: number, confidence: number): number {
  return Math.tanh(2 * sentiment * confidence);
}

/**
 * Baseline weights for D consecutive days × N tickers from the day's signed scores
 * (`scores[d·N + i]`, NaN where ticker i is not mentioned on day d). `initial` are the weights
 * held before day 0 (default none).
 */
export function baselineWeights(
  scores: ArrayLike<number>,
  nAssets: number,
  cfg: Pick<KolBookConfig, 'maxWeight' | 'holdDecay'> = DEFAULT_KOL_BOOK,
  initial?: ArrayLike<number>,
): Float64Array {
  const N = nAssets;
  if (!(N > 0) || scores.length % N !== 0)
    throw new Error(`baselineWeights: ${scores.length} scores is not a whole number of days × ${N} tickers`);
  if (initial && initial.length !== N)
    throw new Error(`baselineWeights: ${initial.length} initial weights for ${N} tickers`);
  const D = scores.length / N;
  const out = new Float64Array(D * N);
  let prev: Float64Array = new Float64Array(N);
  if (initial) prev.set(Array.from(initial));
  const day = new Float64Array(N);
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < N; i++) day[i] = scores[d * N + i];
    const w = portfolioLayer(day, prev, cfg, out.subarray(d * N, (d + 1) * N));
    prev = w;
  }
  return out;
}

export interface BookRun {
  /** Net return of each day's book, realised at the next close (length D). */
  returns: Float64Array;
  /** Σ w·r per day (before fees). */
  gross: Float64Array;
  /** Fees per day, as a fraction of the value. */
  fees: Float64Array;
  /** One-sided turnover Σ|w − w̃| / 2 per day. */
  turnover: Float64Array;
  /** Value at the close of each decision day and after the last (length D + 1, starts at 1). */
  equity: Float64Array;
  /** Weights held at each decision day's close before trading (w̃, D × N). */
  drifted: Float64Array;
}

/**
 * Runs a book: `weights[d·N + i]` decided at the close of panel row `firstRow + d`, held to the
 * next row's close. `close[t·N + i]` are the closes of the N tickers (row-major), with at least
 * firstRow + D + 1 rows. A day whose value would go to ≤ 0 ends at 0 (ruin).
 */
export function runBook(
  weights: ArrayLike<number>,
  close: ArrayLike<number>,
  nAssets: number,
  firstRow: number,
  feeRate: number,
): BookRun {
  const N = nAssets;
  const D = weights.length / N;
  if (!Number.isInteger(D))
    throw new Error(`runBook: ${weights.length} weights is not a whole number of days × ${N} tickers`);
  if ((firstRow + D + 1) * N > close.length)
    throw new Error(
      `runBook: ${D} days from row ${firstRow} need ${firstRow + D + 1} rows of closes, got ${close.length / N}`,
    );
  const returns = new Float64Array(D);
  const gross = new Float64Array(D);
  const fees = new Float64Array(D);
  const turnover = new Float64Array(D);
  const equity = new Float64Array(D + 1);
  const drifted = new Float64Array(D * N);
  const held = new Float64Array(N);
  equity[0] = 1;
  for (let d = 0; d < D; d++) {
    const t = firstRow + d;
    let traded = 0;
    let g = 0;
    for (let i = 0; i < N; i++) {
      drifted[d * N + i] = held[i];
      const w = weights[d * N + i];
      traded += Math.abs(w - held[i]);
      g += w * (close[(t + 1) * N + i] / close[t * N + i] - 1);
    }
    const fee = feeRate * traded;
    const ret = g - fee;
    const growth = 1 + ret;
    const ruined = !(growth > 0);
    gross[d] = g;
    fees[d] = fee;
    turnover[d] = traded / 2;
    returns[d] = ruined ? -1 : ret;
    equity[d + 1] = ruined ? 0 : equity[d] * growth;
    for (let i = 0; i < N; i++)
      held[i] = ruined ? 0 : (weights[d * N + i] * (close[(t + 1) * N + i] / close[t * N + i])) / growth;
  }
  return { returns, gross, fees, turnover, equity, drifted };
}

/**
 * Equal-weight buy-and-hold of the same N tickers: bought at the close of `firstRow` (fee on the
 * purchase), never rebalanced, valued at each of the next `days` closes. Returns per day.
 */
export function buyAndHoldReturns(
  close: ArrayLike<number>,
  nAssets: number,
  firstRow: number,
  days: number,
  feeRate: number,
): Float64Array {
  const N = nAssets;
  if ((firstRow + days + 1) * N > close.length)
    throw new Error(`buyAndHoldReturns: not enough rows of closes`);
  const out = new Float64Array(days);
  let prev = 1;
  for (let d = 0; d < days; d++) {
    let v = 0;
    for (let i = 0; i < N; i++) v += close[(firstRow + d + 1) * N + i] / close[firstRow * N + i];
    v = (v / N) * (1 - feeRate);
    out[d] = v / prev - 1;
    prev = v;
  }
  return out;
}
