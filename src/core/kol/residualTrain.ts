/**
 * Seed 000's residual policy end to end, in memory: the train split's replay buffer → residual
 * IQL through core's runTraining (BC warm start, then IQL with the fidelity penalty) → the
 * policy's actions on any split → the trained book through the book's rules. The CLI (`lab kol
 * train|evaluate|export`) and the lab's kol runner both call these, so both run the same code.
 */
import type { Learner } from '../run/learner.ts';
import type { MetricRow } from '../run/metrics.ts';
import type { RunControl } from '../run/control.ts';
import type { TrainingCallbacks, TrainingResult } from '../run/trainer.ts';
import type { Env } from '../envs/types.ts';
import type { OfflineDataset } from '../agents/offline/dataset.ts';
import type { KolBookConfig } from './book.ts';
import {
  buildKolReplay,
  compareKolBooks,
  kolBaselineRule,
  kolStates,
  residualBookWeights,
  type KolBookComparison,
  type KolReplay,
  type KolSplitBook,
} from './replay.ts';
import { type KolResidualConfig, checkKolResidualConfig } from './residualConfig.ts';
import { EDGE_Z } from './evaluate.ts';

export { DEFAULT_KOL_RESIDUAL, checkKolResidualConfig, type KolResidualConfig } from './residualConfig.ts';

/** The name residual IQL's baseline rule is provided under. */
export const KOL_BASELINE_RULE = 'kol-baseline';

/** The replay buffer of a train split with the residual's settings (train and evaluate build the same one). */
export function kolTrainReplay(train: KolSplitBook, book: KolBookConfig, c: KolResidualConfig): KolReplay {
  return buildKolReplay(train, book, {
    explore: c.explore,
    exploreScale: c.residualScale,
    reward: c.reward,
    seed: c.seed,
    embedding: { dim: c.textDim },
  });
}

/** 1 / the standard deviation of the buffer's rewards (1 when they are all equal). */
export function autoRewardScale(ds: OfflineDataset): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < ds.size; i++) {
    s += ds.rewards[i];
    s2 += ds.rewards[i] * ds.rewards[i];
  }
  const mean = s / Math.max(1, ds.size);
  const sd = Math.sqrt(Math.max(0, s2 / Math.max(1, ds.size) - mean * mean));
  return sd > 0 ? 1 / sd : 1;
}

/** A spaces-only env: the buffer is offline data, runTraining needs its spaces. */
export function kolSpacesEnv(ds: OfflineDataset): Env {
  const none = (): never => {
    throw new Error('kol: the replay buffer is offline data, not a steppable env');
  };
  return {
    observationSpace: ds.meta.observationSpace,
    actionSpace: ds.meta.actionSpace,
    reset: none,
    step: none,
  };
}

/** The registry config of residual IQL for a buffer (recorded in checkpoints; evaluation rebuilds the learner from it). */
export function kolLearnerConfig(
  c: KolResidualConfig,
  replay: KolReplay,
  datasetName: string,
): Record<string, unknown> {
  return {
    seed: c.seed,
    totalSteps: c.steps,
    hidden: c.hidden,
    batchSize: c.batchSize,
    actorLearningRate: c.learningRate,
    criticLearningRate: c.learningRate,
    valueLearningRate: c.learningRate,
    // CORL's IQL anneals the actor's rate: the policy settles instead of jittering at the end
    // (a tight λ then holds it at the baseline to 1e-6).
    actorSchedule: 'cosine',
    logInterval: Math.max(1, Math.min(100, Math.floor(c.steps / 10))),
    scale: c.residualScale,
    fidelityLambda: c.fidelityLambda,
    bcWarmStartEpochs: c.bcEpochs,
    baseline: KOL_BASELINE_RULE,
    beta: c.beta,
    advantageNorm: c.advantageNorm,
    relativeActions: c.relativeActions,
    rewardScale: c.rewardScale > 0 ? c.rewardScale : autoRewardScale(replay.dataset),
    dataset: { file: datasetName },
  };
}

/** Hands the buffer and the baseline rule to the offline source registry (both train and evaluation need them). */
export async function provideKolReplay(replay: KolReplay, datasetName: string): Promise<void> {
  const { provideBaseline, provideDataset } = await import('../agents/offline/source.ts');
  provideBaseline(KOL_BASELINE_RULE, kolBaselineRule);
  provideDataset(datasetName, replay.dataset);
}

export interface KolTrainOptions {
  callbacks?: TrainingCallbacks;
  control?: RunControl;
  keepRows?: boolean;
  /** Name the buffer is provided under (default 'kol-replay'). */
  datasetName?: string;
}

export interface KolTrainResult {
  replay: KolReplay;
  /** The learner's registry config (what a checkpoint records). */
  config: Record<string, unknown>;
  result: TrainingResult;
  rows: MetricRow[];
}

/** Residual IQL on the train split's buffer. The caller disposes result.learner. */
export async function trainKolResidual(
  train: KolSplitBook,
  book: KolBookConfig,
  c: KolResidualConfig,
  opts: KolTrainOptions = {},
): Promise<KolTrainResult> {
  checkKolResidualConfig(c);
  const replay = kolTrainReplay(train, book, c);
  const name = opts.datasetName ?? 'kol-replay';
  await provideKolReplay(replay, name);
  const config = kolLearnerConfig(c, replay, name);
  const { runTraining } = await import('../run/trainer.ts');
  const result = await runTraining({
    algo: 'iql-residual',
    config,
    makeEnv: () => kolSpacesEnv(replay.dataset),
    callbacks: opts.callbacks,
    control: opts.control,
    keepRows: opts.keepRows ?? false,
  });
  return { replay, config, result, rows: result.rows ?? [] };
}

export interface KolResidualEvaluation {
  book: KolSplitBook;
  /** [D × M] baseline weights. */
  baseline: Float64Array;
  /** Decision cells of the ticker-days. */
  cells: number[];
  /** The policy's action per ticker-day (in cells order). */
  policy: Float32Array;
  cmp: KolBookComparison;
}

/** The trained book on one split: the policy's actions through the book's rules, beside the baseline. */
export async function evaluateKolResidual(
  learner: Learner,
  split: KolSplitBook,
  book: KolBookConfig,
  textDim: number,
  annualization = 252,
): Promise<KolResidualEvaluation> {
  const st = kolStates(split, book, { dim: textDim });
  const policy = (await learner.predict(st.states, st.cells.length, null, true)) as Float32Array;
  const trained = residualBookWeights(st.baseline, st.cells, policy, split.tickers.length, book);
  const cmp = compareKolBooks(split, st.baseline, trained, st.cells, book.feeRate, annualization);
  return { book: split, baseline: st.baseline, cells: st.cells, policy, cmp };
}

/** Does the trained book beat the baseline by more than noise? A paired test on the day returns. */
export interface ResidualEdge {
  days: number;
  /** Mean of (trained − baseline) day returns. */
  meanDiff: number;
  /** Its t-statistic (sample std of the differences). */
  t: number;
  /** t ≥ EDGE_Z (one-sided p ≤ 0.01), the baseline edge test's threshold: only then is an edge claimed. */
  claimed: boolean;
  verdict: string;
}

/**
 * The residual claims an edge over the baseline only when the paired day-return differences are
 * significantly positive (t ≥ 2.33). A Sharpe difference alone is not a claim: on one year of
 * test days two books this close differ in Sharpe by luck.
 */
export function residualEdge(baseline: ArrayLike<number>, trained: ArrayLike<number>): ResidualEdge {
  const n = baseline.length;
  if (trained.length !== n)
    throw new Error(`residualEdge: ${n} baseline days, ${trained.length} trained days`);
  let s = 0;
  let s2 = 0;
  for (let d = 0; d < n; d++) {
    const x = trained[d] - baseline[d];
    s += x;
    s2 += x * x;
  }
  const meanDiff = n ? s / n : NaN;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (s2 - n * meanDiff * meanDiff) / (n - 1))) : NaN;
  const t = sd > 0 ? meanDiff / (sd / Math.sqrt(n)) : 0;
  const claimed = t >= EDGE_Z;
  const verdict = claimed
    ? `edge over the baseline: trained − baseline day returns t = ${t.toFixed(2)} ≥ ${EDGE_Z}`
    : `no edge over the baseline claimed: trained − baseline day returns t = ${t.toFixed(2)} < ${EDGE_Z}`;
  return { days: n, meanDiff, t, claimed, verdict };
}
