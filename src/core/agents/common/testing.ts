/**
 * Helpers for the agents' tests (vitest only, not used by production code): exact greedy value of a
 * policy on the contextual bandit, a training driver that records what the tests assert on, and the
 * invariants every on-policy agent must keep (no tensor leak, seed determinism).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initBackend, type BackendName } from '../backend.ts';
import { ContextualBanditEnv } from '../../envs/bandit.ts';
import { CartPoleEnv } from '../../envs/cartpole.ts';
import type { Env, Space, StepResult } from '../../envs/types.ts';
import type { MetricRow } from '../../run/metrics.ts';
import { runTraining, type TrainingOptions, type TrainingResult } from '../../run/trainer.ts';
import type { OfflineDataset } from '../offline/dataset.ts';
import { provideDataset } from '../offline/source.ts';
import type { IterationReport } from './onPolicy.ts';

interface PredictorLike {
  predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array>;
}

/**
 * Expected reward per step of the deterministic policy, computed exactly from the bandit's tables
 * (no sampling noise): mean over contexts of the mean reward of the greedy action(s).
 */
export async function greedyBanditValue(agent: PredictorLike, env: ContextualBanditEnv): Promise<number> {
  const { numContexts, mode } = env.config;
  const heads = mode === 'discrete' ? 1 : env.config.numHeads;
  let total = 0;
  for (let c = 0; c < numContexts; c++) {
    const obs = new Float32Array(numContexts);
    obs[c] = 1;
    const masks = env.config.maskedActions ? env.maskForContext(c) : null;
    const a = await agent.predict(obs, 1, masks, true);
    let r = 0;
    for (let h = 0; h < heads; h++) {
      if (mode === 'box') r += 1 - (Math.min(1, Math.max(-1, a[h])) - env.targets[c][h]) ** 2;
      else r += env.mean(c, h, a[h]);
    }
    total += r / heads;
  }
  return total / numContexts;
}

/** An agent as the training driver and the invariant checks use it. */
export interface IteratingAgent {
  done: boolean;
  iterate(): Promise<IterationReport>;
  dispose(): void;
}

export interface RunRecord {
  returns: number[];
  reports: IterationReport[];
}

/** Iterate until done (or maxIterations), keeping episode returns and iteration reports. */
export async function trainToEnd(
  agent: Pick<IteratingAgent, 'done' | 'iterate'>,
  maxIterations = Infinity,
): Promise<RunRecord> {
  const returns: number[] = [];
  const reports: IterationReport[] = [];
  for (let i = 0; i < maxIterations && !agent.done; i++) {
    const r = await agent.iterate();
    reports.push(r);
    for (const e of r.episodes) returns.push(e.return);
  }
  return { returns, reports };
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** One env per kind of policy head: Discrete, MultiDiscrete with action masks, Box. */
export const leakCheckEnvs: readonly (readonly [name: string, makeEnv: () => Env])[] = [
  ['discrete', () => new CartPoleEnv()],
  [
    'multi-discrete + masks',
    () =>
      new ContextualBanditEnv({
        numContexts: 4,
        numActions: 3,
        mode: 'multi-discrete',
        numHeads: 2,
        maskedActions: true,
      }),
  ],
  ['box', () => new ContextualBanditEnv({ numContexts: 4, numActions: 3, mode: 'box', numHeads: 2 })],
];

/**
 * House rule 5: for an agent on each of leakCheckEnvs, `updates` further updates after a burn-in one
 * leave tf.memory().numTensors unchanged. `makeAgent` must give an agent that is not done after them.
 */
export async function expectNoTensorLeak(
  makeAgent: (makeEnv: () => Env) => IteratingAgent,
  updates: number,
): Promise<void> {
  for (const [name, makeEnv] of leakCheckEnvs) {
    const agent = makeAgent(makeEnv);
    await agent.iterate();
    const before = tf.memory().numTensors;
    for (let i = 0; i < updates; i++) await agent.iterate();
    expect(tf.memory().numTensors, name).toBe(before);
    agent.dispose();
  }
}

/** Trains to the end, disposes, and returns the episode returns and every losses/* metric as one string. */
async function lossTrace(agent: IteratingAgent): Promise<string> {
  const { reports, returns } = await trainToEnd(agent);
  agent.dispose();
  return JSON.stringify({
    returns,
    losses: reports.map((r) => Object.entries(r.metrics).filter(([k]) => k.startsWith('losses/'))),
  });
}

/**
 * House rule 2: on cpu and on wasm, two runs with `seed` give identical returns and losses and a run
 * with `otherSeed` differs. Puts back the backend that was active before.
 */
export async function expectSeedDeterminism(
  makeAgent: (seed: number) => IteratingAgent,
  seed: number,
  otherSeed: number,
): Promise<void> {
  const previous = tf.getBackend() as BackendName;
  try {
    for (const b of ['cpu', 'wasm'] as const) {
      // A backend that failed to start falls back silently: then this would test cpu twice.
      const got = (await initBackend(b)).backend;
      expect(got, `initBackend('${b}') fell back`).toBe(b);
      expect(tf.getBackend()).toBe(b);
      const first = await lossTrace(makeAgent(seed));
      expect(await lossTrace(makeAgent(seed)), `backend ${got}`).toBe(first);
      expect(await lossTrace(makeAgent(otherSeed)), `backend ${got}`).not.toBe(first);
    }
  } finally {
    await initBackend(previous);
  }
}

/** An env that only declares a dataset's spaces: offline learners check their dataset against env 0. */
export function datasetEnv(ds: OfflineDataset): Env {
  const none = (): never => {
    throw new Error('datasetEnv: spaces only, not steppable');
  };
  return {
    observationSpace: ds.meta.observationSpace as Env['observationSpace'],
    actionSpace: ds.meta.actionSpace as Space,
    reset: none,
    step: none as () => StepResult,
  };
}

let provided = 0;

/**
 * Train an offline algorithm (bc, iql, iql-residual) on `ds` through the real run loop (registry +
 * runTraining), keeping every metric row. The caller disposes result.learner.
 */
export async function trainOffline(
  algo: string,
  ds: OfflineDataset,
  config: Record<string, unknown>,
  opts: Omit<TrainingOptions, 'algo' | 'config' | 'makeEnv'> & { makeEnv?: TrainingOptions['makeEnv'] } = {},
): Promise<TrainingResult & { rows: MetricRow[] }> {
  const file = `test-dataset-${++provided}`;
  provideDataset(file, ds);
  const res = await runTraining({
    makeEnv: () => datasetEnv(ds),
    ...opts,
    algo,
    config: { ...config, dataset: { file } },
    keepRows: true,
  });
  return res as TrainingResult & { rows: MetricRow[] };
}

/** The values of one metric over a run's rows, in order. */
export function series(rows: readonly MetricRow[], key: string): number[] {
  return rows.filter((r) => key in r.values).map((r) => r.values[key]);
}
