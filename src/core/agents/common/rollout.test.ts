import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Rng } from '../../rng.ts';
import { CartPoleEnv } from '../../envs/cartpole.ts';
import { SyncVectorEnv } from '../../envs/vector.ts';
import type { BoxSpace } from '../../envs/types.ts';
import { RolloutBuffer } from './buffer.ts';
import { policyHeadFor } from './distributions.ts';
import { buildActorCritic, defaultNetwork } from './networks.ts';
import { Policy } from './policy.ts';
import { RolloutCollector } from './rollout.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function setup(maxEpisodeSteps: number, numEnvs: number, numSteps: number) {
  const envs = new SyncVectorEnv(() => new CartPoleEnv({ maxEpisodeSteps }), numEnvs);
  const net = buildActorCritic(defaultNetwork, {
    observationSpace: envs.observationSpace as BoxSpace,
    actionSpace: envs.actionSpace,
    seed: 5,
  });
  const policy = new Policy(net, policyHeadFor(envs.actionSpace));
  const collector = new RolloutCollector(envs, policy, false, 100);
  const buffer = new RolloutBuffer({
    numSteps,
    numEnvs,
    obsSize: 4,
    actionSize: 1,
    actionKind: 'int',
    maskSize: 0,
  });
  return { envs, policy, collector, buffer };
}

describe('RolloutBuffer', () => {
  it('preallocates (numSteps, numEnvs) storage under CleanRL names', () => {
    const b = new RolloutBuffer({
      numSteps: 3,
      numEnvs: 2,
      obsSize: 4,
      actionSize: 2,
      actionKind: 'int',
      maskSize: 6,
    });
    expect(b.obs.length).toBe(24);
    expect(b.actions).toBeInstanceOf(Int32Array);
    expect(b.actions.length).toBe(12);
    for (const k of ['logprobs', 'rewards', 'dones', 'values', 'advantages', 'returns'] as const)
      expect(b[k].length).toBe(6);
    expect(b.masks!.length).toBe(36);
    expect(
      () =>
        new RolloutBuffer({
          numSteps: 0,
          numEnvs: 2,
          obsSize: 4,
          actionSize: 1,
          actionKind: 'int',
          maskSize: 0,
        }),
    ).toThrow(/numSteps/);
  });
});

describe('RolloutCollector', () => {
  it('stores the observation each action was taken in, with one vector step per row (time-major)', async () => {
    const { envs, policy, collector, buffer } = setup(500, 2, 6);
    const first = Float32Array.from(collector.nextObs);
    await collector.collect(buffer, policy, new Rng(1), { globalStep: 0, gamma: 0.99, lambda: 0.95 });
    expect(Array.from(buffer.obs.subarray(0, 8))).toEqual(Array.from(first));
    // Replaying the stored actions in fresh envs with the same seed reproduces the stored observations.
    const replay = new SyncVectorEnv(() => new CartPoleEnv(), 2);
    let obs = Float32Array.from(replay.reset({ seed: 100 }).obs);
    for (let t = 0; t < 6; t++) {
      expect(Array.from(buffer.obs.subarray(t * 8, t * 8 + 8))).toEqual(Array.from(obs));
      obs = Float32Array.from(replay.step(Int32Array.from(buffer.actions.subarray(t * 2, t * 2 + 2))).obs);
    }
    expect(envs.numEnvs).toBe(2);
  });

  it('bootstraps truncated episodes from V(final obs) and records them as timeouts; the rollout from V(s_T)', async () => {
    const { policy, collector, buffer } = setup(3, 2, 7);
    const episodes = await collector.collect(buffer, policy, new Rng(1), {
      globalStep: 1000,
      gamma: 0.9,
      lambda: 1,
    });
    // maxEpisodeSteps 3: steps 2 and 5 truncate (the pole cannot fall in 3 steps).
    for (let t = 0; t < 7; t++) {
      for (let k = 0; k < 2; k++) {
        const i = t * 2 + k;
        const truncated = t === 2 || t === 5;
        expect(buffer.dones[i]).toBe(truncated ? 1 : 0);
        expect(buffer.timeouts[i]).toBe(truncated ? 1 : 0);
      }
    }
    expect(episodes.map((e) => [e.length, e.return, e.step])).toEqual([
      [3, 3, 1006],
      [3, 3, 1006],
      [3, 3, 1012],
      [3, 3, 1012],
    ]);
    // finalValues = V(the observation the episode was cut at); returns at the cut = r + γ·V(final).
    for (const i of [4, 5, 10, 11]) {
      expect(buffer.finalValues[i]).not.toBe(0);
      expect(buffer.returns[i]).toBeCloseTo(1 + 0.9 * buffer.finalValues[i], 5);
    }
    // The last step (t = 6) is mid-episode: its return bootstraps from V(s_T) of the next observation.
    const vNext = await policy.predictValues(collector.nextObs, 2);
    for (let k = 0; k < 2; k++) expect(buffer.returns[12 + k]).toBeCloseTo(1 + 0.9 * vNext[k], 5);
  });
});
