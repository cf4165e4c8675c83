import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeVTrace, type VTraceInput } from './vtrace.ts';
import { computeGae } from './gae.ts';
import { Rng } from '../../rng.ts';

/**
 * The IMPALA paper's definition (eq. 1) as a plain double loop, no recursion:
 *   v_s = V_s + Σ_{t=s}^{end} γ^{t−s} (Π_{i=s}^{t−1} c_i) δ_t,   δ_t = ρ_t (r_t + γ V_next(t) − V_t)
 * where the sum stops after the step that ends the episode, V_next(t) is V_{t+1} (V_T = bootstrap),
 * 0 after a terminal step and V(final obs) after a time limit.
 */
function vtraceBySum(
  x: VTraceInput,
  clipRho: number,
  clipC: number,
  clipPg: number,
  lambda: number,
  productEnd = -1,
) {
  const { numSteps: T, numEnvs: K, gamma } = x;
  const ratio = (i: number) => Math.exp(x.targetLogProbs[i] - x.behaviourLogProbs[i]);
  const vAt = (t: number, k: number) => (t < T ? x.values[t * K + k] : x.bootstrapValues[k]);
  const nextV = (t: number, k: number) => {
    const i = t * K + k;
    if (x.timeouts?.[i]) return x.finalValues![i];
    return x.dones[i] ? 0 : vAt(t + 1, k);
  };
  const vs = new Float64Array(T * K);
  const pg = new Float64Array(T * K);
  for (let k = 0; k < K; k++)
    for (let s = 0; s < T; s++) {
      let sum = 0;
      for (let t = s; t < T; t++) {
        let prod = 1;
        for (let i = s; i <= t + productEnd; i++) prod *= lambda * Math.min(clipC, ratio(i * K + k));
        const rho = Math.min(clipRho, ratio(t * K + k));
        const delta = rho * (x.rewards[t * K + k] + gamma * nextV(t, k) - vAt(t, k));
        sum += gamma ** (t - s) * prod * delta;
        if (x.dones[t * K + k]) break;
      }
      vs[s * K + k] = vAt(s, k) + sum;
    }
  for (let k = 0; k < K; k++)
    for (let s = 0; s < T; s++) {
      const i = s * K + k;
      const next = x.timeouts?.[i]
        ? x.finalValues![i]
        : x.dones[i]
          ? 0
          : s + 1 < T
            ? vs[(s + 1) * K + k]
            : x.bootstrapValues[k];
      pg[i] = Math.min(clipPg, ratio(i)) * (x.rewards[i] + gamma * next - x.values[i]);
    }
  return { vs, pg };
}

/** Random trajectory; log-ratios in [−spread, spread] so π/μ falls on both sides of 1. */
function randomTrajectory(rng: Rng, T: number, K: number, pDone: number, spread: number): VTraceInput {
  const n = T * K;
  const behaviourLogProbs = new Float64Array(n).map(() => -rng.float() * 2);
  const dones = new Uint8Array(n).map(() => (rng.float() < pDone ? 1 : 0));
  const timeouts = dones.map((d) => (d && rng.float() < 0.5 ? 1 : 0));
  return {
    numSteps: T,
    numEnvs: K,
    gamma: 0.9,
    behaviourLogProbs,
    targetLogProbs: behaviourLogProbs.map((b) => b + rng.uniform(-spread, spread)),
    rewards: new Float64Array(n).map(() => rng.normal()),
    values: new Float64Array(n).map(() => rng.normal()),
    dones,
    timeouts,
    finalValues: new Float64Array(n).map((_, i) => (timeouts[i] ? rng.normal() : 0)),
    bootstrapValues: new Float64Array(K).map(() => rng.normal()),
  };
}

describe('computeVTrace', () => {
  it('golden values: ρ = 0.5, 2, 0.25 with ρ̄ = c̄ = 1 (the clip binds at t = 1)', () => {
    const g = 0.9;
    const ratios = [0.5, 2, 0.25];
    const r = [1, -1, 2];
    const V = [0.5, 1, -0.5];
    const boot = 3;
    const out = computeVTrace({
      numSteps: 3,
      numEnvs: 1,
      gamma: g,
      behaviourLogProbs: [0, 0, 0],
      targetLogProbs: ratios.map(Math.log),
      rewards: r,
      values: V,
      dones: [0, 0, 0],
      bootstrapValues: [boot],
    });
    // ρ = c = [0.5, 1, 0.25]
    const d2 = 0.25 * (2 + g * boot - -0.5);
    const d1 = 1 * (-1 + g * -0.5 - 1);
    const d0 = 0.5 * (1 + g * 1 - 0.5);
    const a2 = d2;
    const a1 = d1 + g * 1 * a2; // c_1 = min(1, 2) = 1
    const a0 = d0 + g * 0.5 * a1; // c_0 = 0.5, not c_1
    expect(out.vs[2]).toBeCloseTo(V[2] + a2, 5);
    expect(out.vs[1]).toBeCloseTo(V[1] + a1, 5);
    expect(out.vs[0]).toBeCloseTo(V[0] + a0, 5);
    expect(out.pgAdvantages[0]).toBeCloseTo(0.5 * (1 + g * (V[1] + a1) - 0.5), 5);
    expect(out.pgAdvantages[1]).toBeCloseTo(1 * (-1 + g * (V[2] + a2) - 1), 5);
    expect(out.pgAdvantages[2]).toBeCloseTo(0.25 * (2 + g * boot - -0.5), 5);
    expect(Array.from(out.rhos)).toEqual([0.5, 1, 0.25]);
  });

  it('ρ̄ and c̄ are separate: c̄ = 0.5 shortens the trace, ρ̄ = 2 lets ρ = 2 through', () => {
    const x: VTraceInput = {
      numSteps: 2,
      numEnvs: 1,
      gamma: 1,
      behaviourLogProbs: [0, 0],
      targetLogProbs: [Math.log(2), Math.log(3)],
      rewards: [1, 1],
      values: [0, 0],
      dones: [0, 0],
      bootstrapValues: [0],
    };
    const out = computeVTrace(x, { clipRho: 2, clipC: 0.5, clipPgRho: 1 });
    // δ_1 = min(2, 3)·1 = 2, δ_0 = 2·1 = 2; v_0 = 2 + c_0·δ_1 = 2 + 0.5·2
    expect(out.vs[1]).toBeCloseTo(2, 6);
    expect(out.vs[0]).toBeCloseTo(3, 6);
    // A^pg_0 = min(1, 2)·(1 + v_1 − 0)
    expect(out.pgAdvantages[0]).toBeCloseTo(3, 6);
  });

  it('agrees with the paper-definition loop for ρ < 1 and ρ > 1, clipped or not (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0.5, 1, 1.5, 3),
        fc.constantFrom(0.5, 1, 2),
        fc.constantFrom(0.25, 0.9, 1),
        fc.integer({ min: 0, max: 1e6 }),
        (T, K, clipRho, clipC, lambda, seed) => {
          const x = randomTrajectory(new Rng(seed), T, K, 0.2, 1.5);
          const out = computeVTrace(x, { clipRho, clipC, lambda, clipPgRho: clipRho });
          const ref = vtraceBySum(x, clipRho, clipC, clipRho, lambda);
          for (let i = 0; i < T * K; i++) {
            expect(out.vs[i]).toBeCloseTo(ref.vs[i], 4);
            expect(out.pgAdvantages[i]).toBeCloseTo(ref.pg[i], 4);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the random inputs above really put ratios on both sides of 1 and make the clip bind', () => {
    const x = randomTrajectory(new Rng(7), 50, 2, 0.2, 1.5);
    const ratios = Array.from({ length: 100 }, (_, i) =>
      Math.exp(x.targetLogProbs[i] - x.behaviourLogProbs[i]),
    );
    expect(ratios.filter((r) => r < 0.7).length).toBeGreaterThan(10);
    expect(ratios.filter((r) => r > 1.5).length).toBeGreaterThan(10);
    // The DeepMind reference loop's product over cs[s:t−1] (one c short) gives other targets here;
    // with its ρ ∈ [1, 2) and c̄ = 1 every c is 1 and the two loops cannot be told apart.
    const right = vtraceBySum(x, 1, 1, 1, 1);
    const short = vtraceBySum(x, 1, 1, 1, 1, -2);
    const gap = Math.max(...right.vs.map((v, i) => Math.abs(v - short.vs[i])));
    expect(gap).toBeGreaterThan(0.1);
    const out = computeVTrace(x);
    for (let i = 0; i < 100; i++) expect(out.vs[i]).toBeCloseTo(right.vs[i], 4);
    const dm = randomTrajectory(new Rng(7), 50, 2, 0.2, 0);
    dm.targetLogProbs = Float64Array.from(dm.behaviourLogProbs, (b, i) => b + Math.log(1 + (i % 10) / 10));
    const a = vtraceBySum(dm, 1, 1, 1, 1);
    const b = vtraceBySum(dm, 1, 1, 1, 1, -2);
    for (let i = 0; i < 100; i++) expect(a.vs[i]).toBeCloseTo(b.vs[i], 8);
  });

  it('on-policy (π = μ) the targets are GAE(λ) returns, for any λ and episode ends (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (T, K, lambda, seed) => {
          const x = randomTrajectory(new Rng(seed), T, K, 0.25, 0);
          const out = computeVTrace(x, { lambda });
          const gae = computeGae({
            numSteps: T,
            numEnvs: K,
            gamma: x.gamma,
            lambda,
            rewards: x.rewards,
            values: x.values,
            dones: x.dones,
            timeouts: x.timeouts,
            finalValues: x.finalValues,
            lastValues: x.bootstrapValues,
          });
          for (let i = 0; i < T * K; i++) expect(out.vs[i]).toBeCloseTo(gae.returns[i], 4);
          // λ = 1: the policy-gradient advantage is the n-step advantage v_s − V_s as well.
          if (lambda === 1)
            for (let i = 0; i < T * K; i++) expect(out.pgAdvantages[i]).toBeCloseTo(gae.advantages[i], 4);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on-policy with λ = 1 and no episode end: v_0 is the discounted n-step return bootstrapped from V(x_T)', () => {
    const g = 0.95;
    const out = computeVTrace({
      numSteps: 4,
      numEnvs: 1,
      gamma: g,
      behaviourLogProbs: [-1, -2, -0.5, -1],
      targetLogProbs: [-1, -2, -0.5, -1],
      rewards: [1, 2, 3, 4],
      values: [9, 9, 9, 9],
      dones: [0, 0, 0, 0],
      bootstrapValues: [10],
    });
    expect(out.vs[0]).toBeCloseTo(1 + g * 2 + g ** 2 * 3 + g ** 3 * 4 + g ** 4 * 10, 4);
  });

  it('ρ → 0 leaves V untouched; an episode end stops the trace from leaking into the next episode', () => {
    const x = randomTrajectory(new Rng(3), 6, 1, 0, 0);
    const zero = computeVTrace({
      ...x,
      targetLogProbs: Float64Array.from(x.behaviourLogProbs, (b) => b - 60),
    });
    for (let i = 0; i < 6; i++) expect(zero.vs[i]).toBeCloseTo(x.values[i], 6);
    const ended = { ...x, dones: Uint8Array.of(0, 0, 1, 0, 0, 0), timeouts: undefined };
    const a = computeVTrace(ended);
    const b = computeVTrace({ ...ended, rewards: Float64Array.from(x.rewards as Float64Array).fill(100, 3) });
    for (let i = 0; i < 3; i++) expect(b.vs[i]).toBe(a.vs[i]);
    expect(b.vs[3]).not.toBe(a.vs[3]);
  });

  it('checks its inputs', () => {
    const x = randomTrajectory(new Rng(1), 3, 2, 0, 0);
    expect(() => computeVTrace({ ...x, rewards: [1, 2] })).toThrow(/rewards has 2 entries, expected .* 6/);
    expect(() => computeVTrace({ ...x, bootstrapValues: [0] })).toThrow(/bootstrapValues/);
    expect(() => computeVTrace(x, { clipRho: 0 })).toThrow(/clipRho must be > 0/);
    expect(() => computeVTrace(x, { lambda: 2 })).toThrow(/lambda/);
  });
});
