/**
 * Small output helpers shared by the `lab` commands: CSV and JSON files, folders, stdout.
 * Numbers are written with full precision (shortest round-trip form). ±Infinity (a Sharpe ratio of
 * a flat positive series, a Sortino without downside: empyrical's convention) is written as the
 * strings "Infinity" / "-Infinity" in JSON and CSV — what Python's float() and pandas read back as
 * ±inf; NaN (undefined) becomes `null` in JSON and an empty CSV field.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type CsvCell = string | number | boolean | null | undefined;

/** Create a folder (and its parents) if missing; returns the path. */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** JSON/CSV spelling of ±Infinity; NaN stays NaN (written as null / an empty field). */
export function infinityText(v: number): string | null {
  return v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : null;
}

/** One CSV field: numbers as-is (±Infinity spelled out, NaN → empty), strings quoted when they hold , " or a line break. */
export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : (infinityText(v) ?? '');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text (header + rows, '\n' line ends, trailing newline). */
export function toCsv(header: readonly string[], rows: Iterable<ArrayLike<CsvCell>>): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) {
    const cells: string[] = new Array(row.length);
    for (let i = 0; i < row.length; i++) cells[i] = csvField(row[i]);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Write a CSV file, creating its folder. */
export function writeCsv(file: string, header: readonly string[], rows: Iterable<ArrayLike<CsvCell>>): void {
  ensureDir(path.dirname(file));
  writeFileSync(file, toCsv(header, rows));
}

/**
 * JSON text, 2-space indented, except that an array of plain values (numbers, strings, null) stays on
 * one line: a run's series and logs would otherwise take a line per number (tens of MB for a
 * tournament's extras). Typed arrays become plain arrays; ±Infinity "Infinity"/"-Infinity"; NaN null.
 */
export function toJson(value: unknown): string {
  const replacer = (_key: string, v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView))
      return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : infinityText(x)));
    if (typeof v === 'number' && !Number.isFinite(v)) return infinityText(v);
    return v;
  };
  // One pass through JSON.stringify applies toJSON, the replacer and drops undefined; the result is
  // then laid out here.
  const plain: unknown = JSON.parse(JSON.stringify(value, replacer) ?? 'null');
  const layout = (v: unknown, indent: string): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const inner = indent + '  ';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
      return `[\n${v.map((x) => inner + layout(x, inner)).join(',\n')}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${layout(x, inner)}`).join(',\n')}\n${indent}}`;
  };
  return layout(plain, '');
}

/** Write a JSON file (pretty, trailing newline), creating its folder. */
export function writeJson(file: string, value: unknown): void {
  ensureDir(path.dirname(file));
  writeFileSync(file, toJson(value) + '\n');
}

/** Print a value as JSON on stdout (one object, trailing newline). */
export function printJson(value: unknown): void {
  process.stdout.write(toJson(value) + '\n');
}
