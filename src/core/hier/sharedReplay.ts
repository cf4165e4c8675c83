/**
 * The experts' shared replay (seed 002, replay/shared_buffer.py): every expert's transitions in one
 * ring, each tagged with the expert that acted (the behaviour policy μ) and μ(a|s), so any expert can
 * learn from any other's experience with V-trace's importance weights (agents/hier/experts.ts).
 *
 * Several market episodes run side by side (one stream per env), so consecutive rows of the ring
 * are not consecutive days. Each row keeps the write id of the next transition of its own stream
 * (−1 after the episode's last step); a segment follows those links, and stops where the successor
 * was overwritten, not yet written, or the episode ended. Write ids grow forever, so a link to an
 * overwritten row is recognised (its id is older than the ring's oldest) instead of followed.
 */
import type { Rng } from '../rng.ts';

export interface SharedReplaySpec {
  capacity: number;
  obsDim: number;
  /** Parallel streams (envs) that append to it. */
  streams: number;
}

export interface SharedTransition {
  obs: ArrayLike<number>;
  nextObs: ArrayLike<number>;
  action: number;
  /** External (market) reward, already scaled. */
  reward: number;
  terminated: boolean;
  /** The episode ended here without terminating (time limit): bootstrap from nextObs. */
  truncated: boolean;
  /** Expert that acted (behaviour policy). */
  expert: number;
  /** log μ(a|s) of that expert's stochastic policy. */
  logProb: number;
}

/** Segments as rows of the ring, each consecutive days of one episode, 1..length long. */
export interface Segments {
  rows: Int32Array;
  /** Segment j is rows[offsets[j] .. offsets[j + 1]). */
  offsets: Int32Array;
}

export class SharedReplay {
  readonly capacity: number;
  readonly obsDim: number;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly experts: Int32Array;
  /**
   * The expert whose own days a row counts among when experts prefer their own (`sampleSegments`'s
   * `prefer`): the one that acted, unless `setOwner` gave the row to another (ownership 'won').
   */
  readonly owners: Int32Array;
  readonly logProbs: Float32Array;
  /** Write id of the same stream's next transition, −1 none. */
  private readonly nextId: Float64Array;
  /** Write id of each stream's last transition, −1 after an episode end. */
  private readonly lastId: Float64Array;
  /** Transitions written so far (the next write id). */
  written = 0;

  constructor({ capacity, obsDim, streams }: SharedReplaySpec) {
    for (const [k, v] of [
      ['capacity', capacity],
      ['obsDim', obsDim],
      ['streams', streams],
    ] as const)
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`SharedReplay: ${k} must be a positive integer, got ${v}`);
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
    this.truncated = new Uint8Array(capacity);
    this.experts = new Int32Array(capacity);
    this.owners = new Int32Array(capacity);
    this.logProbs = new Float32Array(capacity);
    this.nextId = new Float64Array(capacity).fill(-1);
    this.lastId = new Float64Array(streams).fill(-1);
  }

  get size(): number {
    return Math.min(this.written, this.capacity);
  }

  /** Rows still in the ring hold write ids ≥ this. */
  private get oldest(): number {
    return Math.max(0, this.written - this.capacity);
  }

  /** Stores a transition; returns its write id (for `setOwner`). */
  add(stream: number, t: SharedTransition): number {
    if (!(stream >= 0 && stream < this.lastId.length))
      throw new Error(`SharedReplay: stream ${stream} out of 0..${this.lastId.length - 1}`);
    const id = this.written;
    const row = id % this.capacity;
    const d = this.obsDim;
    if (t.obs.length < d || t.nextObs.length < d)
      throw new Error(
        `SharedReplay: observations need ${d} values, got ${t.obs.length} and ${t.nextObs.length}`,
      );
    for (let j = 0; j < d; j++) {
      this.obs[row * d + j] = t.obs[j];
      this.nextObs[row * d + j] = t.nextObs[j];
    }
    this.actions[row] = t.action;
    this.rewards[row] = t.reward;
    this.terminated[row] = t.terminated ? 1 : 0;
    this.truncated[row] = t.truncated ? 1 : 0;
    this.experts[row] = t.expert;
    this.owners[row] = t.expert;
    this.logProbs[row] = t.logProb;
    this.nextId[row] = -1;
    const prev = this.lastId[stream];
    // The predecessor must still be in the ring after this write: when prev = id − capacity, this
    // write has just overwritten it, and linking would make the row its own successor.
    if (prev >= 0 && prev > id - this.capacity) this.nextId[prev % this.capacity] = id;
    this.lastId[stream] = t.terminated || t.truncated ? -1 : id;
    this.written++;
    return id;
  }

  /** Gives the row written as `id` to `expert`'s own days (no-op once the ring has overwritten it). */
  setOwner(id: number, expert: number): void {
    if (id >= this.oldest && id < this.written) this.owners[id % this.capacity] = expert;
  }

  /** The row after `row` in its episode, or −1 (episode end, not yet written, or overwritten). */
  next(row: number): number {
    if (this.terminated[row] || this.truncated[row]) return -1;
    const id = this.nextId[row];
    if (id < 0 || id < this.oldest || id >= this.written) return -1;
    return id % this.capacity;
  }

  /**
   * `count` segments of up to `length` consecutive steps, starts uniform over the stored rows; with
   * `prefer`, each start is (with probability `share`) a day the given expert owns (rejection
   * sampling, at most 64 draws; the last draw is kept when that expert has hardly any days).
   */
  sampleSegments(
    count: number,
    length: number,
    rng: Rng,
    prefer?: { expert: number; share: number },
  ): Segments {
    const n = this.size;
    if (n === 0) throw new Error('SharedReplay: sampleSegments() on an empty buffer');
    const rows: number[] = [];
    const offsets = new Int32Array(count + 1);
    for (let j = 0; j < count; j++) {
      let r = rng.int(n);
      if (prefer && prefer.share > 0 && rng.float() < prefer.share)
        for (let tries = 1; tries < 64 && this.owners[r] !== prefer.expert; tries++) r = rng.int(n);
      for (let s = 0; s < length && r >= 0; s++) {
        rows.push(r);
        r = this.next(r);
      }
      offsets[j + 1] = rows.length;
    }
    return { rows: Int32Array.from(rows), offsets };
  }
}
