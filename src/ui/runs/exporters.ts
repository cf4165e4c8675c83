import type { CheckpointData } from '../../../workers/protocol.ts';
import type { RunSummary } from '../../store/types.ts';
import type { RunDetail } from './db.ts';

/** ±Infinity as "Infinity"/"-Infinity", NaN as null: the JSON convention of `lab` (src/cli/output.ts). */
function jsonNumber(v: number): number | string | null {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? null : String(v);
}

/** JSON.stringify with typed arrays as plain arrays, ArrayBuffers as base64, ±Infinity as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, jsonNumber);
  if (value instanceof ArrayBuffer) return { base64: toBase64(value) };
  if (typeof value === 'number') return jsonNumber(value);
  return value;
}

export function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(b64: string): ArrayBuffer {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

export function runToJson(summary: RunSummary, detail: RunDetail | undefined): string {
  return JSON.stringify(
    {
      format: 'rl-trading-lab/run@1',
      summary,
      learning: detail?.learning ?? null,
      evaluation: detail?.evaluation ?? null,
    },
    replacer,
    1,
  );
}

function csvCell(v: unknown): string {
  const s = typeof v === 'number' ? (Number.isNaN(v) ? '' : String(v)) : String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** equity.csv: one row per date and split, one column per strategy (full resolution). */
export function equityCsv(detail: RunDetail | undefined): string {
  const ev = detail?.evaluation;
  if (!ev) return 'split,date\n';
  const strategies = [...new Set(ev.splits.flatMap((s) => Object.keys(s.equity)))];
  const lines = [['split', 'date', ...strategies].join(',')];
  for (const s of ev.splits) {
    for (let t = 0; t < s.dates.length; t++)
      lines.push([s.split, s.dates[t], ...strategies.map((k) => s.equity[k]?.[t])].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** metrics.csv: one row per split and strategy. */
export function metricsCsv(detail: RunDetail | undefined): string {
  const ev = detail?.evaluation;
  if (!ev) return 'split,strategy\n';
  const keys = [
    ...new Set(ev.splits.flatMap((s) => Object.values(s.metrics).flatMap((m) => Object.keys(m)))),
  ];
  const lines = [['split', 'strategy', ...keys].join(',')];
  for (const s of ev.splits)
    for (const [name, m] of Object.entries(s.metrics))
      lines.push([s.split, name, ...keys.map((k) => m[k])].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** learning.csv: the flat metric log, long format (step, key, value). */
export function learningCsv(detail: RunDetail | undefined): string {
  const lines = ['step,key,value'];
  for (const [key, { steps, values }] of Object.entries(detail?.learning ?? {})) {
    for (let i = 0; i < steps.length; i++) lines.push([steps[i], key, values[i]].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function checkpointToJson(c: CheckpointData): string {
  return JSON.stringify({ ...c, weights: { base64: toBase64(c.weights) } });
}

/** Parses a downloaded model file; throws a readable error on anything else. */
export function checkpointFromJson(text: string, fileName: string): CheckpointData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName} is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const o = raw as Partial<CheckpointData> & { weights?: { base64?: unknown } };
  if (o?.format !== 'rl-trading-lab/checkpoint@1')
    throw new Error(`${fileName} is not an RL Trading Lab model (format field missing or different)`);
  if (typeof o.weights?.base64 !== 'string') throw new Error(`${fileName} has no weights`);
  const n = o.normalization as { featureNames?: unknown; mean?: unknown; std?: unknown } | undefined;
  if (n !== undefined) {
    const nums = (a: unknown) => Array.isArray(a) && a.every((v) => typeof v === 'number');
    const names = n.featureNames;
    if (
      !Array.isArray(names) ||
      !names.every((v) => typeof v === 'string') ||
      !nums(n.mean) ||
      !nums(n.std) ||
      (n.mean as number[]).length !== names.length ||
      (n.std as number[]).length !== names.length
    )
      throw new Error(
        `${fileName}: field 'normalization' must hold featureNames, mean and std of one length (the saved z-score)`,
      );
  }
  return { ...(o as CheckpointData), weights: fromBase64(o.weights.base64) };
}

export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function safeFileName(s: string): string {
  return s.replace(/[^a-z0-9._-]+/gi, '_').slice(0, 80);
}
