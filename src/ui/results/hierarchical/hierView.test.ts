import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HierExpertsExtra, HierPbtExtra, HierUsageExtra } from '../../../core/hier/extras.ts';
import {
  buildLineage,
  chainedEquity,
  memberSeries,
  miMeaning,
  mutualInformation,
  poolModes,
  poolRange,
  rowNormalise,
  runSegments,
  shares,
  sumCounts,
  usageTimeline,
} from './hierView.ts';

const codes = fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 200 });

describe('runSegments: which expert, from when to when', () => {
  it('splits at every change', () => {
    expect(runSegments([-1, 0, 0, 2, 2, 2, 0])).toEqual([
      { start: 0, end: 1, value: -1 },
      { start: 1, end: 3, value: 0 },
      { start: 3, end: 6, value: 2 },
      { start: 6, end: 7, value: 0 },
    ]);
    expect(runSegments([])).toEqual([]);
  });

  it('tiles the rows, each segment constant, neighbours different (property)', () => {
    fc.assert(
      fc.property(codes, (v) => {
        const s = runSegments(v);
        let next = 0;
        s.forEach((g, k) => {
          expect(g.start).toBe(next);
          expect(g.end).toBeGreaterThan(g.start);
          for (let i = g.start; i < g.end; i++) expect(v[i]).toBe(g.value);
          if (k > 0) expect(s[k - 1].value).not.toBe(g.value);
          next = g.end;
        });
        expect(next).toBe(v.length);
      }),
    );
  });
});

describe('poolModes / poolRange: days pooled into canvas columns', () => {
  it('takes the most frequent code per column, ties to the lower, −1 where none', () => {
    // 8 rows in 4 columns of 2 rows each.
    expect(Array.from(poolModes([0, 0, 1, 2, -1, -1, 2, 2], 4, 3))).toEqual([0, 1, -1, 2]);
    // 6 rows in 2 columns of 3.
    expect(Array.from(poolModes([1, 1, 0, 2, 0, 0], 2, 3))).toEqual([1, 0]);
    expect(Array.from(poolModes([2, 1], 1, 3))).toEqual([1]);
  });

  it('with a column per row it is the rows themselves (codes outside the range read −1) (property)', () => {
    fc.assert(
      fc.property(codes, (v) => {
        expect(Array.from(poolModes(v, v.length + 5, 3))).toEqual(v.map((c) => (c >= 0 && c < 3 ? c : -1)));
      }),
    );
  });

  it('each column shows a code of one of its rows, or −1 only when none of them has one (property)', () => {
    fc.assert(
      fc.property(codes, fc.integer({ min: 1, max: 50 }), (v, maxCols) => {
        const m = poolModes(v, maxCols, 4);
        const cols = Math.min(v.length, maxCols);
        expect(m.length).toBe(cols);
        for (let c = 0; c < cols; c++) {
          const rows = v.filter((_, i) => Math.floor((i * cols) / v.length) === c);
          expect(rows.length).toBeGreaterThan(0);
          if (m[c] < 0) expect(rows.every((r) => r < 0)).toBe(true);
          else expect(rows).toContain(m[c]);
        }
      }),
    );
  });

  it('poolRange keeps each column’s lowest and highest finite price', () => {
    const r = poolRange([3, 1, NaN, NaN, 5, 4], 3);
    expect(Array.from(r.lo)).toEqual([1, NaN, 4]);
    expect(Array.from(r.hi)).toEqual([3, NaN, 5]);
  });

  it('shares ignore days before the first decision', () => {
    expect(shares(Int8Array.from([-1, -1, 0, 1, 1, 1]), 3)).toEqual([0.25, 0.75, 0]);
    expect(shares([-1], 2)).toEqual([0, 0]);
  });
});

const f = (v: number[]) => Float64Array.from(v);
const i8 = (v: number[]) => Int8Array.from(v);

describe('usageTimeline / chainedEquity: the splits shown as one timeline', () => {
  const usage: HierUsageExtra = {
    experts: ['e0', 'e1'],
    regimes: ['trend', 'revert'],
    perSplit: {
      train: { dates: ['d1', 'd2'], price: f([10, 11]), expert: i8([-1, 0]), regime: i8([0, 0]) },
      test: {
        dates: ['d5', 'd6', 'd7'],
        price: f([12, 13, 12]),
        expert: i8([1, 1, 0]),
        regime: i8([1, 1, 0]),
      },
    },
  };

  it('joins the splits in the order shown, marks where each later one begins, names the missing', () => {
    const t = usageTimeline(usage, ['train', 'valid', 'test']);
    expect(t.dates).toEqual(['d1', 'd2', 'd5', 'd6', 'd7']);
    expect(Array.from(t.expert)).toEqual([-1, 0, 1, 1, 0]);
    expect(Array.from(t.regime)).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(t.price)).toEqual([10, 11, 12, 13, 12]);
    expect(t.markers).toEqual([{ row: 2, label: 'test' }]);
    expect(t.missing).toEqual(['valid']);
    expect(usageTimeline(usage, ['valid']).dates).toEqual([]);
  });

  it('reads plain arrays as well (a run saved as JSON), short ones padded with “none”', () => {
    const plain = {
      ...usage,
      perSplit: {
        valid: { dates: ['a', 'b', 'c'], price: [1, 2], expert: [0], regime: [] },
      },
    } as unknown as HierUsageExtra;
    const t = usageTimeline(plain, ['valid']);
    expect(Array.from(t.price)).toEqual([1, 2, NaN]);
    expect(Array.from(t.expert)).toEqual([0, -1, -1]);
    expect(Array.from(t.regime)).toEqual([-1, -1, -1]);
  });

  it('chains each expert’s equity across splits; an absent curve stays NaN', () => {
    const x: HierExpertsExtra = {
      experts: ['e0', 'e1'],
      perSplit: {
        train: {
          dates: ['d1', 'd2'],
          equity: [f([1, 2]), f([1, 0.5])],
          totalReturn: [1, -0.5],
          sharpe: [1, -1],
          maxDrawdown: [0, -0.5],
          usage: [0.5, 0.5],
        },
        valid: {
          dates: ['d3', 'd4'],
          equity: [f([1, 1.5])],
          totalReturn: [0.5],
          sharpe: [1],
          maxDrawdown: [0],
          usage: [1, 0],
        },
      },
    };
    const c = chainedEquity(x, ['train', 'valid']);
    expect(c.dates).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(Array.from(c.equity[0])).toEqual([1, 2, 2, 3]);
    expect(Array.from(c.equity[1])).toEqual([1, 0.5, NaN, NaN]);
    expect(c.markers).toEqual([
      { x: 'd1', label: 'train' },
      { x: 'd3', label: 'valid' },
    ]);
    expect(chainedEquity(x, ['valid']).markers).toEqual([]);
  });
});

describe('rowNormalise / mutualInformation: the router’s choice by regime', () => {
  it('normalises each regime’s row; a regime without decisions stays zeros', () => {
    expect(
      rowNormalise([
        [1, 3],
        [0, 0],
        [2, 2],
      ]),
    ).toEqual([
      [0.25, 0.75],
      [0, 0],
      [0.5, 0.5],
    ]);
  });

  it('rows of a normalised table sum to 1 or 0 and keep the order of their counts (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(1000), { minLength: 3, maxLength: 3 }), { maxLength: 6 }), (t) => {
        rowNormalise(t).forEach((row, i) => {
          const s = row.reduce((a, b) => a + b, 0);
          const total = t[i].reduce((a, b) => a + b, 0);
          expect(s).toBeCloseTo(total > 0 ? 1 : 0, 12);
          for (let j = 1; j < 3; j++) expect(Math.sign(row[j] - row[0])).toBe(Math.sign(t[i][j] - t[i][0]));
        });
      }),
    );
  });

  it('is 0 for an independent table and ln 2 when the regime fixes one of two experts', () => {
    expect(
      mutualInformation([
        [10, 30],
        [5, 15],
      ]).mi,
    ).toBeCloseTo(0, 12);
    expect(
      mutualInformation([
        [50, 0],
        [0, 50],
      ]).mi,
    ).toBeCloseTo(Math.log(2), 12);
    // Unequal regimes: the expert still follows the regime, so I = H(regime) < ln 2.
    const d = mutualInformation([
      [40, 0],
      [0, 60],
    ]);
    expect(d.mi).toBeCloseTo(d.hRow, 12);
    expect(d.hRow).toBeCloseTo(-(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6)), 12);
    expect(mutualInformation([]).mi).toBe(0);
  });

  it('golden value: [[30, 10], [10, 30]] shares 0.1308 nats (hand-computed)', () => {
    // p(r,e) = 3/8, 1/8, 1/8, 3/8 with uniform marginals: 2·(3/8)·ln(3/2) + 2·(1/8)·ln(1/2).
    const want = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    expect(want).toBeCloseTo(0.1308, 4);
    expect(
      mutualInformation([
        [30, 10],
        [10, 30],
      ]).mi,
    ).toBeCloseTo(want, 12);
  });

  it('lies in [0, min(H(regime), H(expert))] (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(50), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        (t) => {
          const r = mutualInformation(t);
          expect(r.mi).toBeGreaterThanOrEqual(0);
          expect(r.mi).toBeLessThanOrEqual(Math.min(r.hRow, r.hCol) + 1e-9);
        },
      ),
    );
  });

  it('sums the splits’ tables cell by cell', () => {
    expect(
      sumCounts([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [10, 20],
          [30, 40],
        ],
      ]),
    ).toEqual([
      [11, 22],
      [33, 44],
    ]);
    expect(sumCounts([])).toEqual([]);
  });

  it('says in one sentence how far the choice depends on the regime', () => {
    expect(miMeaning(0, Math.log(2), Math.log(3))).toMatch(/almost independently/);
    expect(miMeaning(0.2, Math.log(2), Math.log(3))).toMatch(/0\.693 nats.*29%.*partly/);
    expect(miMeaning(0.6, Math.log(2), Math.log(3))).toMatch(/largely decides/);
    expect(miMeaning(0, 0, Math.log(3))).toMatch(/Only one regime/);
  });
});

describe('buildLineage: the PBT population as a member × round grid', () => {
  const pbt: HierPbtExtra = {
    hyperparameters: ['lr'],
    members: [
      { id: 2, subPopulation: 1, frequency: 10 },
      { id: 0, subPopulation: 0, frequency: 1 },
      { id: 1, subPopulation: 0, frequency: 1 },
    ],
    rounds: [
      { round: 1, member: 0, score: 1, parentNetwork: 0, parentHps: 0, hps: [1e-3] },
      { round: 1, member: 1, score: 3, parentNetwork: 1, parentHps: 1, hps: [2e-3] },
      { round: 1, member: 2, score: 2, parentNetwork: 2, parentHps: 2, hps: [3e-3] },
      { round: 2, member: 0, score: 4, parentNetwork: 1, parentHps: 1, hps: [2.5e-3] },
      { round: 2, member: 1, score: 5, parentNetwork: 1, parentHps: 1, hps: [2e-3] },
      // A member the members list forgot: still drawn, on its own row.
      { round: 2, member: 7, score: NaN, parentNetwork: 7, parentHps: 7, hps: [1e-2] },
    ],
  };

  it('orders members by sub-population, ranks each round, lists the copies', () => {
    const l = buildLineage(pbt);
    expect(l.members.map((m) => m.id)).toEqual([0, 1, 2, 7]);
    expect(l.rounds).toEqual([1, 2]);
    // Round 1: member 1 best (rank 0), 2 middle, 0 worst.
    expect(l.cells.map((r) => r[0]?.rank ?? null)).toEqual([1, 0, 0.5, null]);
    // Round 2: 1 best, 0 next, 7 (NaN score) last; member 2 did not report.
    expect(l.cells.map((r) => r[1]?.rank ?? null)).toEqual([0.5, 0, null, 1]);
    expect(l.cells[0][1]).toMatchObject({ copiedFrom: 1, hpsFrom: 1, hps: [2.5e-3] });
    expect(l.cells[1][1]).toMatchObject({ copiedFrom: null, hpsFrom: null });
    expect(l.copies).toEqual([{ round: 2, member: 0, from: 1, hpsFrom: 1 }]);
    expect(l.rowOf.get(7)).toBe(3);
  });

  it('gives one series over rounds per member, NaN where it has no record', () => {
    const s = memberSeries(buildLineage(pbt), (c) => c.score);
    expect(s.map((v) => Array.from(v))).toEqual([
      [1, 4],
      [3, 5],
      [2, NaN],
      [NaN, NaN],
    ]);
  });
});
