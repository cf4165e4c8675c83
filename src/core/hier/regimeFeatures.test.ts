/** The router's regime features: they tell trending from mean-reverting returns, use no future rows, and find planted periods. */
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { detectPeriods, indexLogReturns, periodFeatures, regimeFeatures } from './regimeFeatures.ts';

function ar1(phi: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const r = new Float64Array(n);
  for (let t = 2; t < n; t++) r[t] = phi * r[t - 1] + 0.01 * rng.normal();
  return r;
}

describe('regime features', () => {
  it('lag-1 autocorrelation and sign agreement: > 0 for φ = +0.5, < 0 for φ = −0.5 (by hand on a short series)', () => {
    expect(regimeFeatures(ar1(0.5, 400, 1), 399, 300)[0]).toBeGreaterThan(0.35);
    expect(regimeFeatures(ar1(-0.5, 400, 1), 399, 300)[0]).toBeLessThan(-0.35);
    expect(regimeFeatures(ar1(0.5, 400, 2), 399, 300)[1]).toBeGreaterThan(0.15);
    expect(regimeFeatures(ar1(-0.5, 400, 2), 399, 300)[1]).toBeLessThan(-0.15);
    // r = [_, 1, −1, 1, −1]: mean 0, Σ r_i r_{i−1} = −3, Σ r² = 4 → −0.75; signs never agree → −1.
    const f = regimeFeatures(Float64Array.of(0, 1, -1, 1, -1), 4, 8);
    expect(f[0]).toBeCloseTo(-0.75, 12);
    expect(f[1]).toBe(-1);
    expect(f[3]).toBeCloseTo(Math.sqrt(252), 5); // stored in float32
  });

  it('uses rows ≤ t only: changing later returns leaves the features at t unchanged', () => {
    const r = ar1(0.3, 200, 3);
    const before = regimeFeatures(r, 120, 40);
    const p = periodFeatures(r, 120, 40, [2, 5]);
    for (let t = 121; t < 200; t++) r[t] = 1;
    expect(regimeFeatures(r, 120, 40)).toEqual(before);
    expect(periodFeatures(r, 120, 40, [2, 5])).toEqual(p);
  });

  it('separates the synthetic market’s planted regimes: mean ac1 is higher in trending quarters', () => {
    const { panel, meta } = generateSynthetic({ assets: 1, regimes: 2, days: 1500, seed: 1 });
    const r = indexLogReturns(panel.close, 1);
    const sums = [0, 0];
    const counts = [0, 0];
    for (let t = 80; t < 1500; t++) {
      sums[meta.trendRegime[t]] += regimeFeatures(r, t, 40)[0];
      counts[meta.trendRegime[t]]++;
    }
    // Measured 0.165 (seed 1): jumps, turbulent spells and the 40-day lag blur φ = ±0.3 (0.6 apart).
    expect(sums[0] / counts[0] - sums[1] / counts[1]).toBeGreaterThan(0.1);
  });

  it('TimesNet period detection finds a planted 8-day cycle in the returns', () => {
    const rng = new Rng(4);
    const r = Float64Array.from(
      { length: 600 },
      (_, t) => Math.sin((2 * Math.PI * t) / 8) * 0.02 + 0.005 * rng.normal(),
    );
    expect(detectPeriods(r, 0, 600, 64, 3).periods[0]).toBe(8);
  });
});
