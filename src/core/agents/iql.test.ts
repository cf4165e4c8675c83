import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { Rng } from '../rng.ts';
import type { BoxSpace, Env, ResetResult, Space, StepResult } from '../envs/types.ts';
import { ContextualBanditEnv, type BanditConfig } from '../envs/bandit.ts';
import { IqlAgent, expectileLoss, trainIql, type IqlConfig } from './iql.ts';
import { NonFiniteLossError } from './common/onPolicy.ts';
import { fromFiles, toFiles } from './checkpoint.ts';
import { collectDataset, evaluatePolicy } from './offline/collect.ts';
import type { OfflineDataset } from './offline/dataset.ts';

/**
 * Chain of n cells with a known optimum: start at 0, the goal n − 1 pays +1 and ends the episode,
 * every other step costs 0.1; actions 0 stay, 1 right, 2 left; cut at maxSteps. Optimal return
 * (n = 8): 6·(−0.1) + 1 = 0.4. Exercises bootstrapping through V(s'), terminals and timeouts.
 */
class ChainEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space = { kind: 'discrete', n: 3 };
  private pos = 0;
  private t = 0;
  constructor(
    readonly n = 8,
    readonly maxSteps = 40,
  ) {
    this.observationSpace = { kind: 'box', shape: [n], low: 0, high: 1 };
  }
  reset(): ResetResult {
    this.pos = 0;
    this.t = 0;
    return { obs: this.observe(), info: {} };
  }
  step(a: number | Int32Array | Float32Array): StepResult {
    const move = a === 1 ? 1 : a === 2 ? -1 : 0;
    this.pos = Math.max(0, Math.min(this.n - 1, this.pos + move));
    this.t++;
    const goal = this.pos === this.n - 1;
    return {
      obs: this.observe(),
      reward: goal ? 1 : -0.1,
      terminated: goal,
      truncated: !goal && this.t >= this.maxSteps,
      info: {},
    };
  }
  private observe(): Float32Array {
    const o = new Float32Array(this.n);
    o[this.pos] = 1;
    return o;
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const oneHot = (n: number, i: number) => Float32Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));

/** Small nets and batches keep the cpu backend fast; the algorithm and its defaults are otherwise CORL's. */
const FAST: Partial<IqlConfig> = { hidden: [32, 32], batchSize: 64, logInterval: 100 };

/** Expected reward of a bandit policy, averaged exactly over the (uniform) contexts — no sampling noise. */
function banditValue(
  env: ContextualBanditEnv,
  act: (obs: Float32Array) => number | Int32Array | Float32Array,
): number {
  const { numContexts, mode } = env.config;
  let total = 0;
  for (let c = 0; c < numContexts; c++) {
    const a = act(oneHot(numContexts, c));
    if (mode === 'box') {
      const v = a as Float32Array;
      total += mean(env.targets[c].map((t, h) => 1 - (Math.min(1, Math.max(-1, v[h])) - t) ** 2));
    } else {
      const acts = typeof a === 'number' ? [a] : Array.from(a);
      total += mean(acts.map((x, h) => env.mean(c, h, x)));
    }
  }
  return total / numContexts;
}

function bestAction(env: ContextualBanditEnv, c: number, h = 0): number {
  let best = 0;
  for (let a = 1; a < env.config.numActions; a++) if (env.mean(c, h, a) > env.mean(c, h, best)) best = a;
  return best;
}

beforeAll(async () => {
  const info = await initBackend('cpu');
  expect(info.backend).toBe('cpu');
});

describe('expectile loss', () => {
  it('is half the MSE at τ = 0.5 and weights positive/negative residuals τ / 1 − τ', () => {
    const u = tf.tensor1d([1, -1, 2, -2, 0.5]);
    const half = expectileLoss(u, 0.5).dataSync()[0];
    expect(half).toBeCloseTo(0.5 * ((1 + 1 + 4 + 4 + 0.25) / 5), 6);
    const asym = expectileLoss(u, 0.7).dataSync()[0];
    expect(asym).toBeCloseTo((0.7 * 1 + 0.3 * 1 + 0.7 * 4 + 0.3 * 4 + 0.7 * 0.25) / 5, 6);
    // Gradient d/du = 2·w·u/n: the indicator is a constant weight.
    const g = tf
      .grad((x: tf.Tensor) => expectileLoss(x, 0.7))(u)
      .dataSync();
    expect(Array.from(g).map((x) => Number(x.toFixed(5)))).toEqual([0.28, -0.12, 0.56, -0.24, 0.14]);
    u.dispose();
  });

  it('its minimiser over a constant is the τ-expectile (0.7 for samples {0, 1} at τ = 0.7)', () => {
    const v = tf.variable(tf.scalar(0));
    const samples = tf.tensor1d([0, 1]);
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 300; i++) opt.minimize(() => expectileLoss(tf.sub(samples, v), 0.7));
    // 0.7·(1 − v) = 0.3·v → v = 0.7; at τ = 0.5 it would be the mean 0.5.
    expect(v.dataSync()[0]).toBeCloseTo(0.7, 4);
    tf.dispose([v, samples]);
    opt.dispose();
  });
});

describe('IQL learns from a mixed-quality dataset (50% good policy + 50% random)', () => {
  it('discrete (categorical actor): contextual bandit → beats the behaviour policy, reaches the optimum', async () => {
    const cfg: Partial<BanditConfig> = { numContexts: 4, numActions: 3, episodeLength: 1, noiseStd: 0.1 };
    const env = new ContextualBanditEnv(cfg);
    const good = (obs: Float32Array) => bestAction(env, obs.indexOf(1));
    const { dataset, meanReturn } = collectDataset(env, good, {
      steps: 3000,
      randomMix: 0.5,
      seed: 1,
      source: 'rule:best+random',
    });
    const { agent, report } = await trainIql(dataset, { ...FAST, seed: 1 }, { steps: 400 });
    try {
      const value = banditValue(env, agent.policy());
      const behaviour = banditValue(env, good) * 0.5 + env.randomMeanReward * 0.5;
      console.log(
        `[iql] bandit: behaviour ${meanReturn.toFixed(3)} (expected ${behaviour.toFixed(3)}), IQL ${value.toFixed(3)}, optimum ${env.optimalMeanReward.toFixed(3)}, ${report.updatesPerSecond.toFixed(0)} updates/s on ${report.backend}`,
      );
      expect(value).toBeGreaterThan(meanReturn + 0.05);
      expect(value).toBeCloseTo(env.optimalMeanReward, 6);
    } finally {
      agent.dispose();
    }
  }, 120_000);

  it('discrete, multi-step: a chain MDP → the optimal return, well above the behaviour policy', async () => {
    const env = new ChainEnv();
    const { dataset, meanReturn } = collectDataset(env, () => 1, { steps: 4000, randomMix: 0.5, seed: 2 });
    expect(Array.from(dataset.terminals).some((t) => t === 1)).toBe(true);
    const { agent, report } = await trainIql(
      dataset,
      { ...FAST, seed: 2 },
      {
        steps: 600,
        evaluate: (a) => ({ return: mean(evaluatePolicy(new ChainEnv(), a.policy(), { episodes: 1 })) }),
        evalInterval: 200,
      },
    );
    try {
      const ret = mean(evaluatePolicy(new ChainEnv(), agent.policy(), { episodes: 1 }));
      console.log(
        `[iql] chain: behaviour ${meanReturn.toFixed(3)}, IQL ${ret.toFixed(3)} (optimum 0.4), evals ${report.evals.map((e) => e.metrics['eval/return'].toFixed(2)).join(' ')}`,
      );
      expect(ret).toBeGreaterThan(meanReturn + 0.3);
      expect(ret).toBeCloseTo(0.4, 5);
      expect(report.evals.map((e) => e.step)).toEqual([200, 400, 600]);
    } finally {
      agent.dispose();
    }
  }, 120_000);

  it('continuous (Gaussian actor): Box bandit → beats the behaviour policy by a wide margin', async () => {
    const cfg: Partial<BanditConfig> = {
      mode: 'box',
      numContexts: 4,
      numHeads: 2,
      episodeLength: 1,
      noiseStd: 0.05,
    };
    const env = new ContextualBanditEnv(cfg);
    const good = (obs: Float32Array) => Float32Array.from(env.targets[obs.indexOf(1)]);
    const { dataset, meanReturn } = collectDataset(env, good, { steps: 3000, randomMix: 0.5, seed: 3 });
    const { agent } = await trainIql(dataset, { ...FAST, seed: 3 }, { steps: 600 });
    try {
      const value = banditValue(env, agent.policy());
      console.log(
        `[iql] box bandit: behaviour ${meanReturn.toFixed(3)}, IQL ${value.toFixed(4)} (optimum 1)`,
      );
      expect(value).toBeGreaterThan(meanReturn + 0.15);
      expect(value).toBeGreaterThan(0.97);
    } finally {
      agent.dispose();
    }
  }, 120_000);

  it('multi-discrete (factorized heads, Q on [obs | one-hot actions]) beats the behaviour policy', async () => {
    const cfg: Partial<BanditConfig> = {
      mode: 'multi-discrete',
      numContexts: 4,
      numActions: 3,
      numHeads: 2,
      episodeLength: 1,
      noiseStd: 0.1,
    };
    const env = new ContextualBanditEnv(cfg);
    const good = (obs: Float32Array) => Int32Array.from([0, 1], (h) => bestAction(env, obs.indexOf(1), h));
    const { dataset, meanReturn } = collectDataset(env, good, { steps: 3000, randomMix: 0.5, seed: 4 });
    const { agent } = await trainIql(dataset, { ...FAST, seed: 4 }, { steps: 400 });
    try {
      const value = banditValue(env, agent.policy());
      console.log(
        `[iql] multi-discrete bandit: behaviour ${meanReturn.toFixed(3)}, IQL ${value.toFixed(3)}, optimum ${env.optimalMeanReward.toFixed(3)}`,
      );
      expect(value).toBeGreaterThan(meanReturn + 0.05);
      expect(value).toBeCloseTo(env.optimalMeanReward, 6);
    } finally {
      agent.dispose();
    }
  }, 120_000);
});

describe('residual IQL (seed 000)', () => {
  const cfg: Partial<BanditConfig> = {
    mode: 'box',
    numContexts: 4,
    numHeads: 2,
    episodeLength: 1,
    noiseStd: 0.05,
  };
  /** A sign-correct but undersized baseline (0.6 × target); the behaviour scales it by 1 ± 0.9. */
  function residualData(seed: number): {
    env: ContextualBanditEnv;
    baseline: (obs: Float32Array) => Float32Array;
    dataset: OfflineDataset;
  } {
    const env = new ContextualBanditEnv(cfg);
    const baseline = (obs: Float32Array) => Float32Array.from(env.targets[obs.indexOf(1)], (t) => 0.6 * t);
    const noise = new Rng(seed);
    const behaviour = (obs: Float32Array) =>
      Float32Array.from(baseline(obs), (b) => b * (1 + 0.9 * noise.uniform(-1, 1)));
    const { dataset } = collectDataset(env, behaviour, { steps: 3000, seed, baseline });
    return { env, baseline, dataset };
  }

  it('starts exactly at the baseline and learns a residual that beats it', async () => {
    const { env, baseline, dataset } = residualData(5);
    const residual = { scale: 0.8, fidelityLambda: 0, bcWarmStartEpochs: 1 };
    const fresh = new IqlAgent({ obsDim: 4, actionSpace: dataset.meta.actionSpace }, { ...FAST, residual });
    const x = oneHot(4, 2);
    expect(Array.from(fresh.act(x, { baseline: baseline(x) }))).toEqual(Array.from(baseline(x)));
    fresh.dispose();
    // Rewards differ by ~0.03 between actions here; d3rlpy's reward scaler makes exp(β·A) bite.
    const { agent } = await trainIql(
      dataset,
      { ...FAST, seed: 5, residual, rewardScale: 10 },
      { steps: 600 },
    );
    try {
      const base = banditValue(env, baseline);
      const value = banditValue(env, agent.policy(baseline));
      console.log(
        `[iql] residual: baseline ${base.toFixed(4)}, residual IQL ${value.toFixed(4)} (optimum 1)`,
      );
      expect(value).toBeGreaterThan(base + 0.01);
      // Same sign as the baseline, within its 1 ± scale band.
      for (let c = 0; c < 4; c++) {
        const o = oneHot(4, c);
        const a = agent.act(o, { baseline: baseline(o) });
        baseline(o).forEach((b, h) => {
          expect(a[h] / b).toBeGreaterThanOrEqual(1 - 0.8 - 1e-6);
          expect(a[h] / b).toBeLessThanOrEqual(1 + 0.8 + 1e-6);
        });
      }
    } finally {
      agent.dispose();
    }
  }, 120_000);

  it('needs a Box space and dataset baselines', async () => {
    expect(
      () =>
        new IqlAgent(
          { obsDim: 2, actionSpace: { kind: 'discrete', n: 3 } },
          { residual: { scale: 0.2, fidelityLambda: 0.3, bcWarmStartEpochs: 1 } },
        ),
    ).toThrow(/residual policy needs a Box action space/);
    const env = new ContextualBanditEnv(cfg);
    const { dataset } = collectDataset(env, () => Float32Array.from([0, 0]), { steps: 20 });
    const agent = new IqlAgent(
      { obsDim: 4, actionSpace: dataset.meta.actionSpace },
      { ...FAST, residual: { scale: 0.2, fidelityLambda: 0.3, bcWarmStartEpochs: 1 } },
    );
    await expect(agent.train(dataset, { steps: 1 })).rejects.toThrow(/needs dataset\.baseline/);
    expect(() => agent.act(oneHot(4, 0))).toThrow(/needs the baseline actions/);
    agent.dispose();
  });
});

describe('IQL engineering', () => {
  const env = new ContextualBanditEnv({ numContexts: 4, numActions: 3, episodeLength: 1 });
  const { dataset } = collectDataset(env, () => 0, { steps: 500, randomMix: 0.5, seed: 6 });

  it('is deterministic: same seed and config → identical metrics', async () => {
    const run = async (seed: number) => {
      const out: Record<string, number>[] = [];
      const { agent } = await trainIql(
        dataset,
        { ...FAST, logInterval: 20, seed },
        { steps: 60, onMetrics: (step, m) => out.push({ step, ...m, 'perf/updates_per_s': 0 }) },
      );
      agent.dispose();
      return out;
    };
    const a = await run(7);
    expect(a).toHaveLength(3);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  }, 60_000);

  it('keeps tf.memory().numTensors flat after a burn-in update (update, act, train)', async () => {
    for (const space of ['discrete', 'box'] as const) {
      const e = new ContextualBanditEnv({ mode: space, numContexts: 3, numHeads: 2, episodeLength: 1 });
      const { dataset: ds } = collectDataset(
        e,
        space === 'box' ? () => Float32Array.from([0.1, 0.2]) : () => 1,
        { steps: 100, seed: 1 },
      );
      const agent = new IqlAgent(
        { obsDim: 3, actionSpace: ds.meta.actionSpace },
        { ...FAST, logInterval: 5 },
      );
      const rows = Int32Array.from({ length: 32 }, (_, i) => i);
      agent.updateOn(ds, rows);
      agent.readStats();
      agent.act(ds.obs.subarray(0, 6));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) agent.updateOn(ds, rows);
      agent.readStats();
      agent.act(ds.obs.subarray(0, 6), { greedy: false });
      await agent.train(ds, { steps: 12 });
      expect(tf.memory().numTensors, space).toBe(before);
      agent.dispose();
    }
    // Construction and dispose leave nothing behind either.
    const n0 = tf.memory().numTensors;
    new IqlAgent({ obsDim: 3, actionSpace: { kind: 'box', shape: [2], low: -1, high: 1 } }, FAST).dispose();
    expect(tf.memory().numTensors).toBe(n0);
  }, 60_000);

  it('stops on a non-finite loss with a clear message and keeps the last good weights', async () => {
    const agent = new IqlAgent(
      { obsDim: 4, actionSpace: dataset.meta.actionSpace },
      { ...FAST, logInterval: 10, seed: 9 },
    );
    try {
      await agent.train(dataset, { steps: 10 });
      const good = agent.nets.getWeights();
      // Rewards of 1e38 (finite float32) overflow the squared TD error.
      const poisoned = { ...dataset, rewards: dataset.rewards.map(() => 1e38) };
      let caught: unknown;
      try {
        await agent.train(poisoned, { steps: 10 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(NonFiniteLossError);
      expect((caught as Error).message).toMatch(
        /IQL: non-finite losses\/q_loss = (Infinity|NaN).* in updates 11–20; training stopped, weights of update 10 kept/,
      );
      expect(agent.nets.getWeights()).toEqual(good);
    } finally {
      agent.dispose();
    }
  });

  it('saves and loads a checkpoint (model.json + weights.bin) that acts identically', async () => {
    const { agent } = await trainIql(dataset, { ...FAST, seed: 10 }, { steps: 20 });
    const files = toFiles(await agent.saveCheckpoint());
    const loaded = await IqlAgent.loadCheckpoint(fromFiles(files.json, files.weights));
    try {
      expect(loaded.globalStep).toBe(20);
      expect(loaded.config).toEqual(agent.config);
      const obs = dataset.obs.subarray(0, 40);
      expect(Array.from(loaded.act(obs))).toEqual(Array.from(agent.act(obs)));
      expect(loaded.nets.getWeights()).toEqual(agent.nets.getWeights());
      expect(Array.from(loaded.obsNormalizer.mean)).toEqual(Array.from(agent.obsNormalizer.mean));
    } finally {
      agent.dispose();
      loaded.dispose();
    }
  });

  it('rejects bad configs clearly', () => {
    const spec = { obsDim: 4, actionSpace: { kind: 'discrete', n: 3 } as Space };
    expect(() => new IqlAgent(spec, { expectile: 1 })).toThrow(/IQL config: expectile must be in \(0, 1\)/);
    expect(() => new IqlAgent(spec, { batchSize: 0 })).toThrow(/batchSize/);
  });
});
