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

  it('ownership: a row belongs to the expert that acted until setOwner gives it away; preferring an expert samples its owned rows', () => {
    const rb = new SharedReplay({ capacity: 8, obsDim: 2, streams: 2 });
    const ids = Array.from({ length: 6 }, (_, d) => rb.add(d % 2, tr(d, d % 2)));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(rb.owners.subarray(0, 6))).toEqual([0, 1, 0, 1, 0, 1]);
    rb.setOwner(ids[0], 2);
    rb.setOwner(ids[3], 2);
    expect(Array.from(rb.owners.subarray(0, 6))).toEqual([2, 1, 0, 2, 0, 1]);
    expect(Array.from(rb.experts.subarray(0, 6))).toEqual([0, 1, 0, 1, 0, 1]); // who acted stays
    const rng = new Rng(4);
    for (let k = 0; k < 20; k++) {
      const seg = rb.sampleSegments(1, 1, rng, { expert: 2, share: 1 });
      expect([0, 3]).toContain(seg.rows[0]);
    }
    // An id the ring has overwritten is not touched: ids 8 and 9 overwrite rows 0 and 1.
    for (let d = 6; d < 10; d++) rb.add(0, tr(d, 0));
    rb.setOwner(0, 1);
    expect(rb.owners[0]).toBe(0);
  });
});
