/**
 * One sweep run: its ExperimentConfig through its workflow's runner (runWorkflow), flattened into a SweepRunResult.
 * The same function runs in the lab's sweep workers and in `lab sweep`'s Node worker threads, so
 * the same seeds on the same tfjs backend give the same numbers in both — bit for bit within one JS
 * engine, to ~1e-14 between Chromium and Node (their V8s round Math.exp/log/cos/pow differently in
 * the last bit for some inputs; e2e/sweeps.spec.ts checks the agreement).
 *
 * Metric keys: `<split>/<metric>` for the agent (`valid/sharpe`, `test/total_return`, …), plus
 * `<split>/bh_total_return`, `<split>/bh_sharpe` (buy-and-hold on the same rows) and
 * `<split>/excess_return` (agent − buy-and-hold total return); `training/episodic_return` (mean of
 * the last 20 training episodes). Wall time and backend are kept apart from the metrics: they are
 * not reproducible.
 */
import type { Panel } from '../data/types.ts';
import type { RunControl } from '../run/control.ts';
import type { MetricRow } from '../run/metrics.ts';
import { type DataSourceConfig, parseExperimentConfig } from '../experiment/config.ts';
import { dataSourceKey } from '../experiment/data.ts';
import { runWorkflow } from '../workflows/runners.ts';
import type { RunEvaluation } from '../experiment/types.ts';
import type { EquityOverlay, SweepRunResult } from './results.ts';
import type { SweepRun } from './spec.ts';

/** The full panel of a data source (cached by the caller or with cachedPanelProvider). */
export type PanelProvider = (data: DataSourceConfig) => Promise<Panel>;

export interface SweepJobProgress {
  runIndex: number;
  phase: 'loading data' | 'building features' | 'training' | 'evaluating' | 'done';
  step: number;
  total: number;
}

export interface SweepJobOptions {
  onProgress?(p: SweepJobProgress): void;
  control?: RunControl;
  /** Backend name to record (the caller initialised it). */
  backend?: string;
  /** Points of the equity overlay (default 400). */
  equityPoints?: number;
  /** ms clock (default performance.now). */
  clock?: () => number;
  /** The full evaluation (every split, agent and baselines), e.g. to save the run like a single one. */
  onEvaluation?(evaluation: RunEvaluation): void;
  /** The run loop's throttled metric rows (losses, episodic returns, …). */
  onMetrics?(rows: MetricRow[]): void;
}

/** Record fields that are bookkeeping, not performance (left out of the flattened metrics). */
const SKIP = new Set(['periods', 'observations', 'annualization', 'risk_free', 'required_return']);

/** `<split>/<metric>` for the agent, with buy-and-hold references. */
export function flattenEvaluation(ev: RunEvaluation): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of ev.splits) {
    for (const [k, v] of Object.entries(s.metrics.agent ?? {})) if (!SKIP.has(k)) out[`${s.split}/${k}`] = v;
    const bh = s.metrics['buy-and-hold'];
    if (bh) {
      out[`${s.split}/bh_total_return`] = bh.total_return;
      out[`${s.split}/bh_sharpe`] = bh.sharpe;
      out[`${s.split}/excess_return`] = s.metrics.agent.total_return - bh.total_return;
    }
  }
  for (const [k, v] of Object.entries(ev.summary ?? {})) out[k] = v;
  return out;
}

/** Every k-th point so that at most `max` remain (the last point always kept). */
export function thin<T>(xs: ArrayLike<T>, max: number): T[] {
  const n = xs.length;
  if (n <= max) return Array.from(xs);
  const out: T[] = [];
  const step = (n - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(xs[Math.round(i * step)]);
  return out;
}

function overlayOf(ev: RunEvaluation, max: number): EquityOverlay | undefined {
  const s = ev.splits.find((x) => x.split === 'valid') ?? ev.splits[0];
  if (!s) return undefined;
  const bh = s.equity['buy-and-hold'];
  return {
    split: s.split,
    dates: thin(s.dates, max),
    agent: thin(s.equity.agent, max),
    ...(bh ? { benchmark: thin(bh, max) } : {}),
  };
}

/** Caches one panel per data source (a worker loads the panel once for all its runs). */
export function cachedPanelProvider(load: PanelProvider): PanelProvider {
  const cache = new Map<string, Promise<Panel>>();
  return (data) => {
    const key = dataSourceKey(data);
    let p = cache.get(key);
    if (!p) {
      p = load(data);
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
}

/** Runs one sweep run; never throws: a bad config or a failed training is a result with `error`. */
export async function runSweepJob(
  run: SweepRun,
  panelProvider: PanelProvider,
  opts: SweepJobOptions = {},
): Promise<SweepRunResult> {
  const clock = opts.clock ?? (() => performance.now());
  const t0 = clock();
  const base: SweepRunResult = {
    index: run.index,
    id: run.id,
    pointIndex: run.pointIndex,
    point: run.point,
    seed: run.seed,
    metrics: {},
    ...(opts.backend ? { backend: opts.backend } : {}),
  };
  let total = 0;
  let step = 0;
  const progress = (phase: SweepJobProgress['phase']) =>
    opts.onProgress?.({ runIndex: run.index, phase, step, total });
  try {
    const config = parseExperimentConfig(run.config);
    total = config.totalSteps;
    progress('loading data');
    const panel = await panelProvider(config.data);
    const res = await runWorkflow(run.config, panel, {
      ...(opts.control ? { control: opts.control } : {}),
      clock,
      onPhase: (phase) => progress(phase),
      callbacks: {
        onStatus: (s) => {
          step = s.step;
          if (s.totalSteps > 0) total = s.totalSteps;
          progress('training');
        },
        onMetrics: (rows) => {
          opts.onMetrics?.(rows);
          const last = rows[rows.length - 1];
          if (last && last.step > step) {
            step = last.step;
            progress('training');
          }
        },
      },
    });
    step = res.steps;
    if (res.evaluation) opts.onEvaluation?.(res.evaluation);
    progress('done');
    const metrics = res.evaluation ? flattenEvaluation(res.evaluation) : {};
    if (Number.isFinite(res.recentReturn)) metrics['training/episodic_return'] = res.recentReturn;
    const equity = res.evaluation ? overlayOf(res.evaluation, opts.equityPoints ?? 400) : undefined;
    return {
      ...base,
      metrics,
      status: res.status,
      steps: res.steps,
      wallSeconds: (clock() - t0) / 1000,
      ...(equity ? { equity } : {}),
      ...(res.status === 'failed'
        ? { error: res.error ?? 'training failed' }
        : res.status === 'stopped'
          ? { error: `stopped at step ${res.steps}` }
          : {}),
    };
  } catch (e) {
    return {
      ...base,
      status: 'failed',
      wallSeconds: (clock() - t0) / 1000,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}
