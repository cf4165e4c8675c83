/**
 * Sweep output folders: results.json (every run with its spec, shard and versions), results.csv
 * (one row per run) and summary.json (mean ± std per point; the best point chosen on a validation
 * metric, its test metrics reported beside it). Written by `lab sweep`, read and joined by `lab merge`.
 */
import { parseJsonFile } from '../json.ts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  resultsToCsv,
  summarizeSweep,
  type SweepRunResult,
  type SweepSummary,
} from '../../core/sweeps/results.ts';
import type { SweepSpec } from '../../core/sweeps/spec.ts';
import { UsageError } from '../errors.ts';
import type { Versions } from '../fingerprint.ts';
import { ensureDir, writeJson } from '../output.ts';
import { writeFileSync } from 'node:fs';

export const RESULTS_FORMAT = 'rl-trading-lab/sweep-results@1';

export interface SweepResultsFile {
  format: typeof RESULTS_FORMAT;
  spec: SweepSpec;
  /** The slice this folder holds; null = the whole sweep. Merged folders list the shards they joined. */
  shard: { index: number; count: number } | null;
  mergedFrom?: { dir: string; shard: { index: number; count: number } | null }[];
  /** Total runs of the spec, and the run indices this folder was meant to hold. */
  totalRuns: number;
  expected: number[];
  runs: SweepRunResult[];
  versions: Versions & { tfjs: string; backend: string };
  /** sha256 of the data the runs trained on (same data on every shard). */
  dataFingerprint: string | null;
  createdAt: string;
}

export interface SummaryFile extends SweepSummary {
  name: string;
  note: string;
}

/** Write results.json, results.csv and summary.json into `dir`. */
export function writeSweepOutputs(
  dir: string,
  file: SweepResultsFile,
  select: { metric: string; higherIsBetter?: boolean },
): SummaryFile {
  ensureDir(dir);
  writeJson(path.join(dir, 'results.json'), file);
  writeFileSync(path.join(dir, 'results.csv'), resultsToCsv(file.runs));
  const summary: SummaryFile = {
    name: file.spec.name,
    note: `best point chosen on ${select.metric} (validation); the test metrics of that point are reported after the choice and were never used for it`,
    ...summarizeSweep(file.runs, select.metric, select.higherIsBetter),
  };
  writeJson(path.join(dir, 'summary.json'), summary);
  return summary;
}

/** Reads DIR/results.json (or a results.json path); UsageError naming the file when it is not one. */
export function readSweepResults(dirOrFile: string): SweepResultsFile {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'results.json');
  if (!existsSync(file))
    throw new UsageError(`${file}: no such file (expected a folder written by lab sweep)`);
  const data = parseJsonFile(readFileSync(file, 'utf8'), file);
  const d = data as Partial<SweepResultsFile>;
  if (d.format !== RESULTS_FORMAT || !Array.isArray(d.runs) || !d.spec)
    throw new UsageError(`${file}: not a sweep results file (format ${String(d.format)})`);
  // JSON writes NaN metrics as null and ±Infinity as "Infinity"/"-Infinity" (output.ts): read them back as numbers (aggregation skips non-finite ones).
  for (const r of d.runs)
    for (const [k, v] of Object.entries(r.metrics as Record<string, unknown>))
      r.metrics[k] =
        v === null ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
  return d as SweepResultsFile;
}
