import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeGae } from './gae.ts';
import { Rng } from '../../rng.ts';

/** The non-recursive definition: A_t = Σ_l (γλ)^l δ_{t+l}, stopping after the step that ends the episode. */
function gaeBySum(
  T: number,
  K: number,
  gamma: number,
  lambda: number,
  rewards: Float64Array,
  values: Float64Array,
  dones: Uint8Array,
  timeouts: Uint8Array,
  finalValues: Float64Array,
  lastValues: Float64Array,
): Float64Array {
  const adv = new Float64Array(T * K);
  const delta = (t: number, k: number) => {
    const i = t * K + k;
    const next = t + 1 < T ? values[(t + 1) * K + k] : lastValues[k];
    const boot = timeouts[i] ? finalValues[i] : dones[i] ? 0 : next;
    return rewards[i] + gamma * boot - values[i];
  };
  for (let k = 0; k < K; k++) {
    for (let t = 0; t < T; t++) {
      let sum = 0;
      let w = 1;
      for (let u = t; u < T; u++) {
        sum += w * delta(u, k);
        if (dones[u * K + k]) break;
        w *= gamma * lambda;
      }
      adv[t * K + k] = sum;
    }
  }
  return adv;
}

function randomRollout(rng: Rng, T: number, K: number, pDone: number) {
  const n = T * K;
  const rewards = new Float64Array(n).map(() => rng.normal());
  const values = new Float64Array(n).map(() => rng.normal());
  const dones = new Uint8Array(n).map(() => (rng.float() < pDone ? 1 : 0));
  const timeouts = dones.map((d) => (d && rng.float() < 0.5 ? 1 : 0));
  const finalValues = new Float64Array(n).map((_, i) => (timeouts[i] ? rng.normal() : 0));
  const lastValues = new Float64Array(K).map(() => rng.normal());
  return { rewards, values, dones, timeouts, finalValues, lastValues };
}

describe('computeGae', () => {
  it('agrees with the explicit sum Σ (γλ)^l δ_{t+l} (two ways, as CleanRL checks)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (T, K, gamma, lambda, seed) => {
          const r = randomRollout(new Rng(seed), T, K, 0.2);
          const { advantages, returns } = computeGae({ numSteps: T, numEnvs: K, gamma, lambda, ...r });
          const expected = gaeBySum(
            T,
            K,
            gamma,
            lambda,
            r.rewards,
            r.values,
            r.dones,
            r.timeouts,
            r.finalValues,
            r.lastValues,
          );
          for (let i = 0; i < T * K; i++) {
            expect(advantages[i]).toBeCloseTo(expected[i], 4);
            expect(returns[i]).toBeCloseTo(expected[i] + r.values[i], 4);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('λ = 1 gives the discounted returns G_t = r_t + γ G_{t+1}, bootstrapped from V(s_T)', () => {
    const gamma = 0.9;
    const rewards = [1, 2, 3, 4];
    const values = [0.5, -1, 2, 0.25];
    const lastV = 10;
    const { returns, advantages } = computeGae({
      numSteps: 4,
      numEnvs: 1,
      gamma,
      lambda: 1,
      rewards,
      values,
      dones: [0, 0, 0, 0],
      lastValues: [lastV],
    });
    const g3 = 4 + gamma * lastV;
    const g2 = 3 + gamma * g3;
    const g1 = 2 + gamma * g2;
    const g0 = 1 + gamma * g1;
    expect(Array.from(returns)).toEqual([g0, g1, g2, g3].map((g) => Math.fround(g)));
    expect(advantages[0]).toBeCloseTo(g0 - 0.5, 5);
  });

  it('λ = 0 gives the one-step TD error', () => {
    const { advantages } = computeGae({
      numSteps: 2,
      numEnvs: 1,
      gamma: 0.5,
      lambda: 0,
      rewards: [1, 1],
      values: [2, 4],
      dones: [0, 0],
      lastValues: [8],
    });
    expect(advantages[0]).toBeCloseTo(1 + 0.5 * 4 - 2, 6);
    expect(advantages[1]).toBeCloseTo(1 + 0.5 * 8 - 4, 6);
  });

  it('a terminal step bootstraps from 0 and cuts the chain; the next episode is independent', () => {
    const { advantages } = computeGae({
      numSteps: 3,
      numEnvs: 1,
      gamma: 0.9,
      lambda: 0.95,
      rewards: [1, 1, 1],
      values: [0, 0, 0],
      dones: [0, 1, 0],
      lastValues: [100],
    });
    // t=1 terminal: A = 1; t=0: δ0 = 1 + 0.9·0 − 0 = 1, A0 = 1 + 0.9·0.95·1
    expect(advantages[1]).toBeCloseTo(1, 6);
    expect(advantages[0]).toBeCloseTo(1 + 0.9 * 0.95, 6);
    // t=2 starts a new episode and bootstraps from V(s_T) = 100
    expect(advantages[2]).toBeCloseTo(1 + 0.9 * 100, 4);
  });

  it('bootstraps from V(s_T) when the last step is not terminal and from 0 when it is', () => {
    const base = {
      numSteps: 1,
      numEnvs: 2,
      gamma: 0.99,
      lambda: 0.95,
      rewards: [1, 1],
      values: [0.5, 0.5],
      lastValues: [3, 3],
    };
    const { advantages } = computeGae({ ...base, dones: [0, 1] });
    expect(advantages[0]).toBeCloseTo(1 + 0.99 * 3 - 0.5, 5);
    expect(advantages[1]).toBeCloseTo(1 - 0.5, 5);
  });

  it('a truncated step bootstraps from V(final obs), not from the next episode, and cuts the chain', () => {
    const gamma = 0.9;
    const { advantages } = computeGae({
      numSteps: 2,
      numEnvs: 1,
      gamma,
      lambda: 1,
      rewards: [1, 5],
      values: [0, 7],
      dones: [1, 0],
      timeouts: [1, 0],
      finalValues: [4, 0],
      lastValues: [0],
    });
    expect(advantages[0]).toBeCloseTo(1 + gamma * 4, 5);
    // SB3's formulation — fold γ·V(final) into the reward and treat the step as done — is the same number.
    const sb3 = computeGae({
      numSteps: 2,
      numEnvs: 1,
      gamma,
      lambda: 1,
      rewards: [1 + gamma * 4, 5],
      values: [0, 7],
      dones: [1, 0],
      lastValues: [0],
    });
    expect(Array.from(sb3.advantages)).toEqual(Array.from(advantages));
  });

  it('keeps envs independent (time-major layout t·K + k)', () => {
    const r = randomRollout(new Rng(7), 5, 3, 0.3);
    const all = computeGae({ numSteps: 5, numEnvs: 3, gamma: 0.97, lambda: 0.9, ...r });
    for (let k = 0; k < 3; k++) {
      const pick = <T extends Float64Array | Uint8Array>(a: T) => a.filter((_, i) => i % 3 === k) as T;
      const single = computeGae({
        numSteps: 5,
        numEnvs: 1,
        gamma: 0.97,
        lambda: 0.9,
        rewards: pick(r.rewards),
        values: pick(r.values),
        dones: pick(r.dones),
        timeouts: pick(r.timeouts),
        finalValues: pick(r.finalValues),
        lastValues: [r.lastValues[k]],
      });
      for (let t = 0; t < 5; t++) expect(all.advantages[t * 3 + k]).toBe(single.advantages[t]);
    }
  });

  it('rejects inconsistent sizes with a message naming the array', () => {
    expect(() =>
      computeGae({
        numSteps: 2,
        numEnvs: 2,
        gamma: 0.9,
        lambda: 1,
        rewards: [1, 2, 3],
        values: [0, 0, 0, 0],
        dones: [0, 0, 0, 0],
        lastValues: [0, 0],
      }),
    ).toThrow(/rewards has 3 entries/);
    expect(() =>
      computeGae({
        numSteps: 1,
        numEnvs: 2,
        gamma: 0.9,
        lambda: 1,
        rewards: [1, 2],
        values: [0, 0],
        dones: [0, 0],
        lastValues: [0],
      }),
    ).toThrow(/lastValues/);
  });
});
