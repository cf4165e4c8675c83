/** The shared replay: segments follow one stream's days through interleaved writes, stop at episode ends and overwritten rows. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { SharedReplay, type SharedTransition } from './sharedReplay.ts';

const tr = (day: number, stream: number, end = false): SharedTransition => ({
  obs: [day, stream],
  nextObs: [day + 1, stream],
  action: day % 3,
  reward: day,
  terminated: end,
  truncated: false,
  expert: stream % 2,
  logProb: -1,
});

describe('SharedReplay', () => {
  it('links each stream’s consecutive days across interleaved writes and cuts at an episode end', () => {
    const rb = new SharedReplay({ capacity: 100, obsDim: 2, streams: 2 });
    for (let d = 0; d < 6; d++) {
      rb.add(0, tr(d, 0, d === 2));
      rb.add(1, tr(d, 1));
    }
    // Rows: stream 0 at even rows, stream 1 at odd rows.
    expect(rb.next(0)).toBe(2);
    expect(rb.next(2)).toBe(4);
    expect(rb.next(4)).toBe(-1); // day 2 of stream 0 terminated
    expect(rb.next(6)).toBe(8); // a new episode of stream 0 goes on
    expect(rb.next(1)).toBe(3);
    expect(rb.next(11)).toBe(-1); // not yet written
  });

  it('never follows a link into an overwritten row', () => {
    const rb = new SharedReplay({ capacity: 4, obsDim: 2, streams: 2 });
    rb.add(0, tr(0, 0)); // id 0
    for (let d = 0; d < 4; d++) rb.add(1, tr(d, 1)); // ids 1..4; id 4 overwrites row 0
    rb.add(0, tr(1, 0)); // id 5: stream 0's successor of id 0, which is gone
    expect(rb.obs[0]).toBe(3); // row 0 now holds stream 1's day 3
    expect(rb.next(0)).toBe(-1);
    expect(rb.next(1)).toBe(-1); // row 1 = id 5 (stream 0's day 1), no successor yet
  });

  it('a write that overwrites its own stream’s previous row does not link the row to itself', () => {
    // fast-check found it: capacity 11, stream 0 writes id 0, stream 1 ids 1..10, stream 0 id 11
    // lands on row 0 (its own predecessor's row).
    const rb = new SharedReplay({ capacity: 11, obsDim: 2, streams: 2 });
    rb.add(0, tr(0, 0));
    for (let d = 0; d < 10; d++) rb.add(1, tr(d, 1));
    rb.add(0, tr(1, 0));
    expect(rb.obs[0]).toBe(1);
    expect(rb.next(0)).toBe(-1);
  });

  it('property: every sampled segment is consecutive days of one stream, at most `length` long', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 5, maxLength: 120 }),
        fc.integer({ min: 8, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (writes, capacity, length) => {
          const rb = new SharedReplay({ capacity, obsDim: 2, streams: 3 });
          const day = [0, 0, 0];
          for (const [s, end] of writes) rb.add(s, tr(day[s]++, s, end));
          const segs = rb.sampleSegments(10, length, new Rng(1));
          for (let j = 0; j < 10; j++) {
            const rows = Array.from(segs.rows.subarray(segs.offsets[j], segs.offsets[j + 1]));
            expect(rows.length).toBeGreaterThanOrEqual(1);
            expect(rows.length).toBeLessThanOrEqual(length);
            for (let i = 1; i < rows.length; i++) {
              expect(rb.obs[rows[i] * 2 + 1]).toBe(rb.obs[rows[0] * 2 + 1]);
              expect(rb.obs[rows[i] * 2]).toBe(rb.obs[rows[i - 1] * 2] + 1);
              expect(rb.terminated[rows[i - 1]]).toBe(0);
            }
          }
        },
      ),
    );
  });
});
