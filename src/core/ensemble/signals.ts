/**
 * News / sentiment signals for the news analyst and the dataset's sentiment features: a minimal
 * interface that any source can fill — a signals file, the synthetic generator below, and later the
 * opinion-leader (kol, seed 000) importer — as per (date, asset) sentiment and confidence arrays
 * aligned with the panel, plus a market-wide (macro) sentiment per date. NaN = no news there.
 *
 * Records → arrays (`alignSignals`):
 * - a record dated on a trading day lands on that day (it is known by that day's close); one dated
 *   on a weekend or holiday lands on the next trading day, if that is at most `maxShiftDays` (4)
 *   calendar days later, else it is dropped as stale; records after the last date are dropped;
 * - several records on one (date, asset): sentiment = confidence-weighted mean (plain mean if every
 *   confidence is 0), confidence = mean confidence;
 * - asset '*' (or empty, or MACRO) is market-wide news: the macro sentiment of that date;
 * - records for assets not in the panel are dropped and counted.
 */
import Papa from 'papaparse';
import { firstIndexOnOrAfter } from '../data/dates.ts';
import type { Panel } from '../data/types.ts';
import type { SyntheticConfig, SyntheticMeta } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { EnsembleError, clamp } from './types.ts';

export interface SentimentSignals {
  /** [T·N] sentiment in [−1, 1] of asset i known at close t; NaN = no news. */
  sentiment: Float64Array;
  /** [T·N] confidence in [0, 1]; NaN where there is no news. */
  confidence: Float64Array;
  /** [T] market-wide sentiment in [−1, 1]; NaN = none. */
  macro: Float64Array;
  /** Where they came from, e.g. 'file:signals.csv', 'synthetic:coverage=0.3'. */
  source: string;
}

export interface SignalRecord {
  /** ISO date 'YYYY-MM-DD'. */
  date: string;
  /** Ticker, or null for market-wide (macro) news. */
  asset: string | null;
  /** In [−1, 1]. */
  sentiment: number;
  /** In [0, 1]. */
  confidence: number;
}

export interface AlignSignalsReport {
  records: number;
  used: number;
  /** Landed on a later trading day (weekend/holiday posts). */
  shifted: number;
  droppedUnknownAsset: number;
  droppedStale: number;
  droppedAfterEnd: number;
  /** Up to 5 tickers that are not in the panel. */
  unknownAssets: string[];
}

const MACRO_NAMES = new Set(['', '*', 'macro', 'market']);

function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

/** Signals with no news anywhere (the news analyst abstains on every row). */
export function noSignals(T: number, N: number, source = 'none'): SentimentSignals {
  return {
    sentiment: new Float64Array(T * N).fill(NaN),
    confidence: new Float64Array(T * N).fill(NaN),
    macro: new Float64Array(T).fill(NaN),
    source,
  };
}

/** Records → arrays aligned with `panel` (see the module comment for the rules). */
export function alignSignals(
  records: readonly SignalRecord[],
  panel: Pick<Panel, 'dates' | 'assets'>,
  source: string,
  opts: { maxShiftDays?: number } = {},
): { signals: SentimentSignals; report: AlignSignalsReport } {
  const maxShift = opts.maxShiftDays ?? 4;
  const { dates, assets } = panel;
  const T = dates.length;
  const N = assets.length;
  const index = new Map(assets.map((a, i) => [a, i]));
  // Per cell (N asset cells + 1 macro cell per date): Σc·s, Σc, Σs, count.
  const W = N + 1;
  const sumCS = new Float64Array(T * W);
  const sumC = new Float64Array(T * W);
  const sumS = new Float64Array(T * W);
  const count = new Uint32Array(T * W);
  const report: AlignSignalsReport = {
    records: records.length,
    used: 0,
    shifted: 0,
    droppedUnknownAsset: 0,
    droppedStale: 0,
    droppedAfterEnd: 0,
    unknownAssets: [],
  };
  for (const r of records) {
    let col = N;
    if (r.asset !== null && !MACRO_NAMES.has(r.asset.toLowerCase())) {
      const i = index.get(r.asset);
      if (i === undefined) {
        report.droppedUnknownAsset++;
        if (report.unknownAssets.length < 5 && !report.unknownAssets.includes(r.asset))
          report.unknownAssets.push(r.asset);
        continue;
      }
      col = i;
    }
    const t = firstIndexOnOrAfter(dates, r.date);
    if (t >= T) {
      report.droppedAfterEnd++;
      continue;
    }
    if (dates[t] !== r.date) {
      if (daysBetween(r.date, dates[t]) > maxShift) {
        report.droppedStale++;
        continue;
      }
      report.shifted++;
    }
    const k = t * W + col;
    sumCS[k] += r.confidence * r.sentiment;
    sumC[k] += r.confidence;
    sumS[k] += r.sentiment;
    count[k]++;
    report.used++;
  }
  const signals = noSignals(T, N, source);
  for (let t = 0; t < T; t++) {
    for (let col = 0; col <= N; col++) {
      const k = t * W + col;
      if (count[k] === 0) continue;
      const s = sumC[k] > 0 ? sumCS[k] / sumC[k] : sumS[k] / count[k];
      if (col === N) signals.macro[t] = s;
      else {
        signals.sentiment[t * N + col] = s;
        signals.confidence[t * N + col] = sumC[k] / count[k];
      }
    }
  }
  return { signals, report };
}

const ISO = /^\d{4}-\d{2}-\d{2}/;

function findColumn(header: string[], names: readonly string[]): number {
  const norm = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const c = norm.indexOf(n);
    if (c >= 0) return c;
  }
  return -1;
}

/**
 * A signals CSV: a header with `date`, `asset` (or symbol / ticker), `sentiment` (or score) and,
 * optionally, `confidence` (default 1); any order, any other columns ignored. Dates are ISO
 * (a time after the date is ignored). Errors name the file, line and column.
 */
export function parseSignalsCsv(text: string, file = 'signals.csv'): SignalRecord[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  const fail = (line: number, column: string | null, message: string): never => {
    throw new EnsembleError(`${file}, line ${line}${column ? `, column '${column}'` : ''}: ${message}`);
  };
  if (rows.length === 0)
    fail(1, null, 'empty signals file (expected a header: date, asset, sentiment[, confidence])');
  const header = rows[0];
  const cDate = findColumn(header, ['date', 'datetime', 'timestamp', 'published']);
  const cAsset = findColumn(header, ['asset', 'symbol', 'ticker']);
  const cSent = findColumn(header, ['sentiment', 'score']);
  const cConf = findColumn(header, ['confidence', 'conf']);
  if (cDate < 0) fail(1, null, `no date column in the header (${header.join(', ')})`);
  if (cAsset < 0) fail(1, null, `no asset/symbol/ticker column in the header (${header.join(', ')})`);
  if (cSent < 0) fail(1, null, `no sentiment/score column in the header (${header.join(', ')})`);
  const out: SignalRecord[] = [];
  // Papa does not report line numbers per row; rows are counted after skipping empty lines, so
  // map them back from the text's non-empty lines.
  const lineOf = nonEmptyLineNumbers(text);
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const line = lineOf[r] ?? r + 1;
    const date = (row[cDate] ?? '').trim();
    if (!ISO.test(date)) fail(line, header[cDate], `'${date}' is not an ISO date (YYYY-MM-DD)`);
    const sentiment = Number((row[cSent] ?? '').trim());
    if (!((row[cSent] ?? '').trim() !== '' && sentiment >= -1 && sentiment <= 1))
      fail(line, header[cSent], `'${row[cSent] ?? ''}' is not a number in [-1, 1]`);
    let confidence = 1;
    if (cConf >= 0 && (row[cConf] ?? '').trim() !== '') {
      confidence = Number(row[cConf].trim());
      if (!(confidence >= 0 && confidence <= 1))
        fail(line, header[cConf], `'${row[cConf]}' is not a number in [0, 1]`);
    }
    const asset = (row[cAsset] ?? '').trim();
    out.push({
      date: date.slice(0, 10),
      asset: MACRO_NAMES.has(asset.toLowerCase()) ? null : asset,
      sentiment,
      confidence,
    });
  }
  return out;
}

/** 1-based line numbers of the non-empty lines of a text (quoted line breaks are rare in signals files and not handled). */
function nonEmptyLineNumbers(text: string): number[] {
  const out: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (l.trim() !== '') out.push(i + 1);
  });
  return out;
}

export interface SyntheticSignalOptions {
  /** Seed of the generator's own Rng. Default 0. */
  seed: number;
  /** Probability that an asset has news on a day. Default 0.3. */
  coverage: number;
  /** Standard deviation of the noise added to the sentiment. Default 0.5. */
  noise: number;
}

export const DEFAULT_SYNTHETIC_SIGNALS: Readonly<SyntheticSignalOptions> = Object.freeze({
  seed: 0,
  coverage: 0.3,
  noise: 0.5,
});

/**
 * Synthetic news for a synthetic market (src/core/data/synthetic.ts): on a share `coverage` of the
 * (day, asset) cells, sentiment = clamp(tanh(z) + noise·ε, −1, 1) with z = (signal − μ)/(φ σ_d),
 * the planted signal E[r_{t+1} | close t] in units of its own spread (so z is today's
 * standardised log return), and confidence uniform in [0.5, 1]. The signal is known at close t,
 * so the news never reads the future. With φ = 0 (no planted signal) z = 0: the news is pure noise,
 * as it should be. No macro news.
 */
export function syntheticSignalRecords(
  panel: Pick<Panel, 'dates' | 'assets'>,
  meta: {
    signal: SyntheticMeta['signal'];
    config: Pick<SyntheticConfig, 'drift' | 'volatility' | 'signalStrength'>;
  },
  options: Partial<SyntheticSignalOptions> = {},
): SignalRecord[] {
  const o = { ...DEFAULT_SYNTHETIC_SIGNALS, ...options };
  if (!(o.coverage >= 0 && o.coverage <= 1))
    throw new EnsembleError(`synthetic signals: coverage must be in [0, 1], got ${o.coverage}`);
  if (!(o.noise >= 0)) throw new EnsembleError(`synthetic signals: noise must be ≥ 0, got ${o.noise}`);
  const T = panel.dates.length;
  const N = panel.assets.length;
  if (meta.signal.length !== T * N)
    throw new EnsembleError(
      `synthetic signals: the market's signal has ${meta.signal.length} values, expected ${T}×${N}`,
    );
  const mu = meta.config.drift / 252;
  const spread = meta.config.signalStrength * (meta.config.volatility / Math.sqrt(252));
  const rng = new Rng(o.seed);
  const out: SignalRecord[] = [];
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < N; i++) {
      // Draw every number on every cell so the stream does not depend on the data.
      const has = rng.float() < o.coverage;
      const eps = rng.normal();
      const confidence = rng.uniform(0.5, 1);
      if (!has) continue;
      const z = spread > 0 ? (meta.signal[t * N + i] - mu) / spread : 0;
      out.push({
        date: panel.dates[t],
        asset: panel.assets[i],
        sentiment: clamp(Math.tanh(z) + o.noise * eps, -1, 1),
        confidence,
      });
    }
  }
  return out;
}
