import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnv } from './check.ts';
import { PortfolioEnv, portfolioLayer } from './portfolio.ts';
import { makeTestFeatureSet, randomWalkPrices } from './testing.ts';

describe('portfolioLayer', () => {
  it('inherits NaN signals with holdDecay, normalises by Σ|w| > 1, then caps each |w| (no redistribution)', () => {
    // w = [0.5, −0.5, 0.3 × 0.5]; Σ|w| = 1.15 → [0.4348, −0.4348, 0.1304] → cap 0.2.
    const w = portfolioLayer([0.5, -0.5, NaN], [0, 0, 0.3], { maxWeight: 0.2, holdDecay: 0.5 });
    expect(w[0]).toBe(0.2);
    expect(w[1]).toBe(-0.2);
    expect(w[2]).toBeCloseTo(0.15 / 1.15, 15);
  });

  it('leaves a book with Σ|w| ≤ 1 unscaled; a lone strong signal gets exactly maxWeight', () => {
    expect(Array.from(portfolioLayer([0.1, -0.05, 0], [0, 0, 0]))).toEqual([0.1, -0.05, 0]);
    expect(Array.from(portfolioLayer([3, 0], [0, 0], { maxWeight: 0.25, holdDecay: 1 }))).toEqual([0.25, 0]);
    expect(Array.from(portfolioLayer([NaN, NaN], [0.5, -0.1], { maxWeight: 1, holdDecay: 0 }))).toEqual([
      0, -0,
    ]);
  });

  it('writes into `out`, which may alias prevWeights, and rejects infinite signals', () => {
    const prev = Float64Array.from([0.1, 0.2]);
    expect(portfolioLayer([NaN, 0.05], prev, { maxWeight: 0.2, holdDecay: 0.5 }, prev)).toBe(prev);
    expect(Array.from(prev)).toEqual([0.05, 0.05]);
    expect(() => portfolioLayer([Infinity], [0])).toThrow(/signal 0 is Infinity/);
    expect(() => portfolioLayer([1, 2], [0])).toThrow(/2 signals but 1 previous/);
  });

  it('properties: |w| ≤ maxWeight, Σ|w| ≤ 1, signs kept, scale-free once Σ|signal| ≥ 1', () => {
    const signal = fc.oneof(fc.constant(NaN), fc.double({ min: -5, max: 5, noNaN: true }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(signal, fc.double({ min: -0.2, max: 0.2, noNaN: true })), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 50, noNaN: true }),
        (pairs, maxWeight, holdDecay, scale) => {
          const s = pairs.map((p) => p[0]);
          const prev = pairs.map((p) => p[1]);
          const cfg = { maxWeight, holdDecay };
          const w = portfolioLayer(s, prev, cfg);
          let gross = 0;
          w.forEach((x, i) => {
            expect(Math.abs(x)).toBeLessThanOrEqual(maxWeight);
            const raw = Number.isNaN(s[i]) ? prev[i] * holdDecay : s[i];
            // Subnormal inputs (5e-324) may underflow to 0 when scaled: signs are only defined above that.
            if (Math.abs(raw) > 1e-300) expect(Math.sign(x)).toBe(Math.sign(raw));
            else if (raw === 0) expect(x === 0).toBe(true);
            gross += Math.abs(x);
          });
          expect(gross).toBeLessThanOrEqual(1 + 1e-12);
          const raws = s.map((x, i) => (Number.isNaN(x) ? prev[i] * holdDecay : x));
          if (raws.reduce((a, x) => a + Math.abs(x), 0) >= 1) {
            const scaled = portfolioLayer(
              raws.map((x) => x * scale),
              prev,
              cfg,
            );
            scaled.forEach((x, i) => expect(x).toBeCloseTo(w[i], 12));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PortfolioEnv', () => {
  it('hand example: turnover cost from drifted weights, reward = w·r − cost, value compounds', () => {
    // A: 100 → 110 → 121, B: 100 → 90 → 99.
    const fs = makeTestFeatureSet(
      [
        [100, 100],
        [110, 90],
        [121, 99],
      ],
      { nFeatures: 1 },
    );
    const env = new PortfolioEnv(fs, { window: 1, costRate: 0.001 });
    expect(env.reset().info.portfolioValue).toBe(1);
    // Long A 20%, short B 20%: turnover 0.4 → cost 0.0004; gross = 0.2·0.1 + (−0.2)(−0.1) = 0.04.
    const s1 = env.step(Float32Array.from([0.2, -0.2]));
    expect(s1.info.turnover).toBeCloseTo(0.4, 7);
    expect(s1.info.rewardParts.gross).toBeCloseTo(0.04, 7);
    expect(s1.info.rewardParts.cost).toBeCloseTo(-0.0004, 10);
    expect(s1.reward).toBeCloseTo(0.0396, 7);
    expect(s1.info.portfolioValue).toBeCloseTo(1.0396, 7);
    // Drifted: 0.2·1.1/1.0396, −0.2·0.9/1.0396.
    expect(s1.info.driftedWeights[0]).toBeCloseTo(0.2116198537899192, 7);
    expect(s1.info.driftedWeights[1]).toBeCloseTo(-0.17314351673720663, 7);
    expect(s1.obs[2]).toBeCloseTo(0.2116198537899192, 6);
    // No new signal, holdDecay 1: keep the drifted book, cap A back to 0.2 (turnover 0.0116…).
    const s2 = env.step(Float32Array.from([NaN, NaN]));
    expect(Array.from(s2.info.weights)).toEqual([0.2, expect.closeTo(-0.17314351673720663, 7)]);
    expect(s2.info.turnover).toBeCloseTo(0.011619853789919199, 7);
    expect(s2.reward).toBeCloseTo(0.00267402847248942, 7);
    expect(s2.info.portfolioValue).toBeCloseTo(1.04237992, 7);
    expect(s2.terminated).toBe(true);
  });

  it('property: V_end = Π(1 + reward), parts sum to the reward, weights obey the layer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 3, max: 20 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.oneof(fc.constant(NaN), fc.double({ min: -2, max: 2, noNaN: true })), {
          minLength: 80,
          maxLength: 80,
        }),
        fc.record({
          maxWeight: fc.double({ min: 0.05, max: 1, noNaN: true }),
          holdDecay: fc.double({ min: 0, max: 1, noNaN: true }),
          costRate: fc.constantFrom(0, 0.0005, 0.01),
        }),
        (N, T, seed, signals, cfg) => {
          const fs = makeTestFeatureSet(randomWalkPrices(T, N, seed, 0.05), { nFeatures: 1 });
          const env = new PortfolioEnv(fs, { ...cfg, window: 1 });
          env.reset();
          let compounded = 1;
          for (let k = 0; ; k++) {
            const a = Float32Array.from({ length: N }, (_, i) => signals[(k * N + i) % signals.length]);
            const { reward, info, terminated } = env.step(a);
            expect(info.rewardParts.gross + info.rewardParts.cost).toBeCloseTo(reward, 14);
            expect(-info.rewardParts.cost).toBeCloseTo(cfg.costRate * info.turnover, 14);
            let gross = 0;
            for (let i = 0; i < N; i++) {
              expect(Math.abs(info.weights[i])).toBeLessThanOrEqual(cfg.maxWeight);
              gross += Math.abs(info.weights[i]);
            }
            expect(gross).toBeLessThanOrEqual(1 + 1e-12);
            compounded *= 1 + reward;
            expect(info.portfolioValue).toBeCloseTo(compounded, 10);
            if (terminated) break;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('terminates on ruin (a short that explodes) with value 0', () => {
    const fs = makeTestFeatureSet([[10], [10], [1000], [1000]], { nFeatures: 1 });
    const env = new PortfolioEnv(fs, { window: 1, maxWeight: 1 });
    env.reset();
    env.step(Float32Array.from([-1]));
    const r = env.step(Float32Array.from([NaN]));
    expect(r.terminated).toBe(true);
    expect(r.info.portfolioValue).toBe(0);
    expect(r.reward).toBeLessThan(-1);
  });

  it('passes checkEnv (full split, and random starts as a stochastic env)', () => {
    const fs = makeTestFeatureSet(randomWalkPrices(50, 3, 4), { nFeatures: 3 });
    const infoKeys = [
      'portfolioValue',
      'weights',
      'driftedWeights',
      'turnover',
      'cost',
      'rewardParts',
      'date',
    ];
    const env = new PortfolioEnv(fs, { window: 5 });
    expect(env.layout).toEqual({ window: 5, nAssets: 3, nFeatures: 3, perAssetExtras: 1, globalExtras: 0 });
    checkEnv(env, { steps: 60, infoKeys });
    checkEnv(new PortfolioEnv(fs, { window: 5, episodeLength: 8, holdDecay: 0.9 }), {
      steps: 40,
      infoKeys,
      stochastic: true,
    });
  });

  it('setObservationBuffer: writes into and returns the given buffer', () => {
    const fs = makeTestFeatureSet(randomWalkPrices(20, 2, 8), { nFeatures: 2 });
    const env = new PortfolioEnv(fs, { window: 3 });
    const twin = new PortfolioEnv(fs, { window: 3 });
    const target = new Float32Array(env.observationSpace.shape[0]);
    env.reset();
    twin.reset();
    env.setObservationBuffer(target);
    const a = Float32Array.from([0.3, -0.1]);
    const r = env.step(a);
    expect(r.obs).toBe(target);
    expect(Array.from(target)).toEqual(Array.from(twin.step(a).obs));
  });

  it('rejects bad configs naming the field', () => {
    const fs = makeTestFeatureSet(randomWalkPrices(10, 2, 4), { nFeatures: 1 });
    expect(() => new PortfolioEnv(fs, { maxWeight: 0 })).toThrow(/maxWeight/);
    expect(() => new PortfolioEnv(fs, { holdDecay: 2, window: 1 })).toThrow(/holdDecay/);
    expect(() => new PortfolioEnv(fs, { window: 1 }).step(new Float32Array(2))).toThrow(/reset/);
  });
});
