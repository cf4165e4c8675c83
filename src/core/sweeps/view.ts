/**
 * How a sweep is shown: points sorted by a column, the top k by a metric, and time estimates
 * (before the first run from a rough rate, then from the runs that finished). Pure; the lab's
 * Sweeps tab uses these, and so can any other front end.
 */
import { higherIsBetterFor, type PointSummary, type SweepRunResult } from './results.ts';

/** A column: `param:<dotted path>` for a swept setting, otherwise a metric (`valid/sharpe`). */
export interface PointSort {
  key: string;
  /** 1 ascending, -1 descending. */
  dir: 1 | -1;
}

/**
 * Points sorted by the column. Numbers compare as numbers with non-finite values (a metric no seed
 * gave) last in either direction; other values compare as text. Stable: ties keep point order.
 */
export function sortPoints(points: readonly PointSummary[], sort: PointSort): PointSummary[] {
  const val = (p: PointSummary) =>
    sort.key.startsWith('param:') ? p.point[sort.key.slice(6)] : p.mean[sort.key];
  return [...points].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (typeof x === 'number' || typeof y === 'number' || x === undefined || y === undefined) {
      const fx = typeof x === 'number' && Number.isFinite(x);
      const fy = typeof y === 'number' && Number.isFinite(y);
      if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1;
      return ((x as number) - (y as number)) * sort.dir;
    }
    return String(x).localeCompare(String(y)) * sort.dir;
  });
}

/** The next sort after clicking a column: a new column starts descending, the same one flips. */
export function nextSort(current: PointSort, key: string): PointSort {
  return { key, dir: current.key === key ? (current.dir === 1 ? -1 : 1) : -1 };
}

/** The k best points by a metric (its own direction: drawdown-like metrics lower is better); finite only. */
export function topPoints(
  points: readonly PointSummary[],
  metric: string,
  k: number,
  higherIsBetter = higherIsBetterFor(metric),
): PointSummary[] {
  return points
    .filter((p) => Number.isFinite(p.mean[metric]))
    .sort((a, b) => (higherIsBetter ? b.mean[metric] - a.mean[metric] : a.mean[metric] - b.mean[metric]))
    .slice(0, Math.max(0, k));
}

/** Rough seconds per run before any has finished: steps at a conservative rate, plus the evaluation. */
export function roughSecondsPerRun(totalSteps: number, encoder: unknown): number {
  const sps = encoder === 'timecnn' ? 400 : encoder === 'transformer' ? 250 : 1500;
  return 3 + totalSteps / sps;
}

/** Mean wall-clock seconds of the runs that finished (null before the first). */
export function meanRunSeconds(results: readonly SweepRunResult[]): number | null {
  const wall = results.map((r) => r.wallSeconds ?? 0).filter((w) => w > 0);
  return wall.length ? wall.reduce((a, b) => a + b, 0) / wall.length : null;
}

/**
 * Seconds until `remaining` runs finish on `workers` parallel workers at `perRun` seconds each
 * (runs in waves; never more workers than runs). Null when unknown; 0 when nothing remains.
 */
export function sweepEta(remaining: number, perRun: number | null, workers: number): number | null {
  if (remaining <= 0) return 0;
  if (perRun === null || !Number.isFinite(perRun)) return null;
  return (remaining * perRun) / Math.max(1, Math.min(workers, remaining));
}
