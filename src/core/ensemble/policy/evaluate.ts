/**
 * Seed 004's evaluation of a behaviour-cloned policy, per split: the 3-analyst ensemble, the
 * ensemble with the policy as 4th analyst (rlAnalyst.ts), the policy alone (BC), PPO fine-tuned
 * from it and PPO from scratch (finetune.ts, on one asset's PositionEnv over the train split), and
 * buy-and-hold. In memory; the CLI writes evaluate.json from `summary`, the lab's runner fills its
 * splits from `splits`.
 *
 * Fallback (the seed's checklist): with no policy or a failing one, the ensemble runs without it,
 * `rl.status` is 'fallback' with the reason, and the policy-based strategies are absent.
 *
 * In policy/, outside the pure core: this module loads tfjs.
 */
import type { BcLearner } from '../../agents/bc.ts';
import type { PPO } from '../../agents/ppo.ts';
import type { BacktestResult } from '../../baselines/backtest.ts';
import type { RowRange, SplitName } from '../../data/types.ts';
import type { MetricRow } from '../../run/metrics.ts';
import type { PositionBacktestResult } from '../backtest.ts';
import { PositionEnv, policyBacktest, type PolicyBacktest } from '../env.ts';
import type { EnsembleAnalysis, SplitRun } from '../ensemble.ts';
import { DEFAULT_FINETUNE, type FinetuneOptions } from '../policyConfig.ts';
import { seedVote } from '../seedVote.ts';
import { timePerCall } from './train.ts';
import { bookMetrics, headline } from '../report.ts';
import { ensembleWithPolicy, type WithPolicy } from '../rlAnalyst.ts';
import { STATE_DIM } from '../state.ts';
import {
  bcDecision,
  evaluateAgent,
  makeFinetuneAgent,
  ppoDecision,
  trainFinetune,
  type FinetuneSetup,
} from './finetune.ts';

export interface EvaluateSettings {
  /** Weight of the policy's vote as the 4th analyst. */
  rlWeight: number;
  /** PPO fine-tuning and PPO from scratch; null skips both. */
  finetune: Partial<FinetuneOptions> | null;
  annualization: number;
  /** Asset column of the single-asset comparisons (BC alone, PPO). Default 0. */
  asset?: number;
  /**
   * More BC policies of the same data from other seeds: with them the 4th analyst and "BC alone"
   * are the seed ensemble (majority action, mean strength; seedVote.ts). PPO starts from the first.
   */
  members?: readonly BcLearner[];
}

export interface EvaluateHooks {
  onPhase?: (phase: 'training' | 'evaluating', detail: string) => void;
  onPpoIteration?: (which: 'ppo_bc' | 'ppo_scratch', row: MetricRow) => void | Promise<void>;
  shouldStop?: () => boolean | Promise<boolean>;
}

/** Every strategy's book on one split. */
export interface SplitBooks {
  split: SplitName;
  rows: RowRange;
  ensemble: PositionBacktestResult;
  buy_and_hold: BacktestResult;
  ensemble_rl?: PositionBacktestResult;
  bc?: PositionBacktestResult;
  ppo_bc?: PositionBacktestResult;
  ppo_scratch?: PositionBacktestResult;
}

export type RlStatus =
  | {
      status: 'used';
      weight: number;
      /** BC policies voting as one analyst (1 = a single policy). */
      seeds: number;
      votes: number;
      agreement_with_ensemble: number | null;
      decisions_changed: number;
    }
  | { status: 'fallback'; reason: string };

export interface PpoSummary {
  status: 'trained' | 'stopped' | 'skipped';
  reason?: string;
  asset?: string;
  total_steps?: number;
  /** Per split: BC's greedy log return and PPO-from-BC's before any update (the warm-start proof). */
  initial?: Record<string, { bc_log_return: number; ppo_bc_log_return: number }>;
  train_ms?: { ppo_bc: number; ppo_scratch: number };
  /** Median ms of one greedy PPO decision (200 single predictions). */
  inference_ms?: number;
  config?: FinetuneOptions;
}

export interface PolicyEvaluation {
  rl: RlStatus;
  withRl: WithPolicy | null;
  ppo: PpoSummary;
  /** Learning curves of the two PPO runs. */
  ppoRows: { ppo_bc: MetricRow[]; ppo_scratch: MetricRow[] };
  splits: SplitBooks[];
  /** evaluate.json's `splits`: headline metrics per strategy and split. */
  summary: Record<string, Record<string, unknown>>;
}

/** Up to `n` states of `range` as the env shows them (a book that holds cash), for timing. */
function heldStates(
  analysis: EnsembleAnalysis,
  range: RowRange,
  asset: number,
  normalizer: FinetuneSetup['normalizer'],
  n: number,
): Float32Array {
  const env = new PositionEnv(analysis, { range, asset, normalizer });
  const rows = Math.min(n, range.end - range.start - 1);
  const out = new Float32Array(rows * STATE_DIM);
  let { obs } = env.reset();
  for (let k = 0; k < rows; k++) {
    out.set(obs, k * STATE_DIM);
    obs = env.step(Float32Array.of(0, 0)).obs;
  }
  return out;
}

/** Wall time (ms) of one decision of `decide` (train.ts's timePerCall), rows cycling through `obs`. */
export async function measureDecisionMs(
  decide: (obs: Float32Array) => unknown,
  obs: Float32Array,
  n = 200,
): Promise<number> {
  const rows = obs.length / STATE_DIM;
  const r = await timePerCall(
    (k) => decide(obs.subarray((k % rows) * STATE_DIM, ((k % rows) + 1) * STATE_DIM)),
    n,
  );
  return r.median_ms;
}

/** Greedy actions and strengths of one BC policy, or the seed ensemble's vote of several. */
function policyActs(
  policies: readonly BcLearner[],
  obs: Float32Array,
): { action: ArrayLike<number>; strength: ArrayLike<number> } {
  const acts = policies.map((p) => {
    const r = p.act(obs);
    return { action: r.actions, strength: r.strength ?? new Float32Array(r.actions.length) };
  });
  return acts.length === 1 ? acts[0] : seedVote(acts, acts[0].action.length);
}

/**
 * Evaluates `learner` (null, or `failure` given: the fallback) against the ensemble on every run's
 * split. PPO trains on the train split's rows of `settings.asset`.
 */
export async function evaluatePolicies(
  analysis: EnsembleAnalysis,
  runs: readonly SplitRun[],
  learner: BcLearner | null,
  settings: EvaluateSettings,
  hooks: EvaluateHooks = {},
  failure?: string,
): Promise<PolicyEvaluation> {
  const { panel } = analysis;
  const asset = settings.asset ?? 0;
  const splits: SplitBooks[] = runs.map((r) => ({
    split: r.split,
    rows: r.rows,
    ensemble: r.ensemble,
    buy_and_hold: r.buyAndHold,
  }));
  let rl: RlStatus;
  let withRl: WithPolicy | null = null;
  const ppoRows = { ppo_bc: [] as MetricRow[], ppo_scratch: [] as MetricRow[] };
  let ppo: PpoSummary = { status: 'skipped', reason: 'no policy' };
  const policies = learner ? [learner, ...(settings.members ?? [])] : [];
  if (!learner) {
    rl = { status: 'fallback', reason: failure ?? 'no policy' };
  } else {
    try {
      hooks.onPhase?.('evaluating', 'the policy as 4th analyst');
      withRl = ensembleWithPolicy(analysis, (obs) => policyActs(policies, obs), settings.rlWeight);
      let changed = 0;
      let agree = 0;
      let voted = 0;
      for (let k = 0; k < withRl.rl.action.length; k++) {
        if (withRl.rl.action[k] < 0) continue;
        voted++;
        if (withRl.rl.action[k] === analysis.decisions.action[k]) agree++;
        if (withRl.decisions.action[k] !== analysis.decisions.action[k]) changed++;
      }
      rl = {
        status: 'used',
        weight: settings.rlWeight,
        seeds: policies.length,
        votes: voted,
        agreement_with_ensemble: voted ? agree / voted : null,
        decisions_changed: changed,
      };
      withRl.runs.forEach((r) => {
        const s = splits.find((x) => x.split === r.split);
        if (s) s.ensemble_rl = r.ensemble;
      });
    } catch (err) {
      rl = { status: 'fallback', reason: (err as Error).message };
      withRl = null;
    }
  }
  if (learner && rl.status === 'used') {
    const setup: FinetuneSetup = {
      analysis,
      range: analysis.splitRows.train,
      asset,
      normalizer: learner.obsNormalizer,
      bc: learner,
    };
    const bcBooks: Record<string, PolicyBacktest> = {};
    for (const s of splits)
      bcBooks[s.split] = await policyBacktest(
        analysis,
        s.rows,
        policies.length > 1
          ? (obs) => {
              const r = policyActs(policies, obs);
              return { action: r.action[0], strength: r.strength[0] };
            }
          : bcDecision(learner),
        { asset },
      );
    for (const s of splits) s.bc = bcBooks[s.split].backtest;
    if (settings.finetune === null) ppo = { status: 'skipped', reason: 'PPO not asked for' };
    else if (analysis.splitRows.train.end - analysis.splitRows.train.start < 2)
      ppo = { status: 'skipped', reason: 'the train split has < 2 rows' };
    else {
      const cfg: FinetuneOptions = { ...DEFAULT_FINETUNE, ...settings.finetune };
      const warm = makeFinetuneAgent(setup, cfg);
      const cold = makeFinetuneAgent({ ...setup, bc: null }, cfg);
      try {
        hooks.onPhase?.('evaluating', 'PPO from BC before any update');
        const initial: NonNullable<PpoSummary['initial']> = {};
        for (const s of splits) {
          const first = await evaluateAgent(setup, warm, s.rows);
          initial[s.split] = {
            bc_log_return: bcBooks[s.split].logReturn,
            ppo_bc_log_return: first.logReturn,
          };
        }
        const train = async (which: 'ppo_bc' | 'ppo_scratch', agent: PPO) => {
          hooks.onPhase?.('training', which === 'ppo_bc' ? 'PPO fine-tuned from BC' : 'PPO from scratch');
          const run = await trainFinetune(agent, {
            onIteration: (row) => {
              ppoRows[which].push(row);
              return hooks.onPpoIteration?.(which, row);
            },
            shouldStop: hooks.shouldStop,
          });
          return run;
        };
        const a = await train('ppo_bc', warm);
        const b = a.status === 'completed' ? await train('ppo_scratch', cold) : null;
        hooks.onPhase?.('evaluating', 'PPO per split');
        for (const s of splits) {
          s.ppo_bc = (await evaluateAgent(setup, warm, s.rows)).backtest;
          if (b) s.ppo_scratch = (await evaluateAgent(setup, cold, s.rows)).backtest;
        }
        const valid = analysis.splitRows.valid.end - analysis.splitRows.valid.start >= 2 ? 'valid' : 'train';
        const obs = heldStates(analysis, analysis.splitRows[valid], asset, setup.normalizer, 200);
        ppo = {
          status: b && b.status === 'completed' ? 'trained' : 'stopped',
          asset: panel.assets[asset],
          total_steps: warm.totalSteps,
          initial,
          train_ms: { ppo_bc: a.train_ms, ppo_scratch: b?.train_ms ?? 0 },
          inference_ms: await measureDecisionMs(ppoDecision(warm), obs),
          config: cfg,
        };
      } finally {
        warm.dispose();
        cold.dispose();
      }
    }
  } else if (rl.status === 'fallback') ppo = { status: 'skipped', reason: `no policy (${rl.reason})` };
  return { rl, withRl, ppo, ppoRows, splits, summary: summarize(analysis, splits, settings.annualization) };
}

/** evaluate.json's splits: `without`/`with`/`delta_sharpe`/`buy_and_hold` as before, plus BC and PPO. */
function summarize(
  analysis: EnsembleAnalysis,
  splits: readonly SplitBooks[],
  annualization: number,
): Record<string, Record<string, unknown>> {
  const { panel } = analysis;
  const m = (b: Parameters<typeof bookMetrics>[1]) => bookMetrics(panel, b, annualization);
  return Object.fromEntries(
    splits.map((s) => {
      const without = m(s.ensemble);
      const bh = m(s.buy_and_hold);
      const out: Record<string, unknown> = { without: headline(without) };
      if (s.ensemble_rl) {
        const w = m(s.ensemble_rl);
        out.with = headline(w);
        out.delta_sharpe = (w.sharpe as number) - (without.sharpe as number);
      }
      out.buy_and_hold = { sharpe: bh.sharpe, total_return: bh.total_return };
      if (s.bc) out.bc = headline(m(s.bc));
      if (s.ppo_bc) out.ppo_bc = headline(m(s.ppo_bc));
      if (s.ppo_scratch) out.ppo_scratch = headline(m(s.ppo_scratch));
      return [s.split, out];
    }),
  );
}
