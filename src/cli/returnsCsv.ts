/**
 * Reads a returns series from a CSV file for `lab metrics`: one column of simple returns per
 * period (header `returns`, `return`, `ret`, `pnl`, … or the only non-date column, or chosen with
 * `column`), and an optional date column (`date`, `datetime`, `timestamp`, …). A file without a
 * header row holding a single numeric column also works. Cells like `1.5%` are 0.015; missing
 * markers (empty, `NaN`, `-`, `N/A`) are NaN periods (skipped by means, flat when compounding, as
 * empyrical does). Anything else unusable is a UsageError naming the file, line and column.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { detectDelimiter } from '../core/data/csv.ts';
import { parseDateColumn, isoFromDays } from '../core/data/dates.ts';
import { detectDecimalComma, isMissingCell, parseNumberCell } from '../core/data/numbers.ts';
import { UsageError } from './errors.ts';

export interface ReturnsSeries {
  returns: Float64Array;
  /** ISO dates aligned with the returns, or null when the file has no date column. */
  dates: string[] | null;
  /** Header of the returns column ('' when the file has no header). */
  column: string;
}

const DATE_HEADERS = /^(date|dates|datetime|time|timestamp|day|period|month)$/;
const RETURN_HEADERS =
  /^(returns?|rets?|r|daily_?returns?|strategy(_?returns?)?|portfolio(_?returns?)?|pnl|pct_?change|change)$/;

export interface ReadReturnsOptions {
  /** Header of the returns column (case-insensitive). */
  column?: string;
  /** Header of the date column (case-insensitive). */
  dateColumn?: string;
}

export function parseReturnsCsv(text: string, file: string, opts: ReadReturnsOptions = {}): ReturnsSeries {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new UsageError(`${file}: not a text CSV file (binary data)`);
  // The importer's delimiter detection: Papa's own guess picks ',' in `date;0,015` files.
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: detectDelimiter(text) });
  const rows = parsed.data;
  // Row i of the parse is line i + 1 (papaparse keeps empty lines when asked not to skip them).
  const lineOf = (row: number) => row + 1;
  const isBlank = (row: string[]) => row.every((c) => c.trim() === '');
  const first = rows.findIndex((r) => !isBlank(r));
  if (first < 0) throw new UsageError(`${file}: the file is empty`);

  const headerCells = rows[first].map((c) => c.trim());
  const hasHeader = headerCells.some(
    (c) => c !== '' && Number.isNaN(parseNumberCell(c)) && !isMissingCell(c),
  );
  const names = hasHeader
    ? headerCells.map((c) => c.toLowerCase())
    : headerCells.map((_, i) => `column ${i + 1}`);
  const dataStart = hasHeader ? first + 1 : first;

  const find = (wanted: string, what: string): number => {
    const i = names.indexOf(wanted.trim().toLowerCase());
    if (i < 0)
      throw new UsageError(`${file}: no ${what} column '${wanted}' (columns: ${headerCells.join(', ')})`);
    return i;
  };
  let dateCol = opts.dateColumn
    ? find(opts.dateColumn, 'date')
    : hasHeader
      ? names.findIndex((n) => DATE_HEADERS.test(n))
      : -1;
  let retCol: number;
  if (opts.column) retCol = find(opts.column, 'returns');
  else {
    retCol = hasHeader ? names.findIndex((n) => RETURN_HEADERS.test(n.replace(/[\s-]+/g, '_'))) : -1;
    if (retCol < 0) {
      const others = names.map((_, i) => i).filter((i) => i !== dateCol);
      if (others.length !== 1) {
        throw new UsageError(
          `${file}: cannot tell which column holds the returns (${headerCells.join(', ')}); name it 'returns' or pass --column`,
        );
      }
      retCol = others[0];
    }
  }
  if (dateCol === retCol) dateCol = -1;
  const colName = (i: number) => (hasHeader ? `'${headerCells[i]}'` : `${i + 1}`);

  // `;`-delimited exports may write decimal commas (0,015): decide once per file, as the importer does.
  const sample: string[] = [];
  for (let r = dataStart; r < rows.length && sample.length < 200; r++)
    if (rows[r][retCol]) sample.push(rows[r][retCol]);
  const decimalComma = detectDecimalComma(sample, parsed.meta.delimiter);

  const values: number[] = [];
  const dateCells: string[] = [];
  const dateLines: number[] = [];
  for (let r = dataStart; r < rows.length; r++) {
    const row = rows[r];
    if (isBlank(row)) continue;
    const cell = (row[retCol] ?? '').trim();
    let v: number;
    if (isMissingCell(cell)) v = NaN;
    else {
      v = parseNumberCell(cell, decimalComma);
      if (Number.isNaN(v))
        throw new UsageError(`${file}:${lineOf(r)}: column ${colName(retCol)}: '${cell}' is not a number`);
      if (v < -1) {
        throw new UsageError(
          `${file}:${lineOf(r)}: column ${colName(retCol)}: return ${cell} is below −100% (simple returns expected, not prices)`,
        );
      }
    }
    values.push(v);
    if (dateCol >= 0) {
      dateCells.push((row[dateCol] ?? '').trim());
      dateLines.push(lineOf(r));
    }
  }
  if (values.length === 0) throw new UsageError(`${file}: no data rows below the header`);

  let dates: string[] | null = null;
  if (dateCol >= 0) {
    const { days } = parseDateColumn(dateCells);
    dates = new Array<string>(days.length);
    for (let i = 0; i < days.length; i++) {
      if (Number.isNaN(days[i])) {
        throw new UsageError(
          `${file}:${dateLines[i]}: column ${colName(dateCol)}: '${dateCells[i]}' is not a date`,
        );
      }
      if (i > 0 && days[i] <= days[i - 1]) {
        throw new UsageError(
          `${file}:${dateLines[i]}: column ${colName(dateCol)}: dates must be strictly ascending ('${dateCells[i - 1]}' then '${dateCells[i]}')`,
        );
      }
      dates[i] = isoFromDays(days[i]);
    }
  }
  return { returns: Float64Array.from(values), dates, column: hasHeader ? headerCells[retCol] : '' };
}

export function readReturnsCsv(file: string, opts: ReadReturnsOptions = {}): ReturnsSeries {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: cannot read the file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code)})`,
    );
  }
  return parseReturnsCsv(text, file, opts);
}
