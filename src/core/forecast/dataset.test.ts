import { describe, expect, it } from 'vitest';
import {
  dailyMarks,
  errorMetrics,
  fitScaler,
  gatherWindows,
  librarySplits,
  panelSeries,
  parsePlantedSpec,
  plantedSeries,
  seasonalNaive,
  windowCount,
} from './dataset.ts';
import { fftForPeriod } from './periods.ts';

describe('forecast dataset', () => {
  it("splits as the library's Dataset_Custom (70/10/20, look-back into the previous split)", () => {
    const s = librarySplits(1000, 96, 24);
    expect(s).toEqual({
      train: { start: 0, end: 700 },
      valid: { start: 604, end: 800 },
      test: { start: 704, end: 1000 },
    });
    expect(windowCount(s.test, 96, 24)).toBe(200 - 24 + 1);
    expect(() => librarySplits(100, 96, 24)).toThrow(/seq_len 96/);
  });

  it('windows: x then y, consecutive rows of every channel', () => {
    const values = Float32Array.from({ length: 20 * 2 }, (_, i) => i); // row t = [2t, 2t + 1]
    const w = gatherWindows(values, 2, { start: 3, end: 20 }, 4, 2, [0, 5]);
    expect(Array.from(w.x.slice(0, 8))).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(Array.from(w.y.slice(0, 4))).toEqual([14, 15, 16, 17]);
    expect(w.x[8]).toBe(16); // second window starts at row 8
  });

  it('seasonal naive repeats the last whole season, also beyond one season ahead', () => {
    // One channel, L = 6, season 3: last season [3, 4, 5] → 3 4 5 3 4.
    const x = Float32Array.from([0, 1, 2, 3, 4, 5]);
    expect(Array.from(seasonalNaive(x, 1, 6, 5, 1, 3))).toEqual([3, 4, 5, 3, 4]);
    expect(Array.from(seasonalNaive(x, 1, 6, 2, 1, 1))).toEqual([5, 5]);
    expect(() => seasonalNaive(x, 1, 6, 2, 1, 7)).toThrow(/1\.\.seq_len/);
  });

  it('scaler: train rows only, population std; metrics golden', () => {
    const s = {
      values: Float32Array.from([1, 10, 3, 10, 100, 10]),
      length: 3,
      channels: 2,
      names: ['a', 'b'],
    };
    const sc = fitScaler(s, { start: 0, end: 2 });
    expect(Array.from(sc.mean)).toEqual([2, 10]);
    expect(Array.from(sc.std)).toEqual([1, 1]); // std 0 → 1
    expect(errorMetrics([1, 2, 3], [1, 4, 0])).toEqual({ mse: 13 / 3, mae: 5 / 3 });
  });

  it('planted series: deterministic, and FFT finds its periods', () => {
    const a = plantedSeries({
      length: 480,
      channels: 3,
      periods: [24, 12, 8],
      amplitudes: [1, 0.6, 0.4],
      seed: 1,
    });
    const b = plantedSeries({
      length: 480,
      channels: 3,
      periods: [24, 12, 8],
      amplitudes: [1, 0.6, 0.4],
      seed: 1,
    });
    expect(a.values).toEqual(b.values);
    expect(fftForPeriod(a.values, 1, 480, 3, 3).periods).toEqual([24, 12, 8]);
  });

  it('panel fields and daily marks', () => {
    const panel = {
      dates: ['2024-01-01', '2024-01-02', '2024-12-31'],
      assets: ['A'],
      open: new Float64Array(3),
      high: new Float64Array(3),
      low: new Float64Array(3),
      close: Float64Array.from([100, 110, 99]),
      volume: Float64Array.from([5, 6, 7]),
    };
    const r = panelSeries(panel, 'log-return');
    expect(r.length).toBe(2);
    expect(r.dates).toEqual(['2024-01-02', '2024-12-31']);
    expect(r.values[0]).toBeCloseTo(Math.log(1.1), 6);
    expect(Array.from(panelSeries(panel, 'volume').values)).toEqual([5, 6, 7]);
    const m = dailyMarks(panel.dates);
    // 2024-01-01 is a Monday, day 1 of month and year.
    expect(Array.from(m.slice(0, 3))).toEqual([-0.5, -0.5, -0.5]);
    expect(m[3]).toBeCloseTo(1 / 6 - 0.5, 6); // Tuesday
    expect(m[8]).toBeCloseTo(365 / 365 - 0.5, 6); // 31 Dec of a leap year: day 366
  });
});

describe('planted spec', () => {
  it('parses k=v lists, fills defaults and names mistakes', () => {
    expect(parsePlantedSpec('planted')).toMatchObject({ length: 2000, periods: [24, 12, 8] });
    expect(parsePlantedSpec('planted:periods=24/7,noise=0.1,seed=3')).toMatchObject({
      periods: [24, 7],
      amplitudes: [1, 1],
      noise: 0.1,
      seed: 3,
    });
    expect(() => parsePlantedSpec('planted:period=3')).toThrow(/unknown field 'period'/);
    expect(() => parsePlantedSpec('planted:noise=x')).toThrow(/noise must be a number/);
  });
});
