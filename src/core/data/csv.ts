/**
 * CSV import: text in (whole, or streamed in chunks), cleaned per-asset series and a report out.
 * No configuration: the delimiter, header row, layout, date format and decimal mark are detected
 * per file, and every decision is written into the report.
 *
 * Layouts
 *   ohlcv  one asset per file (Yahoo `Date,Open,High,Low,Close,Adj Close,Volume`, investing.com
 *          `Date,Price,Open,High,Low,Vol.,Change %`, any column order); ticker from the file name
 *          (`BTC-USD.csv` → BTC-USD, `SPY_investing_com.csv` / `SPY Historical Data.csv` → SPY).
 *   long   a symbol/ticker column plus OHLCV (or just a price) columns.
 *   wide   a date column and one close column per ticker (`Date,AAPL,MSFT`).
 *
 * Streaming: PapaParse parses the text in pieces cut at row boundaries (quote-aware), so a
 * 100 MB file never needs one giant parse call and `onProgress` fires after every piece.
 * Line numbers assume no line breaks inside quoted fields (price files never have them).
 * In a worker: `importCsvStream(file.stream().pipeThrough(new TextDecoderStream()), { fileName: file.name,
 * totalBytes: file.size, onProgress })`; in Node: `importCsvStream(createReadStream(p, { encoding: 'utf8' }), …)`.
 */
import Papa from 'papaparse';
import { mapColumns, roleOfHeader, type ColumnRole } from './columns.ts';
import {
  DEFAULT_CENTURY_PIVOT,
  daysFromIso,
  isWeekend,
  isoFromDays,
  parseDateColumn,
  tokenizeDate,
} from './dates.ts';
import { detectDecimalComma, isMissingCell, parseNumberCell } from './numbers.ts';
import type {
  AssetImportSummary,
  AssetSeries,
  FileImportReport,
  ImportIssue,
  ImportResult,
  Layout,
  RowIssue,
  RowIssueCode,
  RowIssueSeverity,
} from './report.ts';

export interface ImportProgress {
  file: string;
  /** Characters consumed so far (≈ bytes for ASCII files). */
  bytesRead: number;
  /** Total size when known (`totalBytes` option or the whole text), else null. */
  totalBytes: number | null;
  rowsRead: number;
}

export interface CsvImportOptions {
  /** Shown in reports and errors; its base name gives the ticker of single-asset files. */
  fileName: string;
  /** Ticker for a single-asset file, instead of one derived from the file name. */
  asset?: string;
  /** Two-digit years below the pivot are 20xx, the rest 19xx. Default 50. */
  centuryPivot?: number;
  /** Day/month order of all-numeric dates; 'auto' (default) decides per file. */
  dateOrder?: 'auto' | 'MDY' | 'DMY';
  /**
   * Drop bogus non-trading days: flat prices (O = H = L = C) with no volume, on a weekend or with
   * an empty/'-' volume cell (investing.com writes such rows for holidays and weekends). Default true.
   * Flat no-volume weekday rows with an explicit 0 volume are kept and flagged (early index history).
   */
  dropNonTradingDays?: boolean;
  /** Line numbers listed per issue in the report. Default 20. */
  maxListedLines?: number;
  /** Characters parsed per PapaParse call. Default 1 MiB. */
  chunkSize?: number;
  /** Size of the whole input, for progress (known automatically for `importCsv`). */
  totalBytes?: number;
  /** Called after each parsed piece. */
  onProgress?: (p: ImportProgress) => void;
}

const SNIFF_CHARS = 64 * 1024;
const HEADER_SEARCH_ROWS = 30;
const SAMPLE_ROWS = 64;

/** Internal: aborts the import of one file with an issue. */
class ImportFailure extends Error {
  constructor(readonly issue: ImportIssue) {
    super(issue.message);
  }
}

/** Growable typed column. */
class F64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}
class I32 {
  a = new Int32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

const ISSUE_TEXT: Record<RowIssueCode, [RowIssueSeverity, string]> = {
  'bad-date': ['dropped', 'date not recognised'],
  'missing-close': ['dropped', 'without a close price'],
  'non-positive-close': ['dropped', 'with close ≤ 0'],
  'missing-symbol': ['dropped', 'without a symbol'],
  'duplicate-date': ['dropped', 'with a duplicate date (kept the last row of each date)'],
  'non-trading-day': [
    'dropped',
    "with flat prices and no volume on a weekend or with an empty/'-' volume (non-trading days)",
  ],
  'invalid-number': ['repaired', 'with a cell that is not a number (treated as missing)'],
  'filled-ohl': ['repaired', 'with a missing open/high/low (set to close)'],
  'non-positive-ohl': ['repaired', 'with an open/high/low ≤ 0 (set to close)'],
  'high-below-low': ['suspicious', 'with high < low (range widened to cover open, high, low, close)'],
  'ohlc-outside-range': ['repaired', 'with open or close outside [low, high] (range widened)'],
  'flat-no-volume': ['suspicious', 'with flat prices (open = high = low = close) and no volume'],
  'missing-volume': ['repaired', 'with missing volume (set to 0)'],
  'negative-volume': ['repaired', 'with negative volume (set to 0)'],
  'empty-cell': ['info', 'with an empty cell (no price for that asset on that date)'],
  'short-row': ['suspicious', 'with fewer fields than the header (missing cells treated as missing)'],
  'long-row': ['suspicious', 'with more fields than the header (extra cells ignored)'],
  'parse-error': ['suspicious', 'with a CSV syntax problem (e.g. unbalanced quotes)'],
};

class IssueLog {
  private groups = new Map<string, RowIssue>();
  constructor(private maxLines: number) {}
  add(code: RowIssueCode, line: number, asset?: string, column?: string): void {
    const key = `${code}\u0000${asset ?? ''}\u0000${column ?? ''}`;
    let g = this.groups.get(key);
    if (!g) {
      const [severity, message] = ISSUE_TEXT[code];
      g = { code, severity, message, count: 0, lines: [] };
      if (asset !== undefined) g.asset = asset;
      if (column !== undefined) g.column = column;
      this.groups.set(key, g);
    }
    g.count++;
    if (g.lines.length < this.maxLines) g.lines.push(line);
  }
  list(): RowIssue[] {
    const rank: Record<RowIssueSeverity, number> = { dropped: 0, suspicious: 1, repaired: 2, info: 3 };
    return [...this.groups.values()].sort((a, b) => rank[a.severity] - rank[b.severity]);
  }
}

/** Ticker from a file name: base name without extension, up to the first '_' or space. */
export function tickerFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = base.replace(/(\.(csv|tsv|txt|dat|gz))+$/i, '');
  const head = stem.split(/[_\s]/)[0];
  return head || stem || 'ASSET';
}

function quoteAwareLastNewline(s: string): number {
  if (s.indexOf('"') < 0) return s.lastIndexOf('\n');
  let pos = 0;
  let last = -1;
  for (;;) {
    const q = s.indexOf('"', pos);
    if (q < 0) {
      const nl = s.lastIndexOf('\n');
      return nl >= pos ? nl : last;
    }
    const nl = s.lastIndexOf('\n', q);
    if (nl >= pos) last = nl;
    const close = s.indexOf('"', q + 1);
    if (close < 0) return last;
    pos = close + 1;
  }
}

interface RawRow {
  cells: string[];
  line: number;
}

/**
 * Incremental importer: `push(text)` any number of times, then `end()`. Never throws: a file
 * that cannot be imported ends as `{ ok: false, error }`.
 */
export class CsvImporter {
  private readonly opts: Required<
    Pick<
      CsvImportOptions,
      'centuryPivot' | 'dateOrder' | 'dropNonTradingDays' | 'maxListedLines' | 'chunkSize'
    >
  > &
    CsvImportOptions;
  private readonly started = Date.now();
  private failure: ImportIssue | null = null;
  private pending = '';
  private sniffed = false;
  private bytesRead = 0;
  private lineNo = 0;
  private rowsRead = 0;
  private crOnly = false;
  private newline: 'LF' | 'CRLF' | 'CR' = 'LF';
  private bom = false;
  private delimiter = ',';
  private decimalComma = false;
  private issues: IssueLog;
  private notes: string[] = [];
  // Rows held until the header and a sample of data rows are seen.
  private held: RawRow[] = [];
  private header: string[] | null = null;
  private headerLine = 0;
  private configured = false;
  private layout: Layout = 'ohlcv';
  private roles: Partial<Record<ColumnRole, number>> = {};
  private columnUse: { header: string; use: string }[] = [];
  private tickerCols: number[] = [];
  private tickers: string[] = [];
  private assetSource: FileImportReport['assetSource'] = 'file name';
  // Column store.
  // Strict ISO dates become day numbers at once (no strings kept); other cells wait for the
  // whole-file format decision in `finish`.
  private isoDays = new F64();
  private otherDates: string[] = [];
  private otherRows = new I32();
  private lines = new I32();
  private cols: Partial<Record<'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume', F64>> = {};
  private sym = new I32();
  private symbols: string[] = [];
  private symIndex = new Map<string, number>();
  private wide: F64[] = [];

  constructor(options: CsvImportOptions) {
    this.opts = {
      centuryPivot: DEFAULT_CENTURY_PIVOT,
      dateOrder: 'auto',
      dropNonTradingDays: true,
      maxListedLines: 20,
      chunkSize: 1 << 20,
      ...options,
    };
    this.issues = new IssueLog(this.opts.maxListedLines);
  }

  private fail(line: number, column: number, message: string): never {
    throw new ImportFailure({ file: this.opts.fileName, line, column, message });
  }

  /** Feeds the next piece of text. */
  push(text: string): void {
    if (this.failure) return;
    try {
      this.bytesRead += text.length;
      this.pending += this.crOnly ? text.replace(/\r/g, '\n') : text;
      if (!this.sniffed) {
        if (this.pending.length < Math.max(4096, Math.min(SNIFF_CHARS, this.opts.chunkSize))) return;
        this.sniff(false);
      }
      while (this.pending.length >= this.opts.chunkSize) {
        const cut = quoteAwareLastNewline(this.pending);
        if (cut < 0) break;
        const piece = this.pending.slice(0, cut);
        this.pending = this.pending.slice(cut + 1);
        this.parsePiece(piece);
      }
    } catch (err) {
      this.catch(err);
    }
  }

  /** Finishes the file and returns the result. */
  end(): ImportResult {
    if (!this.failure) {
      try {
        if (!this.sniffed) this.sniff(true);
        if (this.pending.length > 0) {
          const piece = this.pending;
          this.pending = '';
          this.parsePiece(piece);
        }
        if (!this.configured) this.configure(true);
        const series = this.finish();
        return { ok: true, file: this.opts.fileName, series: series.series, report: series.report };
      } catch (err) {
        this.catch(err);
      }
    }
    return { ok: false, file: this.opts.fileName, error: this.failure! };
  }

  private catch(err: unknown): void {
    if (err instanceof ImportFailure) this.failure = err.issue;
    else {
      const message = err instanceof Error ? err.message : String(err);
      this.failure = {
        file: this.opts.fileName,
        line: Math.max(1, this.lineNo),
        column: 1,
        message: `import failed: ${message}`,
      };
    }
  }

  /** BOM, binary junk, newline style and delimiter, from the first characters. */
  private sniff(atEnd: boolean): void {
    this.sniffed = true;
    let s = this.pending;
    if (s.charCodeAt(0) === 0xfeff) {
      this.bom = true;
      s = s.slice(1);
    }
    if (s.trim() === '') this.fail(1, 1, 'empty file: no header and no data rows');
    this.checkBinary(s);
    const lf = s.indexOf('\n');
    if (lf < 0 && s.indexOf('\r') >= 0) {
      this.crOnly = true;
      this.newline = 'CR';
      s = s.replace(/\r/g, '\n');
    } else if (lf > 0 && s.charCodeAt(lf - 1) === 13) this.newline = 'CRLF';
    this.pending = s;
    this.delimiter = detectDelimiter(atEnd ? s : s.slice(0, Math.max(0, s.lastIndexOf('\n'))));
  }

  private checkBinary(s: string): void {
    const n = Math.min(s.length, 8192);
    let bad = 0;
    let line = 1;
    let col = 1;
    let firstBad: [number, number] | null = null;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) {
        line++;
        col = 1;
        continue;
      }
      if ((c < 32 && c !== 9 && c !== 13) || c === 0xfffd) {
        bad++;
        if (!firstBad) firstBad = [line, col];
      }
      col++;
    }
    if (c0(s) === 0 || bad > Math.max(2, n * 0.01)) {
      const [l, c] = firstBad ?? [1, 1];
      this.fail(l, c, `not a text CSV file: ${bad} binary/control characters in the first ${n} characters`);
    }
  }

  private parsePiece(raw: string): void {
    // Pieces are cut after '\n'; with CRLF the '\r' of the cut line is still at the end.
    const piece = this.newline === 'CRLF' && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (piece.length === 0) {
      this.lineNo++;
      return;
    }
    const res = Papa.parse<string[]>(piece, {
      delimiter: this.delimiter,
      newline: this.newline === 'CRLF' ? '\r\n' : '\n',
      quoteChar: '"',
      header: false,
      skipEmptyLines: false,
      dynamicTyping: false,
    });
    const base = this.lineNo;
    for (const e of res.errors) {
      if (e.row !== undefined && e.code !== 'UndetectableDelimiter')
        this.issues.add('parse-error', base + e.row + 1);
    }
    const rows = res.data;
    for (let r = 0; r < rows.length; r++) {
      const cells = rows[r];
      const line = base + r + 1;
      if (cells.length === 1 && cells[0].trim() === '') continue;
      if (!this.configured) {
        this.held.push({ cells, line });
        if (this.header === null) {
          if (this.held.length >= HEADER_SEARCH_ROWS) this.findHeader();
        } else if (this.held.length >= SAMPLE_ROWS) this.configure(false);
        continue;
      }
      this.addRow(cells, line);
    }
    // A piece ending in CRLF leaves its last '\r' inside the piece; lines are counted by rows.
    this.lineNo = base + rows.length;
    this.opts.onProgress?.({
      file: this.opts.fileName,
      bytesRead: this.bytesRead - this.pending.length,
      totalBytes: this.opts.totalBytes ?? null,
      rowsRead: this.rowsRead,
    });
  }

  /** Picks the header row among the held rows; the rest stay held as the data sample. */
  private findHeader(): void {
    const rows = this.held;
    let at = rows.findIndex((r) => r.cells.some((c) => roleOfHeader(c) === 'date'));
    let dateByContent = -1;
    if (at < 0) {
      // A header whose date column has no usable name ('', 'Unnamed: 0', 'Datum'): find it by content.
      for (let i = 0; i < rows.length - 1 && at < 0; i++) {
        const cells = rows[i].cells;
        const textual = cells.filter(
          (c) => c.trim() !== '' && Number.isNaN(parseNumberCell(c)) && !looksLikeDate(c),
        ).length;
        if (cells.length < 2 || textual < cells.length / 2) continue;
        const next = rows[i + 1].cells;
        const col = next.findIndex((c) => looksLikeDate(c));
        if (col >= 0) {
          at = i;
          dateByContent = col;
        }
      }
    }
    if (at < 0) {
      const first = rows[0];
      if (!first) this.fail(1, 1, 'empty file: no header and no data rows');
      if (first.cells.some((c) => looksLikeDate(c))) {
        this.fail(
          first.line,
          1,
          'no header row: the first line is already data; add a header such as Date,Open,High,Low,Close,Volume',
        );
      }
      this.fail(
        first.line,
        1,
        `no date column: the header (${first.cells
          .slice(0, 8)
          .map((c) => `'${c.trim()}'`)
          .join(', ')}) names no date column (expected Date, Time or Timestamp)`,
      );
    }
    if (at > 0)
      this.notes.push(`skipped ${at} line(s) before the header (lines ${rows[0].line}–${rows[at - 1].line})`);
    this.header = rows[at].cells.map((c) => c.trim());
    this.headerLine = rows[at].line;
    this.held = rows.slice(at + 1);
    if (dateByContent >= 0) {
      this.roles.date = dateByContent;
      this.notes.push(
        `date column found by its content: column ${dateByContent + 1} ('${this.header[dateByContent]}')`,
      );
    }
  }

  /** Decides layout, columns and decimal mark from the header and the held sample, then flushes it. */
  private configure(atEnd: boolean): void {
    if (this.header === null) {
      if (!atEnd) return;
      this.findHeader();
    }
    const header = this.header!;
    const map = mapColumns(header);
    const roles = { ...map.roles, ...this.roles };
    if (this.roles.date !== undefined) {
      // The date column was found by content: drop any name-based claim on that index.
      for (const k of Object.keys(roles) as ColumnRole[])
        if (k !== 'date' && roles[k] === this.roles.date) delete roles[k];
    }
    const sample = this.held.slice(0, SAMPLE_ROWS);
    const use: string[] = header.map(() => 'ignored');
    const dateCol = roles.date!;
    use[dateCol] = 'date';
    const line = this.headerLine;
    const closeNames = 'Close, Price, Last or Adj Close';
    if (roles.close === undefined && roles.adjClose !== undefined) {
      roles.close = roles.adjClose;
      delete roles.adjClose;
      this.notes.push(`no Close column: used '${header[roles.close]}' as close`);
    }
    let layout: Layout;
    if (roles.symbol !== undefined) {
      layout = 'long';
      if (roles.close === undefined)
        this.fail(
          line,
          1,
          `no price column: long layout with a '${header[roles.symbol]}' column needs a ${closeNames} column`,
        );
      this.assetSource = 'symbol column';
    } else if (
      roles.close !== undefined ||
      roles.open !== undefined ||
      roles.high !== undefined ||
      roles.low !== undefined
    ) {
      layout = 'ohlcv';
      if (roles.close === undefined)
        this.fail(line, 1, `no price column: found open/high/low but no ${closeNames} column`);
      this.assetSource = this.opts.asset ? 'option' : 'file name';
      this.tickers = [this.opts.asset ?? tickerFromFileName(this.opts.fileName)];
    } else {
      layout = 'wide';
      this.assetSource = 'header';
      const candidates = map.unknown.filter((i) => i !== dateCol);
      for (const i of candidates) {
        let num = 0;
        let bad = 0;
        for (const r of sample) {
          const c = r.cells[i];
          if (c === undefined || isMissingCell(c)) continue;
          if (Number.isNaN(parseNumberCell(c, false)) && Number.isNaN(parseNumberCell(c, true))) bad++;
          else num++;
        }
        if (num > 0 && num >= 4 * bad) {
          this.tickerCols.push(i);
          this.tickers.push(header[i] || `col${i + 1}`);
        }
      }
      if (this.tickerCols.length === 0) {
        this.fail(
          line,
          1,
          `no price column: expected ${closeNames}, or numeric ticker columns (wide layout); header is ${header.map((h) => `'${h}'`).join(', ')}`,
        );
      }
    }
    this.layout = layout;
    for (const k of ['symbol', 'open', 'high', 'low', 'close', 'adjClose', 'volume'] as const) {
      const i = roles[k];
      if (i !== undefined && (layout !== 'wide' || k === 'volume'))
        use[i] = k === 'adjClose' ? 'adj close' : k;
    }
    if (layout === 'wide') {
      // A lone volume column cannot be told apart between tickers.
      if (roles.volume !== undefined) use[roles.volume] = 'ignored';
      delete roles.volume;
      this.tickerCols.forEach((i, k) => (use[i] = `ticker:${this.tickers[k]}`));
    }
    this.roles = roles;
    this.columnUse = header.map((h, i) => ({ header: h || `(column ${i + 1})`, use: use[i] }));

    // Decimal mark: from the sample's value cells.
    const valueCols =
      layout === 'wide'
        ? this.tickerCols
        : (['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const)
            .map((k) => roles[k])
            .filter((i): i is number => i !== undefined);
    const cells: string[] = [];
    for (const r of sample) for (const i of valueCols) if (r.cells[i] !== undefined) cells.push(r.cells[i]);
    this.decimalComma = detectDecimalComma(cells, this.delimiter);

    if (layout === 'wide') this.wide = this.tickerCols.map(() => new F64());
    else {
      for (const k of ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const)
        if (roles[k] !== undefined) this.cols[k] = new F64();
    }
    if (layout !== 'wide' && roles.volume === undefined) this.notes.push('no volume column: volume is 0');
    this.configured = true;
    const held = this.held;
    this.held = [];
    for (const r of held) this.addRow(r.cells, r.line);
  }

  private num(cells: string[], i: number, line: number, asset: string | undefined): number {
    const s = cells[i];
    if (s === undefined) return NaN;
    const v = parseNumberCell(s, this.decimalComma);
    if (v !== v && !isMissingCell(s)) this.issues.add('invalid-number', line, asset, this.header![i]);
    return v;
  }

  private addRow(cells: string[], line: number): void {
    this.rowsRead++;
    const header = this.header!;
    if (cells.length < header.length) this.issues.add('short-row', line);
    else if (cells.length > header.length) this.issues.add('long-row', line);
    const roles = this.roles;
    if (this.layout === 'wide') {
      this.pushDate(cells[roles.date!]);
      this.lines.push(line);
      for (let k = 0; k < this.tickerCols.length; k++) {
        this.wide[k].push(this.num(cells, this.tickerCols[k], line, this.tickers[k]));
      }
      return;
    }
    let asset: string | undefined;
    if (this.layout === 'long') {
      const name = (cells[roles.symbol!] ?? '').trim();
      if (name === '') {
        this.issues.add('missing-symbol', line, undefined, header[roles.symbol!]);
        return;
      }
      let idx = this.symIndex.get(name);
      if (idx === undefined) {
        idx = this.symbols.length;
        this.symbols.push(name);
        this.symIndex.set(name, idx);
      }
      this.sym.push(idx);
      asset = name;
    }
    this.pushDate(cells[roles.date!]);
    this.lines.push(line);
    const c = this.cols;
    if (c.open) c.open.push(this.num(cells, roles.open!, line, asset));
    if (c.high) c.high.push(this.num(cells, roles.high!, line, asset));
    if (c.low) c.low.push(this.num(cells, roles.low!, line, asset));
    c.close!.push(this.num(cells, roles.close!, line, asset));
    if (c.adjClose) c.adjClose.push(this.num(cells, roles.adjClose!, line, asset));
    if (c.volume) c.volume.push(this.num(cells, roles.volume!, line, asset));
  }

  private pushDate(cell: string | undefined): void {
    const s = cell === undefined ? '' : cell.length === 10 ? cell : cell.trim();
    const d = daysFromIso(s);
    if (d !== d) {
      this.otherRows.push(this.isoDays.n);
      this.otherDates.push(s);
    }
    this.isoDays.push(d);
  }

  /** Day number per stored row, with one date-format decision for all non-ISO cells. */
  private resolveDates(): {
    days: Float64Array;
    format: string;
    order: 'MDY' | 'DMY' | null;
    twoDigit: number;
  } {
    const n = this.isoDays.n;
    const days = this.isoDays.a.subarray(0, n);
    const m = this.otherDates.length;
    if (m === 0) return { days, format: 'YYYY-MM-DD', order: null, twoDigit: 0 };
    const { days: other, decision } = parseDateColumn(this.otherDates, {
      centuryPivot: this.opts.centuryPivot,
      order: this.opts.dateOrder,
    });
    const rows = this.otherRows.a;
    let valid = 0;
    for (let j = 0; j < m; j++) {
      days[rows[j]] = other[j];
      if (other[j] === other[j]) valid++;
    }
    this.notes.push(...decision.notes);
    const iso = n - m;
    if (iso > 0 && valid > 0)
      this.notes.push(`mixed date formats: ${iso} rows YYYY-MM-DD, ${valid} rows ${decision.format}`);
    return {
      days,
      format: iso > valid ? 'YYYY-MM-DD' : decision.format,
      order: decision.order,
      twoDigit: decision.twoDigitYears,
    };
  }

  private finish(): { series: AssetSeries[]; report: FileImportReport } {
    const n = this.isoDays.n;
    if (this.rowsRead === 0) this.fail(this.headerLine + 1, 1, 'no data rows after the header');
    const { days, format, order, twoDigit } = this.resolveDates();
    const isoCache: IsoCache = { min: Infinity, names: [] };
    for (let r = 0; r < n; r++) if (days[r] < isoCache.min) isoCache.min = days[r];
    const series: AssetSeries[] = [];
    const summaries: AssetImportSummary[] = [];
    const lines = this.lines.a;
    if (this.layout === 'wide') {
      for (let k = 0; k < this.tickers.length; k++) {
        const col = this.wide[k].a;
        const rows: number[] = [];
        for (let r = 0; r < n; r++) {
          if (col[r] !== col[r])
            this.issues.add('empty-cell', lines[r], this.tickers[k], this.header![this.tickerCols[k]]);
          else rows.push(r);
        }
        const closeOnly = { close: col };
        this.buildAsset(this.tickers[k], Int32Array.from(rows), days, closeOnly, isoCache, series, summaries);
      }
    } else if (this.layout === 'long') {
      const groups: number[][] = this.symbols.map(() => []);
      const sym = this.sym.a;
      for (let r = 0; r < n; r++) groups[sym[r]].push(r);
      const cols = this.columnArrays();
      this.symbols.forEach((name, k) =>
        this.buildAsset(name, Int32Array.from(groups[k]), days, cols, isoCache, series, summaries),
      );
    } else {
      const rows = new Int32Array(n);
      for (let r = 0; r < n; r++) rows[r] = r;
      this.buildAsset(this.tickers[0], rows, days, this.columnArrays(), isoCache, series, summaries);
    }
    const issues = this.issues.list();
    const rowsKept = summaries.reduce((s, a) => s + a.rows, 0);
    if (rowsKept === 0) {
      const worst = issues.filter((i) => i.severity === 'dropped').sort((a, b) => b.count - a.count)[0];
      const col = worst?.column
        ? this.header!.indexOf(worst.column) + 1
        : worst?.code === 'bad-date'
          ? this.roles.date! + 1
          : 1;
      this.fail(
        worst?.lines[0] ?? this.headerLine + 1,
        Math.max(1, col),
        `no usable rows: all ${this.rowsRead} data rows were dropped${worst ? ` (e.g. ${worst.count} ${worst.message}${worst.code === 'bad-date' && this.otherDates.length ? `: '${this.otherDates[0]}'` : ''})` : ''}`,
      );
    }
    const report: FileImportReport = {
      file: this.opts.fileName,
      bytes: this.bytesRead,
      layout: this.layout,
      delimiter: this.delimiter,
      newline: this.newline,
      bom: this.bom,
      decimalComma: this.decimalComma,
      headerLine: this.headerLine,
      columns: this.columnUse,
      assetSource: this.assetSource,
      dateFormat: format,
      dateOrder: order,
      twoDigitYears: twoDigit > 0 ? { count: twoDigit, pivot: this.opts.centuryPivot } : null,
      rowsRead: this.rowsRead,
      rowsKept,
      rowsDropped: issues.filter((i) => i.severity === 'dropped').reduce((s, i) => s + i.count, 0),
      assets: summaries,
      issues,
      notes: this.notes,
      elapsedMs: Date.now() - this.started,
    };
    return { series, report };
  }

  private columnArrays(): ColumnArrays {
    const c = this.cols;
    return {
      open: c.open?.a,
      high: c.high?.a,
      low: c.low?.a,
      close: c.close!.a,
      adjClose: c.adjClose?.a,
      volume: c.volume?.a,
    };
  }

  /** Validates, repairs, sorts and de-duplicates one asset's rows (see ISSUE_TEXT for every rule). */
  private buildAsset(
    asset: string,
    rows: Int32Array,
    days: Float64Array,
    cols: ColumnArrays,
    isoCache: IsoCache,
    out: AssetSeries[],
    summaries: AssetImportSummary[],
  ): void {
    const issues = this.issues;
    const lines = this.lines.a;
    const header = this.header!;
    const roles = this.roles;
    const tag = this.layout === 'ohlcv' ? undefined : asset;
    const dateName = header[roles.date!];
    const closeName = this.layout === 'wide' ? undefined : header[roles.close!];
    const hasOhl = cols.open !== undefined && cols.high !== undefined && cols.low !== undefined;
    const m = rows.length;
    const O = new Float64Array(m);
    const H = new Float64Array(m);
    const L = new Float64Array(m);
    const C = new Float64Array(m);
    const V = new Float64Array(m);
    const A = cols.adjClose ? new Float64Array(m) : null;
    const D = new Float64Array(m);
    const src = new Int32Array(m);
    let k = 0;
    let missingVolume = 0;
    for (let j = 0; j < m; j++) {
      const r = rows[j];
      const line = lines[r];
      const day = days[r];
      if (day !== day) {
        issues.add('bad-date', line, tag, dateName);
        continue;
      }
      const c = cols.close[r];
      if (c !== c) {
        issues.add('missing-close', line, tag, closeName);
        continue;
      }
      if (c <= 0) {
        issues.add('non-positive-close', line, tag, closeName);
        continue;
      }
      let o = cols.open ? cols.open[r] : c;
      let h = cols.high ? cols.high[r] : c;
      let l = cols.low ? cols.low[r] : c;
      let filled = false;
      if (o !== o || h !== h || l !== l) {
        if (o !== o && cols.open) issues.add('filled-ohl', line, tag, header[roles.open!]);
        if (h !== h && cols.high) issues.add('filled-ohl', line, tag, header[roles.high!]);
        if (l !== l && cols.low) issues.add('filled-ohl', line, tag, header[roles.low!]);
        if (o !== o) o = c;
        if (h !== h) h = c;
        if (l !== l) l = c;
        filled = true;
      }
      if (o <= 0 || h <= 0 || l <= 0) {
        if (o <= 0) issues.add('non-positive-ohl', line, tag, header[roles.open!]);
        if (h <= 0) issues.add('non-positive-ohl', line, tag, header[roles.high!]);
        if (l <= 0) issues.add('non-positive-ohl', line, tag, header[roles.low!]);
        if (o <= 0) o = c;
        if (h <= 0) h = c;
        if (l <= 0) l = c;
        filled = true;
      }
      let v = cols.volume ? cols.volume[r] : 0;
      const volumeMissing = cols.volume !== undefined && v !== v;
      if (hasOhl && !filled && o === h && h === l && l === c && !(v > 0)) {
        // A quote carried onto a day without trading: flat, no volume, and a weekend or an empty/'-' volume cell.
        if (this.opts.dropNonTradingDays && (isWeekend(day) || volumeMissing)) {
          issues.add('non-trading-day', line, tag);
          continue;
        }
        issues.add('flat-no-volume', line, tag);
      }
      if (volumeMissing) {
        issues.add('missing-volume', line, tag);
        missingVolume++;
        v = 0;
      } else if (v < 0) {
        issues.add('negative-volume', line, tag);
        v = 0;
      }
      if (h < l) issues.add('high-below-low', line, tag);
      const hi = Math.max(o, h, l, c);
      const lo = Math.min(o, h, l, c);
      if (h >= l && (hi !== h || lo !== l)) issues.add('ohlc-outside-range', line, tag);
      O[k] = o;
      H[k] = hi;
      L[k] = lo;
      C[k] = c;
      V[k] = v;
      if (A) A[k] = cols.adjClose![r];
      D[k] = day;
      src[k] = r;
      k++;
    }
    // Order: keep file order when ascending; reverse newest-first files; sort anything else.
    let up = 0;
    let down = 0;
    for (let j = 1; j < k; j++) {
      if (D[j] > D[j - 1]) up++;
      else if (D[j] < D[j - 1]) down++;
    }
    const order: AssetImportSummary['order'] =
      down === 0 ? 'ascending' : up === 0 ? 'descending' : 'unsorted';
    let idx: Int32Array = new Int32Array(k);
    for (let j = 0; j < k; j++) idx[j] = j;
    if (order === 'descending') idx.reverse();
    else if (order === 'unsorted')
      idx = Int32Array.from(Array.from(idx).sort((a, b) => D[a] - D[b] || src[a] - src[b]));
    // Duplicates: keep the last row of each date in file order.
    const keep: number[] = [];
    for (let j = 0; j < k; j++) {
      const cur = idx[j];
      const next = j + 1 < k ? idx[j + 1] : -1;
      if (next >= 0 && D[next] === D[cur]) {
        // Same date as the next (sorted) row: the later one in the file wins.
        if (src[next] > src[cur]) {
          issues.add('duplicate-date', lines[src[cur]], tag, dateName);
          continue;
        }
        // cur is later in the file than next: swap roles so cur survives.
        issues.add('duplicate-date', lines[src[next]], tag, dateName);
        idx[j + 1] = cur;
        continue;
      }
      keep.push(cur);
    }
    const t = keep.length;
    const s: AssetSeries = {
      asset,
      dates: new Array<string>(t),
      open: new Float64Array(t),
      high: new Float64Array(t),
      low: new Float64Array(t),
      close: new Float64Array(t),
      volume: new Float64Array(t),
      adjClose: A ? new Float64Array(t) : null,
    };
    for (let j = 0; j < t; j++) {
      const q = keep[j];
      const d = D[q];
      const slot = d - isoCache.min;
      let iso = isoCache.names[slot];
      if (iso === undefined) {
        iso = isoFromDays(d);
        isoCache.names[slot] = iso;
      }
      s.dates[j] = iso;
      s.open[j] = O[q];
      s.high[j] = H[q];
      s.low[j] = L[q];
      s.close[j] = C[q];
      s.volume[j] = V[q];
      if (A) s.adjClose![j] = A[q];
    }
    if (order === 'descending' && t > 1)
      this.notes.push(`${asset}: rows were newest-first; re-sorted oldest-first`);
    if (order === 'unsorted') this.notes.push(`${asset}: rows were not in date order; sorted by date`);
    if (A) {
      let bad = 0;
      for (let j = 0; j < t; j++) if (!(s.adjClose![j] > 0)) bad++;
      if (bad > 0)
        this.notes.push(`${asset}: ${bad} rows have no usable Adj Close (adjustment leaves them unadjusted)`);
    }
    if (t > 0) out.push(s);
    summaries.push({
      asset,
      rows: t,
      start: t ? s.dates[0] : '',
      end: t ? s.dates[t - 1] : '',
      order,
      hasAdjClose: A !== null,
      missingVolume,
    });
  }
}

/** ISO strings by day number − min, shared by every asset of a file (one string per distinct date). */
interface IsoCache {
  min: number;
  names: string[];
}

interface ColumnArrays {
  open?: Float64Array;
  high?: Float64Array;
  low?: Float64Array;
  close: Float64Array;
  adjClose?: Float64Array;
  volume?: Float64Array;
}

function c0(s: string): number {
  return s.length ? s.charCodeAt(0) : -1;
}

function looksLikeDate(cell: string): boolean {
  const s = cell.trim();
  if (s === '') return false;
  if (daysFromIso(s) === daysFromIso(s)) return true;
  const t = tokenizeDate(s);
  // Bare numbers (prices, volumes) are not dates here, even when they would read as epoch seconds.
  return (
    t.shape !== 0 && t.shape !== 5 && t.shape !== 6 && (Number.isNaN(parseNumberCell(s)) || /^\d{8}$/.test(s))
  );
}

/**
 * Delimiter whose field count is most consistent over the first lines (outside quotes);
 * ties prefer the header line's count, then the order , ; tab |.
 */
export function detectDelimiter(text: string): string {
  const lines = text.split('\n', 40).filter((l) => l.trim() !== '');
  let best = ',';
  let bestScore = -Infinity;
  for (const d of [',', ';', '\t', '|']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    if (counts.length === 0 || counts[0] === 0) continue;
    const mode = counts[0];
    const agree = counts.filter((c) => c === mode).length / counts.length;
    const score = agree * 1000 + Math.min(mode, 50);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') inQ = !inQ;
    else if (ch === d && !inQ) n++;
  }
  return n;
}

/** Imports a whole CSV text. Never throws. */
export function importCsv(text: string, options: CsvImportOptions): ImportResult {
  const imp = new CsvImporter({ totalBytes: text.length, ...options });
  const step = options.chunkSize ?? 1 << 20;
  for (let i = 0; i < text.length; i += step) imp.push(text.slice(i, i + step));
  return imp.end();
}

/**
 * Imports a CSV from text chunks (a Node read stream with an encoding, a `TextDecoderStream`'s
 * readable, or any iterable of strings). Never rejects for bad input.
 */
export async function importCsvStream(
  chunks: AsyncIterable<string> | Iterable<string> | ReadableStream<string>,
  options: CsvImportOptions,
): Promise<ImportResult> {
  const imp = new CsvImporter(options);
  try {
    if (typeof (chunks as ReadableStream<string>).getReader === 'function') {
      const reader = (chunks as ReadableStream<string>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        imp.push(value);
      }
    } else {
      for await (const chunk of chunks as AsyncIterable<string>) imp.push(chunk);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      file: options.fileName,
      error: { file: options.fileName, line: 1, column: 1, message: `cannot read: ${message}` },
    };
  }
  return imp.end();
}

/** One input of `importMany`: a name and its text. */
export interface NamedText {
  name: string;
  text: string;
}

/**
 * Imports several files; one bad file never loses the others (each gets its own result).
 * Duplicate tickers across files are renamed `NAME_2`, `NAME_3`… and noted in that file's report.
 */
export function importMany(
  files: readonly NamedText[],
  options: Omit<CsvImportOptions, 'fileName' | 'asset' | 'totalBytes'> = {},
): ImportResult[] {
  const results = files.map((f) => importCsv(f.text, { ...options, fileName: f.name }));
  dedupeAssetNames(results);
  return results;
}

/** Renames assets that appear in more than one successful result (in place); returns the renames. */
export function dedupeAssetNames(results: ImportResult[]): string[] {
  const seen = new Map<string, number>();
  const notes: string[] = [];
  for (const r of results) {
    if (!r.ok) continue;
    for (const s of r.series) {
      const n = seen.get(s.asset) ?? 0;
      seen.set(s.asset, n + 1);
      if (n > 0) {
        let name = `${s.asset}_${n + 1}`;
        while (seen.has(name)) name += '_';
        seen.set(name, 1);
        const note = `asset ${s.asset} already came from another source: renamed ${name}`;
        r.report.notes.push(note);
        const sum = r.report.assets.find((a) => a.asset === s.asset);
        if (sum) sum.asset = name;
        s.asset = name;
        notes.push(note);
      }
    }
  }
  return notes;
}
