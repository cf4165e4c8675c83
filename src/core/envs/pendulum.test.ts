import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PendulumEnv, angleNormalize } from './pendulum.ts';
import { checkEnv } from './check.ts';
import { SyncVectorEnv } from './vector.ts';

/**
 * Reference: gymnasium/envs/classic_control/pendulum.py step() transcribed to numpy (float64 state,
 * float32 action Box, float32 observation), run from the states below.
 * Columns: reward, observation [cos θ, sin θ, θ̇], state θ, θ̇ after the step.
 */
const GOLDEN: { start: [number, number]; actions: number[]; steps: [number, number[], number, number][] }[] =
  [
    {
      // Torques inside the bounds, one clipped (−3 → −2) and one that float32 rounds.
      start: [2.5, -0.7],
      actions: [1.3, -3.0, 0.123456789, 2.0],
      steps: [
        [
          -6.3006899999463934,
          [-0.7994603514671326, 0.6007188558578491, -0.05614589899778366],
          2.4971927050462703,
          -0.05614589907458989,
        ],
        [
          -6.2402866425245875,
          [-0.8022866249084473, 0.596938967704773, 0.09439322352409363],
          2.5019123661923977,
          0.09439322292254529,
        ],
        [
          -6.260471737739419,
          [-0.818701982498169, 0.5742186903953552, 0.5606159567832947],
          2.5299431647107133,
          0.5606159703663163,
        ],
        [
          -6.436041443479429,
          [-0.8540442585945129, 0.5202003121376038, 1.2912800312042236],
          2.594507163745716,
          1.2912799807000561,
        ],
      ],
    },
    {
      // θ below −π (the cost wraps it) and θ̇ clipped at the speed limit 8.
      start: [-3.5, 7.9],
      actions: [2.0, 2.0, -0.5],
      steps: [
        [-13.991120454290318, [-0.9991351366043091, -0.04158066213130951, 8.0], -3.1, 8.0],
        [-16.01400000018999, [-0.9040721654891968, -0.42737987637519836, 8.0], -2.7, 8.0],
        [
          -13.690250000011876,
          [-0.6808924078941345, -0.7323834896087646, 7.604465007781982],
          -2.3197767455087686,
          7.604465089824628,
        ],
      ],
    },
  ];

describe('PendulumEnv', () => {
  it('passes the env checker (spaces, determinism per seed, different seeds differ)', () => {
    checkEnv(new PendulumEnv(), { steps: 250, stochastic: true });
  });

  it("reproduces Gymnasium Pendulum-v1's rewards, observations and states (golden steps)", () => {
    for (const { start, actions, steps } of GOLDEN) {
      const env = new PendulumEnv();
      env.reset({ seed: 0 });
      env.state.set(start);
      actions.forEach((a, t) => {
        const r = env.step(Float32Array.of(a));
        const [reward, obs, th, thdot] = steps[t];
        expect(r.reward).toBeCloseTo(reward, 12);
        expect(Array.from(r.obs)).toEqual(obs);
        expect(env.state[0]).toBeCloseTo(th, 12);
        expect(env.state[1]).toBeCloseTo(thdot, 12);
        expect(r.terminated).toBe(false);
        expect(r.truncated).toBe(false);
      });
    }
  });

  it('is truncated at step 200, never terminated, and refuses to step after the end', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 3 });
    for (let t = 1; t <= 200; t++) {
      const r = env.step(Float32Array.of(Math.sin(t)));
      expect(r.terminated).toBe(false);
      expect(r.truncated).toBe(t === 200);
      // The cost is at most π² + 0.1·8² + 0.001·2² = 16.2736…
      expect(r.reward).toBeLessThanOrEqual(0);
      expect(r.reward).toBeGreaterThanOrEqual(-16.2736045);
    }
    expect(() => env.step(Float32Array.of(0))).toThrow(/after the episode ended/);
  });

  it('resets θ ~ U(−π, π), θ̇ ~ U(−1, 1); x_init / y_init change the bounds', () => {
    const env = new PendulumEnv({}, 5);
    const th: number[] = [];
    const thd: number[] = [];
    for (let i = 0; i < 2000; i++) {
      env.reset();
      th.push(env.state[0]);
      thd.push(env.state[1]);
    }
    expect(Math.min(...th)).toBeGreaterThanOrEqual(-Math.PI);
    expect(Math.max(...th)).toBeLessThan(Math.PI);
    expect(Math.min(...th)).toBeLessThan(-3);
    expect(Math.max(...th)).toBeGreaterThan(3);
    expect(Math.max(...thd.map(Math.abs))).toBeLessThanOrEqual(1);
    expect(Math.max(...thd.map(Math.abs))).toBeGreaterThan(0.99);
    env.reset({ options: { x_init: 0.1, y_init: 0 } });
    expect(Math.abs(env.state[0])).toBeLessThanOrEqual(0.1);
    expect(env.state[1]).toBe(0);
    const r = env.reset({ seed: 9 });
    expect(Array.from(r.obs)).toEqual(
      [Math.cos(env.state[0]), Math.sin(env.state[0]), env.state[1]].map(Math.fround),
    );
  });

  it('angleNormalize wraps into [−π, π) by whole turns (Python floored modulo)', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (x) => {
        const y = angleNormalize(x);
        expect(y).toBeGreaterThanOrEqual(-Math.PI - 1e-12);
        expect(y).toBeLessThan(Math.PI + 1e-12);
        const turns = (x - y) / (2 * Math.PI);
        expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-9);
      }),
    );
    expect(angleNormalize(-3.5)).toBeCloseTo(2 * Math.PI - 3.5, 12);
  });

  it('keeps the final observation of a truncated episode in a vector env', () => {
    const vec = new SyncVectorEnv((i) => new PendulumEnv({ maxEpisodeSteps: 3 }, i), 2);
    vec.reset({ seed: 1 });
    const a = Float32Array.of(0.5, -0.5);
    let last;
    for (let t = 0; t < 3; t++) last = vec.step(a);
    expect(Array.from(last!.truncated)).toEqual([1, 1]);
    const final = (last!.infos[0] as { finalObs?: Float32Array }).finalObs!;
    expect(final).toHaveLength(3);
    expect(Array.from(final)).not.toEqual(Array.from(last!.obs.subarray(0, 3)));
  });
});
