/**
 * The experiment runner behind the trainer worker, `lab train` and sweeps: config + panel →
 * features → envs → training (core's run loop) → every split evaluated against the baselines.
 * Pure (no DOM, no fs): the caller brings the panel and initialises the tfjs backend.
 *
 *   const panel = await loadExperimentPanel(config.data, { readEmbedded });   // or the user's panel
 *   const res = await runExperiment(config, panel, { callbacks, control });
 *   res.evaluation?.splits   // train/valid/test: agent + baselines, equity, metrics, trades …
 *   res.learner?.dispose()   // only with keepLearner
 */
import { inferAnnualization } from '../data/align.ts';
import type { Panel, SplitName, SplitSpec } from '../data/types.ts';
import { PortfolioEnv, type PortfolioEnvConfig } from '../envs/portfolio.ts';
import { TradingEnv, type TradingEnvConfig } from '../envs/trading.ts';
import type { Action, Env } from '../envs/types.ts';
import { buildFeatures, type BuildFeaturesOptions } from '../features/build.ts';
import type { FeatureConfig } from '../features/config.ts';
import type { FeatureSet } from '../features/types.ts';
import type { Learner } from '../run/algorithms.ts';
import { RunControl } from '../run/control.ts';
import type { MetricRow } from '../run/metrics.ts';
import { runTraining, type TrainingCallbacks, type TrainingResult } from '../run/trainer.ts';
import {
  envConfigFor,
  featureConfigOf,
  resolveExperimentConfig,
  splitSpecOf,
  SPLIT_NAMES,
  type ResolvedExperimentConfig,
} from './config.ts';
import { selectAssets } from './data.ts';
import { costModelOf, EVAL_SEED, evaluateSplit, type CostModel } from './evaluation.ts';
import type { RunEvaluation, SplitEvaluation } from './types.ts';

export interface PreparedExperiment {
  config: ResolvedExperimentConfig;
  /** The panel with the selected assets. */
  panel: Panel;
  splitSpec: SplitSpec;
  featureConfig: FeatureConfig;
  features: FeatureSet;
  annualization: number;
  costs: CostModel;
  /** Steps of a training episode (the configured length, capped to what the train split holds; null = whole split). */
  episodeLength: number | null;
  /** Splits with room for at least one step after the window. */
  evaluableSplits: SplitName[];
  /** Adjustments worth telling the user (e.g. a capped episode length). */
  notes: string[];
  /** Training env i: train split, random starts, seed config.seed + i. */
  makeTrainEnv(index: number): Env<Action>;
  /** Evaluation env: one deterministic episode over the whole split. */
  makeEvalEnv(split: SplitName): Env<Action>;
}

function makeEnv(
  config: ResolvedExperimentConfig,
  fs: FeatureSet,
  env: Partial<TradingEnvConfig> | Partial<PortfolioEnvConfig>,
): Env<Action> {
  if (config.envKind === 'portfolio')
    return new PortfolioEnv(fs, env as Partial<PortfolioEnvConfig>) as unknown as Env<Action>;
  return new TradingEnv(fs, env as Partial<TradingEnvConfig>) as unknown as Env<Action>;
}

/** Max steps of an episode over rows [start, end) with window W (0 when it cannot hold one). */
function splitSteps(fs: FeatureSet, split: SplitName, window: number): number {
  const r = fs.splits[split];
  const first = Math.max(r.start, window - 1);
  return Math.max(0, r.end - 1 - first);
}

/**
 * Resolve the config, cut the assets, build the features on the experiment's splits and hand out
 * env factories. Throws ExperimentConfigError / FeatureError (the user's input) with the field named.
 * `opts.normalization`: the z-score statistics a trained agent was fitted with (`lab evaluate`
 * scales any data as in training); default: fitted on this panel's train split.
 */
export async function prepareExperiment(
  config: unknown,
  fullPanel: Panel,
  opts: BuildFeaturesOptions = {},
): Promise<PreparedExperiment> {
  // Resolution is idempotent, so an already resolved config goes through unchanged.
  const resolved = await resolveExperimentConfig(config);
  const panel = selectAssets(fullPanel, resolved.assets);
  const splitSpec = splitSpecOf(resolved.splits, panel.dates);
  const featureConfig = featureConfigOf(resolved.features, splitSpec);
  const features = buildFeatures(panel, featureConfig, opts);
  const annualization = resolved.eval.annualization ?? inferAnnualization(features.dates);
  const window = featureConfig.window;
  const notes: string[] = [];
  const trainSteps = splitSteps(features, 'train', window);
  if (trainSteps < 1)
    throw new Error(
      `the train split has no room for an episode with window ${window} (${features.splits.train.end - features.splits.train.start} rows)`,
    );
  let episodeLength = resolved.env.episodeLength as number | null;
  if (episodeLength !== null && episodeLength > trainSteps) {
    notes.push(`episode length ${episodeLength} capped to the ${trainSteps} steps the train split holds`);
    episodeLength = trainSteps;
  }
  const evaluableSplits = SPLIT_NAMES.filter((s) => splitSteps(features, s, window) >= 1);
  return {
    config: resolved,
    panel,
    splitSpec,
    featureConfig,
    features,
    annualization,
    costs: costModelOf(resolved),
    episodeLength,
    evaluableSplits,
    notes,
    makeTrainEnv: (i) =>
      makeEnv(
        resolved,
        features,
        envConfigFor(resolved, { split: 'train', seed: resolved.seed + i, wholeSplit: false, episodeLength }),
      ),
    makeEvalEnv: (split) =>
      makeEnv(resolved, features, envConfigFor(resolved, { split, seed: EVAL_SEED, wholeSplit: true })),
  };
}

/** Evaluate a trained policy on the configured splits that can hold an episode (others are simply absent). */
export async function evaluateExperiment(
  predictor: Pick<Learner, 'predict'>,
  prepared: PreparedExperiment,
  splits: readonly SplitName[] = prepared.config.eval.splits,
): Promise<RunEvaluation> {
  const out: SplitEvaluation[] = [];
  for (const split of SPLIT_NAMES) {
    if (!splits.includes(split) || !prepared.evaluableSplits.includes(split)) continue;
    out.push(
      await evaluateSplit(predictor, prepared.makeEvalEnv(split), prepared.features, split, {
        annualization: prepared.annualization,
        costs: prepared.costs,
        baselines: prepared.config.eval.baselines,
      }),
    );
  }
  return { splits: out, boundaries: out.map((s) => ({ split: s.split, date: s.dates[0] })) };
}

export interface RunExperimentOptions {
  /** The run loop's callbacks (throttled metrics, periodic validation evals, checkpoints, status). */
  callbacks?: TrainingCallbacks;
  control?: RunControl;
  /** Called when the runner moves on ('building features', 'training', 'evaluating'). */
  onPhase?(phase: 'building features' | 'training' | 'evaluating'): void;
  /** The prepared experiment, once the features are built and before training (what `lab train` records; the worker saves its z-score with checkpoints). */
  onPrepared?(prepared: PreparedExperiment): void;
  /** Keep the trained learner in the result (the caller disposes it); default false: disposed here. */
  keepLearner?: boolean;
  /** Keep every metric row (learning.csv). */
  keepRows?: boolean;
  /** Env steps between checkpoints during training (0: only at the end); needs callbacks.onCheckpoint. */
  checkpointEvery?: number;
  /** ms clock (default performance.now). */
  clock?: () => number;
}

export interface ExperimentResult {
  config: ResolvedExperimentConfig;
  /** completed | stopped (by control) | failed (training error; with a NaN/Inf loss the last good weights are still evaluated). */
  status: TrainingResult['status'];
  error?: string;
  /** A NaN/Inf loss ended training (the evaluation uses the last good weights). */
  nonFinite: boolean;
  steps: number;
  iterations: number;
  episodes: number;
  /** Mean return of the last 20 training episodes (NaN when none finished). */
  recentReturn: number;
  trainMs: number;
  evalMs: number;
  assets: string[];
  featureNames: string[];
  annualization: number;
  splitSpec: SplitSpec;
  notes: string[];
  /** Per split: agent and baselines. Null when training failed before any weights existed. */
  evaluation: RunEvaluation | null;
  rows?: MetricRow[];
  /** With keepLearner. */
  learner: Learner | null;
}

/** Prepare, train, evaluate. Throws for a bad config or data; a failed training is a result with status 'failed'. */
export async function runExperiment(
  config: unknown,
  panel: Panel,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const clock = opts.clock ?? (() => performance.now());
  opts.onPhase?.('building features');
  const prepared = await prepareExperiment(config, panel);
  opts.onPrepared?.(prepared);
  const c = prepared.config;
  let nonFinite = false;
  const userCheckpoint = opts.callbacks?.onCheckpoint;
  // Only hook checkpoints when the caller wants them: each one serialises the weights.
  const callbacks: TrainingCallbacks = userCheckpoint
    ? {
        ...opts.callbacks,
        onCheckpoint: (ckpt, info) => {
          if (info.reason === 'non-finite') nonFinite = true;
          return userCheckpoint(ckpt, info);
        },
      }
    : { ...opts.callbacks };
  opts.onPhase?.('training');
  const training = await runTraining({
    algo: c.algo,
    preset: c.preset,
    config: { ...c.agent, seed: c.seed, totalSteps: c.totalSteps },
    makeEnv: prepared.makeTrainEnv,
    ...(c.eval.every > 0 && prepared.evaluableSplits.includes('valid')
      ? { makeEvalEnv: () => prepared.makeEvalEnv('valid'), evalEvery: c.eval.every, evalEpisodes: 1 }
      : {}),
    checkpointEvery: opts.checkpointEvery ?? 0,
    callbacks,
    control: opts.control ?? new RunControl(),
    clock,
    keepRows: opts.keepRows ?? false,
  });
  const learner = training.learner;
  // Without a checkpoint callback the run loop does not say so directly; its error message does.
  if (training.status === 'failed' && /non-finite/i.test(training.error ?? '')) nonFinite = true;
  let evaluation: RunEvaluation | null = null;
  const t0 = clock();
  try {
    if (learner && (training.status !== 'failed' || nonFinite)) {
      opts.onPhase?.('evaluating');
      evaluation = await evaluateExperiment(learner, prepared);
    }
  } finally {
    if (!opts.keepLearner) learner?.dispose();
  }
  return {
    config: c,
    status: training.status,
    ...(training.error ? { error: training.error } : {}),
    nonFinite,
    steps: training.globalStep,
    iterations: training.iterations,
    episodes: training.episodes,
    recentReturn: training.recentReturn,
    trainMs: training.wallMs,
    evalMs: clock() - t0,
    assets: prepared.features.assets.slice(),
    featureNames: prepared.features.featureNames.slice(),
    annualization: prepared.annualization,
    splitSpec: prepared.splitSpec,
    notes: prepared.notes,
    evaluation,
    ...(training.rows ? { rows: training.rows } : {}),
    learner: opts.keepLearner ? learner : null,
  };
}
