/** The supplychain sections' view models: thread index by day, offers of a thread, the spread column, goal series. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplayWorldMeta } from '../../../core/scml/extras.ts';
import {
  daySegments,
  goalComponent,
  offersOf,
  scoreCurve,
  segmentLabel,
  spreadAxis,
  spreadPositions,
  typeColors,
  type NegotiationWorld,
} from './view.ts';

const meta: ReplayWorldMeta = {
  index: 3,
  config: 1,
  rotation: 0,
  nSteps: 4,
  nProcesses: 2,
  agents: [
    { name: 'a0', type: 'penguin', level: 0 },
    { name: 'a1', type: 'greedy', level: 1 },
  ],
};

/** Two thread-days: day 0 (a0 offers, a1 counters, a0 accepts) and day 2 (a1's offer ended). */
const world: NegotiationWorld = {
  ...meta,
  segDay: Int32Array.from([0, 2]),
  segThread: Int32Array.from([0, 0]),
  segSeller: Int32Array.from([0, 0]),
  segBuyer: Int32Array.from([1, 1]),
  segOutcome: Uint8Array.from([0, 2]),
  segStart: Int32Array.from([0, 2, 3]),
  round: Uint8Array.from([0, 1, 0]),
  proposer: Uint16Array.from([0, 1, 1]),
  quantity: Uint16Array.from([5, 4, 3]),
  delivery: Uint16Array.from([1, 1, 3]),
  price: Int32Array.from([12, 11, 10]),
  response: Uint8Array.from([1, 0, 2]),
};

describe('supplychain view models', () => {
  it('daySegments finds exactly the segments of a day (any sorted day list)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 60 }),
        fc.integer({ min: -1, max: 32 }),
        (days, day) => {
          const segDay = Int32Array.from(days.sort((a, b) => a - b));
          const { first, last } = daySegments({ segDay }, day);
          const expected = [...segDay.keys()].filter((s) => segDay[s] === day);
          if (expected.length === 0) expect(last - first).toBe(0);
          else expect([first, last]).toEqual([expected[0], expected[expected.length - 1] + 1]);
        },
      ),
    );
    expect(daySegments(world, 1)).toEqual({ first: 1, last: 1 });
  });

  it('offersOf reads one thread-day round by round, naming who offered', () => {
    expect(offersOf(world, 0)).toEqual([
      {
        round: 0,
        proposer: 'a0',
        responder: 'a1',
        sellerOffers: true,
        quantity: 5,
        delivery: 1,
        price: 12,
        response: 'reject',
      },
      {
        round: 1,
        proposer: 'a1',
        responder: 'a0',
        sellerOffers: false,
        quantity: 4,
        delivery: 1,
        price: 11,
        response: 'accept',
      },
    ]);
    expect(offersOf(world, 1).map((o) => o.response)).toEqual(['end']);
    expect(segmentLabel(world, 0)).toBe(
      'thread 0: a0 penguin (level 0) sells to a1 greedy (level 1) — accept after 2 offers',
    );
  });

  it('the spread column places min ≤ Q1 ≤ median ≤ Q3 ≤ max on a common axis', () => {
    const stats = [
      { min: 0.2, q1: 0.5, median: 0.8, q3: 1.0, max: 1.2 },
      { min: -0.1, q1: 0, median: 0.1, q3: 0.3, max: 0.4 },
    ];
    const [lo, hi] = spreadAxis(stats);
    expect([lo, hi]).toEqual([-0.1, 1.2]);
    const p = spreadPositions(stats[0], lo, hi);
    expect(p.max).toBe(1);
    expect(p.min).toBeCloseTo(0.3 / 1.3, 12);
    expect(p.q1).toBeLessThan(p.median);
    expect(spreadPositions(stats[1], lo, hi).min).toBe(0);
    expect(spreadAxis([{ min: 1, max: 1 }])).toEqual([0.5, 1.5]);
  });

  it('goal and score series index [(h·T + day)·4 + j] and [agent·T + day]', () => {
    const T = 3;
    const g = Float32Array.from({ length: 2 * T * 4 }, (_, i) => i);
    expect([...goalComponent(g, 1, T, 2)]).toEqual([14, 18, 22]);
    const balance = Float64Array.from([10, 20, 30, 100, 50, 25]);
    expect([...scoreCurve(balance, 1, T, 100)]).toEqual([1, 0.5, 0.25]);
    const colors = typeColors(['penguin', 'greedy', 'penguin']);
    expect(Object.keys(colors)).toEqual(['penguin', 'greedy']);
    expect(colors.penguin).not.toBe(colors.greedy);
  });
});
