/** Grouped row issues with line numbers, and the one-line/several-line report formats of the KOL import. */
import { formatImportIssue } from '../data/report.ts';
import type {
  SignalImportReport,
  SignalImportResult,
  SignalIssue,
  SignalIssueCode,
  SignalIssueSeverity,
} from './types.ts';

export const SIGNAL_ISSUE_TEXT: Record<SignalIssueCode, [SignalIssueSeverity, string]> = {
  'bad-date': ['dropped', 'with a publication date that is not recognised'],
  'missing-ticker': ['dropped', 'without a ticker'],
  'no-sentiment': ['dropped', 'with neither a sentiment nor any text to score'],
  'invalid-sentiment': [
    'dropped',
    'with a sentiment that is not a number or a label (bullish/bearish/positive/…)',
  ],
  'sentiment-out-of-range': ['dropped', 'with a sentiment outside −1..1'],
  'invalid-confidence': ['dropped', 'with a confidence that is not a number'],
  'confidence-out-of-range': ['dropped', 'with a confidence outside 0..1'],
  'duplicate-post': ['dropped', 'repeating the post id and ticker of a later row (kept the last)'],
  'scored-from-text': [
    'info',
    'without a sentiment: scored from the text (confidence = |score| unless given)',
  ],
  'no-lexicon-word': ['suspicious', 'whose text has no word the lexicon knows (scored 0: neutral)'],
  'default-confidence': ['repaired', 'with a sentiment but no confidence (confidence set to 1)'],
  'several-tickers': ['info', 'naming several tickers (one post per ticker)'],
  'short-row': ['suspicious', 'with fewer fields than the header (missing cells treated as empty)'],
  'long-row': ['suspicious', 'with more fields than the header (extra cells ignored)'],
  'parse-error': ['suspicious', 'with a CSV syntax problem (e.g. unbalanced quotes)'],
  'unknown-ticker': ['dropped', 'on a ticker that is not in the prices'],
  'no-trading-day': [
    'dropped',
    'with no trading day in the prices within the roll-forward limit (a gap, or outside the price dates)',
  ],
  'no-next-day': ['dropped', 'counting for the last price date (no next-day close to hold to)'],
  'after-close': ['info', 'published at or after the close: counted for the next trading day'],
  'rolled-forward': [
    'info',
    'counting for a day without prices (weekend, holiday, between bars): rolled forward to the next price date',
  ],
};

const RANK: Record<SignalIssueSeverity, number> = { dropped: 0, suspicious: 1, repaired: 2, info: 3 };

export class SignalIssueLog {
  private groups = new Map<string, SignalIssue>();
  constructor(private readonly maxLines = 20) {}

  add(code: SignalIssueCode, line: number, column?: string, ticker?: string, file?: string): void {
    const key = `${code}\u0000${column ?? ''}\u0000${ticker ?? ''}\u0000${file ?? ''}`;
    let g = this.groups.get(key);
    if (!g) {
      const [severity, message] = SIGNAL_ISSUE_TEXT[code];
      g = { code, severity, message, count: 0, lines: [] };
      if (column !== undefined) g.column = column;
      if (ticker !== undefined) g.ticker = ticker;
      if (file !== undefined) g.file = file;
      this.groups.set(key, g);
    }
    g.count++;
    if (g.lines.length < this.maxLines && line > 0) g.lines.push(line);
  }

  /** The groups, dropped first; each group's listed lines in ascending order. */
  list(): SignalIssue[] {
    return [...this.groups.values()]
      .map((g) => ({ ...g, lines: [...g.lines].sort((a, b) => a - b) }))
      .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  }

  dropped(): number {
    let n = 0;
    for (const g of this.groups.values()) if (g.severity === 'dropped') n += g.count;
    return n;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `  dropped: 3 rows with …  [column] lines 4, 9, 12` lines of a list of issues. */
export function formatSignalIssues(issues: readonly SignalIssue[], unit = 'row'): string[] {
  return issues.map((i) => {
    const where = [i.file, i.ticker, i.column].filter(Boolean).join(' / ');
    const more = i.count > i.lines.length && i.lines.length ? `, … (+${i.count - i.lines.length})` : '';
    const lines = i.lines.length ? ` line${i.count === 1 ? '' : 's'} ${i.lines.join(', ')}${more}` : '';
    return `  ${i.severity}: ${plural(i.count, unit)} ${i.message}${where ? ` [${where}]` : ''}${lines}`;
  });
}

/** Human-readable report of one signals file (several lines, no trailing newline). */
export function formatSignalReport(r: SignalImportResult): string {
  if (!r.ok) return `✗ ${formatImportIssue(r.error)}`;
  const p: SignalImportReport = r.report;
  const delim = p.delimiter === '\t' ? 'tab' : `'${p.delimiter}'`;
  const out = [
    `✓ ${p.file}  signals, delimiter ${delim}, ${p.newline}${p.bom ? ', BOM' : ''}, scorer ${p.scorer}`,
    `  rows: ${p.rowsRead} read, ${p.postsKept} posts kept, ${p.rowsDropped} dropped, ${p.scoredFromText} scored from text, ${p.dateOnly} without a time of day  (${p.elapsedMs.toFixed(0)} ms)`,
    `  columns: ${p.columns.map((c) => `${c.header}→${c.use === 'ignored' ? '(ignored)' : c.use}`).join(', ')}`,
    `  posts: ${p.start}..${p.end} on ${plural(p.tickers.length, 'ticker')} (${p.tickers
      .slice(0, 12)
      .map((t) => `${t.ticker} ${t.posts}`)
      .join(', ')}${p.tickers.length > 12 ? ', …' : ''})`,
    ...formatSignalIssues(p.issues),
    ...p.notes.map((n) => `  note: ${n}`),
  ];
  return out.join('\n');
}
