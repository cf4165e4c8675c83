import { describe, expect, it } from 'vitest';
import { lttbIndices, minMaxIndices } from './downsample.ts';

describe('display downsampling', () => {
  const y = Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 300) + (i === 4321 ? 5 : 0));

  it('LTTB keeps the ends, the count and a lone spike', () => {
    const idx = lttbIndices(y, 500);
    expect(idx).toHaveLength(500);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(9999);
    expect(idx).toContain(4321);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('LTTB returns everything when under the threshold and skips NaN', () => {
    expect(lttbIndices([1, NaN, 3], 10)).toEqual([0, 2]);
  });

  it('min/max keeps every bucket extreme', () => {
    const idx = minMaxIndices(y, 100);
    expect(idx).toContain(4321);
    expect(idx.length).toBeLessThanOrEqual(200);
  });
});
