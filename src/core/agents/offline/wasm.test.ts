/**
 * BC and IQL on the wasm backend (the fast one on this box; bc.test.ts and iql.test.ts use cpu):
 * it initialises in Node, the offline learners run on it, and a run repeats bit-for-bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { ContextualBanditEnv } from '../../envs/bandit.ts';
import { trainBc } from '../bc.ts';
import { trainIql } from '../iql.ts';
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

  it('BC learns the mode of the behaviour policy and repeats exactly', async () => {
    const run = async () => {
      const out: Record<string, number>[] = [];
      const { agent, report } = await trainBc(
        dataset,
        { epochs: 4, seed: 3, dropout: 0.1 },
        { onMetrics: (step, m) => out.push({ step, ...m, 'perf/samples_per_s': 0 }) },
      );
      const actions = Array.from(
        { length: 4 },
        (_, c) => agent.act(Float32Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0))).actions[0],
      );
      agent.dispose();
      return { out, actions, backend: report.backend };
    };
    const a = await run();
    expect(a.backend).toBe('wasm');
    expect(a.actions).toEqual(
      [0, 1, 2, 3].map((c) => best(Float32Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0)))),
    );
    expect((await run()).out).toEqual(a.out);
  }, 60_000);

  it('IQL reaches the optimum and repeats exactly', async () => {
    const run = async () => {
      const out: Record<string, number>[] = [];
      const { agent } = await trainIql(
        dataset,
        { hidden: [32, 32], batchSize: 64, logInterval: 100, seed: 4 },
        { steps: 600, onMetrics: (step, m) => out.push({ step, ...m, 'perf/updates_per_s': 0 }) },
      );
      const actions = Array.from(
        { length: 4 },
        (_, c) => agent.act(Float32Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0)))[0],
      );
      agent.dispose();
      return { out, actions };
    };
    const a = await run();
    expect(a.actions).toEqual(
      [0, 1, 2, 3].map((c) => best(Float32Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0)))),
    );
    expect((await run()).out).toEqual(a.out);
  }, 60_000);
});
