import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CartPoleEnv } from './cartpole.ts';
import { checkEnv } from './check.ts';
import { SyncVectorEnv } from './vector.ts';

describe('CartPoleEnv', () => {
  it('passes the env checker (spaces, determinism per seed, different seeds differ)', () => {
    checkEnv(new CartPoleEnv(), { steps: 200, stochastic: true });
  });

  it('reproduces Gymnasium CartPole-v1 step for step (golden trajectory)', () => {
    // Reference: gymnasium/envs/classic_control/cartpole.py step() run in float64 (numpy) from the
    // state below with actions (7i mod 3) mod 2; observations are the float32 casts Gymnasium returns.
    const golden: [number, number[], boolean][] = [
      [0, [0.009600000455975533, -0.21553902328014374, 0.030799999833106995, 0.3419952094554901], false],
      [1, [0.005289219785481691, -0.02086849883198738, 0.03763990476727486, 0.05918170511722565], false],
      [2, [0.004871849901974201, -0.2165093570947647, 0.03882353752851486, 0.36349865794181824], false],
      [9, [-0.053074080497026443, -0.8084791302680969, 0.1379547119140625, 1.3978570699691772], false],
      [11, [-0.0815499797463417, -0.8121672868728638, 0.18893775343894958, 1.4910720586776733], false],
      [12, [-0.0977933257818222, -1.009019374847412, 0.2187591940164566, 1.8363133668899536], true],
    ];
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state.set([0.01, -0.02, 0.03, 0.04]);
    const seen = new Map<number, { obs: number[]; terminated: boolean; reward: number }>();
    for (let t = 0; t < 13; t++) {
      const r = env.step(((t * 7) % 3) % 2);
      seen.set(t, { obs: Array.from(r.obs), terminated: r.terminated, reward: r.reward });
      if (r.terminated) break;
    }
    expect(seen.size).toBe(13);
    for (const [t, obs, terminated] of golden) {
      expect(seen.get(t)!.obs).toEqual(obs);
      expect(seen.get(t)!.terminated).toBe(terminated);
      expect(seen.get(t)!.reward).toBe(1); // +1 including the terminating step
    }
  });

  it('starts uniformly in (−0.05, 0.05) and honours the low/high reset options', () => {
    const env = new CartPoleEnv();
    for (let s = 0; s < 50; s++) {
      const { obs } = env.reset({ seed: s });
      for (const v of obs) expect(Math.abs(v)).toBeLessThan(0.05);
    }
    const { obs } = env.reset({ seed: 1, options: { low: 0.2, high: 0.3 } });
    for (const v of obs) {
      expect(v).toBeGreaterThanOrEqual(0.2);
      expect(v).toBeLessThan(0.3);
    }
  });

  it('truncates at 500 steps (TimeLimit) when the pole never falls', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 3 });
    let steps = 0;
    let last = { terminated: false, truncated: false };
    // Balance with a simple PD controller on the pole angle: keeps it up well past 500 steps.
    for (;;) {
      const [, , theta, thetaDot] = env.state;
      const r = env.step(theta + 0.5 * thetaDot > 0 ? 1 : 0);
      steps++;
      last = r;
      if (r.terminated || r.truncated) break;
    }
    expect(steps).toBe(500);
    expect(last.truncated).toBe(true);
    expect(last.terminated).toBe(false);
    expect(new CartPoleEnv({ maxEpisodeSteps: 7 }).config.maxEpisodeSteps).toBe(7);
  });

  it('terminates exactly when |x| > 2.4 or |θ| > 12° (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 300 }),
        (seed, actions) => {
          const env = new CartPoleEnv();
          env.reset({ seed });
          for (const a of actions) {
            const r = env.step(a);
            const [x, , theta] = env.state;
            const out = Math.abs(x) > 2.4 || Math.abs(theta) > (12 * 2 * Math.PI) / 360;
            expect(r.terminated).toBe(out);
            if (r.terminated || r.truncated) break;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects invalid actions and stepping after the end', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 1 });
    expect(() => env.step(2)).toThrow(/action must be 0 or 1/);
    let r;
    do r = env.step(1);
    while (!r.terminated && !r.truncated);
    expect(() => env.step(1)).toThrow(/reset/);
  });

  it('works in a SyncVectorEnv: env i seeded with seed + i, auto-reset with the final observation', () => {
    const vec = new SyncVectorEnv(() => new CartPoleEnv(), 3);
    const { obs } = vec.reset({ seed: 10 });
    expect(Array.from(obs.subarray(4, 8))).toEqual(Array.from(new CartPoleEnv().reset({ seed: 11 }).obs));
    const actions = Int32Array.from([1, 1, 1]);
    for (let t = 0; t < 100; t++) {
      const r = vec.step(actions);
      if (r.terminated[0]) {
        expect(r.infos[0].finalObs).toBeInstanceOf(Float32Array);
        return;
      }
    }
    throw new Error('pushing right always should end an episode within 100 steps');
  });
});
