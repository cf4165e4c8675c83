import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visibleRows } from './virtualRows.ts';

describe('visibleRows: the rows a virtual table renders', () => {
  it('top of the list, middle, end', () => {
    // 320 px box, 24 px rows: 14 rows in view (+1 partly), 5 rows of overscan each side.
    expect(visibleRows(0, 320, 24, 1000, 5)).toEqual({ first: 0, last: 20 });
    expect(visibleRows(2400, 320, 24, 1000, 5)).toEqual({ first: 95, last: 120 });
    expect(visibleRows(24_000, 320, 24, 1000, 5)).toEqual({ first: 995, last: 1000 });
    expect(visibleRows(0, 320, 24, 3, 5)).toEqual({ first: 0, last: 3 });
    expect(visibleRows(0, 320, 24, 0, 5)).toEqual({ first: 0, last: 0 });
  });

  it('always covers every row in the viewport, and stays small', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 50, max: 2000 }),
        fc.integer({ min: 10, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (total, viewport, rowH, at) => {
          const scrollTop = at * Math.max(0, total * rowH - viewport);
          const { first, last } = visibleRows(scrollTop, viewport, rowH, total, 4);
          const inViewFirst = Math.floor(scrollTop / rowH);
          const inViewLast = Math.min(total, Math.ceil((scrollTop + viewport) / rowH));
          expect(first).toBeLessThanOrEqual(inViewFirst);
          expect(last).toBeGreaterThanOrEqual(inViewLast);
          expect(last - first).toBeLessThanOrEqual(Math.ceil(viewport / rowH) + 1 + 8);
          expect(first).toBeGreaterThanOrEqual(0);
          expect(last).toBeLessThanOrEqual(total);
        },
      ),
    );
  });
});
