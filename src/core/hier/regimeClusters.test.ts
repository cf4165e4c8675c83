import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { clusterOf, fitRegimeClusters, type RegimeClusters } from './regimeClusters.ts';

function partition(cl: RegimeClusters, x: Float64Array, n: number, d: number): number[] {
  return Array.from({ length: n }, (_, i) => clusterOf(cl, x.subarray(i * d, (i + 1) * d)));
}

/** Same partition up to relabelling. */
function samePartition(a: number[], b: number[]): boolean {
  const map = new Map<number, number>();
  const back = new Map<number, number>();
  return a.every((c, i) => {
    if (!map.has(c) && !back.has(b[i])) {
      map.set(c, b[i]);
      back.set(b[i], c);
    }
    return map.get(c) === b[i] && back.get(b[i]) === c;
  });
}

describe('regime clusters (k-means on z-scored features)', () => {
  it('recovers two separated groups, whatever the features’ scales (by hand)', () => {
    // Column 0 in ±1 units, column 1 in thousands: z-scoring makes both count.
    const rows = [
      [1, 1000],
      [1.1, 1010],
      [0.9, 990],
      [-1, -1000],
      [-1.1, -990],
      [-0.9, -1010],
    ];
    const x = Float64Array.from(rows.flat());
    const cl = fitRegimeClusters(x, 6, 2, 2, new Rng(3));
    const p = partition(cl, x, 6, 2);
    expect(p.slice(0, 3).every((c) => c === p[0])).toBe(true);
    expect(p.slice(3).every((c) => c === p[3])).toBe(true);
    expect(p[0]).not.toBe(p[3]);
    // A new point goes to its side.
    expect(clusterOf(cl, [0.8, 950])).toBe(p[0]);
    expect(clusterOf(cl, [-0.7, -800])).toBe(p[3]);
    expect(() => fitRegimeClusters(x, 6, 2, 7, new Rng(3))).toThrow(/6 rows for 7 clusters/);
  });

  it('at convergence every row is on its nearest centroid and every centroid is its rows’ mean (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 40, maxLength: 120 }),
        (k, d, seed, flat) => {
          const n = Math.floor(flat.length / d);
          fc.pre(n >= k);
          const x = Float64Array.from(flat.slice(0, n * d));
          const cl = fitRegimeClusters(x, n, d, k, new Rng(seed));
          const p = partition(cl, x, n, d);
          for (let c = 0; c < k; c++) {
            const members = p.map((q, i) => (q === c ? i : -1)).filter((i) => i >= 0);
            if (members.length === 0) continue;
            for (let j = 0; j < d; j++) {
              const mean =
                members.reduce((s, i) => s + (x[i * d + j] - cl.mean[j]) / cl.sd[j], 0) / members.length;
              expect(cl.centroids[c * d + j]).toBeCloseTo(mean, 9);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the partition does not change when a feature is rescaled and shifted, and the same seed repeats it (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        (seed, scale, shift) => {
          const rng = new Rng(seed);
          const n = 60;
          const x = Float64Array.from({ length: n * 2 }, () => rng.normal());
          const y = Float64Array.from(x, (v, i) => (i % 2 === 1 ? v * scale + shift : v));
          const a = partition(fitRegimeClusters(x, n, 2, 3, new Rng(seed)), x, n, 2);
          const b = partition(fitRegimeClusters(y, n, 2, 3, new Rng(seed)), y, n, 2);
          expect(samePartition(a, b)).toBe(true);
          expect(partition(fitRegimeClusters(x, n, 2, 3, new Rng(seed)), x, n, 2)).toEqual(a);
        },
      ),
      { numRuns: 40 },
    );
  });
});
