/**
 * The seed's generate_reward step: posts joined to prices → ticker-days with their reward, split
 * by date into train / valid / test.
 *
 *   - a post counts for the trading day of its exchange-time publication, the next one when it was
 *     published at or after the close; a weekend or holiday rolls forward to the next trading day
 *     of the prices (at most `maxRollDays` calendar days, else the post is dropped and counted);
 *   - tickers are matched to the price assets exactly, else case-insensitively; others are dropped
 *     and counted per ticker;
 *   - several posts on one ticker-day are averaged: sentiment = mean sentiment, confidence = mean
 *     confidence, baseline_raw_score = tanh(2 · sentiment · confidence) of those means (so the
 *     score's sign is the mean sentiment's sign, as reward_1d's);
 *   - next_return = close(d + 1)/close(d) − 1, reward_1d = sign(sentiment) × next_return; a post
 *     counting for the last price date has no next close and is dropped (counted);
 *   - splits are date ranges over the days with posts: fractions of the distinct signal days
 *     (default 60 / 20 / 20) or explicit end dates of train and valid. A ticker-day's reward uses
 *     the next trading day's close, which for the last day of a split is the next split's first.
 */
import { daysFromIso, isoFromDays } from '../data/dates.ts';
import type { Panel, SplitName } from '../data/types.ts';
import { baselineRawScore, checkBookConfig, DEFAULT_KOL_BOOK, type KolBookConfig } from './book.ts';
import { SignalIssueLog } from './issues.ts';
import { DEFAULT_CLOSE_MINUTE, effectiveDay, rollToTradingDay } from './time.ts';
import type { KolPost, SignalIssue } from './types.ts';

export type KolSplitSpec =
  { kind: 'fractions'; train: number; valid: number } | { kind: 'dates'; trainEnd: string; validEnd: string };

export interface KolPrepareConfig extends KolBookConfig {
  /** Minutes after midnight (exchange time) from which a post counts for the next trading day. Default 960 (16:00). */
  closeMinute: number;
  /** Posts with a date but no time: counted on their date ('before-close', default) or the next trading day. */
  dateOnly: 'before-close' | 'after-close';
  /**
   * Longest roll forward from a non-trading day to a trading day, in calendar days. Default: 7 on
   * a daily calendar (median gap ≤ 3 days), else the calendar's longest gap (weekly, monthly bars).
   */
  maxRollDays: number;
  split: KolSplitSpec;
}

export const DEFAULT_KOL_PREPARE: Readonly<KolPrepareConfig> = Object.freeze({
  ...DEFAULT_KOL_BOOK,
  closeMinute: DEFAULT_CLOSE_MINUTE,
  dateOnly: 'before-close',
  maxRollDays: 7,
  split: { kind: 'fractions', train: 0.6, valid: 0.2 },
} satisfies KolPrepareConfig);

/** A post joined to the prices. */
export interface JoinedPost extends KolPost {
  /** Panel row of the trading day it counts for. */
  row: number;
  /** ISO date of that row. */
  date: string;
  /** Column of its ticker in the panel. */
  asset: number;
  /** Index of its ticker-day in `PreparedKol.tickerDays`. */
  tickerDay: number;
}

export interface TickerDay {
  row: number;
  date: string;
  /** Panel column of the ticker. */
  asset: number;
  ticker: string;
  posts: number;
  sentiment: number;
  confidence: number;
  /** tanh(2 · sentiment · confidence). */
  score: number;
  nextDate: string;
  nextReturn: number;
  /** sign(sentiment) × nextReturn. */
  reward: number;
  postIds: string[];
  split: SplitName;
}

export interface KolSplit {
  name: SplitName;
  /** First and last decision dates (ISO); '' when the split is empty. */
  start: string;
  end: string;
  /** Decision rows [first, last] of the panel (inclusive); first > last when empty. */
  firstRow: number;
  lastRow: number;
}

export interface PreparedKol {
  config: KolPrepareConfig;
  /** Tickers with at least one joined post, in panel order. */
  tickers: string[];
  /** Their panel columns. */
  assets: number[];
  posts: JoinedPost[];
  tickerDays: TickerDay[];
  splits: KolSplit[];
  /** Why posts were dropped or moved while joining (lines of the signals file). */
  issues: SignalIssue[];
  counts: {
    postsIn: number;
    postsJoined: number;
    postsDropped: number;
    tickerDays: number;
    signalDays: number;
  };
}

function resolveConfig(partial: Partial<KolPrepareConfig>): KolPrepareConfig {
  const cfg = { ...DEFAULT_KOL_PREPARE, ...partial };
  checkBookConfig(cfg);
  if (!(Number.isInteger(cfg.closeMinute) && cfg.closeMinute >= 0 && cfg.closeMinute <= 1440))
    throw new Error(`close time must be a minute of the day 0..1440, got ${cfg.closeMinute}`);
  if (!(Number.isInteger(cfg.maxRollDays) && cfg.maxRollDays >= 0))
    throw new Error(`max roll days must be a whole number ≥ 0, got ${cfg.maxRollDays}`);
  const s = cfg.split;
  if (s.kind === 'fractions') {
    if (!(s.train > 0 && s.valid >= 0 && s.train + s.valid < 1))
      throw new Error(
        `split fractions must have train > 0, valid ≥ 0 and train + valid < 1, got ${s.train}, ${s.valid}`,
      );
  } else {
    const a = daysFromIso(s.trainEnd);
    const b = daysFromIso(s.validEnd);
    if (a !== a || b !== b)
      throw new Error(`split dates must be ISO dates YYYY-MM-DD, got ${s.trainEnd}, ${s.validEnd}`);
    if (!(a < b))
      throw new Error(`split: the train end ${s.trainEnd} must be before the valid end ${s.validEnd}`);
  }
  return cfg;
}

/** 7 calendar days on a daily calendar (median gap ≤ 3 days); the longest gap otherwise (weekly, monthly bars). */
export function defaultMaxRollDays(tradingDays: Float64Array): number {
  const gaps: number[] = [];
  for (let t = 1; t < tradingDays.length; t++) gaps.push(tradingDays[t] - tradingDays[t - 1]);
  if (gaps.length === 0) return 7;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] <= 3 ? 7 : Math.max(7, gaps[gaps.length - 1]);
}

/** Parses `0.6,0.2` (fractions of train and valid) or `2021-06-30,2022-06-30` (their end dates). */
export function parseKolSplit(text: string): KolSplitSpec {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 2)
    throw new Error(
      `split: expected two values 'train,valid' (fractions like 0.6,0.2 or end dates), got '${text}'`,
    );
  if (parts.every((p) => /^\d{4}-\d{2}-\d{2}$/.test(p)))
    return { kind: 'dates', trainEnd: parts[0], validEnd: parts[1] };
  const [train, valid] = parts.map(Number);
  if (parts.some((p) => p === '') || !Number.isFinite(train) || !Number.isFinite(valid))
    throw new Error(`split: '${text}' is neither two fractions nor two ISO dates`);
  return { kind: 'fractions', train, valid };
}

/** Joins posts to a panel's prices and builds the ticker-days and splits. Throws when nothing joins. */
export function prepareKol(
  panel: Panel,
  posts: readonly KolPost[],
  partial: Partial<KolPrepareConfig> = {},
): PreparedKol {
  const tradingDays = Float64Array.from(panel.dates, daysFromIso);
  const cfg = resolveConfig({
    ...partial,
    maxRollDays: partial.maxRollDays ?? defaultMaxRollDays(tradingDays),
  });
  const N = panel.assets.length;
  const T = panel.dates.length;
  const exact = new Map(panel.assets.map((a, i) => [a, i]));
  const folded = new Map<string, number>();
  panel.assets.forEach((a, i) => folded.set(a.toUpperCase(), folded.has(a.toUpperCase()) ? -1 : i));
  const log = new SignalIssueLog();
  // Lines name their file once posts come from several files.
  const several = new Set(posts.map((p) => p.file)).size > 1;
  const fileOf = (p: KolPost) => (several ? p.file : undefined);

  const joined: Omit<JoinedPost, 'tickerDay'>[] = [];
  for (const p of posts) {
    const asset = exact.get(p.ticker) ?? folded.get(p.ticker.toUpperCase()) ?? -1;
    if (asset < 0) {
      log.add('unknown-ticker', p.line, undefined, p.ticker, fileOf(p));
      continue;
    }
    const eff = effectiveDay(p, cfg.closeMinute, cfg.dateOnly);
    const row = rollToTradingDay(tradingDays, eff, cfg.maxRollDays);
    if (row < 0) {
      log.add('no-trading-day', p.line, undefined, undefined, fileOf(p));
      continue;
    }
    if (row >= T - 1) {
      log.add('no-next-day', p.line, undefined, undefined, fileOf(p));
      continue;
    }
    if (eff > p.day) log.add('after-close', p.line, undefined, undefined, fileOf(p));
    if (tradingDays[row] > eff) log.add('rolled-forward', p.line, undefined, undefined, fileOf(p));
    joined.push({ ...p, row, date: panel.dates[row], asset });
  }
  if (joined.length === 0) {
    const issues = log.list();
    const why = issues
      .filter((i) => i.severity === 'dropped')
      .map((i) => `${i.count} ${i.message}${i.ticker ? ` (${i.ticker})` : ''}`)
      .slice(0, 3)
      .join('; ');
    throw new Error(
      `no post joins the prices (${panel.assets.length} assets ${panel.dates[0]}..${panel.dates[T - 1]}): ${why || 'no posts'}`,
    );
  }

  // Ticker-days, in (row, panel column) order.
  joined.sort(
    (a, b) =>
      a.row - b.row ||
      a.asset - b.asset ||
      a.day - b.day ||
      (a.minute ?? -1) - (b.minute ?? -1) ||
      a.line - b.line,
  );
  const tickerDays: TickerDay[] = [];
  const out: JoinedPost[] = [];
  for (let k = 0; k < joined.length;) {
    let e = k;
    let s = 0;
    let c = 0;
    const ids: string[] = [];
    while (e < joined.length && joined[e].row === joined[k].row && joined[e].asset === joined[k].asset) {
      s += joined[e].sentiment;
      c += joined[e].confidence;
      if (joined[e].postId) ids.push(joined[e].postId);
      out.push({ ...joined[e], tickerDay: tickerDays.length });
      e++;
    }
    const n = e - k;
    const { row, asset } = joined[k];
    const sentiment = s / n;
    const confidence = c / n;
    const nextReturn = panel.close[(row + 1) * N + asset] / panel.close[row * N + asset] - 1;
    tickerDays.push({
      row,
      date: panel.dates[row],
      asset,
      ticker: panel.assets[asset],
      posts: n,
      sentiment,
      confidence,
      score: baselineRawScore(sentiment, confidence),
      nextDate: panel.dates[row + 1],
      nextReturn,
      reward: Math.sign(sentiment) * nextReturn,
      postIds: ids,
      split: 'train',
    });
    k = e;
  }

  const splits = makeSplits(panel, tickerDays, cfg.split);
  for (const td of tickerDays)
    td.split = splits.find((s) => td.row >= s.firstRow && td.row <= s.lastRow)!.name;
  const assets = [...new Set(tickerDays.map((t) => t.asset))].sort((a, b) => a - b);
  const signalDays = new Set(tickerDays.map((t) => t.row)).size;
  return {
    config: cfg,
    tickers: assets.map((i) => panel.assets[i]),
    assets,
    posts: out,
    tickerDays,
    splits,
    issues: log.list(),
    counts: {
      postsIn: posts.length,
      postsJoined: out.length,
      postsDropped: posts.length - out.length,
      tickerDays: tickerDays.length,
      signalDays,
    },
  };
}

function makeSplits(panel: Panel, tickerDays: readonly TickerDay[], spec: KolSplitSpec): KolSplit[] {
  const rows = [...new Set(tickerDays.map((t) => t.row))].sort((a, b) => a - b);
  const first = rows[0];
  const last = rows[rows.length - 1];
  let trainEnd: number;
  let validEnd: number;
  if (spec.kind === 'fractions') {
    const u = rows.length;
    const nTrain = Math.max(1, Math.round(spec.train * u));
    const nValid = Math.round(spec.valid * u);
    trainEnd = rows[Math.min(u, nTrain) - 1];
    validEnd = rows[Math.min(u, nTrain + nValid) - 1];
  } else {
    const a = daysFromIso(spec.trainEnd);
    const b = daysFromIso(spec.validEnd);
    trainEnd = first - 1;
    validEnd = first - 1;
    for (let t = first; t <= last; t++) {
      const d = daysFromIso(panel.dates[t]);
      if (d <= a) trainEnd = t;
      if (d <= b) validEnd = t;
    }
  }
  const mk = (name: SplitName, a: number, b: number): KolSplit => ({
    name,
    start: a <= b ? panel.dates[a] : '',
    end: a <= b ? panel.dates[b] : '',
    firstRow: a,
    lastRow: b,
  });
  return [mk('train', first, trainEnd), mk('valid', trainEnd + 1, validEnd), mk('test', validEnd + 1, last)];
}

/**
 * The ticker-days as per (panel row × panel column) arrays — the shape seed 004's ensemble reads
 * as its news (`SentimentSignals` in src/core/ensemble/signals.ts): sentiment and confidence of
 * asset i known at the close of row t (the day the posts count for), NaN where there is none;
 * no market-wide (macro) news.
 */
export function sentimentGrid(
  prep: PreparedKol,
  nDates: number,
  nAssets: number,
  source: string,
): { sentiment: Float64Array; confidence: Float64Array; macro: Float64Array; source: string } {
  const sentiment = new Float64Array(nDates * nAssets).fill(NaN);
  const confidence = new Float64Array(nDates * nAssets).fill(NaN);
  for (const td of prep.tickerDays) {
    if (td.row >= nDates || td.asset >= nAssets)
      throw new Error(
        `sentimentGrid: ticker-day (${td.row}, ${td.asset}) outside ${nDates} dates × ${nAssets} assets`,
      );
    sentiment[td.row * nAssets + td.asset] = td.sentiment;
    confidence[td.row * nAssets + td.asset] = td.confidence;
  }
  return { sentiment, confidence, macro: new Float64Array(nDates).fill(NaN), source };
}

/** ISO day of a post's publication (for exports). */
export function publicationDate(p: KolPost): string {
  return isoFromDays(p.day);
}
