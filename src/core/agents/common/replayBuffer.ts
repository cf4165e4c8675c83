/**
 * Uniform experience replay on typed arrays (SB3's ReplayBuffer, CleanRL's `rb`): a ring of
 * `capacity` transitions (s, a, r, s', terminated), oldest overwritten first. Off-policy learners
 * (SAC, DIAYN) write one row per env step and sample minibatches with the run's seeded Rng.
 *
 * `terminated` is stored, not `done`: a step cut by a time limit keeps its real next observation
 * (the vector env's finalObs) and terminated = 0, so the learner bootstraps through it
 * (SB3's handle_timeout_termination, CleanRL's real_next_obs).
 * Actions are Float32 rows of `actionDim` (a Discrete action is its index as a float).
 */
import type { Rng } from '../../rng.ts';

export interface ReplayBufferSpec {
  capacity: number;
  obsDim: number;
  actionDim: number;
}

/** One sampled minibatch, row-major; reused between calls of `sample` with the same size. */
export interface ReplaySample {
  size: number;
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  terminated: Float32Array;
  /** Buffer rows the samples came from. */
  indices: Int32Array;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  /** Next row to write. */
  private pos = 0;
  private full = false;
  private out: ReplaySample | null = null;

  constructor({ capacity, obsDim, actionDim }: ReplayBufferSpec) {
    for (const [k, v] of [
      ['capacity', capacity],
      ['obsDim', obsDim],
      ['actionDim', actionDim],
    ] as const)
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`ReplayBuffer: ${k} must be a positive integer, got ${v}`);
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Float32Array(capacity * actionDim);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
  }

  /** Transitions stored (≤ capacity). */
  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  /** Store one transition; `obs`, `nextObs` and `action` are read at the given row offsets. */
  add(
    obs: ArrayLike<number>,
    nextObs: ArrayLike<number>,
    action: ArrayLike<number>,
    reward: number,
    terminated: boolean,
    row = 0,
  ): void {
    const { obsDim: d, actionDim: a, pos } = this;
    for (let j = 0; j < d; j++) {
      this.obs[pos * d + j] = obs[row * d + j];
      this.nextObs[pos * d + j] = nextObs[row * d + j];
    }
    for (let j = 0; j < a; j++) this.actions[pos * a + j] = action[row * a + j];
    this.rewards[pos] = reward;
    this.terminated[pos] = terminated ? 1 : 0;
    this.pos = (pos + 1) % this.capacity;
    if (this.pos === 0) this.full = true;
  }

  /** `batchSize` rows drawn uniformly with replacement (SB3 and CleanRL sample the same way). */
  sample(batchSize: number, rng: Rng): ReplaySample {
    const n = this.size;
    if (n === 0) throw new Error('ReplayBuffer: sample() on an empty buffer');
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`ReplayBuffer: batchSize must be a positive integer, got ${batchSize}`);
    const { obsDim: d, actionDim: a } = this;
    if (!this.out || this.out.size !== batchSize)
      this.out = {
        size: batchSize,
        obs: new Float32Array(batchSize * d),
        nextObs: new Float32Array(batchSize * d),
        actions: new Float32Array(batchSize * a),
        rewards: new Float32Array(batchSize),
        terminated: new Float32Array(batchSize),
        indices: new Int32Array(batchSize),
      };
    const o = this.out;
    for (let b = 0; b < batchSize; b++) {
      const i = rng.int(n);
      o.indices[b] = i;
      o.obs.set(this.obs.subarray(i * d, (i + 1) * d), b * d);
      o.nextObs.set(this.nextObs.subarray(i * d, (i + 1) * d), b * d);
      o.actions.set(this.actions.subarray(i * a, (i + 1) * a), b * a);
      o.rewards[b] = this.rewards[i];
      o.terminated[b] = this.terminated[i];
    }
    return o;
  }
}
