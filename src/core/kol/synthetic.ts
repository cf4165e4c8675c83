/**
 * Seeded synthetic opinion-leader posts over a price panel (embedded, loaded or synthetic), so
 * the KOL workflow runs with no files and its claims can be checked against a known truth.
 *
 * For each trading day d that has a next close (all but the last row), Poisson(postsPerDay) posts;
 * each picks one of the covered tickers uniformly and is about the return of that ticker from the
 * close of d to the close of d + 1 (the day it counts for, as the join rules will find it):
 *   confidence c ~ U(0, 1);
 *   P(sign right | c) = 0.5 + (a_i − 0.5)·(1 − calibration + 2·calibration·c), clipped to
 *     [0, 1] — its mean over c is the ticker's accuracy a_i; calibration 0: confidence says
 *     nothing, 1: the most confident posts are right most often;
 *   a_i = accuracy + tickerSpread·(2·rank_i/(k − 1) − 1), clipped to [0, 1]: the covered tickers'
 *     accuracies evenly spaced over accuracy ± tickerSpread in a seeded order (tickerSpread 0:
 *     every ticker alike). The baseline book ignores who a post is about; a residual that sees
 *     the ticker can learn to trust the reliable ones more — the only edge over the baseline the
 *     generator plants (with tickerSpread 0 even an oracle residual has none: README);
 *   sentiment = sign·(0.2 + 0.8·u) + noise·N(0, 1), clipped to [−1, 1] (noise may flip weak posts:
 *     `meta.realisedAccuracy` is the accuracy of the signs actually written).
 * Publication time: with probability `afterClose` after the close of the previous trading day
 * (16:00–23:59) or, when the calendar has a gap before d, on one of the (up to 3) non-trading
 * days just before d;
 * otherwise during day d (09:30–15:59). With probability `textFraction` a post is written as text
 * only (phrases of finance words of its sign, scored later by the lexicon scorer).
 * accuracy 0.5 = uninformative posts: no rule can earn from them.
 */
import { daysFromIso, isoFromDays } from '../data/dates.ts';
import type { Panel } from '../data/types.ts';
import { Rng } from '../rng.ts';

export interface KolSyntheticConfig {
  seed: number;
  /** Mean posts per trading day (Poisson). Default 3. */
  postsPerDay: number;
  /** How many of the panel's tickers the posts cover (the first k); 0 = all. Default 0. */
  tickers: number;
  /** Mean probability that a post's sentiment sign matches the next-day return's sign. Default 0.6. */
  accuracy: number;
  /** 0..1: how much more often confident posts are right. Default 0.5. */
  calibration: number;
  /** Standard deviation of Gaussian noise added to the sentiment. Default 0.1. */
  noise: number;
  /** Probability a post is published after the previous close (or on a non-trading day before d). Default 0.25. */
  afterClose: number;
  /** Probability a post is given as text only (no sentiment, no confidence). Default 0. */
  textFraction: number;
  /** Number of distinct authors. Default 3. */
  authors: number;
  /** Half-range of the per-ticker accuracies around `accuracy` (see the header). Default 0. */
  tickerSpread: number;
}

export const KOL_SYNTHETIC_DEFAULTS: Readonly<KolSyntheticConfig> = Object.freeze({
  seed: 0,
  postsPerDay: 3,
  tickers: 0,
  accuracy: 0.6,
  calibration: 0.5,
  noise: 0.1,
  afterClose: 0.25,
  textFraction: 0,
  authors: 3,
  tickerSpread: 0,
});

/** Fills defaults and checks ranges; throws an Error naming the field. */
export function resolveKolSyntheticConfig(partial: Partial<KolSyntheticConfig> = {}): KolSyntheticConfig {
  const c = { ...KOL_SYNTHETIC_DEFAULTS, ...partial };
  const bad = (k: keyof KolSyntheticConfig, why: string): never => {
    throw new Error(`kol synthetic: ${k} ${why}, got ${String(c[k])}`);
  };
  if (!Number.isFinite(c.seed)) bad('seed', 'must be a finite number');
  if (!(c.postsPerDay > 0 && c.postsPerDay <= 1000)) bad('postsPerDay', 'must be in (0, 1000]');
  if (!(Number.isInteger(c.tickers) && c.tickers >= 0)) bad('tickers', 'must be a whole number ≥ 0');
  for (const k of ['accuracy', 'calibration', 'afterClose', 'textFraction'] as const)
    if (!(c[k] >= 0 && c[k] <= 1)) bad(k, 'must be in [0, 1]');
  if (!(c.noise >= 0 && c.noise <= 10)) bad('noise', 'must be in [0, 10]');
  if (!(c.tickerSpread >= 0 && c.tickerSpread <= 0.5)) bad('tickerSpread', 'must be in [0, 0.5]');
  if (!(Number.isInteger(c.authors) && c.authors >= 1)) bad('authors', 'must be a whole number ≥ 1');
  return c;
}

/** `k=v,…` (the CLI's --synthetic) → a partial config; throws naming an unknown key or a bad number. */
export function parseKolSyntheticSpec(text: string): Partial<KolSyntheticConfig> {
  const out: Record<string, number> = {};
  const known = Object.keys(KOL_SYNTHETIC_DEFAULTS);
  for (const part of text.split(/[,;&]/)) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`kol synthetic: expected key=value, got '${part.trim()}'`);
    const k = part.slice(0, eq).trim();
    const v = Number(part.slice(eq + 1).trim());
    const key = known.find((x) => x.toLowerCase() === k.toLowerCase());
    if (!key) throw new Error(`kol synthetic: unknown field '${k}' (known: ${known.join(', ')})`);
    if (part.slice(eq + 1).trim() === '' || !Number.isFinite(v))
      throw new Error(`kol synthetic: ${k} must be a number, got '${part.slice(eq + 1).trim()}'`);
    out[key] = v;
  }
  resolveKolSyntheticConfig(out);
  return out as Partial<KolSyntheticConfig>;
}

/** One generated row of a signals file (sentiment and confidence empty for text-only posts). */
export interface SyntheticPostRow {
  published: string;
  ticker: string;
  sentiment: number | null;
  confidence: number | null;
  text: string;
  author: string;
  postId: string;
}

export interface KolSyntheticMeta {
  config: KolSyntheticConfig;
  tickers: string[];
  /** Panel row each post is about (the day it should count for), per row. */
  signalRow: Int32Array;
  /** Fraction of posts with a numeric sentiment whose sign matched the next-day return. */
  realisedAccuracy: number;
  /** Mean accuracy a_i of each covered ticker (all `accuracy` when tickerSpread is 0). */
  tickerAccuracy: number[];
}

const POSITIVE = [
  'strong growth',
  'earnings beat',
  'bullish setup',
  'analyst upgrade',
  'record profit',
  'breakout',
  'huge upside',
  'outperform',
];
const NEGATIVE = [
  'weak demand',
  'analyst downgrade',
  'bearish setup',
  'lawsuit risk',
  'mounting losses',
  'plummet ahead',
  'bankruptcy fears',
  'fraud concerns',
];

function poisson(rng: Rng, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.float();
    if (p <= l) return k;
    k++;
  }
}

function hhmm(minute: number): string {
  const h = Math.floor(minute / 60);
  const m = minute % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

/** Generates posts over a panel. Same panel and config → the same rows. */
export function generateKolSignals(
  panel: Panel,
  partial: Partial<KolSyntheticConfig> = {},
): { rows: SyntheticPostRow[]; meta: KolSyntheticMeta } {
  const cfg = resolveKolSyntheticConfig(partial);
  const N = panel.assets.length;
  const T = panel.dates.length;
  if (T < 2) throw new Error('kol synthetic: the prices need at least 2 dates');
  const k = cfg.tickers === 0 ? N : Math.min(cfg.tickers, N);
  const rng = new Rng(cfg.seed);
  // A fork (the main stream is untouched: tickerSpread 0 gives the same posts as before it existed).
  const rank = Array.from({ length: k }, (_, i) => i);
  rng.fork('kol/ticker-accuracy').shuffle(rank);
  const tickerAccuracy = rank.map((r) =>
    Math.min(1, Math.max(0, cfg.accuracy + (k > 1 ? cfg.tickerSpread * ((2 * r) / (k - 1) - 1) : 0))),
  );
  const days = panel.dates.map(daysFromIso);
  const rows: SyntheticPostRow[] = [];
  const signalRow: number[] = [];
  let scoredRight = 0;
  let scored = 0;
  for (let t = 0; t < T - 1; t++) {
    const n = poisson(rng, cfg.postsPerDay);
    for (let j = 0; j < n; j++) {
      const i = rng.int(k);
      const r = panel.close[(t + 1) * N + i] / panel.close[t * N + i] - 1;
      const c = rng.float();
      const p = Math.min(
        1,
        Math.max(0, 0.5 + (tickerAccuracy[i] - 0.5) * (1 - cfg.calibration + 2 * cfg.calibration * c)),
      );
      const dir = r > 0 ? 1 : r < 0 ? -1 : rng.float() < 0.5 ? 1 : -1;
      const sign = rng.float() < p ? dir : -dir;
      const s = Math.min(1, Math.max(-1, sign * (0.2 + 0.8 * rng.float()) + cfg.noise * rng.normal()));
      // When: during day t, after the previous close, or on a non-trading day before t.
      let published: string;
      if (t > 0 && rng.float() < cfg.afterClose) {
        const gap = days[t] - days[t - 1] - 1;
        if (gap > 0 && rng.float() < 0.5)
          published = `${isoFromDays(days[t] - 1 - rng.int(Math.min(gap, 3)))} ${hhmm(rng.int(24 * 60))}`;
        else published = `${panel.dates[t - 1]} ${hhmm(16 * 60 + rng.int(8 * 60))}`;
      } else published = `${panel.dates[t]} ${hhmm(9 * 60 + 30 + rng.int(390))}`;
      const asText = rng.float() < cfg.textFraction;
      const author = `kol-${1 + rng.int(cfg.authors)}`;
      const ticker = panel.assets[i];
      if (asText) {
        const words = s >= 0 ? POSITIVE : NEGATIVE;
        const text = `${ticker}: ${words[rng.int(words.length)]}, ${words[rng.int(words.length)]}`;
        rows.push({
          published,
          ticker,
          sentiment: null,
          confidence: null,
          text,
          author,
          postId: `syn${cfg.seed}-${rows.length + 1}`,
        });
      } else {
        const conf = Math.round(c * 1e4) / 1e4;
        const sent = Math.round(s * 1e4) / 1e4;
        rows.push({
          published,
          ticker,
          sentiment: sent,
          confidence: conf,
          text: '',
          author,
          postId: `syn${cfg.seed}-${rows.length + 1}`,
        });
        if (sent !== 0 && r !== 0) {
          scored++;
          if (Math.sign(sent) === Math.sign(r)) scoredRight++;
        }
      }
      signalRow.push(t);
    }
  }
  return {
    rows,
    meta: {
      config: cfg,
      tickers: panel.assets.slice(0, k),
      signalRow: Int32Array.from(signalRow),
      realisedAccuracy: scored ? scoredRight / scored : NaN,
      tickerAccuracy,
    },
  };
}

function field(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The rows as a signals CSV (the format `lab kol prepare --signals` reads). */
export function syntheticSignalsCsv(rows: readonly SyntheticPostRow[]): string {
  const lines = ['published_at,ticker,sentiment,confidence,text,author,post_id'];
  for (const r of rows)
    lines.push(
      [r.published, r.ticker, r.sentiment, r.confidence, r.text, r.author, r.postId].map(field).join(','),
    );
  return lines.join('\n') + '\n';
}
