import { describe, expect, it } from 'vitest';
import { alignSeries, inferAnnualization, panelToSeries } from './align.ts';
import type { AssetSeries } from './report.ts';

function series(asset: string, rows: [string, number][], adj?: number[]): AssetSeries {
  const c = Float64Array.from(rows.map((r) => r[1]));
  return {
    asset,
    dates: rows.map((r) => r[0]),
    open: c.map((x) => x - 0.5),
    high: c.map((x) => x + 1),
    low: c.map((x) => x - 1),
    close: c,
    volume: c.map(() => 100),
    adjClose: adj ? Float64Array.from(adj) : null,
  };
}

const A = series(
  'A',
  [
    ['2020-01-02', 10],
    ['2020-01-03', 11],
    ['2020-01-06', 12],
    ['2020-01-07', 13],
  ],
  [5, 5.5, 6, 6.5],
);
const B = series('B', [
  ['2020-01-03', 20],
  ['2020-01-07', 21],
  ['2020-01-08', 22],
]);

describe('alignSeries', () => {
  it('intersection (default): only dates every asset has, row-major t then asset', () => {
    const { panel, report } = alignSeries([A, B]);
    expect(panel.dates).toEqual(['2020-01-03', '2020-01-07']);
    expect(panel.assets).toEqual(['A', 'B']);
    expect(Array.from(panel.close)).toEqual([11, 20, 13, 21]);
    expect(Array.from(panel.volume)).toEqual([100, 100, 100, 100]);
    expect(report).toMatchObject({
      calendar: 'intersection',
      dates: 2,
      start: '2020-01-03',
      end: '2020-01-07',
    });
    expect(report.assets[0]).toMatchObject({
      asset: 'A',
      rows: 4,
      droppedDates: 2,
      droppedExamples: ['2020-01-02', '2020-01-06'],
      filled: 0,
    });
    expect(report.assets[1]).toMatchObject({ asset: 'B', droppedDates: 1, droppedExamples: ['2020-01-08'] });
    expect(report.notes.join(' ')).toMatch(/A 2, B 1/);
  });

  it('union: all dates inside the common range, prices carried forward as flat bars, volume 0', () => {
    const { panel, report } = alignSeries([A, B], { calendar: 'union' });
    expect(panel.dates).toEqual(['2020-01-03', '2020-01-06', '2020-01-07']);
    // B has no bar on 01-06: flat bar at its previous close 20, volume 0.
    const t = 1;
    expect([
      panel.open[t * 2 + 1],
      panel.high[t * 2 + 1],
      panel.low[t * 2 + 1],
      panel.close[t * 2 + 1],
      panel.volume[t * 2 + 1],
    ]).toEqual([20, 20, 20, 20, 0]);
    expect(panel.close[t * 2]).toBe(12);
    expect(report.assets[1]).toMatchObject({ filled: 1, droppedDates: 1 });
    expect(report.assets[0]).toMatchObject({ filled: 0, droppedDates: 1, droppedExamples: ['2020-01-02'] });
    expect(report.notes.join(' ')).toMatch(/union calendar limited to the range every asset covers/);
  });

  it('adjusts OHLC by Adj Close / Close where available and says where it could not', () => {
    const { panel, report } = alignSeries([A, B], { adjust: true });
    // A on 2020-01-03: close 11, adj 5.5 → factor 0.5.
    expect([panel.open[0], panel.high[0], panel.low[0], panel.close[0], panel.volume[0]]).toEqual([
      5.25, 6, 5, 5.5, 100,
    ]);
    expect(panel.close[1]).toBe(20);
    expect(report.assets.map((a) => a.adjustment)).toEqual(['adjusted', 'no adj close']);
    expect(report.notes.join(' ')).toMatch(/not adjusted \(no Adj Close\): B/);
  });

  it('restricts to [start, end] and reports an empty result instead of failing', () => {
    expect(alignSeries([A, B], { start: '2020-01-04' }).panel.dates).toEqual(['2020-01-07']);
    const none = alignSeries([series('X', [['2020-01-02', 1]]), series('Y', [['2021-01-04', 1]])]);
    expect(none.panel.dates).toEqual([]);
    expect(none.report.notes[0]).toMatch(/share no dates/);
    expect(() => alignSeries([A], { start: 'yesterday' })).toThrow(/not an ISO date/);
  });

  it('panelToSeries round-trips', () => {
    const { panel } = alignSeries([A, B], { calendar: 'union' });
    const back = alignSeries(panelToSeries(panel)).panel;
    expect(back).toEqual(panel);
  });
});

describe('inferAnnualization', () => {
  const days = (start: string, n: number, step: number, skipWeekends: boolean) => {
    const out: string[] = [];
    let d = Date.parse(start);
    while (out.length < n) {
      const dow = new Date(d).getUTCDay();
      if (!skipWeekends || (dow !== 0 && dow !== 6)) out.push(new Date(d).toISOString().slice(0, 10));
      d += step * 86400000;
    }
    return out;
  };
  it('tells trading days, calendar days, weeks and months apart', () => {
    expect(inferAnnualization(days('2020-01-01', 300, 1, true))).toBe(252);
    expect(inferAnnualization(days('2020-01-01', 300, 1, false))).toBe(365);
    expect(inferAnnualization(days('2020-01-06', 100, 7, false))).toBe(52);
    expect(inferAnnualization(['2000-01-01', '2000-02-01', '2000-03-01', '2000-04-01'])).toBe(12);
  });
});
