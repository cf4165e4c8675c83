import { describe, expect, it } from 'vitest';
import {
  drawdownFromEquity,
  drawdownPeriods,
  drawdownSeries,
  drawdownSummary,
  maxDrawdown,
} from './drawdown.ts';
import { exposure, turnoverFromWeights } from './positions.ts';
import { computeMetrics, metricsRecord } from './report.ts';
import { annualReturn, rollingSharpe, sharpeRatio, winRate } from './stats.ts';

describe('drawdown spells (hand-computed)', () => {
  // V: 1.1, 0.99, 0.891, 1.1583, 1.1583, 1.100385, 1.11138885
  const returns = Float64Array.from([0.1, -0.1, -0.1, 0.3, 0.0, -0.05, 0.01]);

  it('finds each spell with its peak, trough, recovery and durations', () => {
    const spells = drawdownPeriods(returns);
    expect(spells).toHaveLength(2);
    const [a, b] = spells;
    expect(a).toMatchObject({
      peak: 0,
      trough: 2,
      recovery: 3,
      peakToTrough: 2,
      peakToRecovery: 3,
      duration: 3,
      underwater: 2,
    });
    expect(a.depth).toBeCloseTo(0.891 / 1.1 - 1, 12);
    expect(b).toMatchObject({
      peak: 4,
      trough: 5,
      recovery: null,
      peakToTrough: 1,
      peakToRecovery: null,
      duration: 2,
      underwater: 2,
    });
    expect(b.depth).toBeCloseTo(-0.05, 12);
  });

  it('summarises the deepest and the longest spell', () => {
    const s = drawdownSummary(returns);
    expect(s.maxDrawdown).toBeCloseTo(-0.19, 12);
    expect(s.deepest?.peak).toBe(0);
    expect(s.longest?.duration).toBe(3);
    expect(s.maxDuration).toBe(3);
  });

  it('counts the starting capital as the first peak (index −1)', () => {
    const [spell] = drawdownPeriods(Float64Array.from([-0.1, 0.05, 0.1]));
    expect(spell).toMatchObject({ peak: -1, trough: 0, recovery: 2, duration: 3, underwater: 2 });
    expect(maxDrawdown(Float64Array.from([-0.1, 0.2]))).toBeCloseTo(-0.1, 12);
  });

  it('an unrecovered spell lasts to the last period', () => {
    const s = drawdownSummary(Float64Array.from([0.1, -0.2, 0.01, 0.01]));
    expect(s.longest).toMatchObject({ peak: 0, recovery: null, duration: 3 });
  });

  it('drawdown of an equity curve matches drawdown of its returns', () => {
    const equity = [100, 110, 99, 121, 108.9];
    const rets = equity.slice(1).map((v, i) => v / equity[i] - 1);
    const fromEquity = drawdownFromEquity(equity);
    const fromReturns = drawdownSeries(rets);
    expect(fromEquity[0]).toBe(0);
    for (let t = 0; t < rets.length; t++) expect(fromEquity[t + 1]).toBeCloseTo(fromReturns[t], 12);
  });
});

describe('positions metrics', () => {
  it('one-sided turnover from weights, starting in cash', () => {
    const w = Float64Array.from([1, 0, 0.5, 0.5, 0.5, 0.5, 0, 0]);
    expect(Array.from(turnoverFromWeights(w, 2))).toEqual([0.5, 0.5, 0, 0.5]);
    expect(Array.from(turnoverFromWeights(w, 2, { initial: [1, 0] }))).toEqual([0, 0.5, 0, 0.5]);
  });

  it('exposure: time in market and average gross / net', () => {
    const e = exposure(Float64Array.from([0, 0, 0.5, 0.5, 1, -0.5]), 2);
    expect(e.timeInMarket).toBeCloseTo(2 / 3, 12);
    expect(e.averageGross).toBeCloseTo((0 + 1 + 1.5) / 3, 12);
    expect(e.averageNet).toBeCloseTo((0 + 1 + 0.5) / 3, 12);
  });

  it('rejects weights of the wrong shape', () => {
    expect(() => exposure(new Float64Array(5), 2)).toThrow(/multiple/);
  });
});

describe('win rate and rolling Sharpe', () => {
  it('win rate ignores flat and NaN periods', () => {
    expect(winRate(Float64Array.from([0.1, -0.1, 0, NaN, 0.2]))).toBeCloseTo(2 / 3, 12);
    expect(winRate(Float64Array.from([0, 0]))).toBeNaN();
  });

  it('rolling Sharpe equals the Sharpe of each trailing window', () => {
    const r = Float64Array.from([0.01, -0.02, 0.03, NaN, 0.005, -0.01, 0.02, 0.0, 0.015, -0.005]);
    const roll = rollingSharpe(r, 4, { riskFree: 0.001 });
    for (let t = 0; t < r.length; t++) {
      if (t < 3) expect(roll[t]).toBeNaN();
      else expect(roll[t]).toBeCloseTo(sharpeRatio(r.subarray(t - 3, t + 1), { riskFree: 0.001 }), 10);
    }
  });
});

describe('computeMetrics', () => {
  const returns = Float64Array.from([NaN, 0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]); // empyrical mixed_returns
  const dates = [
    '2000-01-30',
    '2000-01-31',
    '2000-02-01',
    '2000-02-02',
    '2000-02-03',
    '2000-02-04',
    '2000-02-05',
    '2000-02-06',
    '2000-02-07',
  ];

  it('gathers the per-metric functions', () => {
    const m = computeMetrics(returns, { dates });
    expect(m.periods).toBe(9);
    expect(m.observations).toBe(8);
    expect(m.sharpe).toBeCloseTo(1.7238613961706866, 8);
    expect(m.sortino).toBeCloseTo(2.605531251673693, 8);
    expect(m.calmar).toBeCloseTo(19.135925373194233, 8);
    expect(m.cagr).toBeCloseTo(annualReturn(returns), 12);
    expect(m.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(m.deepestDrawdown).toMatchObject({
      peak: 7,
      trough: 8,
      recovery: null,
      peakDate: '2000-02-06',
      troughDate: '2000-02-07',
    });
    expect(m.startDate).toBe('2000-01-30');
    expect(m.turnover).toBeNull();
  });

  it('annualisation 365 changes the annualised figures only', () => {
    const a = computeMetrics(returns);
    const b = computeMetrics(returns, { annualization: 365 });
    expect(b.sharpe / a.sharpe).toBeCloseTo(Math.sqrt(365 / 252), 12);
    expect(b.totalReturn).toBe(a.totalReturn);
    expect(b.maxDrawdown).toBe(a.maxDrawdown);
  });

  it('flattens to the snake_case record metrics.json uses', () => {
    const rec = metricsRecord(
      computeMetrics(returns, { dates, weights: new Float64Array(9).fill(1), nAssets: 1 }),
    );
    for (const key of [
      'total_return',
      'cagr',
      'annual_volatility',
      'sharpe',
      'sortino',
      'calmar',
      'max_drawdown',
      'turnover',
    ]) {
      expect(rec).toHaveProperty(key);
    }
    expect(rec.max_drawdown_peak).toBe('2000-02-06');
    expect(rec.max_drawdown_recovery).toBeNull();
    expect(rec.turnover).toBeCloseTo(0.5 / 9, 12);
    expect(rec.time_in_market).toBe(1);
  });
});
