/**
 * Signals file import: one row per post — date, ticker, and either a sentiment (−1..1) with a
 * confidence (0..1) or raw text; optional author/source, post or video id, url.
 *
 * Columns are found by header name in any order and case, ignoring spaces and punctuation, with
 * synonyms (SIGNAL_COLUMN_SYNONYMS): ticker/symbol/stock/cashtag, sentiment/score/polarity/label,
 * confidence/conf/probability, date/published_at/timestamp/created_at, text/title/content/body
 * (several text columns are joined), author/source/channel, id/post_id/video_id, url/link.
 * The header is the first row (within the first 30) that names a date and a ticker column.
 *
 * Cells: a sentiment may be a number or a label (bullish/positive/buy/long → 1, bearish/negative/
 * sell/short → −1, neutral/hold → 0); a confidence may be a number in 0..1. A row without a
 * sentiment but with text is scored by the lexicon scorer (scorer.ts); its confidence is |score|
 * unless the row gives one. A row with a sentiment but no confidence gets confidence 1 (counted).
 * A ticker cell naming several tickers (`AAPL MSFT`, `$AAPL,$TSLA`) gives one post per ticker.
 * Dates: see time.ts (exchange time, zones converted, after-close handled when joining).
 *
 * Rules as for price files (src/core/data/csv.ts): a file that cannot be used at all (empty, binary,
 * no date or ticker column, no sentiment or text column, no usable row) is one error naming file,
 * line and column; otherwise every dropped, repaired or suspicious row is counted in the report
 * with its line numbers (line numbers count line breaks inside quoted text), and nothing is
 * dropped silently. Never throws.
 */
import Papa from 'papaparse';
import { isoFromDays } from '../data/dates.ts';
import { normalizeHeader } from '../data/columns.ts';
import { SignalIssueLog } from './issues.ts';
import { DEFAULT_SCORER, scoreText, type ScorerName } from './scorer.ts';
import { parsePostTimes } from './time.ts';
import type { KolPost, SignalImportReport, SignalImportResult } from './types.ts';

export type SignalRole =
  'date' | 'ticker' | 'sentiment' | 'confidence' | 'text' | 'author' | 'postId' | 'url';

export const SIGNAL_COLUMN_SYNONYMS: Readonly<Record<SignalRole, readonly string[]>> = {
  date: [
    'date',
    'publishedat',
    'published',
    'publishdate',
    'publishedate',
    'publisheddate',
    'publishtime',
    'publishedtime',
    'timestamp',
    'time',
    'datetime',
    'createdat',
    'created',
    'createdtime',
    'postedat',
    'posted',
    'postdate',
    'uploaddate',
    'day',
    'datum',
    'fecha',
  ],
  ticker: [
    'ticker',
    'tickers',
    'symbol',
    'symbols',
    'stock',
    'stocks',
    'cashtag',
    'cashtags',
    'asset',
    'instrument',
  ],
  sentiment: [
    'sentiment',
    'sentimentscore',
    'score',
    'polarity',
    'compound',
    'label',
    'sentimentlabel',
    'stance',
  ],
  confidence: [
    'confidence',
    'conf',
    'probability',
    'prob',
    'certainty',
    'confidencescore',
    'sentimentconfidence',
  ],
  text: [
    'text',
    'title',
    'content',
    'body',
    'message',
    'tweet',
    'description',
    'transcript',
    'summary',
    'headline',
    'caption',
  ],
  author: [
    'author',
    'source',
    'kol',
    'channel',
    'channeltitle',
    'user',
    'username',
    'handle',
    'influencer',
    'creator',
  ],
  postId: ['id', 'postid', 'videoid', 'tweetid', 'statusid', 'messageid', 'commentid'],
  url: ['url', 'link', 'permalink', 'href', 'videourl', 'posturl'],
};

const ROLE_OF = new Map<string, SignalRole>();
for (const [role, names] of Object.entries(SIGNAL_COLUMN_SYNONYMS) as [SignalRole, string[]][])
  for (const n of names) ROLE_OF.set(n, role);

/** Role of a header name, or null. */
export function signalRoleOfHeader(header: string): SignalRole | null {
  return ROLE_OF.get(normalizeHeader(header)) ?? null;
}

const LABELS: Record<string, number> = {
  bullish: 1,
  bull: 1,
  positive: 1,
  pos: 1,
  buy: 1,
  long: 1,
  up: 1,
  bearish: -1,
  bear: -1,
  negative: -1,
  neg: -1,
  sell: -1,
  short: -1,
  down: -1,
  neutral: 0,
  hold: 0,
  none: 0,
};

/** A sentiment cell: a number (a trailing % means percent) or a label; NaN when neither. */
export function parseSentimentCell(cell: string): number {
  const s = cell.trim();
  const label = LABELS[s.toLowerCase()];
  if (label !== undefined) return label;
  return parseNumber(s);
}

function parseNumber(s: string): number {
  const t = s.trim();
  if (t === '') return NaN;
  if (t.endsWith('%')) {
    const v = Number(t.slice(0, -1));
    return Number.isFinite(v) ? v / 100 : NaN;
  }
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/** Tickers in a ticker cell: split on spaces, commas, semicolons, pipes and slashes; '$' dropped; upper case. */
export function splitTickers(cell: string): string[] {
  const out: string[] = [];
  for (const raw of cell.split(/[\s,;|/]+/)) {
    const t = raw.replace(/^\$/, '').trim().toUpperCase();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

export interface SignalImportOptions {
  fileName: string;
  /** Lexicon scorer for rows with text but no sentiment. Default 'afinn-fin'. */
  scorer?: ScorerName;
  /** Line numbers listed per issue. Default 20. */
  maxListedLines?: number;
}

interface Row {
  cells: string[];
  line: number;
}

class Failure extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

function readRows(text: string): { rows: Row[]; delimiter: string; parseErrorLines: number[] } {
  const rows: Row[] = [];
  const parseErrorLines: number[] = [];
  let line = 1;
  let prev = 0;
  let delimiter = ',';
  Papa.parse<string[]>(text, {
    skipEmptyLines: false,
    delimitersToGuess: [',', '\t', ';', '|'],
    step: (r) => {
      const cursor = r.meta.cursor;
      delimiter = r.meta.delimiter || delimiter;
      const cells = r.data;
      if (cells.some((c) => c.trim() !== '')) rows.push({ cells, line });
      if (r.errors.length) parseErrorLines.push(line);
      for (let k = prev; k < cursor; k++) {
        const c = text.charCodeAt(k);
        if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) line++;
      }
      prev = cursor;
    },
  });
  return { rows, delimiter, parseErrorLines };
}

/** Imports a signals CSV text. Never throws. */
export function importSignals(text: string, options: SignalImportOptions): SignalImportResult {
  const file = options.fileName;
  const started = Date.now();
  try {
    return { ok: true, file, ...parse(text, options, started) };
  } catch (err) {
    if (err instanceof Failure)
      return { ok: false, file, error: { file, line: err.line, column: err.column, message: err.message } };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, file, error: { file, line: 1, column: 1, message } };
  }
}

function parse(
  text: string,
  options: SignalImportOptions,
  started: number,
): { posts: KolPost[]; report: SignalImportReport } {
  const scorer = options.scorer ?? DEFAULT_SCORER;
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  if (text.includes('\u0000')) throw new Failure(1, 1, 'not a text CSV file (binary data)');
  if (text.trim() === '') throw new Failure(1, 1, 'the file is empty');
  const newline: SignalImportReport['newline'] = text.includes('\r\n')
    ? 'CRLF'
    : text.includes('\r')
      ? 'CR'
      : 'LF';
  const { rows, delimiter, parseErrorLines } = readRows(text);

  // Header: the first row (of the first 30) naming a date and a ticker column.
  let h = -1;
  for (let r = 0; r < Math.min(rows.length, 30); r++) {
    const roles = rows[r].cells.map(signalRoleOfHeader);
    if (roles.includes('date') && roles.includes('ticker')) {
      h = r;
      break;
    }
  }
  if (h < 0) {
    const first = rows[0];
    const roles = first.cells.map(signalRoleOfHeader);
    const missing = roles.includes('date') ? 'ticker' : 'date';
    const names =
      missing === 'date' ? 'date, published_at, timestamp, created_at' : 'ticker, symbol, stock, cashtag';
    throw new Failure(
      first.line,
      1,
      `no ${missing} column: expected one of ${names}; header is ${first.cells.map((c) => `'${c.trim()}'`).join(', ')}`,
    );
  }
  const header = rows[h].cells.map((c) => c.trim());
  const headerLine = rows[h].line;
  const col: Partial<Record<Exclude<SignalRole, 'text'>, number>> = {};
  const textCols: number[] = [];
  const use = header.map(() => 'ignored');
  const notes: string[] = [];
  header.forEach((name, i) => {
    const role = signalRoleOfHeader(name);
    if (role === null) return;
    if (role === 'text') {
      textCols.push(i);
      use[i] = 'text';
    } else if (col[role] === undefined) {
      col[role] = i;
      use[i] = role === 'postId' ? 'post id' : role;
    } else notes.push(`column '${name}' ignored: '${header[col[role]]}' is already the ${role} column`);
  });
  if (col.sentiment === undefined && textCols.length === 0) {
    throw new Failure(
      headerLine,
      1,
      `no sentiment or text column: expected sentiment/score/polarity (with confidence/conf/probability) or text/title/content; header is ${header.map((c) => `'${c}'`).join(', ')}`,
    );
  }
  if (textCols.length > 1) notes.push(`text is ${textCols.map((i) => `'${header[i]}'`).join(' + ')}, joined`);
  if (col.sentiment !== undefined && col.confidence === undefined)
    notes.push('no confidence column: posts with a sentiment get confidence 1; scored text gets |score|');

  const log = new SignalIssueLog(options.maxListedLines ?? 20);
  for (const l of parseErrorLines) if (l > headerLine) log.add('parse-error', l);
  const data = rows.slice(h + 1);
  const nameOf = (k: keyof typeof col) => (col[k] === undefined ? undefined : header[col[k]!]);
  const cell = (r: Row, k: keyof typeof col) => (col[k] === undefined ? '' : (r.cells[col[k]!] ?? '').trim());

  const { times, notes: dateNotes } = parsePostTimes(data.map((r) => cell(r, 'date')));
  notes.push(...dateNotes);

  interface Pending extends KolPost {
    order: number;
  }
  const pending: Pending[] = [];
  let dateOnly = 0;
  let scored = 0;
  data.forEach((r, k) => {
    const line = r.line;
    if (r.cells.length < header.length) log.add('short-row', line);
    else if (r.cells.length > header.length) log.add('long-row', line);
    const t = times[k];
    if (t.day !== t.day) return log.add('bad-date', line, nameOf('date'));
    const tickers = splitTickers(cell(r, 'ticker'));
    if (tickers.length === 0) return log.add('missing-ticker', line, nameOf('ticker'));
    const text = textCols
      .map((i) => (r.cells[i] ?? '').trim())
      .filter((s) => s !== '')
      .join('. ');
    const sCell = cell(r, 'sentiment');
    const cCell = cell(r, 'confidence');
    let confidence = NaN;
    if (cCell !== '') {
      confidence = parseNumber(cCell);
      if (confidence !== confidence) return log.add('invalid-confidence', line, nameOf('confidence'));
      if (!(confidence >= 0 && confidence <= 1))
        return log.add('confidence-out-of-range', line, nameOf('confidence'));
    }
    let sentiment: number;
    let source: KolPost['sentimentSource'];
    if (sCell !== '') {
      sentiment = parseSentimentCell(sCell);
      if (sentiment !== sentiment) return log.add('invalid-sentiment', line, nameOf('sentiment'));
      if (!(sentiment >= -1 && sentiment <= 1))
        return log.add('sentiment-out-of-range', line, nameOf('sentiment'));
      source = 'file';
      if (confidence !== confidence) {
        confidence = 1;
        if (col.confidence !== undefined) log.add('default-confidence', line, nameOf('confidence'));
      }
    } else if (text !== '') {
      const s = scoreText(text, scorer);
      sentiment = s.score;
      source = 'text';
      if (confidence !== confidence) confidence = Math.abs(s.score);
      log.add('scored-from-text', line);
      if (s.hits === 0) log.add('no-lexicon-word', line);
    } else return log.add('no-sentiment', line, nameOf('sentiment'));
    if (tickers.length > 1) log.add('several-tickers', line, nameOf('ticker'));
    if (t.minute === null) dateOnly += tickers.length;
    if (source === 'text') scored += tickers.length;
    for (const ticker of tickers) {
      pending.push({
        order: pending.length,
        file: options.fileName,
        line,
        published: cell(r, 'date'),
        day: t.day,
        minute: t.minute,
        ticker,
        sentiment,
        confidence,
        sentimentSource: source,
        text,
        author: cell(r, 'author'),
        postId: cell(r, 'postId'),
        url: cell(r, 'url'),
      });
    }
  });

  // Duplicate post ids (per ticker): the last row wins.
  const last = new Map<string, number>();
  for (const p of pending) if (p.postId !== '') last.set(`${p.postId}\u0000${p.ticker}`, p.order);
  const posts: KolPost[] = [];
  for (const p of pending) {
    if (p.postId !== '' && last.get(`${p.postId}\u0000${p.ticker}`) !== p.order) {
      log.add('duplicate-post', p.line, nameOf('postId'));
      if (p.minute === null) dateOnly--;
      if (p.sentimentSource === 'text') scored--;
      continue;
    }
    const { order: _order, ...post } = p;
    posts.push(post);
  }
  const issues = log.list();
  if (posts.length === 0) {
    const worst = issues.filter((i) => i.severity === 'dropped').sort((a, b) => b.count - a.count)[0];
    const column = worst?.column ? header.indexOf(worst.column) + 1 : 1;
    throw new Failure(
      worst?.lines[0] ?? headerLine + 1,
      Math.max(1, column),
      data.length === 0
        ? 'no data rows after the header'
        : `no usable rows: all ${data.length} data rows were dropped${worst ? ` (e.g. ${worst.count} ${worst.message})` : ''}`,
    );
  }
  posts.sort((a, b) => a.day - b.day || (a.minute ?? -1) - (b.minute ?? -1) || a.line - b.line);
  const counts = new Map<string, number>();
  for (const p of posts) counts.set(p.ticker, (counts.get(p.ticker) ?? 0) + 1);
  const report: SignalImportReport = {
    file: options.fileName,
    delimiter,
    newline,
    bom,
    headerLine,
    columns: header.map((name, i) => ({ header: name || `(column ${i + 1})`, use: use[i] })),
    scorer,
    rowsRead: data.length,
    postsKept: posts.length,
    rowsDropped: log.dropped(),
    scoredFromText: scored,
    dateOnly,
    start: isoFromDays(posts[0].day),
    end: isoFromDays(posts[posts.length - 1].day),
    tickers: [...counts]
      .map(([ticker, n]) => ({ ticker, posts: n }))
      .sort((a, b) => b.posts - a.posts || (a.ticker < b.ticker ? -1 : 1)),
    issues,
    notes,
    elapsedMs: Date.now() - started,
  };
  return { posts, report };
}
