import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { SAC, sacConfig, type SacConfig } from './sac.ts';
import { ContextualBanditEnv } from '../envs/bandit.ts';
import { CartPoleEnv } from '../envs/cartpole.ts';
import { PendulumEnv } from '../envs/pendulum.ts';
import type { Env } from '../envs/types.ts';
import { greedyBanditValue } from './common/testing.ts';
import { Rng } from '../rng.ts';

const small: Partial<SacConfig> = {
  hidden: [32, 32],
  batchSize: 32,
  learningStarts: 100,
  logInterval: 100,
  policyLearningRate: 3e-3,
  qLearningRate: 3e-3,
};

const discreteBandit = () => new ContextualBanditEnv({ numContexts: 4, numActions: 3, noiseStd: 0.05 });
const boxBandit = () => new ContextualBanditEnv({ numContexts: 4, mode: 'box', numHeads: 1, noiseStd: 0.05 });

async function train(agent: SAC): Promise<number[]> {
  const returns: number[] = [];
  while (!agent.done) for (const e of (await agent.iterate()).episodes) returns.push(e.return);
  return returns;
}

beforeAll(async () => {
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

describe('SAC', () => {
  it('sets the target entropy: −dim(A) for Box, scale·log|A| for Discrete (0.7 when |A| ≤ 3, else 0.89)', () => {
    const make = (env: () => Env, over: Partial<SacConfig> = {}) => {
      const a = new SAC({ ...small, totalSteps: 10, ...over }, env);
      const h = a.targetEntropy;
      a.dispose();
      return h;
    };
    expect(make(() => new PendulumEnv())).toBe(-1);
    expect(make(discreteBandit)).toBeCloseTo(0.7 * Math.log(3), 12);
    expect(make(() => new ContextualBanditEnv({ numActions: 6 }))).toBeCloseTo(0.89 * Math.log(6), 12);
    expect(make(discreteBandit, { targetEntropyScale: 0.5 })).toBeCloseTo(0.5 * Math.log(3), 12);
  });

  it("Box log π is the tanh-squashed Gaussian's density of the action (change of variables)", () => {
    const agent = new SAC({ ...small, totalSteps: 10 }, () => new PendulumEnv());
    const obs = Float32Array.of(0.3, -0.9, 1.5, 1, 0, -4);
    const eps = Float32Array.of(0.7, -1.2);
    const { action, logProb } = agent.nets.gaussian(tf.tensor2d(obs, [2, 3]), eps);
    const out = tf.tidy(() => agent.nets.actor.apply(tf.tensor2d(obs, [2, 3]))).dataSync();
    const a = action.dataSync();
    const lp = logProb.dataSync();
    for (let r = 0; r < 2; r++) {
      const mean = out[2 * r];
      const logStd = -5 + 0.5 * 7 * (Math.tanh(out[2 * r + 1]) + 1);
      const sd = Math.exp(logStd);
      // Invert the squash: a = 2·tanh(x) → x; density of a = N(x; μ, σ) / |da/dx|.
      const x = Math.atanh(a[r] / 2);
      expect(x).toBeCloseTo(mean + sd * eps[r], 4);
      const logN = -0.5 * ((x - mean) / sd) ** 2 - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
      expect(lp[r]).toBeCloseTo(logN - Math.log(2 * (1 - Math.tanh(x) ** 2) + 1e-6), 3);
    }
    tf.dispose([action, logProb]);
    agent.dispose();
  });

  it('acts uniformly at random before learningStarts and inside the Box bounds after', async () => {
    const agent = new SAC({ ...small, learningStarts: 200, totalSteps: 300 }, () => new PendulumEnv());
    await agent.iterate();
    const early = agent.buffer.actions.slice(0, 100);
    expect(Math.min(...early)).toBeLessThan(-1.5);
    expect(Math.max(...early)).toBeGreaterThan(1.5);
    await train(agent);
    const all = agent.buffer.actions.slice(0, 300);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(2);
    agent.dispose();
  }, 60_000);

  it('Discrete: learns the bandit optimum (argmax) with autotuned α', async () => {
    const env = discreteBandit();
    const agent = new SAC({ ...small, seed: 3, totalSteps: 1500, gamma: 0.9 }, discreteBandit);
    await train(agent);
    const greedy = await greedyBanditValue(agent, env);
    expect(greedy).toBeCloseTo(env.optimalMeanReward, 6);
    expect(env.optimalMeanReward - env.randomMeanReward).toBeGreaterThan(0.1);
    agent.dispose();
  }, 120_000);

  it('Box: learns a 1-D continuous target per context (optimum 1, random ≈ 0.3)', async () => {
    const env = boxBandit();
    const agent = new SAC({ ...small, seed: 2, totalSteps: 1500, gamma: 0.9 }, boxBandit);
    const returns = await train(agent);
    const greedy = await greedyBanditValue(agent, env);
    expect(greedy).toBeGreaterThan(0.97);
    const first = returns.slice(0, 100).reduce((a, b) => a + b, 0) / 100;
    expect(greedy - first).toBeGreaterThan(0.3);
    agent.dispose();
  }, 120_000);

  it('keeps tf.memory() flat across iterations (Box and Discrete)', async () => {
    for (const makeEnv of [() => new PendulumEnv(), () => new CartPoleEnv()] as (() => Env)[]) {
      const agent = new SAC({ ...small, learningStarts: 20, logInterval: 20, totalSteps: 200 }, makeEnv);
      await agent.iterate();
      await agent.iterate();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) await agent.iterate();
      expect(tf.memory().numTensors).toBe(before);
      agent.dispose();
    }
  }, 60_000);

  it('is deterministic per seed and differs across seeds', async () => {
    const run = async (seed: number) => {
      const agent = new SAC({ ...small, seed, totalSteps: 200 }, () => new PendulumEnv());
      const metrics: Record<string, number>[] = [];
      while (!agent.done) metrics.push((await agent.iterate()).metrics);
      agent.dispose();
      return JSON.stringify(metrics.map((m) => [m['losses/qf1'], m['losses/actor'], m['charts/alpha']]));
    };
    const a = await run(1);
    expect(await run(1)).toBe(a);
    expect(await run(2)).not.toBe(a);
  }, 60_000);

  it('checkpoints every network, α and the optimizers; a restored agent acts the same', async () => {
    const agent = new SAC({ ...small, totalSteps: 400 }, () => new PendulumEnv());
    await train(agent);
    const ckpt = await agent.saveCheckpoint();
    const other = new SAC({ ...small, totalSteps: 800, seed: 9 }, () => new PendulumEnv());
    await other.loadCheckpoint(ckpt);
    expect(other.globalStep).toBe(400);
    const rng = new Rng(1);
    const obs = Float32Array.from({ length: 30 }, () => rng.uniform(-1, 1));
    expect(await other.predict(obs, 10, null, true)).toEqual(await agent.predict(obs, 10, null, true));
    expect(other.nets.logAlpha.dataSync()[0]).toBe(agent.nets.logAlpha.dataSync()[0]);
    await other.iterate(); // continues: the buffer refills from the restored policy
    expect(other.globalStep).toBe(500);
    agent.dispose();
    other.dispose();
  }, 60_000);

  it('names the bad config field, and refuses MultiDiscrete and unbounded Box spaces', () => {
    expect(() => new SAC({ tau: 0 }, () => new PendulumEnv())).toThrow(/config\.tau must be in \(0, 1\]/);
    expect(() => new SAC({ batchSize: 1.5 }, () => new PendulumEnv())).toThrow(/config\.batchSize/);
    expect(() => new SAC({}, () => new ContextualBanditEnv({ mode: 'multi-discrete', numHeads: 2 }))).toThrow(
      /MultiDiscrete/,
    );
    expect(sacConfig('pendulum').totalSteps).toBe(20_000);
    expect(() => sacConfig('nope' as 'standard')).toThrow(/unknown SAC preset/);
  });
});
