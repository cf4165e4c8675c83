/**
 * Seed 004, step 2: behaviour cloning of the ensemble's decisions (its offline dataset, dataset.ts)
 * through the lab's algorithm registry and run loop (`bc`, runTraining), and the seed's production
 * checklist computed from the trained policy.
 *
 * Validation: 'split' (default) trains on the dataset's train rows and validates on its valid rows
 * (time order, no look-ahead; the test rows stay out); 'random' is the seed's random 10% of the
 * train + valid rows. Early stopping on the validation loss; the best epoch's weights are kept.
 * Per epoch, train and validation loss/accuracy are recomputed in evaluation mode (no dropout) from
 * the epoch's checkpoint, so the train/val gap compares like with like.
 *
 * In policy/, outside the pure core: this module loads tfjs (its options are in ../policyConfig.ts).
 */
import type { BcEvaluation, BcLearner } from '../../agents/bc.ts';
import type { CheckpointArtifacts } from '../../agents/checkpoint.ts';
import type { OfflineDataset } from '../../agents/offline/dataset.ts';
import { provideDataset } from '../../agents/offline/source.ts';
import type { Action, Env, Space, StepResult } from '../../envs/types.ts';
import { getAlgorithm } from '../../run/algorithms.ts';
import type { MetricRow } from '../../run/metrics.ts';
import type { RunControl } from '../../run/control.ts';
import { runTraining, type TrainingCallbacks } from '../../run/trainer.ts';
import { ACTION_NAMES, EnsembleError } from '../types.ts';
import { DEFAULT_POLICY_TRAIN, type PolicyTrainOptions, type SplitCounts } from '../policyConfig.ts';

export { DEFAULT_POLICY_TRAIN, type PolicyTrainOptions, type SplitCounts };

/** The first `n` rows of an offline dataset. */
export function headRows(ds: OfflineDataset, n: number): OfflineDataset {
  const d = ds.obsDim;
  const k = ds.actionDim;
  return {
    ...ds,
    size: n,
    obs: ds.obs.slice(0, n * d),
    nextObs: ds.nextObs.slice(0, n * d),
    actions: ds.actions.slice(0, n * k),
    rewards: ds.rewards.slice(0, n),
    terminals: ds.terminals.slice(0, n),
    timeouts: ds.timeouts.slice(0, n),
    ...(ds.strength ? { strength: ds.strength.slice(0, n) } : {}),
    ...(ds.baseline ? { baseline: ds.baseline.slice(0, n * k) } : {}),
  };
}

/** An env that only declares the dataset's spaces: the offline learners check their data against env 0. */
function spacesEnv(ds: OfflineDataset): Env<Action> {
  const none = (): never => {
    throw new Error('ensemble policy: the dataset env only declares spaces');
  };
  return {
    observationSpace: ds.meta.observationSpace as Space,
    actionSpace: ds.meta.actionSpace as Space,
    reset: none,
    step: none as () => StepResult,
  } as Env<Action>;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  /** The epoch's mean minibatch loss while training (dropout on). */
  train_batch_loss: number;
  train_loss: number;
  val_loss: number;
  train_accuracy: number;
  val_accuracy: number;
  val_strength_mse: number;
}

export interface PolicyReport {
  dataset: {
    rows: number;
    train_rows: number;
    val_rows: number;
    held_out_test_rows: number;
    validation: PolicyTrainOptions['validation'];
  };
  config: Record<string, unknown>;
  epochs: EpochRecord[];
  best_epoch: number;
  early_stopped: boolean;
  best: {
    train_loss: number;
    val_loss: number;
    train_accuracy: number;
    val_accuracy: number;
    /** val_loss − train_loss at the best epoch. */
    loss_gap: number;
    /** train_accuracy − val_accuracy at the best epoch. */
    accuracy_gap: number;
    val_strength_mse: number;
  };
  classes: readonly string[];
  /** Validation split of the best epoch; confusion rows = true class, columns = predicted. */
  validation: {
    precision: Record<string, number>;
    recall: Record<string, number>;
    support: Record<string, number>;
    confusion: number[][];
  };
  train_ms: number;
}

export interface TrainedPolicy {
  learner: BcLearner;
  /** The dataset the learner trained on (train + valid rows), provided under `datasetName`. */
  dataset: OfflineDataset;
  datasetName: string;
  report: PolicyReport;
  rows: MetricRow[];
  status: 'completed' | 'stopped' | 'failed';
  error?: string;
}

let provided = 0;

/** The registry config of a BC run over `n` rows with `valid` of them validating ('split'). */
export function bcConfig(opts: PolicyTrainOptions, counts: SplitCounts, datasetName: string) {
  const n = counts.train + counts.valid;
  return {
    hidden: [...opts.hidden],
    dropout: opts.dropout,
    alpha: opts.alpha,
    beta: opts.beta,
    learningRate: opts.learningRate,
    batchSize: opts.batchSize,
    epochs: opts.epochs,
    valFraction: opts.validation === 'split' ? counts.valid / n : opts.valFraction,
    split: opts.validation === 'split' ? 'tail' : 'random',
    patience: opts.patience,
    // The best epoch is picked here from the per-epoch checkpoints (the learner keeps its last weights).
    restoreBest: false,
    imbalance: opts.imbalance,
    normalizeObs: true,
    seed: opts.seed,
    dataset: { file: datasetName },
  };
}

const named = (xs: ArrayLike<number>): Record<string, number> =>
  Object.fromEntries(ACTION_NAMES.map((a, c) => [a, xs[c]]));

/** Trains BC 34 → hidden → action + strength heads on an ensemble dataset (see the module comment). */
export async function trainEnsemblePolicy(
  full: OfflineDataset,
  counts: SplitCounts,
  options: Partial<PolicyTrainOptions> = {},
  run: { control?: RunControl; callbacks?: TrainingCallbacks } = {},
): Promise<TrainedPolicy> {
  const opts: PolicyTrainOptions = { ...DEFAULT_POLICY_TRAIN, ...options };
  if (counts.train + counts.valid + counts.test !== full.size)
    throw new EnsembleError(
      `ensemble policy: the split counts (train ${counts.train}, valid ${counts.valid}, test ${counts.test}) do not add up to the dataset's ${full.size} rows`,
    );
  if (opts.validation === 'split' && (counts.train < 1 || counts.valid < 1))
    throw new EnsembleError(
      `ensemble policy: validation on the valid split needs train and valid rows (train ${counts.train}, valid ${counts.valid}); try --validation random`,
    );
  const n = counts.train + counts.valid;
  const dataset = headRows(full, n);
  const datasetName = `ensemble-policy-${++provided}`;
  provideDataset(datasetName, dataset);
  const config = bcConfig(opts, counts, datasetName);
  const epochCkpts: CheckpointArtifacts[] = [];
  const t0 = performance.now();
  const res = await runTraining({
    algo: 'bc',
    config,
    makeEnv: () => spacesEnv(dataset),
    checkpointEvery: 1,
    keepRows: true,
    control: run.control,
    callbacks: {
      ...run.callbacks,
      onCheckpoint: async (c, info) => {
        if (info.reason === 'periodic') epochCkpts.push(c);
        await run.callbacks?.onCheckpoint?.(c, info);
      },
    },
  });
  const trainMs = performance.now() - t0;
  const learner = res.learner as BcLearner | null;
  if (!learner) throw new EnsembleError(`ensemble policy: ${res.error ?? 'training failed'}`);
  if (opts.validation === 'split' && learner.valRows.length !== counts.valid)
    throw new Error(`ensemble policy: ${learner.valRows.length} validation rows, expected ${counts.valid}`);
  const rows = res.rows ?? [];
  const batchLoss = rows.filter((r) => 'losses/loss' in r.values).map((r) => r.values['losses/loss']);
  // Per epoch, in evaluation mode, from the epoch's checkpoint.
  const epochs: EpochRecord[] = [];
  const evals: BcEvaluation[] = [];
  for (let e = 0; e < epochCkpts.length; e++) {
    await learner.loadCheckpoint(epochCkpts[e]);
    const tr = learner.evaluate(learner.trainRows);
    const va = learner.evaluate(learner.valRows);
    evals.push(va);
    epochs.push({
      epoch: e + 1,
      step: learner.globalStep,
      train_batch_loss: batchLoss[e] ?? NaN,
      train_loss: tr.loss,
      val_loss: va.loss,
      train_accuracy: tr.accuracy,
      val_accuracy: va.accuracy,
      val_strength_mse: va.strengthMse,
    });
  }
  if (epochs.length === 0) throw new EnsembleError(`ensemble policy: no epoch finished (${res.error ?? ''})`);
  let best = 0;
  for (let e = 1; e < epochs.length; e++) if (epochs[e].val_loss < epochs[best].val_loss) best = e;
  await learner.loadCheckpoint(epochCkpts[best]);
  const b = epochs[best];
  const head = evals[best].heads[0];
  const K = head.classes;
  const { dataset: _ds, ...cfgOut } = learner.config;
  const report: PolicyReport = {
    dataset: {
      rows: full.size,
      train_rows: learner.trainRows.length,
      val_rows: learner.valRows.length,
      held_out_test_rows: counts.test,
      validation: opts.validation,
    },
    config: cfgOut as Record<string, unknown>,
    epochs,
    best_epoch: best + 1,
    early_stopped: epochs.length < opts.epochs,
    best: {
      train_loss: b.train_loss,
      val_loss: b.val_loss,
      train_accuracy: b.train_accuracy,
      val_accuracy: b.val_accuracy,
      loss_gap: b.val_loss - b.train_loss,
      accuracy_gap: b.train_accuracy - b.val_accuracy,
      val_strength_mse: b.val_strength_mse,
    },
    classes: ACTION_NAMES,
    validation: {
      precision: named(head.precision),
      recall: named(head.recall),
      support: named(head.support),
      confusion: Array.from({ length: K }, (_, t) => Array.from(head.confusion.subarray(t * K, (t + 1) * K))),
    },
    train_ms: Math.round(trainMs),
  };
  return {
    learner,
    dataset,
    datasetName,
    report,
    rows,
    status: res.status,
    ...(res.error ? { error: res.error } : {}),
  };
}

/** A BC learner of the registry over a provided dataset, with `artifacts` loaded (a saved policy). */
export async function loadEnsemblePolicy(
  config: Record<string, unknown>,
  dataset: OfflineDataset,
  artifacts: CheckpointArtifacts,
): Promise<BcLearner> {
  const name = `ensemble-policy-${++provided}`;
  provideDataset(name, dataset);
  const learner = (await getAlgorithm('bc').create({
    config: { ...config, dataset: { file: name } },
    makeEnv: () => spacesEnv(dataset),
  })) as BcLearner;
  await learner.loadCheckpoint(artifacts);
  return learner;
}

/** Wall time (ms) of one single-row prediction of `learner` (see timePerCall), rows cycling through `obs`. */
export async function measureInference(
  learner: BcLearner,
  obs: Float32Array,
  n = 200,
): Promise<{ median_ms: number; samples: number; p90_ms: number }> {
  const d = learner.net.obsDim;
  const rows = obs.length / d;
  if (!(rows >= 1)) throw new Error('measureInference: no rows');
  return timePerCall((k) => learner.act(obs.subarray((k % rows) * d, ((k % rows) + 1) * d)), n);
}

/**
 * Wall time (ms) of one call: the median (and 90th percentile) over 10 batches of ~n/10 calls, after
 * 10 warm-up calls. Batches, because browsers coarsen performance.now() to 0.1 ms on a plain page —
 * more than one prediction takes — so single-call timings read 0 or 0.1.
 */
export async function timePerCall(
  call: (k: number) => unknown,
  n = 200,
): Promise<{ median_ms: number; samples: number; p90_ms: number }> {
  for (let k = 0; k < 10; k++) await call(k);
  const batches = 10;
  const perBatch = Math.max(1, Math.floor(n / batches));
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let k = 0; k < perBatch; k++) await call(b * perBatch + k);
    times.push((performance.now() - t0) / perBatch);
  }
  times.sort((a, b) => a - b);
  const median = (times[batches / 2 - 1] + times[batches / 2]) / 2;
  return { median_ms: median, samples: batches * perBatch, p90_ms: times[Math.floor(0.9 * batches)] };
}

export interface ChecklistItem {
  value: number | boolean | null;
  threshold: number | string | null;
  pass: boolean | 'pending';
  note?: string;
}

export interface Checklist {
  items: Record<string, ChecklistItem>;
  /** Every decided item passes. */
  pass: boolean;
  pending: string[];
}

function decide(items: Record<string, ChecklistItem>): Checklist {
  const decided = Object.values(items).filter((i) => i.pass !== 'pending');
  return {
    items,
    pass: decided.every((i) => i.pass === true),
    pending: Object.entries(items)
      .filter(([, i]) => i.pass === 'pending')
      .map(([k]) => k),
  };
}

/**
 * The checklist after evaluation: 'backtested' = validation Sharpe of the ensemble with the policy
 * as 4th analyst minus without (> 0 passes; stays pending without a validation split or policy),
 * and the PPO fine-tuned policy's measured inference time when it was trained.
 */
export function completeChecklist(
  c: Checklist,
  e: { deltaSharpe?: number; rlWeight: number; data: string; ppoInferenceMs?: number },
): Checklist {
  const items = { ...c.items };
  if (e.deltaSharpe !== undefined)
    items.backtested = {
      value: e.deltaSharpe,
      threshold: 0,
      pass: e.deltaSharpe > 0,
      note: `validation Sharpe with the policy as 4th analyst (weight ${e.rlWeight}) minus without, on ${e.data}`,
    };
  if (e.ppoInferenceMs !== undefined)
    items.ppo_inference_speed = {
      value: e.ppoInferenceMs,
      threshold: 10,
      pass: e.ppoInferenceMs < 10,
      note: 'median ms over 200 single greedy decisions of the PPO fine-tuned policy',
    };
  return decide(items);
}

/** The seed's production checklist, computed (thresholds: val accuracy > 0.7, loss gap < 0.2, < 10 ms). */
export function productionChecklist(inputs: {
  valAccuracy: number;
  lossGap: number;
  inferenceMs: number;
  inferenceSamples: number;
  /** Validation accuracy of the policy read back from the saved files. */
  reloadedValAccuracy: number;
  metricsSaved: boolean;
  savedAt: string;
}): Checklist {
  const items: Record<string, ChecklistItem> = {
    model_validated: { value: inputs.valAccuracy, threshold: 0.7, pass: inputs.valAccuracy > 0.7 },
    no_overfitting: { value: inputs.lossGap, threshold: 0.2, pass: inputs.lossGap < 0.2 },
    inference_speed: {
      value: inputs.inferenceMs,
      threshold: 10,
      pass: inputs.inferenceMs < 10,
      note: `median ms over ${inputs.inferenceSamples} single predictions`,
    },
    model_versioned: {
      value: inputs.metricsSaved && inputs.reloadedValAccuracy === inputs.valAccuracy,
      threshold: 'the saved checkpoint reloads to the reported validation accuracy, metrics beside it',
      pass: inputs.metricsSaved && inputs.reloadedValAccuracy === inputs.valAccuracy,
      note: `saved ${inputs.savedAt}; reloaded val accuracy ${inputs.reloadedValAccuracy}`,
    },
    backtested: {
      value: null,
      threshold: 'validation Sharpe with the policy as 4th analyst > without',
      pass: 'pending',
      note: 'pending: run lab ensemble evaluate RUN --data SRC (the policy as the 4th analyst, with vs without)',
    },
  };
  return decide(items);
}
