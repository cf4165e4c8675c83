/**
 * LitaAgent-HRL's L2 online stage (seed 001 §4.2): the project's PPO (agents/ppo.ts through the
 * run loop, run/trainer.ts) on the day-level Gymnasium view (scml/hrl/l2env.ts), learning a
 * residual on the behaviour-cloned goal with the shaped reward. The deterministic policy (the
 * Gaussian mean through tanh) becomes the agent's synchronous goal policy.
 */
import * as tf from '@tensorflow/tfjs';
import { runTraining, type TrainingResult } from '../run/trainer.ts';
import type { MetricRow } from '../run/metrics.ts';
import { clampGoal, GOAL_SIZE, L2_FEATURES, type GoalPolicy } from '../scml/hrl/agent.ts';
import { RESIDUAL, ScmlL2Env, type L2EnvOptions } from '../scml/hrl/l2env.ts';
import { fromFiles, toFiles, type CheckpointArtifacts } from './checkpoint.ts';
import type { PPO, PPOConfig } from './ppo.ts';

export interface L2PpoOptions {
  env: L2EnvOptions;
  /** PPO config overrides on top of l2PpoDefaults. */
  config?: Partial<PPOConfig>;
  resumeFrom?: CheckpointArtifacts;
  onMetrics?: (rows: MetricRow[]) => void;
}

/** Day-level PPO: short rollouts over several worlds, a narrow initial σ so PPO starts at the BC goal. */
export const l2PpoDefaults: Partial<PPOConfig> = {
  seed: 1,
  totalSteps: 8192,
  numEnvs: 4,
  numSteps: 128,
  gamma: 0.99,
  gaeLambda: 0.95,
  learningRate: 3e-4,
  numMinibatches: 4,
  updateEpochs: 4,
  entCoef: 0,
  rewardScale: 10,
  network: { encoder: 'mlp', hidden: [64, 64], activation: 'tanh', logStdInit: -1 },
};

export function l2PpoConfig(overrides: Partial<PPOConfig> = {}): Partial<PPOConfig> {
  return { ...l2PpoDefaults, ...overrides };
}

export async function trainL2Ppo(opts: L2PpoOptions): Promise<{ ppo: PPO; result: TrainingResult }> {
  const config = l2PpoConfig(opts.config);
  const seed = config.seed ?? 1;
  const result = await runTraining({
    algo: 'ppo',
    config: config as Record<string, unknown>,
    makeEnv: (i) => new ScmlL2Env(opts.env, seed * 7919 + i),
    resumeFrom: opts.resumeFrom,
    keepRows: false,
    callbacks: { onMetrics: opts.onMetrics },
  });
  if (result.status !== 'completed' || !result.learner)
    throw new Error(`L2 PPO ${result.status}: ${result.error ?? 'no learner'}`);
  return { ppo: result.learner as unknown as PPO, result };
}

/** Goal = clip(prior(s) + RESIDUAL · tanh(μ(s))): the PPO policy's deterministic action on the prior. */
export function ppoGoalPolicy(ppo: PPO, prior: GoalPolicy): GoalPolicy {
  return (features, w, a, out) => {
    prior(features, w, a, out);
    const mean = tf.tidy(() => {
      const m = ppo.policy.net.policy(tf.tensor2d(features, [1, L2_FEATURES])).mean;
      if (!m) throw new Error('ppoGoalPolicy: the L2 policy is not Gaussian');
      return m.dataSync();
    });
    for (let i = 0; i < GOAL_SIZE; i++) out[i] += RESIDUAL[i] * Math.tanh(mean[i]);
    clampGoal(out);
  };
}

/** PPO checkpoint (weights, optimiser state, RNG streams, counters) as model.json + weights.bin. */
export async function savePpoFiles(ppo: PPO): Promise<{ json: string; weights: Uint8Array }> {
  return toFiles(await ppo.saveCheckpoint());
}

/** A PPO of the same config restored from its files (for acting, or to resume training). */
export async function loadPpo(
  json: string,
  weights: Uint8Array,
  env: L2EnvOptions,
  config: Partial<PPOConfig>,
): Promise<PPO> {
  const { PPO } = await import('./ppo.ts');
  const ppo = new PPO(l2PpoConfig(config), (i) => new ScmlL2Env(env, i));
  await ppo.loadCheckpoint(fromFiles(json, weights));
  return ppo;
}
