/**
 * Starts, pauses and cancels the lab's sweep: builds the spec from the form over the current
 * experiment, validates it in a worker, runs it on the pool, keeps per-run progress and results,
 * and saves every finished run like a single run (it appears under Runs).
 */
import type { BackendPref } from '../../core/agents/backend.ts';
import type { RunEvaluation } from '../../core/experiment/types.ts';
import type { SweepRunResult } from '../../core/sweeps/results.ts';
import { countRuns, expandSweep, type SweepRun, type SweepSpec } from '../../core/sweeps/spec.ts';
import { useLab } from '../../store/index.ts';
import { algoOf, configOfExperiment, hashOfExperiment } from '../../store/experiment.ts';
import type { MetricsRow, RunSummary, SplitName } from '../../store/types.ts';
import { persistRun } from '../runs/history.ts';
import type { LabRuntime } from '../runtime/runtime.ts';
import { draftToSpec } from '../../store/sweepDraft.ts';
import { experimentOfPoint, labelOf, SWEEPABLE_ALGOS } from './keys.ts';
import { SweepPool } from './pool.ts';

let pool: SweepPool | null = null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The spec of the form over the current experiment, or a readable problem. */
export function currentSpec(): { spec: SweepSpec | null; error: string | null } {
  const e = useLab.getState().experiment;
  if (!SWEEPABLE_ALGOS.includes(algoOf(e)))
    return {
      spec: null,
      error: `Sweeps train ${SWEEPABLE_ALGOS.map((a) => a.toUpperCase()).join(' and ')}; pick one of them on the Agent tab.`,
    };
  const d = useLab.getState().sweep.draft;
  if (d.params.length === 0) return { spec: null, error: 'Add at least one parameter to sweep.' };
  try {
    return { spec: draftToSpec(d, configOfExperiment(e)), error: null };
  } catch (err) {
    // Spec paths are params.<i>…: say which parameter the user is looking at.
    const msg = message(err).replace(
      /params\.(\d+)/,
      (_m, i: string) => `parameter ${Number(i) + 1} (${d.params[Number(i)]?.key || 'no key'})`,
    );
    return { spec: null, error: msg };
  }
}

export function runCount(): number | null {
  const { spec } = currentSpec();
  return spec ? countRuns(spec) : null;
}

function point(run: SweepRun): string {
  return Object.entries(run.point)
    .map(([k, v]) => `${labelOf(k)}=${String(v)}`)
    .join(', ');
}

async function saveRun(
  spec: SweepSpec,
  run: SweepRun,
  result: SweepRunResult,
  evaluation: RunEvaluation | null,
): Promise<void> {
  const lab = useLab.getState();
  const experiment = experimentOfPoint(lab.experiment, run.point, run.seed);
  const metrics: Partial<Record<SplitName, MetricsRow>> = {};
  for (const s of evaluation?.splits ?? []) metrics[s.split] = s.metrics.agent as MetricsRow;
  const summary: RunSummary = {
    id: `sweep-${Date.now().toString(36)}-${run.index}`,
    name: `${spec.name} ${run.id}: ${point(run)}`,
    createdAt: Date.now(),
    status: result.status === 'completed' ? 'complete' : result.status === 'stopped' ? 'stopped' : 'failed',
    ...(result.error ? { endReason: result.error } : {}),
    algo: algoOf(experiment),
    dataLabel:
      lab.dataLoad.meta?.label ?? String(experiment.values['data.name'] ?? experiment.values['data.kind']),
    backend: result.backend ?? 'unknown',
    steps: result.steps ?? 0,
    seed: run.seed,
    experiment,
    hash: hashOfExperiment(experiment),
    metrics,
    hasCheckpoint: false,
    durationMs: (result.wallSeconds ?? 0) * 1000,
  };
  await persistRun(summary, { id: summary.id, learning: {}, evaluation, checkpoint: null });
}

export async function startSweep(rt: LabRuntime): Promise<void> {
  const st = useLab.getState();
  if (st.sweep.status === 'running' || st.sweep.status === 'paused' || st.sweep.status === 'validating')
    return;
  const { spec, error } = currentSpec();
  if (!spec) {
    st.setSweep({ draftError: error });
    return;
  }
  const lab = useLab.getState();
  const dataKind = (spec.base as { data?: { kind?: string } }).data?.kind;
  if (dataKind === 'panel' && !rt.panel) {
    st.setSweep({ draftError: 'Load your CSV files on the Data tab first.' });
    return;
  }
  st.setSweep({ status: 'validating', draftError: null, error: null });
  pool?.dispose();
  const p = new SweepPool(
    st.sweep.workers,
    lab.experiment.values.backend as BackendPref,
    dataKind === 'panel' ? rt.panel : null,
  );
  pool = p;
  try {
    await p.validate(spec);
  } catch (err) {
    p.dispose();
    pool = null;
    useLab.getState().setSweep({ status: 'idle', draftError: message(err) });
    return;
  }
  const runs = expandSweep(spec);
  useLab.getState().setSweep({
    status: 'running',
    spec,
    runs,
    results: [],
    progress: Object.fromEntries(
      runs.map((r) => [r.index, { state: 'queued', phase: 'queued', step: 0, total: 0 }]),
    ),
    startedAt: Date.now(),
    finishedAt: null,
    backend: p.backendName,
  });
  await p.run(runs, {
    onStart: (run, lane) =>
      useLab.getState().setSweepProgress(run.index, { state: 'running', phase: 'starting', lane }),
    onProgress: (run, pr) =>
      useLab.getState().setSweepProgress(run.index, { phase: pr.phase, step: pr.step, total: pr.total }),
    onBackend: (b) => useLab.getState().setSweep({ backend: b }),
    onDone: async (run, { result, evaluation }) => {
      const s = useLab.getState();
      s.addSweepResult(result);
      s.setSweepProgress(run.index, {
        state: result.error ? 'failed' : 'done',
        phase: result.error ?? 'done',
        step: result.steps ?? 0,
      });
      try {
        await saveRun(spec, run, result, evaluation);
      } catch (err) {
        console.error('saving a sweep run failed', err);
      }
    },
    onFail: (run, msg) => {
      const s = useLab.getState();
      s.addSweepResult({
        index: run.index,
        id: run.id,
        pointIndex: run.pointIndex,
        point: run.point,
        seed: run.seed,
        metrics: {},
        status: 'failed',
        error: msg,
      });
      s.setSweepProgress(run.index, { state: 'failed', phase: msg });
    },
  });
  if (pool === p) {
    p.dispose();
    pool = null;
    const s = useLab.getState();
    if (s.sweep.status === 'running' || s.sweep.status === 'paused')
      s.setSweep({ status: 'done', finishedAt: Date.now() });
  }
}

export function pauseSweep(): void {
  if (!pool || useLab.getState().sweep.status !== 'running') return;
  pool.pause();
  useLab.getState().setSweep({ status: 'paused' });
}

export function resumeSweep(): void {
  if (!pool || useLab.getState().sweep.status !== 'paused') return;
  pool.resume();
  useLab.getState().setSweep({ status: 'running' });
}

export function cancelSweep(): void {
  if (!pool) return;
  pool.cancel();
  pool = null;
  const s = useLab.getState();
  const progress = { ...s.sweep.progress };
  for (const [k, v] of Object.entries(progress))
    if (v.state === 'queued' || v.state === 'running')
      progress[Number(k)] = { ...v, state: 'cancelled', phase: 'cancelled' };
  s.setSweep({ status: 'cancelled', progress, finishedAt: Date.now() });
}
