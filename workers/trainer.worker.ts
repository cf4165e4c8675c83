/**
 * The trainer worker: a thin comlink face over core's workflow runners (runWorkflow — the same
 * ones `lab train` and sweeps use, so the same config, seed and backend give the same numbers
 * everywhere). Envs and agents run here together so a step costs no messages; the UI receives
 * throttled batches (≤ 10 per second, core's MetricThrottle), large arrays transferred, not copied.
 */
import * as Comlink from 'comlink';
import { initBackend, type BackendInfo, type BackendPref } from '../src/core/agents/backend.ts';
import type { CheckpointArtifacts } from '../src/core/agents/checkpoint.ts';
import type { Panel } from '../src/core/data/types.ts';
import {
  resolveExperimentConfig,
  splitSpecOf,
  SPLIT_NAMES,
  type ResolvedExperimentConfig,
} from '../src/core/experiment/config.ts';
import { benchmarkEquity, costModelOf } from '../src/core/experiment/evaluation.ts';
import {
  evaluateExperiment,
  prepareExperiment,
  type PreparedExperiment,
} from '../src/core/experiment/run.ts';
import { provideSignals } from '../src/core/workflows/signalsInput.ts';
import { runWorkflow } from '../src/core/workflows/runners.ts';
import type { RunEvaluation as CoreRunEvaluation } from '../src/core/experiment/types.ts';
import type { FeatureSet } from '../src/core/features/types.ts';
import { getAlgorithm, type Learner } from '../src/core/run/algorithms.ts';
import { RunControl } from '../src/core/run/control.ts';
import type { MetricRow } from '../src/core/run/metrics.ts';
import {
  tradeColumns,
  type CheckpointData,
  type MetricBatch,
  type ProgressMessage,
  type RunEvaluation,
  type SplitEvaluation,
  type SplitName,
  type TrainOutcome,
  type TrainRequest,
} from './protocol.ts';
import { memberWorkerPool } from './hierPool.ts';
import { wasmPaths } from './wasmAssets.ts';

// The machine's cores, read before initBackend raises navigator.hardwareConcurrency (to uncap
// tfjs-wasm's thread pool): the population's member workers are sized by the real count.
const MACHINE_CORES = navigator.hardwareConcurrency || 2;
let backendInfo: BackendInfo | null = null;
let control: RunControl | null = null;
type Normalization = NonNullable<CheckpointData['normalization']>;
/**
 * The agent of the last run (or of importCheckpoint), kept for evaluate/exportCheckpoint, with the
 * z-score its inputs were scaled with in training (reused on any data it is evaluated on).
 */
let current: {
  learner: Learner;
  config: ResolvedExperimentConfig;
  step: number;
  normalization?: Normalization;
} | null = null;

function normalizationOf(features: FeatureSet): Normalization {
  return {
    featureNames: features.featureNames.slice(),
    mean: Array.from(features.normalization.mean),
    std: Array.from(features.normalization.std),
  };
}

function setCurrent(next: typeof current): void {
  if (current && current.learner !== next?.learner) current.learner.dispose();
  current = next;
}

function toCheckpointData(
  a: CheckpointArtifacts,
  config: ResolvedExperimentConfig,
  step: number,
  normalization: Normalization | undefined,
): CheckpointData {
  const { weightData, ...manifest } = a;
  return {
    format: 'rl-trading-lab/checkpoint@1',
    algo: config.algo,
    step,
    config,
    manifest,
    weights: weightData.slice(0),
    ...(normalization ? { normalization } : {}),
  };
}

function fromCheckpointData(c: CheckpointData): CheckpointArtifacts {
  return { ...(c.manifest as Omit<CheckpointArtifacts, 'weightData'>), weightData: c.weights };
}

function batchOf(rows: MetricRow[]): MetricBatch {
  const out: MetricBatch = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.values)) {
      const s = (out[k] ??= { steps: [], values: [] });
      s.steps.push(r.step);
      s.values.push(v);
    }
  }
  return out;
}

/** Core's evaluation in the wire format: trades as columns, typed arrays listed for transfer. */
function wire(ev: CoreRunEvaluation): { evaluation: RunEvaluation; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const splits: SplitEvaluation[] = ev.splits.map((s) => {
    const trades = tradeColumns(s.trades, s.dates, s.assets);
    for (const a of [
      ...Object.values(s.equity),
      ...Object.values(s.returns),
      ...Object.values(s.drawdown),
      s.weights,
      s.rollingSharpe,
    ])
      transfer.push(a.buffer as ArrayBuffer);
    for (const a of [trades.row, trades.asset, trades.quantity, trades.price, trades.fee])
      transfer.push(a.buffer as ArrayBuffer);
    return { ...s, trades };
  });
  if (ev.extras) collectBuffers(ev.extras, transfer);
  return {
    evaluation: { splits, boundaries: ev.boundaries, ...(ev.extras ? { extras: ev.extras } : {}) },
    transfer: [...new Set(transfer)],
  };
}

/** The buffers of every typed array in a workflow's extras (plain JSON otherwise), for transfer. */
function collectBuffers(value: unknown, out: ArrayBuffer[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.push(value.buffer);
    return;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectBuffers(v, out, depth + 1);
}

/** The panel seen as the few FeatureSet fields benchmarkEquity reads (dates, close, assets). */
function priceView(panel: Panel, assets: readonly string[]): FeatureSet {
  const keep =
    assets.length === 0
      ? panel.assets.map((_, i) => i)
      : assets.map((a) => panel.assets.indexOf(a)).filter((i) => i >= 0);
  const N = panel.assets.length;
  const close = new Float64Array(panel.dates.length * keep.length);
  for (let t = 0; t < panel.dates.length; t++)
    keep.forEach((j, k) => (close[t * keep.length + k] = panel.close[t * N + j]));
  return { dates: panel.dates, assets: keep.map((j) => panel.assets[j]), close } as unknown as FeatureSet;
}

async function prepare(
  config: unknown,
  panel: Panel,
  normalization?: Normalization,
): Promise<PreparedExperiment> {
  return prepareExperiment(config, panel, normalization ? { normalization } : {});
}

/** Rows of `dates` inside each split of the experiment `config` (for a clear message). */
async function splitRows(
  config: unknown,
  panel: Panel,
): Promise<{ split: SplitName; start: string; end: string; rows: number }[]> {
  const resolved = await resolveExperimentConfig(config);
  const spec = splitSpecOf(resolved.splits, panel.dates);
  return SPLIT_NAMES.map((split) => {
    const { start, end } = spec[split];
    return { split, start, end, rows: panel.dates.filter((d) => d >= start && d <= end).length };
  });
}

/**
 * The current data prepared for a saved agent: its features/env config, the data's splits, its
 * training z-score. Every split must hold an episode (the lab evaluates all three); a split or a
 * feature the data lacks fails with a message that says which and what to do.
 */
async function prepareForModel(
  data: TrainRequest,
  agent: ResolvedExperimentConfig,
  normalization: Normalization | undefined,
): Promise<PreparedExperiment> {
  const config = withAgentOf(data.config, agent);
  const span = `${data.panel.dates[0] ?? '?'} → ${data.panel.dates.at(-1) ?? '?'}`;
  const splitMessage = async (failed: SplitName[]) => {
    const rows = (await splitRows(config, data.panel)).filter((r) => failed.includes(r.split));
    const list = rows.map((r) => `${r.split} (${r.start} → ${r.end}: ${r.rows} rows)`).join(', ');
    return (
      `The current data (${span}) lacks the ${list} split${rows.length > 1 ? 's' : ''} the model is evaluated on, ` +
      `after a ${agent.features.window}-day window. Set the splits (Data) to dates the data covers, or load data that covers them.`
    );
  };
  let prepared: PreparedExperiment;
  try {
    prepared = await prepare(config, data.panel, normalization);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/saved normalisation/.test(msg))
      throw new Error(
        `This model's features do not match the current data: ${msg.replace(/^features: /, '')}`,
      );
    if (/split/.test(msg)) {
      const short = (await splitRows(config, data.panel).catch(() => []))
        .filter((r) => r.rows <= agent.features.window)
        .map((r) => r.split);
      if (short.length > 0) throw new Error(await splitMessage(short));
    }
    throw e;
  }
  const missing = SPLIT_NAMES.filter((s) => !prepared.evaluableSplits.includes(s));
  if (missing.length > 0) throw new Error(await splitMessage(missing));
  return prepared;
}

const api = {
  /** Picks and initialises the tfjs backend; safe to call again with another preference. */
  async init(preference: BackendPref = 'auto'): Promise<BackendInfo> {
    if (backendInfo && backendInfo.requested === preference) return backendInfo;
    if (control) throw new Error('cannot change the backend while training');
    setCurrent(null);
    backendInfo = await initBackend(preference, { wasmPaths });
    return backendInfo;
  },
  backend(): BackendInfo | null {
    return backendInfo;
  },
  ping(): string {
    return 'pong';
  },

  /**
   * Trains per the request, streaming throttled progress to `onProgress`; resolves with the outcome:
   * the whole metric log, every split evaluated against the baselines, the last good checkpoint.
   * A NaN/Inf loss ends with status 'nan' (last good weights kept and evaluated); bad configs or
   * data and other failures reject with a message naming the problem.
   */
  async start(request: TrainRequest, onProgress: (msg: ProgressMessage) => void): Promise<TrainOutcome> {
    if (control) throw new Error('a training is already running in this worker');
    control = new RunControl();
    const t0 = performance.now();
    try {
      // The posts file of a kol or ensemble run (or none: a file removed since the last Train is forgotten).
      provideSignals(request.signals ?? null);
      const config = await resolveExperimentConfig(request.config);
      const costs = costModelOf(config);
      const prices = priceView(request.panel, config.assets);
      const learning: MetricBatch = {};
      let total = config.totalSteps;
      let step = 0;
      let sps = 0;
      // A phase counted by status (a tournament's worlds) has no perf/sps: its rate is measured here.
      let phase0 = { t: performance.now(), step: 0, total: 0 };
      let spsAt = 0;
      // Written from callbacks; a holder object keeps TypeScript's narrowing honest.
      const kept: { checkpoint: CheckpointData | null } = { checkpoint: null };
      const progress = (phase: string, metrics: MetricBatch = {}) =>
        onProgress({ kind: 'progress', step, total, sps, metrics, phase });
      let normalization: Normalization | undefined;
      const result = await runWorkflow(config, request.panel, {
        control,
        keepLearner: true,
        checkpointEvery: config.eval.every,
        onPhase: (phase) => progress(phase),
        onPrepared: (prepared) => (normalization = normalizationOf(prepared.features)),
        // A hierarchy population (hierarchical.pbtMembers > 0) trains on member workers with this backend.
        populationPool: memberWorkerPool(backendInfo?.backend ?? 'auto', MACHINE_CORES),
        callbacks: {
          onMetrics: (rows) => {
            const batch = batchOf(rows);
            for (const [k, v] of Object.entries(batch)) {
              const all = (learning[k] ??= { steps: [], values: [] });
              for (let i = 0; i < v.steps.length; i++) {
                all.steps.push(v.steps[i]);
                all.values.push(v.values[i]);
              }
            }
            // Progress follows the metrics' global step, unless it runs past the total a status
            // reported: supplychain's MAPPO and tournament rows count on after training, and their
            // progress (iterations, worlds) comes by status.
            const rowStep = rows[rows.length - 1]?.step ?? 0;
            if (rowStep <= total) step = Math.max(step, rowStep);
            const s = batch['perf/sps'];
            if (s && s.values.length > 0) {
              sps = s.values[s.values.length - 1];
              spsAt = performance.now();
            }
            progress('training', batch);
          },
          onStatus: (st) => {
            if (st.state === 'collecting') {
              // An offline learner collecting its dataset: transitions so far, before training step 0.
              onProgress({
                kind: 'progress',
                step: st.step,
                total: st.totalSteps,
                sps: 0,
                metrics: {},
                phase: 'collecting dataset',
              });
              return;
            }
            // A status with a total starts or continues a phase's count (training, then worlds).
            if (st.totalSteps > 0) {
              const now = performance.now();
              if (st.totalSteps !== phase0.total || st.step < phase0.step)
                phase0 = { t: now, step: st.step, total: st.totalSteps };
              else if (now - spsAt > 5000 && now > phase0.t)
                sps = ((st.step - phase0.step) * 1000) / (now - phase0.t);
              total = st.totalSteps;
              step = st.step;
            } else step = Math.max(step, st.step);
            progress(st.state === 'running' ? 'training' : st.state);
          },
          onEval: (e) => {
            const m = e.market;
            if (!m) return;
            const agent = Float64Array.from(m.equity, (v) => v / m.equity[0]);
            const benchmark = benchmarkEquity(prices, costs, m.dates[0], m.dates.length);
            const msg: ProgressMessage = {
              kind: 'eval',
              step: e.step,
              split: 'valid',
              dates: m.dates,
              agent,
              benchmark,
            };
            onProgress(Comlink.transfer(msg, [agent.buffer, ...(benchmark ? [benchmark.buffer] : [])]));
          },
          onCheckpoint: (ckpt, info) => {
            kept.checkpoint = toCheckpointData(ckpt, config, info.step, normalization);
            // The UI keeps its own copy, so a later crash cannot lose it.
            const copy: CheckpointData = { ...kept.checkpoint, weights: kept.checkpoint.weights.slice(0) };
            onProgress(
              Comlink.transfer({ kind: 'checkpoint', step: info.step, checkpoint: copy }, [copy.weights]),
            );
          },
        },
      });
      if (result.status === 'failed' && !result.nonFinite) {
        result.learner?.dispose();
        throw new Error(result.error ?? 'training failed');
      }
      if (result.learner) setCurrent({ learner: result.learner, config, step: result.steps, normalization });
      const { evaluation, transfer } = result.evaluation
        ? wire(result.evaluation)
        : { evaluation: null, transfer: [] };
      const notes = result.notes.length > 0 ? ` (${result.notes.join('; ')})` : '';
      const outcome: TrainOutcome = {
        status: result.nonFinite ? 'nan' : result.status === 'stopped' ? 'stopped' : 'complete',
        ...(result.nonFinite ? { reason: result.error ?? 'a loss became NaN or infinite' } : {}),
        ...(result.status === 'stopped' ? { reason: `stopped by the user at step ${result.steps}` } : {}),
        ...(notes && !result.nonFinite && result.status !== 'stopped' ? { reason: notes.slice(2, -1) } : {}),
        steps: result.steps,
        durationMs: performance.now() - t0,
        backend: backendInfo?.backend ?? 'unknown',
        learning,
        evaluation,
        checkpoint: kept.checkpoint,
      };
      return Comlink.transfer(outcome, [...transfer, ...(kept.checkpoint ? [kept.checkpoint.weights] : [])]);
    } finally {
      control = null;
    }
  },
  pause(): void {
    control?.pause();
  },
  resume(): void {
    control?.resume();
  },
  stop(): void {
    control?.stop();
  },

  /**
   * Evaluates the current agent (last run, or importCheckpoint) on one split of `data`, with the
   * agent's own features/env config and `data`'s panel, assets and splits.
   */
  async evaluate(split: SplitName, data: TrainRequest): Promise<SplitEvaluation> {
    if (!current) throw new Error('There is no trained or loaded agent in the worker.');
    const prepared = await prepareForModel(data, current.config, current.normalization);
    if (!prepared.evaluableSplits.includes(split))
      throw new Error(`The ${split} split has no room for an episode in this data.`);
    const ev = wire(await evaluateExperiment(current.learner, prepared, [split]));
    return Comlink.transfer(ev.evaluation.splits[0], ev.transfer);
  },

  async exportCheckpoint(): Promise<CheckpointData> {
    if (!current) throw new Error('There is no trained or loaded agent to export.');
    const c = toCheckpointData(
      await current.learner.saveCheckpoint(),
      current.config,
      current.step,
      current.normalization,
    );
    return Comlink.transfer(c, [c.weights]);
  },

  /**
   * Loads a downloaded model: rebuilds its learner from the config stored in the checkpoint on the
   * panel of `data` (the observation must have the same shape: same number of assets, features, window),
   * its inputs scaled with the z-score saved in the checkpoint (as `lab evaluate` does), not one
   * re-fitted on `data`. Resolves with a note when the checkpoint predates saved statistics.
   */
  async importCheckpoint(checkpoint: CheckpointData, data: TrainRequest): Promise<{ notes: string[] }> {
    if (control) throw new Error('Wait for the current training to finish.');
    const saved = checkpoint.config as ResolvedExperimentConfig;
    const normalization = checkpoint.normalization;
    const notes = normalization
      ? ['inputs scaled with the z-score saved with the model']
      : [
          'this model file has no saved z-score (saved by an older lab): its inputs are scaled with statistics fitted on the current train split',
        ];
    const prepared = await prepareForModel(data, saved, normalization);
    const c = prepared.config;
    const learner = await getAlgorithm(c.algo).create({
      config: { ...c.agent, seed: c.seed, totalSteps: Math.max(1, checkpoint.step) },
      preset: c.preset,
      makeEnv: prepared.makeTrainEnv,
    });
    try {
      await learner.loadCheckpoint(fromCheckpointData(checkpoint));
    } catch (e) {
      learner.dispose();
      const shape = `${prepared.features.assets.length} assets × ${prepared.features.featureNames.length} features`;
      throw new Error(
        `This model does not fit the current data (${shape}): ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    setCurrent({ learner, config: c, step: checkpoint.step, ...(normalization ? { normalization } : {}) });
    return { notes };
  },
};

/** The data side (source, assets, splits) of `data`, the agent side (algo, agent, features, env) of `agent`. */
function withAgentOf(data: TrainRequest['config'], agent: ResolvedExperimentConfig): unknown {
  return {
    ...data,
    algo: agent.algo,
    preset: agent.preset,
    agent: agent.agent,
    features: agent.features,
    envKind: agent.envKind,
    env: agent.env,
    seed: agent.seed,
  };
}

export type TrainerApi = typeof api;
Comlink.expose(api);
