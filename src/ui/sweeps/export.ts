/** Sweep results as files: the same results.csv and results.json (+ summary) as `lab sweep` writes. */
import { resultsToCsv, summarizeSweep, type SweepRunResult } from '../../core/sweeps/results.ts';
import type { SweepSpec } from '../../core/sweeps/spec.ts';

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'sweep';

/** JSON numbers cannot be NaN: write them as null, as the CLI does. */
function toJson(v: unknown): string {
  // As `lab sweep` writes them (src/cli/output.ts): ±Infinity as "Infinity"/"-Infinity", NaN as null.
  return JSON.stringify(
    v,
    (_k, x: unknown) =>
      typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? null : String(x)) : x,
    2,
  );
}

export function exportCsv(spec: SweepSpec, results: SweepRunResult[]): void {
  download(`${safe(spec.name)}-results.csv`, resultsToCsv(results), 'text/csv');
}

export function exportJson(
  spec: SweepSpec,
  results: SweepRunResult[],
  metric: string,
  backend: string | null,
  totalRuns: number,
): void {
  const file = {
    format: 'rl-trading-lab/sweep-results@1',
    spec,
    shard: null,
    totalRuns,
    expected: Array.from({ length: totalRuns }, (_, i) => i),
    runs: results,
    versions: {
      lab: 'browser',
      node: '',
      platform: typeof navigator === 'undefined' ? '' : navigator.userAgent,
      tfjs: '',
      backend: backend ?? 'unknown',
    },
    dataFingerprint: null,
    createdAt: new Date().toISOString(),
    summary: summarizeSweep(results, metric),
  };
  download(`${safe(spec.name)}-results.json`, toJson(file), 'application/json');
}
