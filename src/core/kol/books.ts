/**
 * A prepared KOL data set in memory → the split books the residual trains and is evaluated on.
 * The CLI's folder (closes.csv, <split>.csv, posts.csv) and the lab's in-memory run both end here,
 * so both build the same KolSplitBook from the same ticker-days.
 */
import type { Panel, SplitName } from '../data/types.ts';
import type { PreparedKol } from './prepare.ts';
import { kolSplitBook, type KolCloses, type KolSplitBook, type KolTickerDayInput } from './replay.ts';

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Closes of the prepared tickers over every split's days and the day after the last. */
export function kolCloses(panel: Panel, prep: PreparedKol): KolCloses {
  const live = prep.splits.filter((s) => s.firstRow <= s.lastRow);
  const N = panel.assets.length;
  const M = prep.assets.length;
  if (live.length === 0) return { dates: [], tickers: prep.tickers.slice(), close: new Float64Array(0) };
  const from = Math.min(...live.map((s) => s.firstRow));
  const to = Math.min(panel.dates.length - 1, Math.max(...live.map((s) => s.lastRow)) + 1);
  const close = new Float64Array((to - from + 1) * M);
  for (let t = from; t <= to; t++)
    for (let j = 0; j < M; j++) close[(t - from) * M + j] = panel.close[t * N + prep.assets[j]];
  return { dates: panel.dates.slice(from, to + 1), tickers: prep.tickers.slice(), close };
}

/** The ticker-days of each split with their posts' texts joined (in posts order). */
export function kolTickerDayInputs(prep: PreparedKol): Record<SplitName, KolTickerDayInput[]> {
  const texts = new Map<number, string[]>();
  for (const p of prep.posts) {
    if (!p.text) continue;
    const list = texts.get(p.tickerDay);
    if (list) list.push(p.text);
    else texts.set(p.tickerDay, [p.text]);
  }
  const out: Record<SplitName, KolTickerDayInput[]> = { train: [], valid: [], test: [] };
  prep.tickerDays.forEach((td, k) =>
    out[td.split].push({
      date: td.date,
      ticker: td.ticker,
      sentiment: td.sentiment,
      confidence: td.confidence,
      text: (texts.get(k) ?? []).join(' '),
    }),
  );
  return out;
}

/** The book of each split (null for a split without ticker-days). */
export function kolSplitBooks(panel: Panel, prep: PreparedKol): Record<SplitName, KolSplitBook | null> {
  const closes = kolCloses(panel, prep);
  const rows = kolTickerDayInputs(prep);
  const book = (name: SplitName) => (rows[name].length ? kolSplitBook(rows[name], closes) : null);
  return { train: book('train'), valid: book('valid'), test: book('test') };
}
