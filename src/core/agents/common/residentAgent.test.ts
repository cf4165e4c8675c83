/**
 * The on-policy agents on the resident market (per-(asset, day) TimeCNN, policy.ts) against the
 * per-window path: same seed → the same actions, and values, losses and weights equal to float
 * rounding over several updates (episodes end and reset inside the rollouts, so mid-rollout
 * embedding and truncation bootstraps are exercised); no tensor leaks; the day path is really taken.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { A2C } from '../a2c.ts';
import { PPO } from '../ppo.ts';
import { generateSynthetic } from '../../data/synthetic.ts';
import { buildFeatures, featurePreset } from '../../features/index.ts';
import { TradingEnv } from '../../envs/trading.ts';
import type { OnPolicyAgent, OnPolicyCommonConfig } from './onPolicy.ts';
import { expectSeedDeterminism } from './testing.ts';

const W = 6;

beforeAll(async () => {
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

function features() {
  const { panel } = generateSynthetic({ seed: 5, assets: 3, days: 260, signalStrength: 0.2 });
  return buildFeatures(panel, featurePreset('ohlcv', { window: W }));
}

type Agent = OnPolicyAgent<OnPolicyCommonConfig>;

function make(
  algo: 'a2c' | 'ppo',
  residentMarket: boolean,
  fs: ReturnType<typeof features>,
  seed = 3,
): Agent {
  const env = (i: number) => new TradingEnv(fs, { split: 'train', window: W, episodeLength: 7, seed: i });
  const common = {
    seed,
    totalSteps: 4 * 10 * 4,
    numEnvs: 4,
    numSteps: 10,
    learningRate: 3e-3,
    rewardScale: 100,
    network: { encoder: 'timecnn' as const, dModel: 8, kernelSize: 2 },
  };
  return algo === 'a2c'
    ? new A2C({ ...common, optimizer: 'adam' }, env, { residentMarket })
    : new PPO({ ...common, numMinibatches: 2, updateEpochs: 2 }, env, { residentMarket });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(['a2c', 'ppo'] as const)('%s on the resident market', (algo) => {
  it('matches the per-window path: actions, values, losses, weights', async () => {
    const fs = features();
    const before = tf.memory().numTensors;
    const day = make(algo, true, fs);
    const win = make(algo, false, fs);
    expect(day.market).not.toBeNull();
    expect(day.buffer.days).not.toBeNull();
    expect(win.market).toBeNull();
    const init = day.policy.net.getWeights();
    let episodes = 0;
    for (let i = 0; i < 4; i++) {
      const a = await day.iterate();
      const b = await win.iterate();
      episodes += a.episodes.length;
      expect(Array.from(day.buffer.actions)).toEqual(Array.from(win.buffer.actions));
      expect(maxDiff(day.buffer.values, win.buffer.values)).toBeLessThan(1e-4);
      expect(maxDiff(day.buffer.returns, win.buffer.returns)).toBeLessThan(1e-4);
      expect(Math.abs(a.metrics['losses/loss'] - b.metrics['losses/loss'])).toBeLessThan(1e-4);
    }
    // Episodes of 7 steps in rollouts of 10: resets (and truncation bootstraps) inside rollouts.
    expect(episodes).toBeGreaterThan(4);
    const wd = day.policy.net.getWeights();
    const ww = win.policy.net.getWeights();
    wd.forEach((w, i) => expect(maxDiff(w, ww[i])).toBeLessThan(1e-5));
    // The updates did move the weights (the comparison is not between two untouched copies).
    expect(Math.max(...wd.map((w, i) => maxDiff(w, init[i])))).toBeGreaterThan(1e-4);
    day.dispose();
    win.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('same seed, same numbers on the day path (cpu and wasm); memory flat across updates', async () => {
    const fs = features();
    await expectSeedDeterminism((seed) => make(algo, true, fs, seed), 3, 4);
    const agent = make(algo, true, fs);
    expect(agent.market).not.toBeNull();
    await agent.iterate();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await agent.iterate();
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });
});
