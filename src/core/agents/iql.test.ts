import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.ts';
import { Rng } from '../rng.ts';
import type { BoxSpace, Env, ResetOptions, ResetResult, Space, StepResult } from '../envs/types.ts';
import { ContextualBanditEnv, type BanditConfig } from '../envs/bandit.ts';
import { IqlLearner, defaultIqlConfig, expectileLoss, type IqlLearnerConfig } from './iql.ts';
import type { CheckpointArtifacts } from './checkpoint.ts';
import { collectDataset } from './offline/collect.ts';
import type { OfflineDataset } from './offline/dataset.ts';
import { defaultDatasetSource, provideBaseline } from './offline/source.ts';
import { expectSeedDeterminism, series, trainOffline } from './common/testing.ts';
import type { Learner } from '../run/learner.ts';

/**
 * Chain of n cells with a known optimum: start at a random cell left of the goal n − 1, which pays
 * +1 and ends the episode; every other step costs 0.1; actions 0 stay, 1 right, 2 left; cut at
 * maxSteps. From cell 0 the optimal return (n = 8) is 6·(−0.1) + 1 = 0.4. Exercises bootstrapping
 * through V(s'), terminals and timeouts.
 */
class ChainEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space = { kind: 'discrete', n: 3 };
  private pos = 0;
  private t = 0;
  private rng = new Rng(0);
  constructor(
    readonly n = 8,
    readonly maxSteps = 40,
    readonly randomStart = true,
  ) {
    this.observationSpace = { kind: 'box', shape: [n], low: 0, high: 1 };
  }
  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.pos = this.randomStart ? this.rng.int(this.n - 1) : 0;
    this.t = 0;
    return { obs: this.observe(), info: {} };
  }
  step(a: number | Int32Array | Float32Array): StepResult {
    this.pos = Math.max(0, Math.min(this.n - 1, this.pos + (a === 1 ? 1 : a === 2 ? -1 : 0)));
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
const FAST = { hidden: [32, 32], batchSize: 64, logInterval: 100 };

/** Expected reward of a learner's greedy policy on the bandit, averaged exactly over the contexts. */
async function banditValue(env: ContextualBanditEnv, learner: Pick<Learner, 'predict'>): Promise<number> {
  const { numContexts, mode } = env.config;
  let total = 0;
  for (let c = 0; c < numContexts; c++) {
    const a = await learner.predict(oneHot(numContexts, c), 1, null, true);
    if (mode === 'box')
      total += mean(env.targets[c].map((t, h) => 1 - (Math.min(1, Math.max(-1, a[h])) - t) ** 2));
    else total += mean(Array.from(a, (x, h) => env.mean(c, h, x)));
  }
  return total / numContexts;
}

function rankedAction(env: ContextualBanditEnv, c: number, h: number, worst: boolean): number {
  let pick = 0;
  for (let a = 1; a < env.config.numActions; a++) {
    const better = env.mean(c, h, a) > env.mean(c, h, pick);
    if (better !== worst) pick = a;
  }
  return pick;
}

/** Greedy return of a learner on the chain from cell 0 (deterministic). */
async function chainReturn(learner: Learner): Promise<number> {
  const env = new ChainEnv(8, 40, false);
  const policy = (obs: Float32Array) => learner.predict(obs, 1, null, true);
  let { obs } = env.reset();
  let total = 0;
  for (let t = 0; t < 40; t++) {
    const res = env.step((await policy(obs))[0]);
    total += res.reward;
    obs = res.obs;
    if (res.terminated || res.truncated) break;
  }
  return total;
}

// wasm: the learning tests run 3–5× faster than on cpu (determinism is checked on both).
beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.backend).toBe('wasm');
});

describe('expectile loss', () => {
  it('is half the MSE at τ = 0.5 and weights positive/negative residuals τ / 1 − τ', () => {
    const u = tf.tensor1d([1, -1, 2, -2, 0.5]);
    expect(expectileLoss(u, 0.5).dataSync()[0]).toBeCloseTo(0.5 * ((1 + 1 + 4 + 4 + 0.25) / 5), 6);
    expect(expectileLoss(u, 0.7).dataSync()[0]).toBeCloseTo(
      (0.7 * 1 + 0.3 * 1 + 0.7 * 4 + 0.3 * 4 + 0.7 * 0.25) / 5,
      6,
    );
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

describe('IQL learns what the data supports, where behaviour cloning copies the majority', () => {
  // In every dataset here the most common action is the WORST one (60% worst + 40% uniform), so
  // cloning the behaviour lands on it; only advantage weighting recovers the optimum. The bandits'
  // mean table has clear gaps (best − second 0.4) so the optimum is one well-defined answer.
  const means = [
    [0.9, 0.5, 0.1],
    [0.1, 0.9, 0.5],
    [0.5, 0.1, 0.9],
    [0.1, 0.5, 0.9],
  ];
  it('discrete bandit (categorical actor): IQL reaches the optimum, BC does not', async () => {
    const env = new ContextualBanditEnv({
      numContexts: 4,
      numActions: 3,
      episodeLength: 1,
      noiseStd: 0.1,
      means,
    });
    const worst = (obs: Float32Array) => rankedAction(env, obs.indexOf(1), 0, true);
    const { dataset, meanReturn } = collectDataset(env, worst, { steps: 3000, randomMix: 0.4, seed: 1 });
    const iql = await trainOffline('iql', dataset, { ...FAST, seed: 1, totalSteps: 1000 });
    const bc = await trainOffline('bc', dataset, { seed: 1, epochs: 10, hidden: [32, 32] });
    try {
      const value = await banditValue(env, iql.learner!);
      const cloned = await banditValue(env, bc.learner!);
      console.log(
        `[iql] bandit: behaviour ${meanReturn.toFixed(3)}, BC ${cloned.toFixed(3)}, IQL ${value.toFixed(3)}, optimum ${env.optimalMeanReward.toFixed(3)}`,
      );
      expect(value).toBeCloseTo(env.optimalMeanReward, 6);
      expect(cloned).toBeLessThan(env.optimalMeanReward - 0.2);
    } finally {
      iql.learner?.dispose();
      bc.learner?.dispose();
    }
  }, 120_000);

  it('multi-step chain MDP: IQL finds the optimal return from data that mostly stands still, BC does not', async () => {
    const env = new ChainEnv();
    const { dataset, meanReturn } = collectDataset(env, () => 0, { steps: 4000, randomMix: 0.4, seed: 2 });
    expect(Array.from(dataset.terminals).some((t) => t === 1)).toBe(true);
    // The IQL paper's AntMaze settings for stitching multi-step paths: expectile 0.9, β 10.
    const iql = await trainOffline('iql', dataset, {
      ...FAST,
      seed: 2,
      totalSteps: 2000,
      expectile: 0.9,
      beta: 10,
      rewardScale: 3,
    });
    const bc = await trainOffline('bc', dataset, { seed: 2, epochs: 10, hidden: [32, 32] });
    try {
      const ret = await chainReturn(iql.learner!);
      const cloned = await chainReturn(bc.learner!);
      console.log(
        `[iql] chain: behaviour ${meanReturn.toFixed(3)}, BC ${cloned.toFixed(3)}, IQL ${ret.toFixed(3)} (optimum 0.4)`,
      );
      expect(ret).toBeCloseTo(0.4, 5);
      expect(cloned).toBeLessThan(0);
    } finally {
      iql.learner?.dispose();
      bc.learner?.dispose();
    }
  }, 120_000);

  it('multi-discrete (factorized heads, Q on [obs | one-hot actions]): IQL reaches the optimum, BC does not', async () => {
    const cfg: Partial<BanditConfig> = {
      mode: 'multi-discrete',
      numContexts: 4,
      numActions: 3,
      numHeads: 2,
      episodeLength: 1,
      noiseStd: 0.1,
      means,
    };
    const env = new ContextualBanditEnv(cfg);
    const worst = (obs: Float32Array) =>
      Int32Array.from([0, 1], (h) => rankedAction(env, obs.indexOf(1), h, true));
    const { dataset, meanReturn } = collectDataset(env, worst, { steps: 3000, randomMix: 0.4, seed: 4 });
    const iql = await trainOffline('iql', dataset, { ...FAST, seed: 4, totalSteps: 2000, rewardScale: 2 });
    const bc = await trainOffline('bc', dataset, { seed: 4, epochs: 10, hidden: [32, 32] });
    try {
      const value = await banditValue(env, iql.learner!);
      const cloned = await banditValue(env, bc.learner!);
      console.log(
        `[iql] multi-discrete: behaviour ${meanReturn.toFixed(3)}, BC ${cloned.toFixed(3)}, IQL ${value.toFixed(3)}, optimum ${env.optimalMeanReward.toFixed(3)}`,
      );
      expect(value).toBeCloseTo(env.optimalMeanReward, 6);
      expect(cloned).toBeLessThan(env.optimalMeanReward - 0.2);
    } finally {
      iql.learner?.dispose();
      bc.learner?.dispose();
    }
  }, 120_000);

  it('continuous (Gaussian actor): Box bandit with 50% good + 50% random data → near the optimum 1', async () => {
    const env = new ContextualBanditEnv({
      mode: 'box',
      numContexts: 4,
      numHeads: 2,
      episodeLength: 1,
      noiseStd: 0.05,
    });
    const good = (obs: Float32Array) => Float32Array.from(env.targets[obs.indexOf(1)]);
    const { dataset, meanReturn } = collectDataset(env, good, { steps: 3000, randomMix: 0.5, seed: 3 });
    const { learner } = await trainOffline('iql', dataset, { ...FAST, seed: 3, totalSteps: 600 });
    try {
      const value = await banditValue(env, learner!);
      console.log(
        `[iql] box bandit: behaviour ${meanReturn.toFixed(3)}, IQL ${value.toFixed(4)} (optimum 1)`,
      );
      expect(value).toBeGreaterThan(meanReturn + 0.15);
      expect(value).toBeGreaterThan(0.97);
    } finally {
      learner?.dispose();
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
  const env = new ContextualBanditEnv(cfg);
  /** A sign-correct but undersized baseline (0.6 × target); the behaviour scales it by 1 ± 0.9. */
  const baseline = (obs: Float32Array) => Float32Array.from(env.targets[obs.indexOf(1)], (t) => 0.6 * t);
  provideBaseline('bandit-0.6', baseline);
  const noise = new Rng(5);
  const behaviour = (obs: Float32Array) =>
    Float32Array.from(baseline(obs), (b) => b * (1 + 0.9 * noise.uniform(-1, 1)));
  const { dataset } = collectDataset(env, behaviour, { steps: 3000, seed: 5, baseline });
  // Rewards differ by ~0.03 between actions here; d3rlpy's reward scaler makes exp(β·A) bite.
  const train = (fidelityLambda: number) =>
    trainOffline('iql-residual', dataset, {
      ...FAST,
      seed: 5,
      totalSteps: 600,
      rewardScale: 10,
      scale: 0.8,
      fidelityLambda,
      baseline: 'bandit-0.6',
    });
  /** Largest |π/b − 1| over the contexts: how far the policy moved off its baseline. */
  const deviation = async (learner: Learner) => {
    let max = 0;
    for (let c = 0; c < 4; c++) {
      const o = oneHot(4, c);
      const a = await learner.predict(o, 1, null, true);
      baseline(o).forEach((b, h) => (max = Math.max(max, Math.abs(a[h] / b - 1))));
    }
    return max;
  };

  it('starts exactly at the baseline; with λ = 0 it moves off it and beats it, within the 1 ± scale band', async () => {
    const fresh = await trainOffline('iql-residual', dataset, {
      ...FAST,
      totalSteps: 1,
      bcWarmStartEpochs: 0,
      baseline: 'bandit-0.6',
    });
    // One update with a zero-initialised δ head: still the baseline to float precision.
    expect(await deviation(fresh.learner!)).toBeLessThan(1e-3);
    fresh.learner!.dispose();
    const { learner, rows } = await train(0);
    try {
      const base = mean(
        [0, 1, 2, 3].map((c) => mean(env.targets[c].map((t, h) => 1 - (baseline(oneHot(4, c))[h] - t) ** 2))),
      );
      const value = await banditValue(env, learner!);
      const dev = await deviation(learner!);
      console.log(
        `[iql] residual λ 0: baseline ${base.toFixed(4)}, residual IQL ${value.toFixed(4)}, max |π/b − 1| ${dev.toFixed(3)}`,
      );
      expect(value).toBeGreaterThan(base + 0.01);
      expect(dev).toBeGreaterThan(0.1);
      expect(dev).toBeLessThanOrEqual(0.8 + 1e-6);
      expect(series(rows, 'losses/bc_warm_start')).toHaveLength(1);
      expect(series(rows, 'losses/fidelity').at(-1)).toBeGreaterThan(0);
    } finally {
      learner?.dispose();
    }
  }, 120_000);

  it('a large fidelity λ holds the policy at the baseline (the penalty is on the policy’s own residual)', async () => {
    const { learner, rows } = await train(100);
    try {
      const dev = await deviation(learner!);
      console.log(
        `[iql] residual λ 100: max |π/b − 1| ${dev.toFixed(4)}, fidelity ${series(rows, 'losses/fidelity').at(-1)!.toExponential(2)}`,
      );
      expect(dev).toBeLessThan(0.02);
    } finally {
      learner?.dispose();
    }
  }, 120_000);

  it('needs a Box space, dataset baselines and a provided rule', async () => {
    const discrete = collectDataset(new ContextualBanditEnv({ numContexts: 4 }), () => 0, {
      steps: 20,
      baseline: () => 0,
    }).dataset;
    expect((await trainOffline('iql-residual', discrete, FAST)).error).toMatch(/needs a Box action space/);
    const plain = collectDataset(env, () => Float32Array.from([0, 0]), { steps: 20 }).dataset;
    expect((await trainOffline('iql-residual', plain, FAST)).error).toMatch(/needs dataset\.baseline/);
    const res = await trainOffline('iql-residual', dataset, {
      ...FAST,
      totalSteps: 1,
      bcWarmStartEpochs: 0,
      baseline: 'nobody',
    });
    expect(res.error).toMatch(/baseline rule 'nobody' was not provided/);
  });
});

describe('IQL engineering', () => {
  const env = new ContextualBanditEnv({ numContexts: 4, numActions: 3, episodeLength: 1 });
  const { dataset } = collectDataset(env, () => 0, { steps: 500, randomMix: 0.5, seed: 6 });
  const config = (seed: number, over: Partial<IqlLearnerConfig> = {}): IqlLearnerConfig => ({
    ...defaultIqlConfig,
    ...FAST,
    logInterval: 20,
    totalSteps: 60,
    seed,
    dataset: defaultDatasetSource,
    ...over,
  });

  it('is deterministic on cpu and on wasm: same seed → identical losses, another seed differs', async () => {
    await expectSeedDeterminism((seed) => new IqlLearner(config(seed), dataset), 7, 8);
  }, 60_000);

  it('keeps tf.memory().numTensors flat after a burn-in iteration (update, act), and dispose frees everything', async () => {
    for (const space of ['discrete', 'box'] as const) {
      const e = new ContextualBanditEnv({ mode: space, numContexts: 3, numHeads: 2, episodeLength: 1 });
      const ds: OfflineDataset = collectDataset(
        e,
        space === 'box' ? () => Float32Array.from([0.1, 0.2]) : () => 1,
        { steps: 100, seed: 1 },
      ).dataset;
      const n0 = tf.memory().numTensors;
      const learner = new IqlLearner(config(1, { logInterval: 5 }), ds);
      await learner.iterate();
      learner.act(ds.obs.subarray(0, 6));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await learner.iterate();
      learner.act(ds.obs.subarray(0, 6), { greedy: false });
      expect(tf.memory().numTensors, space).toBe(before);
      learner.dispose();
      expect(tf.memory().numTensors, space).toBe(n0);
    }
  }, 60_000);

  it('stops on a non-finite loss with a clear message and keeps the last good weights', async () => {
    const own = { ...dataset, rewards: dataset.rewards.slice() };
    const learner = new IqlLearner(config(9, { logInterval: 10 }), own);
    try {
      await learner.iterate();
      const good = learner.nets.getWeights();
      // Rewards of 1e38 (finite float32) overflow the squared TD error.
      own.rewards.fill(1e38);
      await expect(learner.iterate()).rejects.toThrow(
        /IQL: non-finite losses\/q = (Infinity|NaN).* in updates 11–20; training stopped, weights of update 10 kept/,
      );
      expect(learner.nets.getWeights()).toEqual(good);
    } finally {
      learner.dispose();
    }
  });

  it('resumes from a checkpoint (weights, all three Adam states, Rng, step) exactly where a straight run goes', async () => {
    let mid: CheckpointArtifacts | null = null;
    const cfg = { ...FAST, seed: 10, logInterval: 20, totalSteps: 80 };
    const straight = await trainOffline('iql', dataset, cfg, {
      checkpointEvery: 40,
      callbacks: { onCheckpoint: (c, info) => void (info.step === 40 && (mid = c)) },
    });
    expect(mid).not.toBeNull();
    expect(Object.keys(mid!.modelTopology.optimizers ?? {}).sort()).toEqual(['actor', 'critic', 'value']);
    const resumed = await trainOffline('iql', dataset, cfg, { resumeFrom: mid! });
    try {
      expect(resumed.globalStep).toBe(80);
      for (const key of ['losses/value', 'losses/q', 'losses/policy']) {
        // tfjs rebuilds Adam's β-power accumulators as β^t on load (a running product in training):
        // the losses then agree to ~1e-7 relative, where fresh Adam moments are off by percent.
        const want = series(straight.rows, key).slice(2);
        const got = series(resumed.rows, key);
        expect(got.length, key).toBe(want.length);
        got.forEach((v, i) => expect(Math.abs(v - want[i]), key).toBeLessThan(1e-5 * Math.abs(want[i])));
      }
      const obs = dataset.obs.subarray(0, 40);
      expect(Array.from((resumed.learner as IqlLearner).act(obs))).toEqual(
        Array.from((straight.learner as IqlLearner).act(obs)),
      );
    } finally {
      straight.learner?.dispose();
      resumed.learner?.dispose();
    }
  });

  it('rejects bad configs clearly', async () => {
    expect((await trainOffline('iql', dataset, { expectile: 1 })).error).toMatch(
      /IQL config: expectile must be in \(0, 1\)/,
    );
    expect((await trainOffline('iql', dataset, { batchSize: 0 })).error).toMatch(/batchSize/);
  });
});
