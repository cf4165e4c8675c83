import { describe, expect, it } from 'vitest';
import { displayIndices, pick } from './evaluationView.ts';

describe('displayIndices: one shared, thinned row set for a multi-series chart', () => {
  const n = 5000;
  const agent = Float64Array.from(
    { length: n },
    (_, i) => 1 + 0.3 * Math.sin(i / 97) + (i === 2345 ? 0.9 : 0),
  );
  const baselines = [1, 2, 3, 4, 5].map((k) =>
    Float64Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.cos(i / (30 * k))),
  );

  it('keeps at most ~budget rows (not series × points), both ends, the kept indices and the extremes', () => {
    const idx = displayIndices([agent, ...baselines], 250, [1666, 3333]);
    expect(idx.length).toBeLessThanOrEqual(250 + 2 + 2);
    expect(idx.length).toBeGreaterThan(100);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(n - 1);
    expect(idx).toContain(1666);
    expect(idx).toContain(3333);
    expect(idx).toContain(2345); // the agent's spike survives
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(new Set(idx).size).toBe(idx.length);
  });

  it('short series are drawn whole; pick takes the rows of numbers and of dates', () => {
    expect(displayIndices([Float64Array.of(1, 2, 3)], 250)).toEqual([0, 1, 2]);
    expect(Array.from(pick(Float64Array.of(5, 6, 7, 8), [0, 2]))).toEqual([5, 7]);
    expect(pick(['a', 'b', 'c'], [1, 2])).toEqual(['b', 'c']);
  });
});
