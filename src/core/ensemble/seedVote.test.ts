import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedVote } from './seedVote.ts';

describe('seed ensemble vote (majority action, mean strength)', () => {
  it('takes the action most members choose and the mean strength', () => {
    const r = seedVote(
      [
        { action: [1, 2, 0, 1], strength: [0.2, 0.9, 0.1, 0.6] },
        { action: [1, 2, 2, 2], strength: [0.4, 0.5, 0.3, 0.6] },
        { action: [0, 1, 2, 0], strength: [0.6, 0.4, 0.2, 0.6] },
      ],
      4,
    );
    expect([...r.action]).toEqual([1, 2, 2, 0]);
    expect([...r.strength].map((x) => +x.toFixed(6))).toEqual([0.4, 0.6, 0.2, 0.6]);
  });

  it('breaks ties towards HOLD, then BUY before SELL; one member is itself', () => {
    expect([
      ...seedVote(
        [
          { action: [0, 1], strength: [0, 0] },
          { action: [1, 2], strength: [0, 0] },
        ],
        2,
      ).action,
    ]).toEqual([0, 1]);
    expect([...seedVote([{ action: [2, 1, 0], strength: [0.5, 0.25, 1] }], 3).action]).toEqual([2, 1, 0]);
    expect(() => seedVote([], 1)).toThrow(/no members/);
  });

  it('does not depend on the members’ order (fast-check)', () => {
    const member = fc.record({
      action: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }),
      strength: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (ms) => {
        const a = seedVote(ms, 5);
        const b = seedVote([...ms].reverse(), 5);
        expect([...b.action]).toEqual([...a.action]);
        [...a.strength].forEach((x, i) => expect(b.strength[i]).toBeCloseTo(x, 5));
      }),
    );
  });
});
