/**
 * Seed 004 end to end, in memory: panel + settings → analysts and vote → per-split backtests →
 * the 34-feature dataset → behaviour cloning (report, checkpoint bytes, production checklist) →
 * the BC policy as 4th analyst → PPO fine-tuned from BC and PPO from scratch → per-split
 * evaluation. `lab ensemble` runs its stages and writes files; the lab's `ensemble` workflow
 * runner (core/workflows/ensembleRunner.ts) runs it whole.
 *
 * In policy/, outside the pure core: this module loads tfjs.
 */
import { fromFiles, toFiles } from '../../agents/checkpoint.ts';
import type { BcLearner } from '../../agents/bc.ts';
import type { OfflineDataset } from '../../agents/offline/dataset.ts';
import type { Panel, SplitSpec } from '../../data/types.ts';
import type { RunControl } from '../../run/control.ts';
import type { MetricRow } from '../../run/metrics.ts';
import type { TrainingCallbacks } from '../../run/trainer.ts';
import {
  actionDistribution,
  buildEnsembleDataset,
  toOfflineDataset,
  type ActionDistribution,
  type EnsembleDataset,
} from '../dataset.ts';
import {
  analyseEnsemble,
  backtestEnsemble,
  type EnsembleAnalysis,
  type EnsembleConfig,
  type SplitRun,
} from '../ensemble.ts';
import {
  DEFAULT_FINETUNE,
  DEFAULT_POLICY_TRAIN,
  type FinetuneOptions,
  type SplitCounts,
} from '../policyConfig.ts';
import type { SentimentSignals } from '../signals.ts';
import { STATE_DIM } from '../state.ts';
import { EnsembleError } from '../types.ts';
import { evaluatePolicies, type PolicyEvaluation } from './evaluate.ts';
import {
  completeChecklist,
  loadEnsemblePolicy,
  measureInference,
  productionChecklist,
  trainEnsemblePolicy,
  type Checklist,
  type PolicyTrainOptions,
  type TrainedPolicy,
} from './train.ts';

/** What `lab ensemble train` writes, computed: the trained policy, its checkpoint bytes and checklist. */
export interface BcStage {
  /** The learner stays alive (best epoch loaded): the caller disposes trained.learner. */
  trained: TrainedPolicy;
  /** checkpoint/model.json and weights.bin. */
  files: { json: string; weights: Uint8Array };
  /** The metrics saved beside the model (checkpoint/config.json). */
  metrics: Record<string, number>;
  savedAt: string;
  /** Validation accuracy of the policy read back from `files`. */
  reloadedValAccuracy: number;
  inference: { median_ms: number; samples: number; p90_ms: number };
  checklist: Checklist;
}

/** Rows per split of an ensemble dataset (ordered train, valid, test). */
export function splitCounts(ds: EnsembleDataset): SplitCounts {
  const c: SplitCounts = { train: 0, valid: 0, test: 0 };
  for (const s of ds.split) c[s]++;
  return c;
}

/**
 * BC on an ensemble dataset, then the checklist from the saved model: the checkpoint is written
 * to bytes, read back and re-evaluated (model_versioned), and 200 single predictions of the
 * reloaded policy are timed (inference_speed).
 */
export async function trainBcStage(
  dataset: OfflineDataset,
  counts: SplitCounts,
  options: Partial<PolicyTrainOptions> = {},
  run: { control?: RunControl; callbacks?: TrainingCallbacks } = {},
  savedAt = new Date().toISOString(),
): Promise<BcStage> {
  const trained = await trainEnsemblePolicy(dataset, counts, options, run);
  const { learner, report } = trained;
  const metrics = { best_epoch: report.best_epoch, ...report.best };
  const files = toFiles(await learner.saveCheckpoint({ best_epoch: report.best_epoch }));
  // The metrics as they read back from JSON, and the model as it reads back from its bytes.
  const saved = JSON.parse(JSON.stringify(metrics)) as typeof metrics;
  const reloaded = await loadEnsemblePolicy(
    report.config,
    trained.dataset,
    fromFiles(files.json, files.weights),
  );
  let reloadedValAccuracy: number;
  let inference: BcStage['inference'];
  try {
    reloadedValAccuracy = reloaded.evaluate(reloaded.valRows).accuracy;
    const rows = reloaded.valRows.length > 0 ? reloaded.valRows : reloaded.trainRows;
    const obs = new Float32Array(rows.length * STATE_DIM);
    rows.forEach((r, k) =>
      obs.set(trained.dataset.obs.subarray(r * STATE_DIM, (r + 1) * STATE_DIM), k * STATE_DIM),
    );
    inference = await measureInference(reloaded, obs, 200);
  } finally {
    reloaded.dispose();
  }
  const checklist = productionChecklist({
    valAccuracy: report.best.val_accuracy,
    lossGap: report.best.loss_gap,
    inferenceMs: inference.median_ms,
    inferenceSamples: inference.samples,
    reloadedValAccuracy,
    metricsSaved: saved.val_accuracy === report.best.val_accuracy,
    savedAt,
  });
  return { trained, files, metrics, savedAt, reloadedValAccuracy, inference, checklist };
}

export interface EnsemblePipelineSettings {
  splitSpec: SplitSpec;
  annualization: number;
  ensemble?: Partial<EnsembleConfig>;
  signals?: SentimentSignals | null;
  bc?: Partial<PolicyTrainOptions>;
  /** Weight of the BC policy's vote as the 4th analyst. Default 1. */
  rlWeight?: number;
  /**
   * BC policies trained from seeds bc.seed, bc.seed + 1, …: with more than one, the 4th analyst is
   * their seed ensemble (majority action, mean strength). The report and checklist are the first's.
   * Default 1.
   */
  bcSeeds?: number;
  /** PPO fine-tuning and PPO from scratch; null skips both. */
  finetune?: Partial<FinetuneOptions> | null;
  /** Asset column of the single-asset comparisons. Default 0. */
  asset?: number;
  /** Names the data in the dataset's meta. */
  source?: string;
}

export type PipelinePhase = 'building features' | 'training' | 'evaluating';

export interface EnsemblePipelineHooks {
  /** The coarse phase (the lab's vocabulary) and what happens in it. */
  onPhase?: (phase: PipelinePhase, detail: string) => void;
  /** Metric rows keyed by one global step: BC's gradient steps, then PPO-from-BC's env steps after them. */
  onMetrics?: (rows: MetricRow[]) => void;
  /** Steps done of all training (BC's budget + PPO's). */
  onProgress?: (step: number, totalSteps: number) => void;
  control?: RunControl;
}

export interface EnsemblePipelineResult {
  analysis: EnsembleAnalysis;
  runs: SplitRun[];
  dataset: EnsembleDataset;
  counts: SplitCounts;
  distribution: ActionDistribution;
  bc: BcStage;
  evaluation: PolicyEvaluation;
  /** The BC checklist completed with the evaluation (Sharpe with vs without, PPO inference). */
  checklist: Checklist;
  status: 'completed' | 'stopped';
  timings_ms: Record<string, number>;
}

/** Runs seed 004 end to end (see the module comment); the caller disposes result.bc.trained.learner. */
export async function runEnsemblePipeline(
  panel: Panel,
  settings: EnsemblePipelineSettings,
  hooks: EnsemblePipelineHooks = {},
): Promise<EnsemblePipelineResult> {
  const t0 = performance.now();
  const control = hooks.control;
  hooks.onPhase?.('building features', 'analysts, vote and dataset');
  const analysis = analyseEnsemble(panel, settings.splitSpec, settings.signals ?? null, settings.ensemble);
  const runs = backtestEnsemble(analysis);
  if (runs.length === 0) throw new EnsembleError('ensemble: no split has 2 or more rows of data');
  const dataset = buildEnsembleDataset(analysis, runs);
  const counts = splitCounts(dataset);
  const offline = toOfflineDataset(dataset, settings.source ?? 'ensemble');
  const tData = performance.now();

  const ppo = settings.finetune === null ? null : { ...DEFAULT_FINETUNE, ...(settings.finetune ?? {}) };
  // PPO runs whole rollouts (numEnvs × numSteps): its budget rounded down to them, at least one.
  const rollout = ppo ? ppo.numEnvs * ppo.numSteps : 1;
  const ppoSteps = ppo ? Math.max(1, Math.floor(ppo.totalSteps / rollout)) * rollout : 0;
  let bcTotal = 0;
  let bcLast = 0;
  hooks.onPhase?.('training', 'behaviour cloning');
  const bc = await trainBcStage(offline, counts, settings.bc, {
    control,
    callbacks: {
      onMetrics: (rows) => {
        if (rows.length) bcLast = rows[rows.length - 1].step;
        hooks.onMetrics?.(rows);
      },
      onStatus: (s) => {
        bcTotal = s.totalSteps;
        hooks.onProgress?.(s.step, s.totalSteps + 2 * ppoSteps);
      },
    },
  });
  const stopped = () => control?.stopRequested === true || bc.trained.status === 'stopped';
  // The seed ensemble's other members: same data and settings, the next seeds.
  const members: BcLearner[] = [];
  const seed0 = settings.bc?.seed ?? DEFAULT_POLICY_TRAIN.seed;
  for (let k = 1; k < (settings.bcSeeds ?? 1) && !stopped(); k++) {
    hooks.onPhase?.('training', `behaviour cloning, seed ${seed0 + k}`);
    const m = await trainEnsemblePolicy(offline, counts, { ...settings.bc, seed: seed0 + k }, { control });
    members.push(m.learner);
  }
  const tBc = performance.now();
  let evaluation: PolicyEvaluation;
  try {
    evaluation = await evaluatePolicies(
      analysis,
      runs,
      bc.trained.learner,
      {
        members,
        rlWeight: settings.rlWeight ?? 1,
        finetune: stopped() ? null : ppo,
        annualization: settings.annualization,
        asset: settings.asset,
      },
      {
        onPhase: (phase, detail) => hooks.onPhase?.(phase, detail),
        onPpoIteration: (which, row) => {
          const offset = which === 'ppo_bc' ? 0 : ppoSteps;
          hooks.onProgress?.(bcTotal + offset + row.step, bcTotal + 2 * ppoSteps);
          if (which === 'ppo_bc') hooks.onMetrics?.([{ step: bcLast + row.step, values: row.values }]);
        },
        shouldStop: async () => {
          if (control?.current === 'paused') await control.waitWhilePaused();
          return control?.stopRequested === true;
        },
      },
    );
  } finally {
    for (const m of members) m.dispose();
  }
  const delta = (evaluation.summary.valid as { delta_sharpe?: number } | undefined)?.delta_sharpe;
  const checklist = completeChecklist(bc.checklist, {
    deltaSharpe: delta,
    rlWeight: settings.rlWeight ?? 1,
    data: settings.source ?? 'the panel',
    ppoInferenceMs: evaluation.ppo.inference_ms,
  });
  return {
    analysis,
    runs,
    dataset,
    counts,
    distribution: actionDistribution(dataset.action),
    bc,
    evaluation,
    checklist,
    status: stopped() || evaluation.ppo.status === 'stopped' ? 'stopped' : 'completed',
    timings_ms: {
      analysts_and_dataset: Math.round(tData - t0),
      bc: Math.round(tBc - tData),
      evaluation_and_ppo: Math.round(performance.now() - tBc),
      total: Math.round(performance.now() - t0),
    },
  };
}
