/**
 * Sweep results: one record per finished run, aggregated per point (mean ± std over seeds),
 * merged across shards, and model selection on the validation split only.
 */
import type { Scalar, SweepRun } from './spec.ts';

/** What a finished run contributes to a sweep table. Metric keys are `<split>/<metric>`, e.g. `valid/sharpe`. */
export interface SweepRunResult {
  index: number;
  id: string;
  pointIndex: number;
  point: Record<string, Scalar>;
  seed: number;
  metrics: Record<string, number>;
  /** Set when the run failed (NaN stop, crash); its metrics are then ignored by aggregation. */
  error?: string;
  wallSeconds?: number;
  /** How training ended ('completed', 'stopped', 'failed'). */
  status?: 'completed' | 'stopped' | 'failed';
  /** Env steps trained. */
  steps?: number;
  /** tfjs backend the run used (results are reproducible per backend). */
  backend?: string;
  /** Validation-split equity of the agent (and buy-and-hold on the same rows), rebased to 1, for overlays; thinned for display. */
  equity?: EquityOverlay;
}

/** An equity curve for overlays: evenly thinned to a few hundred points (the metrics use every point). */
export interface EquityOverlay {
  split: 'train' | 'valid' | 'test';
  dates: string[];
  agent: number[];
  benchmark?: number[];
}

export interface PointSummary {
  pointIndex: number;
  point: Record<string, Scalar>;
  /** Seeds that finished without error. */
  n: number;
  failed: number;
  mean: Record<string, number>;
  /** Sample std (ddof 1) over seeds; 0 with one seed. */
  std: Record<string, number>;
}

/** Mean ± std of every metric over the seeds of each point, in point order. */
export function aggregateByPoint(results: SweepRunResult[]): PointSummary[] {
  const byPoint = new Map<number, SweepRunResult[]>();
  for (const r of results) {
    const list = byPoint.get(r.pointIndex) ?? [];
    list.push(r);
    byPoint.set(r.pointIndex, list);
  }
  return [...byPoint.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([pointIndex, runs]) => {
      const ok = runs.filter((r) => !r.error);
      const keys = new Set(ok.flatMap((r) => Object.keys(r.metrics)));
      const mean: Record<string, number> = {};
      const std: Record<string, number> = {};
      for (const key of keys) {
        const xs = ok.map((r) => r.metrics[key]).filter((x) => Number.isFinite(x));
        if (xs.length === 0) {
          mean[key] = NaN;
          std[key] = NaN;
          continue;
        }
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        mean[key] = m;
        std[key] = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
      }
      return { pointIndex, point: runs[0].point, n: ok.length, failed: runs.length - ok.length, mean, std };
    });
}

/**
 * Choose the best point by a validation metric (never the test split: selecting on test
 * would leak it). `higherIsBetter` false for drawdown-like metrics stored as positive losses.
 */
export function selectBest(
  summaries: PointSummary[],
  metric: string,
  higherIsBetter = true,
): PointSummary | null {
  if (metric.startsWith('test/'))
    throw new Error(`model selection must use the validation split, not '${metric}'`);
  let best: PointSummary | null = null;
  for (const s of summaries) {
    const v = s.mean[metric];
    if (!Number.isFinite(v)) continue;
    if (!best || (higherIsBetter ? v > best.mean[metric] : v < best.mean[metric])) best = s;
  }
  return best;
}

export interface MergeReport {
  results: SweepRunResult[];
  /** Run indices no shard produced. */
  missing: number[];
  /** Run indices produced by more than one shard (the first is kept). */
  duplicates: number[];
}

/**
 * Join shard outputs into one ordered result list and say what is missing or duplicated,
 * so a partial cluster job is visible rather than silently averaged.
 */
export function mergeResults(shards: SweepRunResult[][], runs: Pick<SweepRun, 'index'>[]): MergeReport {
  const byIndex = new Map<number, SweepRunResult>();
  const duplicates: number[] = [];
  for (const shard of shards) {
    for (const r of shard) {
      if (byIndex.has(r.index)) duplicates.push(r.index);
      else byIndex.set(r.index, r);
    }
  }
  const missing = runs.map((r) => r.index).filter((i) => !byIndex.has(i));
  return { results: [...byIndex.values()].sort((a, b) => a.index - b.index), missing, duplicates };
}

/** Flat CSV rows of a sweep: one per run, point values then metrics. */
export function resultsToCsv(results: SweepRunResult[]): string {
  const paramKeys = [...new Set(results.flatMap((r) => Object.keys(r.point)))];
  const metricKeys = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = ['index', 'id', 'point', 'seed', ...paramKeys, ...metricKeys, 'error'];
  const esc = (v: unknown) => {
    const s = v === undefined || v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.join(',')];
  for (const r of results) {
    lines.push(
      [
        r.index,
        r.id,
        r.pointIndex,
        r.seed,
        ...paramKeys.map((k) => r.point[k]),
        ...metricKeys.map((k) => r.metrics[k]),
        r.error ?? '',
      ]
        .map(esc)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export interface SweepSummary {
  /** Validation metric the best point was chosen by, and its direction. */
  selection: { metric: string; higherIsBetter: boolean };
  runs: number;
  failed: number;
  points: PointSummary[];
  /** Best point on the validation metric (null when no point has a finite value). */
  best: {
    pointIndex: number;
    point: Record<string, Scalar>;
    n: number;
    /** The validation metrics it was chosen on (mean ± std over seeds). */
    valid: Record<string, { mean: number; std: number }>;
    /**
     * Test-split metrics of the chosen point, reported after selection and never used for it:
     * the honest out-of-sample estimate.
     */
    test: Record<string, { mean: number; std: number }>;
  } | null;
}

/** Metrics whose smaller values are better (when a selection metric is one of these, minimise it). */
export const LOWER_IS_BETTER = new Set([
  'annual_volatility',
  'downside_risk',
  'max_drawdown_duration',
  'turnover',
  'annual_turnover',
  // A tournament's run-level summary (supplychain): `bankrupt_rate/<agent type>`, `shortfall/…`.
  'bankrupt_rate',
  'shortfall',
]);

/**
 * Default direction of a `<split>/<metric>` or `<metric>/<subject>` key (max_drawdown is ≤ 0, so
 * higher is better).
 */
export function higherIsBetterFor(metric: string): boolean {
  const slash = metric.indexOf('/');
  return !LOWER_IS_BETTER.has(metric.slice(slash + 1)) && !LOWER_IS_BETTER.has(metric.slice(0, slash));
}

/** Per-point mean ± std, and the best point chosen on a validation metric with its test metrics beside it. */
export function summarizeSweep(
  results: SweepRunResult[],
  metric = 'valid/sharpe',
  higherIsBetter = higherIsBetterFor(metric),
): SweepSummary {
  const points = aggregateByPoint(results);
  const best = selectBest(points, metric, higherIsBetter);
  const pick = (prefix: string) => {
    const out: Record<string, { mean: number; std: number }> = {};
    if (!best) return out;
    for (const k of Object.keys(best.mean).sort())
      // The selection metric always comes along (a run-level key such as score/penguin has no split).
      if (k.startsWith(prefix) || (prefix === 'valid/' && k === metric))
        out[k] = { mean: best.mean[k], std: best.std[k] };
    return out;
  };
  return {
    selection: { metric, higherIsBetter },
    runs: results.length,
    failed: results.filter((r) => r.error).length,
    points,
    best: best
      ? {
          pointIndex: best.pointIndex,
          point: best.point,
          n: best.n,
          valid: pick('valid/'),
          test: pick('test/'),
        }
      : null,
  };
}

/**
 * Run-level keys of a workflow's summary (`score/penguin`), as opposed to per-split metrics
 * (`valid/sharpe`) and training curves: what a sweep of a workflow without market splits selects on.
 */
export function summaryMetricKeys(points: readonly { mean: Record<string, unknown> }[]): string[] {
  const keys = new Set<string>();
  for (const p of points)
    for (const k of Object.keys(p.mean)) if (!/^(train|valid|test|training)\//.test(k)) keys.add(k);
  return [...keys];
}
