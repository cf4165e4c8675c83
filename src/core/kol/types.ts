/** Shared shapes of seed 000's opinion-leader (KOL) workflow. Pure data: no DOM, no tfjs. */
import type { ImportIssue } from '../data/report.ts';
import type { ScorerName } from './scorer.ts';

/** One post about one ticker, as imported (a post naming several tickers becomes several). */
export interface KolPost {
  /** The signals file it came from. */
  file: string;
  /** 1-based line of the row in its file (0 for posts made in memory). */
  line: number;
  /** The publication cell as written. */
  published: string;
  /** Exchange-local (US/Eastern) calendar day of publication, days since 1970-01-01. */
  day: number;
  /** Minutes after local midnight; null when the cell had no time of day. */
  minute: number | null;
  /** Upper-case, without a leading '$'. */
  ticker: string;
  /** In [−1, 1]. */
  sentiment: number;
  /** In [0, 1]. */
  confidence: number;
  /** Where the sentiment came from: the file, or the lexicon scorer run on the text. */
  sentimentSource: 'file' | 'text';
  text: string;
  author: string;
  postId: string;
  url: string;
}

export type SignalIssueCode =
  | 'bad-date'
  | 'missing-ticker'
  | 'no-sentiment'
  | 'invalid-sentiment'
  | 'sentiment-out-of-range'
  | 'invalid-confidence'
  | 'confidence-out-of-range'
  | 'duplicate-post'
  | 'scored-from-text'
  | 'no-lexicon-word'
  | 'default-confidence'
  | 'several-tickers'
  | 'short-row'
  | 'long-row'
  | 'parse-error'
  // Joining posts to prices (prepare):
  | 'unknown-ticker'
  | 'no-trading-day'
  | 'no-next-day'
  | 'after-close'
  | 'rolled-forward';

export type SignalIssueSeverity = 'dropped' | 'repaired' | 'suspicious' | 'info';

/** A group of rows with the same issue (per column), as the price importer's RowIssue. */
export interface SignalIssue {
  code: SignalIssueCode;
  severity: SignalIssueSeverity;
  message: string;
  /** Header name of the column at fault, when there is one. */
  column?: string;
  /** Ticker concerned (join issues). */
  ticker?: string;
  /** Signals file of the lines (join issues over several files). */
  file?: string;
  count: number;
  /** 1-based line numbers of the first `maxListedLines` rows. */
  lines: number[];
}

export interface SignalImportReport {
  file: string;
  delimiter: string;
  newline: 'LF' | 'CRLF' | 'CR';
  bom: boolean;
  /** 1-based line of the header row. */
  headerLine: number;
  /** Header → use ('date', 'ticker', 'sentiment', 'confidence', 'text', 'author', 'post id', 'url', 'ignored'). */
  columns: { header: string; use: string }[];
  scorer: ScorerName;
  /** Non-empty data rows after the header. */
  rowsRead: number;
  /** Posts kept (a row naming k tickers gives k posts). */
  postsKept: number;
  /** Rows dropped (sum of 'dropped' issues). */
  rowsDropped: number;
  /** Posts whose sentiment the scorer computed from text. */
  scoredFromText: number;
  /** Posts with a date but no time of day. */
  dateOnly: number;
  /** First and last publication days (ISO, '' when none). */
  start: string;
  end: string;
  tickers: { ticker: string; posts: number }[];
  issues: SignalIssue[];
  notes: string[];
  elapsedMs: number;
}

export type SignalImportResult =
  | { ok: true; file: string; posts: KolPost[]; report: SignalImportReport }
  | { ok: false; file: string; error: ImportIssue };
