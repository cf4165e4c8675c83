import * as Comlink from 'comlink';
import type {
  BackendPref,
  CheckpointData,
  MetricBatch,
  ProgressMessage,
  TrainOutcome,
} from '../../../workers/protocol.ts';
import { trainBlockers, useLab, type LabState } from '../../store/index.ts';
import { mergeLive } from '../../store/slices/train.ts';
import { algoOf, flatValues, hashOfExperiment } from '../../store/experiment.ts';
import type { RunSummary, SeriesPoint, SplitName } from '../../store/types.ts';
import { emptyPanel } from '../../core/data/types.ts';
import { getWorkflow, needsPriceData } from '../../core/workflows/registry.ts';
import { learnerLabel } from '../common/workflow.ts';
import { persistRun } from '../runs/history.ts';
import { WorkerCrash } from '../runtime/workerHandle.ts';
import type { LabRuntime } from '../runtime/runtime.ts';
import { panelTransferables } from '../runtime/panel.ts';
import { readsSignalsFileOf, trainRequest } from './request.ts';

/** Store updates from a running training happen at most this often (charts redraw at ≤ 4 Hz). */
const UI_FLUSH_MS = 250;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Initialises the worker's backend with the experiment's preference and shows what it picked. */
export async function initBackend(rt: LabRuntime, pref?: BackendPref): Promise<void> {
  const want = pref ?? (useLab.getState().experiment.values.backend as BackendPref);
  try {
    const info = await rt.trainer().call((r) => r.init(want));
    useLab.getState().setBackend(info, null);
  } catch (e) {
    useLab.getState().setBackend(null, message(e));
  }
}

/** Accumulates worker batches: the full log for the saved run, a pending slice for the next UI flush. */
class ProgressSink {
  readonly full: MetricBatch = {};
  private pending: Record<string, SeriesPoint[]> = {};
  private latest: { step: number; total: number; sps: number; phase?: string } | null = null;
  private equity: Extract<ProgressMessage, { kind: 'eval' }> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly startedAt = Date.now();

  constructor(private readonly rt: LabRuntime) {}

  readonly onMessage = (msg: ProgressMessage) => {
    if (msg.kind === 'checkpoint') {
      this.rt.lastCheckpoint = msg.checkpoint;
      return;
    }
    if (msg.kind === 'eval') {
      if (msg.split === 'valid') this.equity = msg;
    } else {
      this.latest = { step: msg.step, total: msg.total, sps: msg.sps, phase: msg.phase };
      for (const [key, { steps, values }] of Object.entries(msg.metrics)) {
        const full = (this.full[key] ??= { steps: [], values: [] });
        const pend = (this.pending[key] ??= []);
        for (let i = 0; i < steps.length; i++) {
          full.steps.push(steps[i]);
          full.values.push(values[i]);
          pend.push({ step: steps[i], value: values[i] });
        }
      }
    }
    this.timer ??= setTimeout(this.flush, UI_FLUSH_MS);
  };

  /** One store update per flush (one React render), at most every UI_FLUSH_MS. */
  readonly flush = () => {
    this.timer = null;
    const s = useLab.getState();
    const patch: Partial<LabState> = {};
    if (this.latest) {
      const { step, total, sps } = this.latest;
      const etaS = sps > 0 ? Math.max(0, (total - step) / sps) : null;
      patch.progress = { step, total, sps, etaS, startedAt: this.startedAt };
      if (this.latest.phase) patch.phase = this.latest.phase;
    }
    if (Object.keys(this.pending).length > 0) {
      patch.live = mergeLive(s.live, this.pending);
      this.pending = {};
    }
    if (this.equity) {
      const { step, dates, agent, benchmark } = this.equity;
      patch.liveEquity = {
        step,
        dates,
        agent: Array.from(agent),
        benchmark: benchmark ? Array.from(benchmark) : null,
      };
      this.equity = null;
    }
    if (Object.keys(patch).length > 0) useLab.setState(patch);
  };

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.flush();
  }
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
}

function dataLabel(): string {
  const s = useLab.getState();
  const v = s.experiment.values;
  const meta = s.dataLoad.meta;
  if (!needsPriceData(s.experiment.workflow)) return 'generated worlds';
  if (v['data.kind'] === 'synthetic')
    return `synthetic (seed ${String(v['data.config.seed'])}, signal ${String(v['data.config.signalStrength'])})`;
  return meta ? meta.label : String(v['data.name'] ?? v['data.kind']);
}

/** Reasons Train cannot start, including the ones that are not field errors. */
export function startBlockers(rt: LabRuntime | null): string[] {
  const s = useLab.getState();
  const out = trainBlockers(s);
  if (needsPriceData(s.experiment.workflow) && (s.dataLoad.status !== 'ready' || !rt?.panel))
    out.push('Data · no dataset is loaded yet');
  return out;
}

/** Starts a training run; resolves when it has ended and been saved (or failed visibly). */
export async function startTraining(rt: LabRuntime): Promise<void> {
  const s0 = useLab.getState();
  if (
    s0.status === 'running' ||
    s0.status === 'starting' ||
    s0.status === 'paused' ||
    s0.status === 'stopping'
  )
    return;
  const blockers = startBlockers(rt);
  if (blockers.length > 0) {
    s0.fail({
      kind: 'error',
      message: `Cannot train: ${blockers.join('; ')}`,
      step: 0,
      checkpointKept: false,
    });
    return;
  }
  const experiment = structuredClone(s0.experiment);
  const runId = newRunId();
  const createdAt = Date.now();
  rt.lastCheckpoint = null;
  s0.beginRun(runId);
  const sink = new ProgressSink(rt);
  const summaryBase = {
    id: runId,
    createdAt,
    algo: algoOf(experiment),
    dataLabel: dataLabel(),
    seed: flatValues(experiment)[getWorkflow(experiment.workflow).seedPath ?? 'seed'] as number,
    experiment,
    hash: hashOfExperiment(experiment),
  };
  const name = `${learnerLabel(experiment.workflow, algoOf(experiment))} · ${summaryBase.dataLabel} · seed ${summaryBase.seed}`;
  let outcome: TrainOutcome | null = null;
  try {
    await initBackend(rt);
    const backend = useLab.getState().backend;
    if (!backend) throw new Error(useLab.getState().backendError ?? 'no tfjs backend could be initialised');
    const file = readsSignalsFileOf(experiment) ? rt.signalsFile : null;
    const signals = file ? { name: file.name, text: await file.text() } : undefined;
    // A workflow that makes its own data (supplychain) is sent an empty panel.
    const panel = needsPriceData(experiment.workflow) ? rt.panel! : emptyPanel();
    const request = trainRequest(experiment, panel, signals);
    useLab.getState().setStatus('running');
    // User Timing marks bracket the training (the e2e long-task budget and DevTools use them).
    performance.mark('lab:train-start');
    outcome = await rt
      .trainer()
      .call((r) =>
        r.start(Comlink.transfer(request, panelTransferables(request.panel)), Comlink.proxy(sink.onMessage)),
      );
    performance.mark('lab:train-end');
  } catch (e) {
    performance.mark('lab:train-end');
    sink.stop();
    const crash = e instanceof WorkerCrash;
    const step = useLab.getState().progress?.step ?? 0;
    const checkpoint: CheckpointData | null = rt.lastCheckpoint;
    useLab.getState().fail({
      kind: crash ? 'crash' : 'error',
      message: message(e),
      step,
      checkpointKept: checkpoint !== null,
    });
    if (crash) rt.killTrainer('crashed');
    const summary: RunSummary = {
      ...summaryBase,
      name,
      status: 'failed',
      endReason: message(e),
      backend: useLab.getState().backend?.backend ?? 'unknown',
      steps: step,
      metrics: {},
      hasCheckpoint: checkpoint !== null,
      durationMs: Date.now() - createdAt,
    };
    await persistRun(summary, { id: runId, learning: sink.full, evaluation: null, checkpoint }).catch(
      (err: unknown) => console.error('Could not save the failed run', err),
    );
    if (crash) void initBackend(rt);
    return;
  }
  sink.stop();
  const metrics: RunSummary['metrics'] = {};
  for (const sp of outcome.evaluation?.splits ?? []) {
    const m = sp.metrics.agent;
    if (m) metrics[sp.split as SplitName] = m as RunSummary['metrics'][SplitName];
  }
  const summary: RunSummary = {
    ...summaryBase,
    name,
    status: outcome.status === 'complete' ? 'complete' : outcome.status === 'nan' ? 'failed' : 'stopped',
    endReason: outcome.reason,
    backend: outcome.backend,
    steps: outcome.steps,
    metrics,
    hasCheckpoint: outcome.checkpoint !== null,
    durationMs: outcome.durationMs,
  };
  try {
    await persistRun(summary, {
      id: runId,
      learning: outcome.learning,
      evaluation: outcome.evaluation,
      checkpoint: outcome.checkpoint,
    });
  } catch (e) {
    console.error('Could not save the run', e);
  }
  const s = useLab.getState();
  s.selectRun(runId);
  if (outcome.status === 'nan') {
    s.fail({
      kind: 'nan',
      message: outcome.reason ?? 'a loss became NaN',
      step: outcome.steps,
      checkpointKept: outcome.checkpoint !== null,
    });
  } else {
    useLab.setState({ status: 'done', phase: outcome.status === 'stopped' ? 'stopped' : 'finished' });
  }
}

export async function pauseTraining(rt: LabRuntime): Promise<void> {
  if (useLab.getState().status !== 'running') return;
  await rt.trainer().call((r) => r.pause());
  useLab.getState().setStatus('paused');
}

export async function resumeTraining(rt: LabRuntime): Promise<void> {
  if (useLab.getState().status !== 'paused') return;
  await rt.trainer().call((r) => r.resume());
  useLab.getState().setStatus('running');
}

/** Stops after the current update; the worker then evaluates what it has and the run is saved. */
export async function stopTraining(rt: LabRuntime): Promise<void> {
  const st = useLab.getState().status;
  if (st !== 'running' && st !== 'paused') return;
  useLab.getState().setStatus('stopping');
  await rt.trainer().call((r) => r.stop());
}
