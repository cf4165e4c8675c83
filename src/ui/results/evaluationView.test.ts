import { describe, expect, it } from 'vitest';
import type { RunEvaluation, SplitEvaluation } from '../../../workers/protocol.ts';
import { combine, strategiesOf } from './evaluationView.ts';

function split(
  name: SplitEvaluation['split'],
  dates: string[],
  agent: number[],
  bh: number[],
): SplitEvaluation {
  const f = (v: number[]) => Float64Array.from(v);
  return {
    split: name,
    dates,
    assets: ['A'],
    equity: { 'buy-and-hold': f(bh), agent: f(agent) },
    drawdown: { 'buy-and-hold': f(bh.map(() => 0)), agent: f(agent.map((v) => v - 1)) },
    metrics: {},
    weights: new Float32Array(dates.length),
    rollingSharpe: f(dates.map(() => NaN)),
    monthly: { years: [], months: [], yearly: [] },
    trades: [],
  };
}

const ev: RunEvaluation = {
  splits: [
    split('train', ['2020-01-01', '2020-01-02'], [1, 1.1], [1, 2]),
    split('valid', ['2020-01-03', '2020-01-06'], [1, 0.5], [1, 1]),
  ],
  boundaries: [],
};

describe('combine: the splits drawn as one timeline', () => {
  it('puts the agent first', () => {
    expect(strategiesOf(ev)).toEqual(['agent', 'buy-and-hold']);
  });

  it('chains each equity curve across splits and marks where each split begins', () => {
    const c = combine(ev, 'all')!;
    expect(c.dates).toEqual(['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06']);
    expect(Array.from(c.equity.agent)).toEqual([1, 1.1, 1.1, 0.55]);
    expect(Array.from(c.equity['buy-and-hold'])).toEqual([1, 2, 2, 2]);
    // Drawdowns stay per split, as the metrics are.
    expect(Array.from(c.drawdown.agent).map((v) => +v.toFixed(2))).toEqual([0, 0.1, 0, -0.5]);
    expect(c.markers).toEqual([
      { x: '2020-01-01', label: 'train' },
      { x: '2020-01-03', label: 'valid' },
    ]);
  });

  it('one split is drawn as it is, without markers; a missing split gives nothing', () => {
    const c = combine(ev, 'valid')!;
    expect(Array.from(c.equity.agent)).toEqual([1, 0.5]);
    expect(c.markers).toEqual([]);
    expect(combine(ev, 'test')).toBeNull();
  });
});
