import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayBuffer } from './replayBuffer.ts';
import { Rng } from '../../rng.ts';

/** Transition i: obs [i, −i], next [i + 0.5, 0], action [10·i], reward i, terminated when i % 3 = 0. */
function fill(rb: ReplayBuffer, from: number, to: number) {
  for (let i = from; i < to; i++) rb.add([i, -i], [i + 0.5, 0], [10 * i], i, i % 3 === 0);
}

describe('ReplayBuffer', () => {
  it('stores transitions row by row and samples whole, consistent rows', () => {
    const rb = new ReplayBuffer({ capacity: 8, obsDim: 2, actionDim: 1 });
    fill(rb, 0, 5);
    expect(rb.size).toBe(5);
    const s = rb.sample(64, new Rng(1));
    for (let b = 0; b < 64; b++) {
      const i = s.rewards[b];
      expect(s.indices[b]).toBe(i);
      expect([s.obs[2 * b], s.obs[2 * b + 1]]).toEqual([i, -i]);
      expect(s.nextObs[2 * b]).toBe(i + 0.5);
      expect(s.actions[b]).toBe(10 * i);
      expect(s.terminated[b]).toBe(i % 3 === 0 ? 1 : 0);
      expect(i).toBeLessThan(5);
    }
  });

  it('overwrites the oldest rows once full and never samples a row it does not hold (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 70 }), (capacity, n) => {
        const rb = new ReplayBuffer({ capacity, obsDim: 2, actionDim: 1 });
        fill(rb, 0, n);
        expect(rb.size).toBe(Math.min(n, capacity));
        const held = new Set(Array.from({ length: Math.min(n, capacity) }, (_, k) => n - 1 - k));
        const s = rb.sample(50, new Rng(n));
        for (let b = 0; b < 50; b++) expect(held.has(s.rewards[b])).toBe(true);
      }),
    );
  });

  it('samples uniformly: every row about equally often (χ² test)', () => {
    const rb = new ReplayBuffer({ capacity: 10, obsDim: 2, actionDim: 1 });
    fill(rb, 0, 10);
    const counts = new Array(10).fill(0);
    const rng = new Rng(2);
    for (let k = 0; k < 200; k++) for (const r of rb.sample(100, rng).rewards) counts[r]++;
    const expected = 2000;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // χ²(9) at p = 0.001
  });

  it('reads the given row of batched arrays, and rejects bad sizes', () => {
    const rb = new ReplayBuffer({ capacity: 4, obsDim: 2, actionDim: 2 });
    rb.add([0, 0, 1, 2], [0, 0, 3, 4], [0, 0, 5, 6], 7, true, 1);
    const s = rb.sample(1, new Rng(0));
    expect(Array.from(s.obs)).toEqual([1, 2]);
    expect(Array.from(s.nextObs)).toEqual([3, 4]);
    expect(Array.from(s.actions)).toEqual([5, 6]);
    expect(() => new ReplayBuffer({ capacity: 0, obsDim: 1, actionDim: 1 })).toThrow(/capacity/);
    expect(() => new ReplayBuffer({ capacity: 2, obsDim: 1, actionDim: 1 }).sample(1, new Rng(0))).toThrow(
      /empty/,
    );
  });
});
