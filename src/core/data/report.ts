/**
 * What the importer hands back: per-asset series plus a report of everything it read, decided,
 * dropped or repaired. Nothing changes silently: every dropped or altered row is counted here
 * with its line numbers (the first `maxListedLines`).
 */

/** One asset's cleaned daily (or monthly…) bars, ascending unique ISO dates. */
export interface AssetSeries {
  asset: string;
  /** ISO 'YYYY-MM-DD', strictly ascending. */
  dates: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Missing volume is 0. */
  volume: Float64Array;
  /** Split/dividend-adjusted close when the source had one, else null. */
  adjClose: Float64Array | null;
}

/** A file that could not be imported at all: where and why. Lines and columns are 1-based. */
export interface ImportIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `file:line:column message`, the one-line form the CLI prints. */
export function formatImportIssue(e: ImportIssue): string {
  return `${e.file}:${e.line}:${e.column} ${e.message}`;
}

export type RowIssueCode =
  | 'bad-date'
  | 'missing-close'
  | 'non-positive-close'
  | 'missing-symbol'
  | 'duplicate-date'
  | 'non-trading-day'
  | 'invalid-number'
  | 'filled-ohl'
  | 'non-positive-ohl'
  | 'high-below-low'
  | 'ohlc-outside-range'
  | 'flat-no-volume'
  | 'missing-volume'
  | 'negative-volume'
  | 'empty-cell'
  | 'short-row'
  | 'long-row'
  | 'parse-error';

/**
 * dropped: the row is not in the output; repaired: kept with a value changed as the message says;
 * suspicious: kept unchanged (or repaired as described) but worth a look; info: nothing lost.
 */
export type RowIssueSeverity = 'dropped' | 'repaired' | 'suspicious' | 'info';

/** A group of rows with the same issue (per asset and column). */
export interface RowIssue {
  code: RowIssueCode;
  severity: RowIssueSeverity;
  /** What happened and what was done, in words. */
  message: string;
  asset?: string;
  /** Header name of the column at fault, when there is one. */
  column?: string;
  count: number;
  /** 1-based line numbers of the first `maxListedLines` rows. */
  lines: number[];
}

export type Layout = 'ohlcv' | 'long' | 'wide';

export interface AssetImportSummary {
  asset: string;
  rows: number;
  /** First and last ISO dates ('' when no rows). */
  start: string;
  end: string;
  /** Row order in the file, before the importer sorted it. */
  order: 'ascending' | 'descending' | 'unsorted';
  hasAdjClose: boolean;
  /** Rows whose volume was missing and is now 0. */
  missingVolume: number;
}

export interface FileImportReport {
  file: string;
  /** Characters read (≈ bytes for ASCII files). */
  bytes: number;
  layout: Layout;
  delimiter: string;
  newline: 'LF' | 'CRLF' | 'CR';
  bom: boolean;
  decimalComma: boolean;
  /** 1-based line of the header row; lines before it were skipped as preamble. */
  headerLine: number;
  /** Header → what it was used for ('date', 'close', 'ticker:AAPL', 'ignored', …). */
  columns: { header: string; use: string }[];
  /** Where asset names came from. */
  assetSource: 'file name' | 'option' | 'symbol column' | 'header';
  /** Pattern of the date column, e.g. 'YYYY-MM-DD', 'MMM DD, YYYY', 'DD-MMM-YY'. */
  dateFormat: string;
  dateOrder: 'MDY' | 'DMY' | null;
  /** Cells with a two-digit year and the pivot used (null when none). */
  twoDigitYears: { count: number; pivot: number } | null;
  /** Non-empty data rows after the header. */
  rowsRead: number;
  /** Output rows summed over assets. */
  rowsKept: number;
  /** Sum of counts of 'dropped' issues. */
  rowsDropped: number;
  assets: AssetImportSummary[];
  issues: RowIssue[];
  /** Decisions in words (date order, re-sorting, preamble, missing volume column, …). */
  notes: string[];
  elapsedMs: number;
}

export type ImportResult =
  | { ok: true; file: string; series: AssetSeries[]; report: FileImportReport }
  | { ok: false; file: string; error: ImportIssue };

/** Alignment report: what building the common calendar did to each asset. */
export interface AlignReport {
  calendar: 'intersection' | 'union';
  adjusted: boolean;
  dates: number;
  start: string;
  end: string;
  assets: {
    asset: string;
    /** Rows in the source series. */
    rows: number;
    /** Source dates not in the panel (not shared by every asset, or outside the common range). */
    droppedDates: number;
    /** First few dropped dates. */
    droppedExamples: string[];
    /** Panel dates where this asset had no bar and prices were carried forward (volume 0). */
    filled: number;
    /** 'adjusted' / 'no adj close' / 'not requested'. */
    adjustment: 'adjusted' | 'no adj close' | 'not requested';
  }[];
  notes: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function listLines(lines: number[], count: number): string {
  if (lines.length === 0) return '';
  const more = count > lines.length ? `, … (+${count - lines.length})` : '';
  return ` line${count === 1 ? '' : 's'} ${lines.join(', ')}${more}`;
}

/** Human-readable report of one file (several lines, no trailing newline). */
export function formatFileReport(r: ImportResult): string {
  if (!r.ok) return `✗ ${formatImportIssue(r.error)}`;
  const p = r.report;
  const delim = p.delimiter === '\t' ? 'tab' : `'${p.delimiter}'`;
  const out: string[] = [];
  out.push(
    `✓ ${p.file}  ${p.layout} layout, delimiter ${delim}, ${p.newline}${p.bom ? ', BOM' : ''}${p.decimalComma ? ', decimal comma' : ''}, dates ${p.dateFormat}`,
  );
  out.push(
    `  rows: ${p.rowsRead} read, ${p.rowsKept} kept, ${p.rowsDropped} dropped  (${p.elapsedMs.toFixed(0)} ms)`,
  );
  const used = p.columns.map((c) => (c.use === 'ignored' ? `${c.header}→(ignored)` : `${c.header}→${c.use}`));
  out.push(`  columns: ${used.join(', ')}`);
  const width = Math.max(5, ...p.assets.map((a) => a.asset.length));
  out.push(`  ${'asset'.padEnd(width)}  ${'rows'.padStart(7)}  start       end         order`);
  for (const a of p.assets) {
    out.push(
      `  ${a.asset.padEnd(width)}  ${String(a.rows).padStart(7)}  ${a.start.padEnd(10)}  ${a.end.padEnd(10)}  ${a.order}`,
    );
  }
  for (const i of p.issues) {
    const where = [i.asset, i.column].filter(Boolean).join(' / ');
    out.push(
      `  ${i.severity}: ${plural(i.count, 'row')} ${i.message}${where ? ` [${where}]` : ''}${listLines(i.lines, i.count)}`,
    );
  }
  for (const n of p.notes) out.push(`  note: ${n}`);
  return out.join('\n');
}

/** Human-readable alignment report. */
export function formatAlignReport(a: AlignReport): string {
  const out: string[] = [];
  out.push(
    `panel: ${plural(a.assets.length, 'asset')} × ${plural(a.dates, 'date')}${a.dates ? ` ${a.start}..${a.end}` : ''} (${a.calendar}${a.adjusted ? ', adjusted by Adj Close' : ''})`,
  );
  const width = Math.max(5, ...a.assets.map((x) => x.asset.length));
  out.push(
    `  ${'asset'.padEnd(width)}  ${'rows'.padStart(7)}  ${'dropped'.padStart(7)}  ${'filled'.padStart(7)}  adjustment`,
  );
  for (const x of a.assets) {
    out.push(
      `  ${x.asset.padEnd(width)}  ${String(x.rows).padStart(7)}  ${String(x.droppedDates).padStart(7)}  ${String(x.filled).padStart(7)}  ${x.adjustment}`,
    );
  }
  for (const n of a.notes) out.push(`  note: ${n}`);
  return out.join('\n');
}
