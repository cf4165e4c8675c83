import { describe, expect, it } from 'vitest';
import { ContextualBanditEnv } from './bandit.ts';
import { checkEnv } from './check.ts';

describe('ContextualBanditEnv', () => {
  it('passes the env checker in every action mode', () => {
    checkEnv(new ContextualBanditEnv(), { stochastic: true });
    checkEnv(new ContextualBanditEnv({ mode: 'multi-discrete', numHeads: 3 }), { stochastic: true });
    checkEnv(new ContextualBanditEnv({ mode: 'box', numHeads: 2 }), { stochastic: true });
    // Masked: the checker's actions must respect the mask; action 0 is never the trap in this table.
    const masked = new ContextualBanditEnv({ numContexts: 1, means: [[0.1, 0.9, 0.5]], maskedActions: true });
    checkEnv(masked, { stochastic: true, sampleAction: () => 0 });
  });

  it('shows the context one-hot and pays the mean table plus noise', () => {
    const means = [
      [0, 1, 0.5],
      [0.9, 0.1, 0.2],
    ];
    const env = new ContextualBanditEnv({ numContexts: 2, numActions: 3, means, noiseStd: 0 });
    let { obs } = env.reset({ seed: 4 });
    for (let i = 0; i < 20; i++) {
      const c = obs.indexOf(1);
      expect(obs.reduce((a, b) => a + b, 0)).toBe(1);
      const r = env.step(2);
      expect(r.reward).toBe(means[c][2]);
      expect(r.terminated).toBe(true);
      obs = env.reset().obs;
    }
    expect(env.optimalMeanReward).toBeCloseTo((1 + 0.9) / 2, 12);
    expect(env.randomMeanReward).toBeCloseTo((1.5 / 3 + 1.2 / 3) / 2, 12);
  });

  it('optimum: the best action of each context is worth optimalMeanReward on average (Monte Carlo)', () => {
    const env = new ContextualBanditEnv({ numContexts: 5, numActions: 4 });
    let { obs } = env.reset({ seed: 1 });
    let total = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const c = obs.indexOf(1);
      const best = env.means[c].indexOf(Math.max(...env.means[c]));
      total += env.step(best).reward;
      obs = env.reset().obs;
    }
    expect(total / n).toBeCloseTo(env.optimalMeanReward, 2);
  });

  it('multi-discrete: each head has its own rotated table; the reward averages the heads', () => {
    const means = [[0.1, 0.6, 0.3]];
    const env = new ContextualBanditEnv({
      numContexts: 1,
      numActions: 3,
      mode: 'multi-discrete',
      numHeads: 2,
      means,
      noiseStd: 0,
    });
    env.reset({ seed: 1 });
    // head 0 best = action 1; head 1 (rotated by 1) best = action 0
    expect(env.step(Int32Array.from([1, 0])).reward).toBeCloseTo(0.6, 12);
    env.reset();
    expect(env.step(Int32Array.from([0, 1])).reward).toBeCloseTo((0.1 + 0.3) / 2, 12);
    expect(env.optimalMeanReward).toBeCloseTo(0.6, 12);
  });

  it('masks the best raw action, which then throws; the optimum is the best valid action', () => {
    const means = [[0.1, 0.9, 0.5]];
    const env = new ContextualBanditEnv({
      numContexts: 1,
      numActions: 3,
      maskedActions: true,
      means,
      noiseStd: 0,
    });
    const { info } = env.reset({ seed: 1 });
    expect(Array.from(info.actionMask!)).toEqual([1, 0, 1]);
    expect(Array.from(env.actionMask!())).toEqual([1, 0, 1]);
    expect(new ContextualBanditEnv().actionMask).toBeUndefined();
    expect(() => env.step(1)).toThrow(/masked action 1/);
    expect(env.optimalMeanReward).toBeCloseTo(0.5, 12);
    const r = env.step(2);
    expect(r.info.actionMask).toBeInstanceOf(Uint8Array);
  });

  it('box: reward 1 − mean (a − target)², optimum 1', () => {
    const env = new ContextualBanditEnv({ mode: 'box', numHeads: 2, numContexts: 1, noiseStd: 0 });
    env.reset({ seed: 1 });
    const target = Float32Array.from(env.targets[0]);
    expect(env.step(target).reward).toBeCloseTo(1, 6);
    env.reset();
    expect(env.step(Float32Array.from([target[0] + 0.5, target[1]])).reward).toBeCloseTo(1 - 0.25 / 2, 6);
    expect(env.optimalMeanReward).toBe(1);
  });

  it('the problem is fixed by the table seed, not by reset seeds', () => {
    const a = new ContextualBanditEnv({}, 7);
    const b = new ContextualBanditEnv({}, 7);
    const c = new ContextualBanditEnv({}, 8);
    expect(a.means).toEqual(b.means);
    expect(a.means).not.toEqual(c.means);
  });

  it('rejects bad configs with a clear message', () => {
    expect(() => new ContextualBanditEnv({ numActions: 1 })).toThrow(/numActions/);
    expect(() => new ContextualBanditEnv({ mode: 'box', maskedActions: true })).toThrow(/maskedActions/);
    expect(() => new ContextualBanditEnv({ numContexts: 2, means: [[1, 2, 3]] })).toThrow(/means must be/);
  });
});
