/**
 * Seed 004, step 4: PPO fine-tuning of the behaviour-cloned policy on the single-asset
 * PositionEnv (../env.ts: the ensemble's position rule, fees, the 34-feature state), compared
 * with BC alone and with PPO from scratch.
 *
 * The learner is the lab's PPO (agents/ppo.ts: rollouts, GAE, clipped surrogate) with a
 * HybridPolicy (agents/common/hybridPolicy.ts): BC's actor, 34 → 128 → 128 → [3 action logits |
 * strength logit], whose weights load one to one from the BC checkpoint; PPO samples the action
 * from the categorical and the strength from a Gaussian on the logit around BC's strength head.
 * Its greedy policy before any update is BC's greedy policy. PPO from scratch is the same agent
 * without the warm start (same observation standardisation, BC's, so the two differ only in the
 * initial weights). The critic starts fresh in both.
 *
 * In policy/, outside the pure core: this module loads tfjs.
 */
import type { BcLearner } from '../../agents/bc.ts';
import { HybridPolicy, makeHybridNet, warmStartFromBc } from '../../agents/common/hybridPolicy.ts';
import { PPO } from '../../agents/ppo.ts';
import type { RowRange } from '../../data/types.ts';
import type { MetricRow } from '../../run/metrics.ts';
import { PositionEnv, policyBacktest, type DecisionFn, type PolicyBacktest } from '../env.ts';
import type { EnsembleAnalysis } from '../ensemble.ts';
import { DEFAULT_FINETUNE, type FinetuneOptions } from '../policyConfig.ts';
import { STATE_DIM } from '../state.ts';

export { DEFAULT_FINETUNE, type FinetuneOptions };

export interface FinetuneSetup {
  analysis: EnsembleAnalysis;
  /** Rows PPO trains on (the train split). */
  range: RowRange;
  asset?: number;
  /** Observation standardisation (BC's); null = raw features. */
  normalizer: { mean: Float32Array; std: Float32Array } | null;
  /** The BC policy to start from; null = PPO from scratch. */
  bc: BcLearner | null;
  hidden?: number[];
}

/** A PPO agent on PositionEnvs over `setup.range`, its actor warm-started from `setup.bc` when given. */
export function makeFinetuneAgent(setup: FinetuneSetup, options: Partial<FinetuneOptions> = {}): PPO {
  const o: FinetuneOptions = { ...DEFAULT_FINETUNE, ...options };
  const hidden = setup.hidden ?? (setup.bc ? [...setup.bc.config.hidden] : [128, 128]);
  if (setup.bc && setup.bc.net.obsDim !== STATE_DIM)
    throw new Error(
      `PPO fine-tuning: the BC policy reads ${setup.bc.net.obsDim} features, the env ${STATE_DIM}`,
    );
  const bcWeights = setup.bc?.net.mlp.getWeights() ?? null;
  return new PPO(
    {
      seed: o.seed,
      totalSteps: o.totalSteps,
      numEnvs: o.numEnvs,
      numSteps: o.numSteps,
      gamma: o.gamma,
      gaeLambda: o.gaeLambda,
      learningRate: o.learningRate,
      clipCoef: o.clipCoef,
      entCoef: o.entCoef,
      updateEpochs: o.updateEpochs,
      numMinibatches: o.numMinibatches,
      rewardScale: o.rewardScale,
      useMasks: false,
    },
    (i) =>
      new PositionEnv(setup.analysis, {
        range: setup.range,
        asset: setup.asset,
        episodeLength: o.episodeLength,
        normalizer: setup.normalizer,
        seed: o.seed * 1000 + i,
      }),
    {
      policy: ({ seed }) => {
        const net = makeHybridNet({
          obsSize: STATE_DIM,
          hidden,
          activation: 'relu',
          logStdInit: o.logStdInit,
          seed,
        });
        if (bcWeights) warmStartFromBc(net, bcWeights);
        return new HybridPolicy(net);
      },
    },
  );
}

/** The agent's greedy decision (argmax action, sigmoid of the strength logit's mean). */
export function ppoDecision(agent: PPO): DecisionFn {
  return async (obs) => {
    const a = await agent.predict(obs, 1, null, true);
    return { action: a[0], strength: a[1] };
  };
}

/** BC's greedy decision on raw features (the learner standardises them itself). */
export function bcDecision(learner: BcLearner): DecisionFn {
  return (obs) => {
    const r = learner.act(obs);
    return { action: r.actions[0], strength: r.strength ? r.strength[0] : 0 };
  };
}

/** Evaluation of a PPO agent over `range`: its greedy policy in a fresh env, then the backtest. */
export function evaluateAgent(setup: FinetuneSetup, agent: PPO, range: RowRange): Promise<PolicyBacktest> {
  return policyBacktest(setup.analysis, range, ppoDecision(agent), {
    asset: setup.asset,
    normalizer: setup.normalizer,
  });
}

export interface FinetuneRun {
  agent: PPO;
  rows: MetricRow[];
  status: 'completed' | 'stopped';
  train_ms: number;
}

/**
 * Runs PPO to its budget. `onIteration` sees each iteration's metric row (flat keys:
 * losses/…, charts/…, perf/…, and charts/episodic_return of the episodes that ended);
 * `shouldStop` is polled between iterations.
 */
export async function trainFinetune(
  agent: PPO,
  hooks: {
    onIteration?: (row: MetricRow, agent: PPO) => void | Promise<void>;
    shouldStop?: () => boolean | Promise<boolean>;
  } = {},
): Promise<FinetuneRun> {
  const rows: MetricRow[] = [];
  const t0 = performance.now();
  while (!agent.done) {
    if (await hooks.shouldStop?.())
      return { agent, rows, status: 'stopped', train_ms: Math.round(performance.now() - t0) };
    const rep = await agent.iterate();
    const values: Record<string, number> = { ...rep.metrics };
    if (rep.episodes.length > 0) {
      values['charts/episodic_return'] = rep.episodes.reduce((s, e) => s + e.return, 0) / rep.episodes.length;
      values['charts/episodic_length'] = rep.episodes.reduce((s, e) => s + e.length, 0) / rep.episodes.length;
    }
    const row = { step: rep.globalStep, values };
    rows.push(row);
    await hooks.onIteration?.(row, agent);
  }
  return { agent, rows, status: 'completed', train_ms: Math.round(performance.now() - t0) };
}
