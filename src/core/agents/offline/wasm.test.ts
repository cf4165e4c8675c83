/**
 * BC and IQL on the wasm backend (the fast one on this box; bc.test.ts and iql.test.ts learn on
 * cpu and check determinism on both): the offline learners run and learn on it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { ContextualBanditEnv } from '../../envs/bandit.ts';
import { trainOffline } from '../common/testing.ts';
import { collectDataset } from './collect.ts';

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.backend).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
});

describe('offline learners on wasm', () => {
  const env = new ContextualBanditEnv({ numContexts: 4, numActions: 3, episodeLength: 1, noiseStd: 0.1 });
  const best = (obs: Float32Array) => {
    const c = obs.indexOf(1);
    let b = 0;
    for (let a = 1; a < 3; a++) if (env.mean(c, 0, a) > env.mean(c, 0, b)) b = a;
    return b;
  };
  const { dataset } = collectDataset(env, best, { steps: 2000, randomMix: 0.5, seed: 1 });
  const contexts = [0, 1, 2, 3].map((c) => Float32Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0)));

  for (const [algo, config] of [
    ['bc', { epochs: 4, seed: 3, dropout: 0.1 }],
    ['iql', { hidden: [32, 32], batchSize: 64, logInterval: 100, seed: 4, totalSteps: 600 }],
  ] as const) {
    it(`${algo} learns the best action of every context`, async () => {
      const res = await trainOffline(algo, dataset, config);
      try {
        expect(res.status, res.error).toBe('completed');
        const actions = await Promise.all(
          contexts.map(async (o) => (await res.learner!.predict(o, 1, null, true))[0]),
        );
        expect(actions).toEqual(contexts.map(best));
      } finally {
        res.learner?.dispose();
      }
    }, 60_000);
  }
});
