/**
 * Seed 000's replay buffer and the trained book (issue 11): pure functions over a prepared split.
 *
 * A split's book (KolSplitBook) is every trading day from its first to its last day with posts,
 * on the prepared tickers, with the day's signed scores (NaN where a ticker is not mentioned),
 * sentiment, confidence and text, and the closes to the day after the last decision.
 *
 * Replay buffer (buildKolReplay): one transition per mentioned ticker-day of the split,
 *
 *   obs    = [ embedding(text) | sentiment | confidence | last_position | one-hot(ticker) | baseline_weight ]
 *   action = the baseline weight b (the book's own weight for that ticker-day, after normalisation and cap)
 *   reward = 'ticker': action × r_1d (r_1d = close_{d+1}/close_d − 1: the seed's reward_1d, sized), or
 *            'book': the trained book's return gain from this action over its multiplier's life,
 *            gross-neutral, fees included (bookRewardFn; what the residual is trained on)
 *
 * each a one-step episode (terminal), recorded with the book settings in `meta.notes` so a
 * checkpoint or an evaluation built with other settings is refused (checkKolSettings). The last
 * column carries b(s) itself: residual IQL's baseline rule (kolBaselineRule) reads it back, since a
 * ticker's weight depends on the whole day's book and not on its own post alone.
 *
 * Logged actions that all equal the baseline give IQL nothing to weigh (its advantage-weighted
 * regression targets only b), so `explore` adds that many perturbed copies of each ticker-day:
 * action b·(1 + scale·u), u ~ U(−1, 1), with its exact counterfactual reward (past prices do not
 * react to our weight, so any weight's P&L on a logged day is known exactly: data augmentation, not
 * simulation). explore = 0 is the buffer of the seed text, baseline actions only.
 *
 * Trained book (residualBookWeights): the policy's action π on a mentioned ticker-day sets the
 * multiplier m = π / b (1 where b = 0); an unmentioned ticker keeps its last multiplier, so a held
 * position decays exactly as the baseline's; the trained weights b·m then go through the book's own
 * portfolioLayer (gross exposure ≤ 1 by re-normalisation, then |w| ≤ max_weight, the capped mass in
 * cash), then back to the baseline day's gross exposure and capped again (matchGross: the residual
 * re-allocates, it never levers the book). With m = 1 everywhere this is the baseline book to the
 * last bit (every step is a no-op on baseline weights).
 */
import type { OfflineDataset } from '../agents/offline/dataset.ts';
import { portfolioLayer } from '../envs/portfolio.ts';
import { computeMetrics, metricsRecord, type MetricsRecord } from '../metrics/index.ts';
import { Rng } from '../rng.ts';
import { baselineRawScore, baselineWeights, runBook, type BookRun, type KolBookConfig } from './book.ts';
import { hashedEmbedding, type HashedEmbeddingConfig, DEFAULT_HASHED_EMBEDDING } from './embedding.ts';
import { checkResidualScale, fidelity } from './residual.ts';
import { checkKolSettings, kolSettings, type KolSettings } from './settings.ts';
import { buildKolState, kolStateLayout } from './state.ts';

/** One ticker-day of a prepared split (a row of DIR/<split>.csv with its posts' text). */
export interface KolTickerDayInput {
  date: string;
  ticker: string;
  sentiment: number;
  confidence: number;
  /** The posts' texts, joined ('' when the posts gave numbers only). */
  text: string;
}

/** Closes of the prepared tickers, one row per trading day (DIR/closes.csv). */
export interface KolCloses {
  dates: string[];
  tickers: string[];
  /** [dates × tickers], row-major. */
  close: Float64Array;
}

export interface KolSplitBook {
  tickers: string[];
  /** Decision dates (D). */
  dates: string[];
  /** Dates the day returns are realised on (each decision date's next trading date). */
  returnDates: string[];
  /** [(D + 1) × M] closes. */
  close: Float64Array;
  /** [D × M] tanh(2·sentiment·confidence); NaN where the ticker is not mentioned. */
  scores: Float64Array;
  sentiment: Float64Array;
  confidence: Float64Array;
  /** [D × M] texts ('' where not mentioned). */
  texts: string[];
}

/** The book of one split: its decision days are every trading day from its first to its last ticker-day. */
export function kolSplitBook(rows: readonly KolTickerDayInput[], closes: KolCloses): KolSplitBook {
  if (rows.length === 0) throw new Error('kol split: no ticker-days');
  const M = closes.tickers.length;
  const rowOf = new Map(closes.dates.map((d, i) => [d, i]));
  const colOf = new Map(closes.tickers.map((t, j) => [t, j]));
  const where = (r: KolTickerDayInput) => {
    const t = rowOf.get(r.date);
    if (t === undefined) throw new Error(`kol split: ${r.date} (${r.ticker}) is not a date of closes.csv`);
    const j = colOf.get(r.ticker);
    if (j === undefined) throw new Error(`kol split: ticker ${r.ticker} is not a column of closes.csv`);
    return { t, j };
  };
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    const { t } = where(r);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  if (last + 1 >= closes.dates.length)
    throw new Error(`kol split: closes.csv ends on ${closes.dates[last]}, the next day's close is missing`);
  const D = last - first + 1;
  const scores = new Float64Array(D * M).fill(NaN);
  const sentiment = new Float64Array(D * M).fill(NaN);
  const confidence = new Float64Array(D * M).fill(NaN);
  const texts = new Array<string>(D * M).fill('');
  for (const r of rows) {
    const { t, j } = where(r);
    const k = (t - first) * M + j;
    if (!Number.isNaN(scores[k]))
      throw new Error(`kol split: ticker-day ${r.date} ${r.ticker} appears twice`);
    scores[k] = baselineRawScore(r.sentiment, r.confidence);
    sentiment[k] = r.sentiment;
    confidence[k] = r.confidence;
    texts[k] = r.text;
  }
  return {
    tickers: closes.tickers.slice(),
    dates: closes.dates.slice(first, last + 1),
    returnDates: closes.dates.slice(first + 1, last + 2),
    close: closes.close.slice(first * M, (last + 2) * M),
    scores,
    sentiment,
    confidence,
    texts,
  };
}

/**
 * What a transition's reward measures:
 * - 'ticker': action × r_1d, the ticker's own one-day P&L at that weight (the seed's reward_1d, sized);
 * - 'book': the change of the whole book's one-day return, fees included, when this ticker-day's
 *   weight is the action instead of the baseline's and the day goes through the book's rules
 *   (re-normalised, capped) — exactly what the trained book will earn from it; 0 for the baseline.
 */
export type KolRewardKind = 'ticker' | 'book';

export interface KolReplayOptions {
  /** Perturbed copies per ticker-day (see the header). Default 0: baseline actions only. */
  explore: number;
  reward: KolRewardKind;
  /** Amplitude of the perturbation: action = b·(1 + exploreScale·u). Default 0.2. */
  exploreScale: number;
  seed: number;
  embedding: Partial<HashedEmbeddingConfig>;
}

export const DEFAULT_KOL_REPLAY: Readonly<KolReplayOptions> = Object.freeze({
  explore: 0,
  reward: 'ticker' as KolRewardKind,
  exploreScale: 0.2,
  seed: 0,
  embedding: { dim: 16 },
});

export interface KolReplay {
  dataset: OfflineDataset;
  settings: KolSettings;
  /** Observation width: textDim + 3 + tickers + 1. */
  obsDim: number;
  /** [D × M] baseline weights of the split. */
  baseline: Float64Array;
  /** Decision cells (d·M + i) of the ticker-days, in the order of their states. */
  cells: number[];
  /** [cells × obsDim] the states of the ticker-days (the baseline rows of the buffer). */
  states: Float32Array;
}

/** The states of a split's mentioned ticker-days, with the baseline weights (train and evaluation share it). */
export function kolStates(
  book: KolSplitBook,
  cfg: Pick<KolBookConfig, 'maxWeight' | 'holdDecay'>,
  embedding: Partial<HashedEmbeddingConfig> = DEFAULT_KOL_REPLAY.embedding,
): { baseline: Float64Array; cells: number[]; states: Float32Array; obsDim: number } {
  const M = book.tickers.length;
  const D = book.dates.length;
  const emb = { ...DEFAULT_HASHED_EMBEDDING, ...embedding };
  const layout = kolStateLayout(emb.dim);
  const obsDim = layout.size + M + 1;
  const baseline = baselineWeights(book.scores, M, cfg);
  const cells: number[] = [];
  for (let k = 0; k < D * M; k++) if (!Number.isNaN(book.scores[k])) cells.push(k);
  const states = new Float32Array(cells.length * obsDim);
  const vec = new Float32Array(emb.dim);
  cells.forEach((k, r) => {
    const d = Math.floor(k / M);
    const i = k % M;
    const row = states.subarray(r * obsDim, (r + 1) * obsDim);
    buildKolState(
      {
        embedding: hashedEmbedding(book.texts[k], emb, vec),
        sentiment: book.sentiment[k],
        confidence: book.confidence[k],
        lastPosition: d > 0 ? baseline[k - M] : 0,
        tickerIndex: i,
      },
      layout,
      row.subarray(0, layout.size),
    );
    row[layout.size + i] = 1;
    row[obsDim - 1] = baseline[k];
  });
  return { baseline, cells, states, obsDim };
}

/** Residual IQL's baseline rule for kol states: b(s) is the state's last column. */
export function kolBaselineRule(obs: Float32Array): Float32Array {
  return Float32Array.of(obs[obs.length - 1]);
}

/** The replay buffer of a (train) split, recorded with its book settings. */
export function buildKolReplay(
  book: KolSplitBook,
  cfg: KolBookConfig,
  partial: Partial<KolReplayOptions> = {},
): KolReplay {
  const opts = { ...DEFAULT_KOL_REPLAY, ...partial };
  if (!(Number.isInteger(opts.explore) && opts.explore >= 0))
    throw new Error(`explore must be a whole number ≥ 0, got ${opts.explore}`);
  checkResidualScale(opts.exploreScale);
  const M = book.tickers.length;
  const { baseline, cells, states, obsDim } = kolStates(book, cfg, opts.embedding);
  const copies = 1 + opts.explore;
  const n = cells.length * copies;
  const obs = new Float32Array(n * obsDim);
  const actions = new Float32Array(n);
  const base = new Float32Array(n);
  const rewards = new Float32Array(n);
  const rng = new Rng(opts.seed).fork('kol/replay');
  const bookReward = opts.reward === 'book' ? bookRewardFn(book, baseline, cfg) : null;
  let r = 0;
  cells.forEach((k, c) => {
    const d = Math.floor(k / M);
    const i = k % M;
    const ret = book.close[(d + 1) * M + i] / book.close[d * M + i] - 1;
    const b = baseline[k];
    for (let e = 0; e < copies; e++, r++) {
      obs.set(states.subarray(c * obsDim, (c + 1) * obsDim), r * obsDim);
      const a = e === 0 ? b : b * (1 + opts.exploreScale * rng.uniform(-1, 1));
      actions[r] = a;
      base[r] = b;
      rewards[r] = bookReward ? bookReward(k, a) : a * ret;
    }
  });
  const settings = kolSettings(cfg);
  const dataset: OfflineDataset = {
    size: n,
    obsDim,
    actionDim: 1,
    obs,
    nextObs: obs.slice(),
    actions,
    rewards,
    terminals: new Uint8Array(n).fill(1),
    timeouts: new Uint8Array(n),
    baseline: base,
    meta: {
      observationSpace: { kind: 'box', shape: [obsDim], low: -Infinity, high: Infinity },
      actionSpace: { kind: 'box', shape: [1], low: -1, high: 1 },
      source: 'kol:baseline-book',
      seed: opts.seed,
      randomMix: 0,
      env: 'kol',
      notes: {
        max_weight: settings.max_weight,
        hold_decay: settings.hold_decay,
        fee: settings.fee,
        explore: opts.explore,
        reward: opts.reward,
        explore_scale: opts.exploreScale,
        tickers: book.tickers.join('|'),
      },
    },
  };
  return { dataset, settings, obsDim, baseline, cells, states };
}

/**
 * The 'book' reward of ticker-day k at weight a: what the trained book earns from it over the
 * multiplier's life. The multiplier m = a/b holds until the ticker's next post (residualBookWeights),
 * so over those days the baseline's weights with ticker k's weight × m go through the book's rules
 * and back to the baseline's gross exposure, exactly as residualBookWeights builds the trained
 * book, and the reward is the sum of the days' return differences against the baseline book, fees
 * included (the modified book's own drifted holdings, and the trade back on the next post's day):
 * the trained book's return gain from this one multiplier with every other at 1 (a unit test
 * checks it against runBook). Gross-neutral because Sharpe is blind to leverage: a reward that
 * could lever up would buy more of every position with a positive edge, which is no better.
 */
function bookRewardFn(
  book: KolSplitBook,
  baseline: Float64Array,
  cfg: KolBookConfig,
): (k: number, a: number) => number {
  const M = book.tickers.length;
  const D = baseline.length / M;
  const run = runBook(baseline, book.close, M, 0, cfg.feeRate);
  const day = new Float64Array(M);
  const w = new Float64Array(M);
  const held = new Float64Array(M);
  const zero = new Float64Array(M);
  const ret = (d: number, j: number) => book.close[(d + 1) * M + j] / book.close[d * M + j] - 1;
  return (k, a) => {
    const d0 = Math.floor(k / M);
    const i = k % M;
    const b = baseline[k];
    if (b === 0 || a === b) return 0;
    const m = a / b;
    for (let j = 0; j < M; j++) held[j] = run.drifted[d0 * M + j];
    let total = 0;
    let last = d0;
    for (let d = d0; d < D && (d === d0 || Number.isNaN(book.scores[d * M + i])); d++) {
      let g0 = 0;
      for (let j = 0; j < M; j++) {
        day[j] = baseline[d * M + j];
        g0 += Math.abs(day[j]);
      }
      day[i] *= m;
      matchGross(portfolioLayer(day, zero, cfg, w), g0, cfg.maxWeight);
      let gross = 0;
      let traded = 0;
      for (let j = 0; j < M; j++) {
        const bj = baseline[d * M + j];
        const r = ret(d, j);
        gross += w[j] * r;
        traded += Math.abs(w[j] - held[j]);
        total += (w[j] - bj) * r + cfg.feeRate * Math.abs(bj - run.drifted[d * M + j]);
      }
      total -= cfg.feeRate * traded;
      const growth = 1 + gross - cfg.feeRate * traded;
      for (let j = 0; j < M; j++) held[j] = growth > 0 ? (w[j] * (1 + ret(d, j))) / growth : 0;
      last = d;
    }
    // The next post resets the multiplier: the book trades back from holdings that differ.
    const d = last + 1;
    if (d < D)
      for (let j = 0; j < M; j++) {
        const bj = baseline[d * M + j];
        total -= cfg.feeRate * (Math.abs(bj - held[j]) - Math.abs(bj - run.drifted[d * M + j]));
      }
    return total;
  };
}

/** The settings a buffer was recorded with (its meta.notes). */
export function replaySettings(ds: OfflineDataset): KolSettings {
  const n = ds.meta.notes ?? {};
  const num = (k: string) => (typeof n[k] === 'number' ? n[k] : NaN);
  return { max_weight: num('max_weight'), hold_decay: num('hold_decay'), fee: num('fee') };
}

/** Refuses a buffer recorded with other settings than `other` (an Error naming both values). */
export function checkReplaySettings(
  ds: OfflineDataset,
  other: { name: string; settings: Partial<KolSettings> },
) {
  checkKolSettings({ name: 'replay buffer', settings: replaySettings(ds) }, other);
}

/**
 * Brings a day's weights (after portfolioLayer) back to the baseline day's gross exposure g0, then
 * caps again: the residual re-allocates between the day's positions, it never levers the book.
 */
export function matchGross(w: Float64Array, g0: number, maxWeight: number): Float64Array {
  let g1 = 0;
  for (let j = 0; j < w.length; j++) g1 += Math.abs(w[j]);
  if (g1 > 0 && g1 !== g0)
    for (let j = 0; j < w.length; j++) w[j] = Math.min(maxWeight, Math.max(-maxWeight, (w[j] * g0) / g1));
  return w;
}

/**
 * The trained book: multipliers m = π/b on the mentioned cells (held by unmentioned ones), weights
 * b·m through portfolioLayer (re-normalised to gross ≤ 1, then capped at max_weight), then back to
 * the baseline day's gross exposure and capped (matchGross).
 */
export function residualBookWeights(
  baseline: Float64Array,
  cells: readonly number[],
  policy: ArrayLike<number>,
  nAssets: number,
  cfg: Pick<KolBookConfig, 'maxWeight' | 'holdDecay'>,
): Float64Array {
  const M = nAssets;
  const D = baseline.length / M;
  if (policy.length !== cells.length)
    throw new Error(`residualBookWeights: ${policy.length} actions for ${cells.length} ticker-days`);
  const set = new Float64Array(D * M).fill(NaN);
  cells.forEach((k, r) => {
    const b = baseline[k];
    const p = policy[r];
    if (!Number.isFinite(p)) throw new Error(`residualBookWeights: action ${r} is ${p}`);
    set[k] = b === 0 ? 1 : p / b;
  });
  const out = new Float64Array(D * M);
  const m = new Float64Array(M).fill(1);
  const zero = new Float64Array(M);
  const day = new Float64Array(M);
  for (let d = 0; d < D; d++) {
    let g0 = 0;
    for (let i = 0; i < M; i++) {
      const k = d * M + i;
      if (!Number.isNaN(set[k])) m[i] = set[k];
      day[i] = baseline[k] * m[i];
      g0 += Math.abs(baseline[k]);
    }
    matchGross(portfolioLayer(day, zero, cfg, out.subarray(d * M, (d + 1) * M)), g0, cfg.maxWeight);
  }
  return out;
}

export interface KolBookComparison {
  baseline: MetricsRecord;
  trained: MetricsRecord;
  baselineRun: BookRun;
  trainedRun: BookRun;
  trainedWeights: Float64Array;
}

/** Both books on one split: total return, Sharpe, max drawdown, turnover, fidelity (and the rest). */
export function compareKolBooks(
  book: KolSplitBook,
  baseline: Float64Array,
  trainedWeights: Float64Array,
  cells: readonly number[],
  feeRate: number,
  annualization = 252,
): KolBookComparison {
  const M = book.tickers.length;
  const D = book.dates.length;
  const at = (w: Float64Array) => cells.map((k) => w[k]);
  const base = at(baseline);
  const record = (run: BookRun, w: Float64Array): MetricsRecord => ({
    ...metricsRecord(
      computeMetrics(run.returns, { annualization, dates: book.returnDates, turnover: run.turnover }),
    ),
    fidelity: fidelity(at(w), base),
    final_equity: run.equity[D],
    total_fees: run.fees.reduce((s, f) => s + f, 0),
  });
  const baselineRun = runBook(baseline, book.close, M, 0, feeRate);
  const trainedRun = runBook(trainedWeights, book.close, M, 0, feeRate);
  return {
    baseline: record(baselineRun, baseline),
    trained: record(trainedRun, trainedWeights),
    baselineRun,
    trainedRun,
    trainedWeights,
  };
}
