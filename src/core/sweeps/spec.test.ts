import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countRuns,
  expandSweep,
  getPath,
  gridValues,
  parseShard,
  parseSweepSpec,
  shardRuns,
} from './spec.ts';
import {
  aggregateByPoint,
  higherIsBetterFor,
  mergeResults,
  selectBest,
  summarizeSweep,
  summaryMetricKeys,
  type SweepRunResult,
} from './results.ts';

describe('sweep spec expansion', () => {
  it('grid: every combination × seeds, values written at dotted paths', () => {
    const spec = parseSweepSpec({
      base: { agent: { algo: 'ppo', lr: 1 }, env: { fee: 0.001 } },
      params: [
        { key: 'agent.lr', values: { kind: 'log-range', min: 1e-4, max: 1e-2, steps: 3 } },
        { key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.05] } },
      ],
      seedsPerPoint: 2,
      firstSeed: 10,
    });
    const runs = expandSweep(spec);
    expect(runs).toHaveLength(12);
    expect(countRuns(spec)).toBe(12);
    expect(new Set(runs.map((r) => r.id)).size).toBe(12);
    expect(runs.map((r) => r.index)).toEqual([...Array(12).keys()]);
    expect(runs[0].config).toEqual({
      agent: { algo: 'ppo', lr: 1e-4, entCoef: 0 },
      env: { fee: 0.001 },
      seed: 10,
    });
    expect(runs[1].seed).toBe(11);
    expect(runs.map((r) => getPath(r.config, 'agent.lr'))).toContain(0.001);
    // the base object is never mutated
    expect(spec.base).toEqual({ agent: { algo: 'ppo', lr: 1 }, env: { fee: 0.001 } });
  });

  it('linear and log ranges include both ends; integer ranges dedupe', () => {
    expect(gridValues({ kind: 'range', min: 0, max: 1, steps: 5 })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridValues({ kind: 'log-range', min: 1e-5, max: 1e-3, steps: 3 })).toEqual([1e-5, 1e-4, 1e-3]);
    expect(gridValues({ kind: 'range', min: 20, max: 21, steps: 4, integer: true })).toEqual([20, 21]);
  });

  it('random mode is reproducible for a sampleSeed and stays inside the ranges', () => {
    const input = {
      mode: 'random',
      samples: 20,
      sampleSeed: 7,
      params: [
        { key: 'lr', values: { kind: 'log-range', min: 1e-5, max: 1e-2, steps: 1 } },
        { key: 'window', values: { kind: 'range', min: 10, max: 60, steps: 1, integer: true } },
      ],
    };
    const a = expandSweep(parseSweepSpec(input));
    const b = expandSweep(parseSweepSpec(input));
    const c = expandSweep(parseSweepSpec({ ...input, sampleSeed: 8 }));
    expect(a.map((r) => r.point)).toEqual(b.map((r) => r.point));
    expect(a.map((r) => r.point)).not.toEqual(c.map((r) => r.point));
    for (const r of a) {
      expect(r.point.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(r.point.lr as number).toBeLessThanOrEqual(1e-2);
      expect(Number.isInteger(r.point.window)).toBe(true);
    }
  });

  it('rejects bad specs with the field named', () => {
    expect(() =>
      parseSweepSpec({ params: [{ key: 'a', values: { kind: 'range', min: 2, max: 1, steps: 3 } }] }),
    ).toThrow(/params\.a/);
    expect(() => parseSweepSpec({ params: [{ key: 'a', values: { kind: 'list', values: [] } }] })).toThrow(
      /params\.0\.values/,
    );
    expect(() => parseSweepSpec({ seedsPerPoint: 0 })).toThrow(/seedsPerPoint/);
    expect(() =>
      parseSweepSpec({
        params: [
          { key: 'x', values: { kind: 'list', values: [1] } },
          { key: 'x', values: { kind: 'list', values: [2] } },
        ],
      }),
    ).toThrow(/twice/);
  });

  it('shards cover every run exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (nA, nB, seeds, shards) => {
          const spec = parseSweepSpec({
            params: [
              { key: 'a', values: { kind: 'range', min: 0, max: 1, steps: nA } },
              { key: 'b', values: { kind: 'list', values: Array.from({ length: nB }, (_, i) => `v${i}`) } },
            ],
            seedsPerPoint: seeds,
          });
          const runs = expandSweep(spec);
          const seen = new Map<number, number>();
          for (let i = 0; i < shards; i++)
            for (const r of shardRuns(runs, { index: i, count: shards }))
              seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
          expect(seen.size).toBe(runs.length);
          for (const c of seen.values()) expect(c).toBe(1);
        },
      ),
    );
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('5/5')).toThrow();
    expect(() => parseShard('x')).toThrow(/i\/n/);
  });
});

describe('sweep results', () => {
  const result = (
    index: number,
    pointIndex: number,
    seed: number,
    sharpe: number,
    extra: Partial<SweepRunResult> = {},
  ): SweepRunResult => ({
    index,
    id: `p${pointIndex}-s${seed}`,
    pointIndex,
    point: { lr: pointIndex },
    seed,
    metrics: { 'valid/sharpe': sharpe, 'test/sharpe': -sharpe },
    ...extra,
  });

  it('a workflow without splits is selected on its run-level keys, in their own direction', () => {
    const run = (index: number, score: number, bankrupt: number): SweepRunResult => ({
      index,
      id: `p${index}-s1`,
      pointIndex: index,
      point: { 'supplychain.days': index },
      seed: 1,
      metrics: { 'score/penguin': score, 'bankrupt_rate/penguin': bankrupt, 'training/episodic_return': 1 },
    });
    const runs = [run(0, 1.0, 0.2), run(1, 1.1, 0.3), run(2, 0.9, 0.1)];
    expect(summaryMetricKeys(aggregateByPoint(runs))).toEqual(['score/penguin', 'bankrupt_rate/penguin']);
    expect(higherIsBetterFor('score/penguin')).toBe(true);
    expect(higherIsBetterFor('bankrupt_rate/penguin')).toBe(false);
    expect(higherIsBetterFor('valid/max_drawdown')).toBe(true);
    expect(higherIsBetterFor('valid/turnover')).toBe(false);
    const byScore = summarizeSweep(runs, 'score/penguin');
    expect(byScore.best?.pointIndex).toBe(1);
    expect(byScore.best?.valid['score/penguin'].mean).toBe(1.1);
    expect(summarizeSweep(runs, 'bankrupt_rate/penguin').best?.pointIndex).toBe(2);
  });

  it('aggregates mean and sample std over seeds, skipping failed runs', () => {
    const s = aggregateByPoint([
      result(0, 0, 1, 1),
      result(1, 0, 2, 3),
      result(2, 1, 1, 5),
      result(3, 1, 2, 99, { error: 'NaN loss' }),
    ]);
    expect(s[0].mean['valid/sharpe']).toBe(2);
    expect(s[0].std['valid/sharpe']).toBeCloseTo(Math.SQRT2, 12);
    expect(s[1]).toMatchObject({ n: 1, failed: 1 });
    expect(s[1].mean['valid/sharpe']).toBe(5);
    expect(s[1].std['valid/sharpe']).toBe(0);
  });

  it('selects on validation and refuses the test split', () => {
    const s = aggregateByPoint([result(0, 0, 1, 1), result(1, 1, 1, 2)]);
    expect(selectBest(s, 'valid/sharpe')?.pointIndex).toBe(1);
    expect(selectBest(s, 'valid/sharpe', false)?.pointIndex).toBe(0);
    expect(() => selectBest(s, 'test/sharpe')).toThrow(/validation/);
  });

  it('merge reports missing and duplicated runs', () => {
    const runs = [0, 1, 2, 3].map((index) => ({ index }));
    const m = mergeResults([[result(0, 0, 1, 1), result(2, 1, 1, 1)], [result(2, 1, 1, 7)]], runs);
    expect(m.results.map((r) => r.index)).toEqual([0, 2]);
    expect(m.missing).toEqual([1, 3]);
    expect(m.duplicates).toEqual([2]);
  });
});
