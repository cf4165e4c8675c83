import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dateTicks,
  describeChart,
  drawnIndices,
  evenTicks,
  finiteExtent,
  hitIndex,
  monthKey,
  nanPrefix,
  niceTicks,
  summarise,
  yDomain,
} from './chartMath.ts';

/** ISO dates of the weekdays from `start` for `days` calendar days. */
function tradingDays(start: string, days: number): string[] {
  const out: string[] = [];
  const t0 = Date.parse(`${start}T00:00:00Z`);
  for (let d = 0; d < days; d++) {
    const date = new Date(t0 + d * 86_400_000);
    if (date.getUTCDay() % 6 !== 0) out.push(date.toISOString().slice(0, 10));
  }
  return out;
}

describe('niceTicks', () => {
  it('gives round steps inside the range', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0.93, 1.41, 4)).toEqual([1, 1.2, 1.4]);
    expect(niceTicks(0.93, 1.41, 8)).toEqual([1, 1.1, 1.2, 1.3, 1.4]);
    expect(niceTicks(-0.37, 0, 4)).toEqual([-0.3, -0.2, -0.1, 0]);
    expect(niceTicks(2, 2, 4)).toEqual([2]);
    expect(niceTicks(NaN, NaN, 4)).toEqual([]);
  });

  it('every tick lies in [lo, hi], ticks are evenly spaced and about count of them', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-4, max: 1e3, noNaN: true }),
        fc.integer({ min: 2, max: 10 }),
        (lo, rel, count) => {
          // Spans down to 1e-4 of the values' size: a chart's y range is never narrower.
          const span = rel * Math.max(1, Math.abs(lo));
          const hi = lo + span;
          const t = niceTicks(lo, hi, count);
          expect(t.length).toBeGreaterThanOrEqual(1);
          expect(t.length).toBeLessThanOrEqual(2 * count + 2);
          const eps = span * 1e-9;
          for (const v of t) expect(v >= lo - eps && v <= hi + eps).toBe(true);
          for (let k = 2; k < t.length; k++)
            expect(Math.abs(t[k] - t[k - 1] - (t[1] - t[0]))).toBeLessThanOrEqual((t[1] - t[0]) * 1e-6);
        },
      ),
    );
  });
});

describe('yDomain', () => {
  it('pads auto sides by 5% and keeps the reference line in view', () => {
    expect(yDomain(1, 2)).toEqual([0.95, 2.05]);
    const [lo, hi] = yDomain(1.2, 1.5, { baseline: 1 });
    expect(lo).toBeCloseTo(0.975);
    expect(hi).toBeCloseTo(1.525);
  });

  it('a fixed side is not padded (the underwater chart ends at 0)', () => {
    const [lo, hi] = yDomain(-0.4, 0, { domain: ['auto', 0] });
    expect(lo).toBeCloseTo(-0.42);
    expect(hi).toBe(0);
    expect(yDomain(-0.4, -0.1, { domain: ['dataMin', 0] })).toEqual([-0.4, 0]);
  });

  it('a flat or empty series still gets a range to draw in', () => {
    expect(yDomain(3, 3)).toEqual([2.85, 3.15]);
    expect(yDomain(0, 0, { domain: ['auto', 0] })).toEqual([-1, 0]);
    expect(yDomain(NaN, NaN)).toEqual([0, 1]);
  });
});

describe('finiteExtent', () => {
  it('ignores NaN and infinities across series', () => {
    expect(finiteExtent([Float64Array.of(NaN, 2, 5), [Infinity, -1, NaN]])).toEqual([-1, 5]);
    expect(finiteExtent([[NaN], []])).toEqual([NaN, NaN]);
  });
});

describe('dateTicks: calendar ticks over trading days', () => {
  it('twenty years tick on years (at most maxTicks), each at the first trading day of its year', () => {
    const dates = tradingDays('2004-01-01', 20 * 365);
    const ticks = dateTicks(dates, 8);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks) {
      expect(t.label).toMatch(/^\d{4}$/);
      expect(dates[t.index].slice(0, 4)).toBe(t.label);
      expect(dates[t.index - 1].slice(0, 4)).not.toBe(t.label); // first trading day of that year
    }
    expect(ticks.map((t) => t.label)).toEqual(['2005', '2010', '2015', '2020'].slice(0, ticks.length));
  });

  it('a year ticks on months or quarters, labelled YYYY-MM', () => {
    const dates = tradingDays('2021-01-01', 365);
    const monthly = dateTicks(dates, 12);
    expect(monthly.map((t) => t.label)).toEqual([
      '2021-02',
      '2021-03',
      '2021-04',
      '2021-05',
      '2021-06',
      '2021-07',
      '2021-08',
      '2021-09',
      '2021-10',
      '2021-11',
      '2021-12',
    ]);
    expect(dateTicks(dates, 4).map((t) => t.label)).toEqual(['2021-04', '2021-07', '2021-10']);
  });

  it('a few weeks, or rows that are not dates, tick on evenly spaced rows', () => {
    const dates = tradingDays('2021-03-01', 20);
    expect(dateTicks(dates, 3)).toEqual([
      { index: 0, label: dates[0] },
      { index: 7, label: dates[7] },
      { index: 14, label: dates[14] },
    ]);
    expect(dateTicks(['a', 'b', 'c'], 5).map((t) => t.label)).toEqual(['a', 'b', 'c']);
    expect(dateTicks([], 5)).toEqual([]);
  });

  it('monthKey reads year and month', () => {
    expect(monthKey('2015-03-02')).toBe(2015 * 12 + 2);
    expect(monthKey('2015-12')).toBe(2015 * 12 + 11);
    expect(monthKey('step 3')).toBeNaN();
  });

  it('evenTicks spreads at most count rows over the range, both ends included', () => {
    expect(evenTicks(11, 3)).toEqual([0, 5, 10]);
    expect(evenTicks(2, 5)).toEqual([0, 1]);
    expect(evenTicks(0, 5)).toEqual([]);
  });
});

describe('drawnIndices: what a plot w pixels wide draws', () => {
  it('draws every finite point when there are few', () => {
    expect(drawnIndices([1, NaN, 3, 4], 100)).toEqual([0, 2, 3]);
  });

  it('many points: at most one per pixel, keeping the extremes of every two-pixel column', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 200, maxLength: 3000 }),
        fc.integer({ min: 10, max: 99 }),
        (ys, w) => {
          const idx = drawnIndices(ys, w);
          expect(idx.length).toBeLessThanOrEqual(w + 1);
          expect([...idx].sort((a, b) => a - b)).toEqual(idx);
          // Every column of ⌈w/2⌉ keeps its own min and max.
          const cols = Math.ceil(w / 2);
          for (let c = 0; c < cols; c++) {
            const s = Math.floor((c * ys.length) / cols);
            const e = Math.floor(((c + 1) * ys.length) / cols);
            const col = ys.slice(s, e);
            const inCol = idx.filter((i) => i >= s && i < e).map((i) => ys[i]);
            expect(inCol).toContain(Math.max(...col));
            expect(inCol).toContain(Math.min(...col));
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('hitIndex: the row under the pointer', () => {
  it('row axis: the nearest row; outside the plot: −1', () => {
    // 11 rows over 100 px: row k sits at 10·k px.
    expect(hitIndex(0, 100, 0, 10, 11)).toBe(0);
    expect(hitIndex(34, 100, 0, 10, 11)).toBe(3);
    expect(hitIndex(36, 100, 0, 10, 11)).toBe(4);
    expect(hitIndex(100, 100, 0, 10, 11)).toBe(10);
    expect(hitIndex(-1, 100, 0, 10, 11)).toBe(-1);
    expect(hitIndex(101, 100, 0, 10, 11)).toBe(-1);
    expect(hitIndex(50, 100, 0, 10, 0)).toBe(-1);
  });

  it('numeric axis: the row whose x is nearest, with uneven spacing', () => {
    const xs = [0, 1, 2, 50, 100];
    expect(hitIndex(24, 100, 0, 100, 5, xs)).toBe(2);
    expect(hitIndex(27, 100, 0, 100, 5, xs)).toBe(3);
    expect(hitIndex(80, 100, 0, 100, 5, xs)).toBe(4);
    expect(hitIndex(0.4, 100, 0, 100, 5, xs)).toBe(0);
  });

  it('agrees with a linear scan for any pointer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        (raw, px) => {
          const xs = [...raw].sort((a, b) => a - b);
          const x0 = xs[0];
          const x1 = xs.at(-1)! > x0 ? xs.at(-1)! : x0 + 1;
          const i = hitIndex(px, 300, x0, x1, xs.length, xs);
          const x = x0 + (px / 300) * (x1 - x0);
          const best = Math.min(...xs.map((v) => Math.abs(v - x)));
          expect(Math.abs(xs[i] - x)).toBeCloseTo(best, 9);
        },
      ),
    );
  });
});

describe('gaps and summaries', () => {
  it('nanPrefix counts non-finite values so far', () => {
    expect(Array.from(nanPrefix([1, NaN, 2, Infinity, NaN, 3]))).toEqual([0, 1, 1, 2, 3, 3]);
  });

  it('summarise: first, last, lowest, highest finite value', () => {
    expect(summarise('a', [NaN, 2, 5, -1, 3, NaN])).toEqual({
      label: 'a',
      first: 2,
      last: 3,
      min: -1,
      max: 5,
      points: 4,
    });
    expect(summarise('b', [NaN]).points).toBe(0);
  });

  it('describeChart names every drawn line and the x range', () => {
    const text = describeChart(
      'Equity',
      [summarise('agent', [1, 1.5]), summarise('random', [1, 0.9]), summarise('empty', [NaN])],
      '2020-01-01',
      '2020-12-31',
      (v) => v.toFixed(2),
    );
    expect(text).toBe(
      'Equity: 2 lines from 2020-01-01 to 2020-12-31; agent from 1.00 to 1.50; random from 1.00 to 0.90.',
    );
  });
});
