import { describe, expect, it } from 'vitest';
import type { PointSummary, SweepRunResult } from './results.ts';
import { meanRunSeconds, nextSort, roughSecondsPerRun, sortPoints, sweepEta, topPoints } from './view.ts';

const pt = (i: number, lr: number, enc: string, sharpe: number, dd: number): PointSummary => ({
  pointIndex: i,
  point: { 'agent.learningRate': lr, 'agent.network.encoder': enc },
  n: 2,
  failed: 0,
  mean: { 'valid/sharpe': sharpe, 'valid/max_drawdown': dd },
  std: { 'valid/sharpe': 0, 'valid/max_drawdown': 0 },
});
const points = [pt(0, 1e-3, 'mlp', 0.5, 0.2), pt(1, 1e-4, 'timecnn', NaN, 0.1), pt(2, 3e-4, 'cnn', 1.2, 0.3)];
const ids = (ps: PointSummary[]) => ps.map((p) => p.pointIndex);

describe('sweep view: sorting, top k, time estimates', () => {
  it('sorts by a metric both ways with non-finite values last', () => {
    expect(ids(sortPoints(points, { key: 'valid/sharpe', dir: -1 }))).toEqual([2, 0, 1]);
    expect(ids(sortPoints(points, { key: 'valid/sharpe', dir: 1 }))).toEqual([0, 2, 1]);
  });

  it('sorts by a swept setting: numbers as numbers, words as text', () => {
    expect(ids(sortPoints(points, { key: 'param:agent.learningRate', dir: 1 }))).toEqual([1, 2, 0]);
    expect(ids(sortPoints(points, { key: 'param:agent.network.encoder', dir: 1 }))).toEqual([2, 0, 1]);
    expect(ids(points)).toEqual([0, 1, 2]);
  });

  it('a new column starts descending, the same column flips', () => {
    expect(nextSort({ key: 'a', dir: -1 }, 'b')).toEqual({ key: 'b', dir: -1 });
    expect(nextSort({ key: 'a', dir: -1 }, 'a')).toEqual({ key: 'a', dir: 1 });
    expect(nextSort({ key: 'a', dir: 1 }, 'a')).toEqual({ key: 'a', dir: -1 });
  });

  it('top k follows the metric’s direction and skips non-finite points', () => {
    expect(ids(topPoints(points, 'valid/sharpe', 5))).toEqual([2, 0]);
    expect(ids(topPoints(points, 'valid/sharpe', 1))).toEqual([2]);
    expect(ids(topPoints(points, 'valid/max_drawdown', 2, false))).toEqual([1, 0]);
    expect(topPoints(points, 'valid/sharpe', 0)).toEqual([]);
  });

  it('ETA: waves of runs over the workers, from the finished runs’ mean time', () => {
    const r = (w?: number) => ({ wallSeconds: w }) as SweepRunResult;
    expect(meanRunSeconds([])).toBeNull();
    expect(meanRunSeconds([r(10), r(20), r(0), r()])).toBe(15);
    expect(sweepEta(6, 10, 3)).toBe(20);
    expect(sweepEta(2, 10, 8)).toBe(10);
    expect(sweepEta(0, null, 2)).toBe(0);
    expect(sweepEta(4, null, 2)).toBeNull();
    expect(roughSecondsPerRun(3000, 'mlp')).toBe(5);
    expect(roughSecondsPerRun(4000, 'timecnn')).toBe(13);
  });
});
