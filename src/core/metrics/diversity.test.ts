import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { klToMean, mapdContinuous, mapdDiscrete, mutualInformation } from './diversity.ts';

describe('MAPD (mean absolute pairwise difference of the experts’ policies)', () => {
  it('is 0 for identical experts, 1 for experts with disjoint actions, and the mean total variation otherwise', () => {
    const same = [0.2, 0.3, 0.5, 1, 0, 0];
    expect(mapdDiscrete([same, same, same], 3)).toBe(0);
    expect(
      mapdDiscrete(
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        3,
      ),
    ).toBe(1);
    // Two states: TV 0.5 on the first, 0 on the second → 0.25.
    expect(
      mapdDiscrete(
        [
          [1, 0, 0, 0, 1, 0],
          [0.5, 0.5, 0, 0, 1, 0],
        ],
        3,
      ),
    ).toBeCloseTo(0.25, 12);
    // Pairs (1,2): 0.25, (1,3): 1, (2,3): 0.75 → mean 2/3.
    expect(
      mapdDiscrete(
        [
          [1, 0],
          [0.75, 0.25],
          [0, 1],
        ],
        2,
      ),
    ).toBeCloseTo(2 / 3, 12);
    expect(mapdDiscrete([[1, 0]], 2)).toBeNaN();
  });

  it('stays in [0, 1] and is symmetric in the experts (fast-check)', () => {
    const dist = fc
      .array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 })
      .map((w) => {
        const out = new Float64Array(6);
        for (let s = 0; s < 2; s++) {
          const z = w[3 * s] + w[3 * s + 1] + w[3 * s + 2];
          for (let a = 0; a < 3; a++) out[3 * s + a] = w[3 * s + a] / z;
        }
        return out;
      });
    fc.assert(
      fc.property(fc.array(dist, { minLength: 2, maxLength: 5 }), (ps) => {
        const m = mapdDiscrete(ps, 3);
        expect(m).toBeGreaterThanOrEqual(0);
        expect(m).toBeLessThanOrEqual(1 + 1e-12);
        expect(mapdDiscrete([...ps].reverse(), 3)).toBeCloseTo(m, 12);
      }),
    );
  });

  it('reads continuous actions relative to their range', () => {
    expect(
      mapdContinuous(
        [
          [1, 1],
          [-1, -1],
        ],
        2,
      ),
    ).toBe(1);
    expect(
      mapdContinuous(
        [
          [0.5, 0],
          [0, 0],
        ],
        2,
      ),
    ).toBeCloseTo(0.125, 12);
  });
});

describe('the router’s KL bonus and the regime–choice mutual information', () => {
  it('KL(π_selected ‖ π̄) is 0 when every expert agrees and log 2 for one of two disjoint experts', () => {
    expect(
      klToMean(
        [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
        0,
        2,
      ),
    ).toBe(0);
    expect(
      klToMean(
        [
          [1, 0],
          [0, 1],
        ],
        0,
        2,
      ),
    ).toBeCloseTo(Math.log(2), 12);
  });

  it('mutual information: log 2 when the choice follows a balanced regime, 0 when independent', () => {
    expect(mutualInformation([0, 0, 1, 1], [3, 3, 7, 7])).toBeCloseTo(Math.log(2), 12);
    expect(mutualInformation([0, 0, 1, 1], [3, 7, 3, 7])).toBeCloseTo(0, 12);
    expect(() => mutualInformation([0], [0, 1])).toThrow(/labels/);
  });
});
