/** The sharper regime-dependence evidence: hand-worked values and properties of the permutation test. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import {
  bestExpertPerRegime,
  choiceCounts,
  expertStyle,
  hitRate,
  miPermutationTest,
  regimeProof,
  spells,
} from './regimeProof.ts';

/** n spells of `len` decisions alternating regimes 0, 1, 0, … */
function alternating(n: number, len: number): Int32Array {
  return Int32Array.from({ length: n * len }, (_, i) => Math.floor(i / len) % 2);
}

describe('regime proof', () => {
  it('best expert per regime: the highest mean return over that regime’s days (by hand)', () => {
    const regime = [0, 0, 1, 1, -1, 1];
    const returns = [
      [0.01, 0.03, -0.01, 0.0, 9, -0.02], // mean on 0: 0.02, on 1: −0.01 (day 4 unknown: skipped)
      [0.0, 0.01, 0.02, 0.01, -9, 0.0], // 0.005, 0.01
    ];
    expect(bestExpertPerRegime(returns, regime, 3)).toEqual([0, 1, -1]);
    expect(() => bestExpertPerRegime([[1, 2]], regime, 2)).toThrow(/expert 0 has 2 returns for 6 days/);
  });

  it('hit rate and the regime-blind chance rate (by hand)', () => {
    // Regime 0's best is 0, regime 1's best is 2; usage: expert 0 ½, 1 ¼, 2 ¼.
    const choice = [0, 0, 1, 2];
    const best = [0, 0, 2, 2];
    const { hit, chance } = hitRate(choice, best);
    expect(hit).toBeCloseTo(3 / 4, 12);
    expect(chance).toBeCloseTo(0.5 * 0.5 + 0.5 * 0.25, 12);
    expect(hitRate([], []).hit).toBeNaN();
  });

  it('spells and counts (by hand)', () => {
    expect(spells([1, 1, 0, 0, 0, 1])).toEqual([
      [0, 2],
      [2, 5],
      [5, 6],
    ]);
    expect(choiceCounts([0, 0, 1, 1], [2, 0, 1, 1], 2, 3)).toEqual([
      [1, 0, 1],
      [0, 2, 0],
    ]);
  });

  it('a choice that follows the regime spells is significant; one that ignores them is not', () => {
    const regime = alternating(20, 12);
    const follows = miPermutationTest(regime, regime, 999, 1);
    expect(follows.mi).toBeCloseTo(Math.log(2), 6);
    expect(follows.pValue).toBeLessThan(0.01);
    expect(follows.nullMean).toBeLessThan(0.2);
    // Switching at the middle of every spell: as often with the regime as against it → MI 0.
    const shifted = Int32Array.from(regime, (_, i) => Math.floor((i + 6) / 12) % 2);
    const ignores = miPermutationTest(regime, shifted, 999, 1);
    expect(ignores.mi).toBeLessThan(1e-9);
    expect(ignores.pValue).toBe(1);
    // One regime only: no permutation can differ.
    expect(miPermutationTest(new Int32Array(10), regime.subarray(0, 10), 99, 1).pValue).toBe(1);
  });

  it('property: the p-value is in (0, 1], seeded, and blind to renaming the experts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const rng = new Rng(seed);
        const regime = alternating(8, 5);
        const choice = Int32Array.from(regime, (g) => (rng.float() < 0.7 ? g : 2));
        const a = miPermutationTest(regime, choice, 99, seed);
        const renamed = miPermutationTest(
          regime,
          choice.map((k) => 2 - k),
          99,
          seed,
        );
        expect(a.pValue).toBeGreaterThan(0);
        expect(a.pValue).toBeLessThanOrEqual(1);
        expect(miPermutationTest(regime, choice, 99, seed)).toEqual(a);
        expect(renamed.pValue).toBe(a.pValue);
        expect(renamed.mi).toBeCloseTo(a.mi, 12);
      }),
      { numRuns: 30 },
    );
  });

  it('trained against untrained: a constant untrained router has MI 0, p = 1, hit = its chance', () => {
    const regime = alternating(10, 6);
    const trained = Int32Array.from(regime); // expert g in regime g
    const untrained = new Int32Array(regime.length); // always expert 0
    const best = Int32Array.from(regime);
    const p = regimeProof(regime, trained, untrained, best, [0, 1], 3, 7);
    expect(p.hitRate).toBe(1);
    expect(p.chanceHitRate).toBeCloseTo(0.5, 12);
    // 10 spells, 5 per regime: only the labelling itself and its mirror reach MI = ln 2, so the exact
    // p-value is 2/C(10, 5) ≈ 0.008 — the test's resolution is bounded by the number of spells.
    expect(p.pValue).toBeLessThan(0.03);
    expect(p.untrained.mutualInformation).toBe(0);
    expect(p.untrained.pValue).toBe(1);
    expect(p.untrained.hitRate).toBeCloseTo(0.5, 12);
    expect(p.untrained.chanceHitRate).toBeCloseTo(0.5, 12);
    expect(p.untrained.counts).toEqual([
      [30, 0, 0],
      [30, 0, 0],
    ]);
  });
});

describe('expertStyle', () => {
  it('hand-worked: weights after up and down days per regime of the day they earn on', () => {
    // date:      0    1     2     3     4     5
    const r = [0, 0.01, -0.02, 0.03, -0.01, 0.02];
    const w = [0, 1, 0, 1, 0.5, 0]; // w[5] earns nothing inside the split: skipped
    const g = [-1, 0, 0, 1, 1, 1];
    // i = 1 (up, w 1) and i = 2 (down, w 0) earn on days 2, 3 → regimes 0, 1; i = 3 (up, 1), i = 4 (down, 0.5) → 1, 1.
    const s = expertStyle(w, r, g, 2);
    expect(s.exposure[0]).toBeCloseTo(1, 12);
    expect(s.momentum[0]).toBeNaN(); // no down day before a regime-0 day
    expect(s.exposure[1]).toBeCloseTo((0 + 1 + 0.5) / 3, 12);
    expect(s.momentum[1]).toBeCloseTo(1 - (0 + 0.5) / 2, 12);
  });

  it('a trend follower scores +1, a contrarian −1, buy-and-hold 0 (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 20, maxLength: 60 }),
        (rs) => {
          const r = [0, ...rs.map((x) => (x === 0 ? 0.01 : x))];
          const g = r.map(() => 0);
          const trend = r.map((x) => (x > 0 ? 1 : 0));
          const contra = r.map((x) => (x < 0 ? 1 : 0));
          const hold = r.map(() => 1);
          const ups = r.slice(1, -1).some((x) => x > 0);
          const downs = r.slice(1, -1).some((x) => x < 0);
          fc.pre(ups && downs);
          expect(expertStyle(trend, r, g, 1).momentum[0]).toBe(1);
          expect(expertStyle(contra, r, g, 1).momentum[0]).toBe(-1);
          expect(expertStyle(hold, r, g, 1).momentum[0]).toBe(0);
          expect(expertStyle(hold, r, g, 1).exposure[0]).toBe(1);
        },
      ),
    );
  });
});
