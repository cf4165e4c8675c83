import type { Action, Env, Info, ResetOptions, Space } from './types.ts';
import { spaceSize } from './types.ts';

/**
 * K copies of an env stepped together (SB3's DummyVecEnv / Gymnasium's SyncVectorEnv).
 * Observations come back batched in one preallocated Float32Array [K * obsSize]; env i is
 * seeded with seed + i; a finished env resets itself and its final observation and info are
 * kept in `infos[i].finalObs` / `infos[i].finalInfo`, as SB3 does.
 */
export interface VectorStepResult {
  /** [K * obsSize]; rows of finished envs already hold the next episode's first observation. */
  obs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
}

export interface FinalInfo extends Info {
  finalObs?: Float32Array;
  finalInfo?: Info;
}

export class SyncVectorEnv<A extends Action = Action> {
  readonly numEnvs: number;
  readonly envs: Env<A>[];
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly obsSize: number;
  /** Flat action width per env: 1 (Discrete), heads (MultiDiscrete) or dims (Box). */
  readonly actionSize: number;

  private readonly obsBuf: Float32Array;
  private readonly rewardBuf: Float32Array;
  private readonly terminatedBuf: Uint8Array;
  private readonly truncatedBuf: Uint8Array;
  private readonly actionViews: A[];
  /** Row i of obsBuf, handed to env i when it can write there itself (Env.setObservationBuffer). */
  private readonly obsRows: Float32Array[];

  constructor(makeEnv: (index: number) => Env<A>, numEnvs: number) {
    if (!(numEnvs >= 1) || !Number.isInteger(numEnvs))
      throw new Error(`numEnvs must be a positive integer, got ${numEnvs}`);
    this.numEnvs = numEnvs;
    this.envs = Array.from({ length: numEnvs }, (_, i) => makeEnv(i));
    this.observationSpace = this.envs[0].observationSpace;
    this.actionSpace = this.envs[0].actionSpace;
    this.obsSize = spaceSize(this.observationSpace);
    this.actionSize = spaceSize(this.actionSpace);
    this.obsBuf = new Float32Array(numEnvs * this.obsSize);
    this.rewardBuf = new Float32Array(numEnvs);
    this.terminatedBuf = new Uint8Array(numEnvs);
    this.truncatedBuf = new Uint8Array(numEnvs);
    this.actionViews = [];
    this.obsRows = this.envs.map((env, i) => {
      const row = this.obsBuf.subarray(i * this.obsSize, (i + 1) * this.obsSize);
      env.setObservationBuffer?.(row);
      return row;
    });
  }

  /** Reset every env; env i gets seed + i when a seed is given. */
  reset(opts: ResetOptions = {}): { obs: Float32Array; infos: Info[] } {
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const seed = opts.seed === undefined ? undefined : opts.seed + i;
      const { obs, info } = this.envs[i].reset({ ...opts, seed });
      if (obs !== this.obsRows[i]) this.obsBuf.set(obs, i * this.obsSize);
      infos.push(info);
    }
    return { obs: this.obsBuf, infos };
  }

  /**
   * Step every env. `actions` is either one action per env (array of K) or a flat typed array
   * [K * actionSize] (Int32Array for discrete spaces, Float32Array for Box).
   */
  step(actions: A[] | Int32Array | Float32Array): VectorStepResult {
    const infos: Info[] = new Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const a = this.actionFor(actions, i);
      const env = this.envs[i];
      const res = env.step(a);
      let info: FinalInfo = res.info;
      let obs = res.obs;
      if (res.terminated || res.truncated) {
        // Copy before reset: envs may reuse one obs buffer, which reset() overwrites.
        const finalObs = Float32Array.from(res.obs);
        const next = env.reset();
        info = { ...next.info, finalObs, finalInfo: res.info };
        obs = next.obs;
      }
      if (obs !== this.obsRows[i]) this.obsBuf.set(obs, i * this.obsSize);
      this.rewardBuf[i] = res.reward;
      this.terminatedBuf[i] = res.terminated ? 1 : 0;
      this.truncatedBuf[i] = res.truncated ? 1 : 0;
      infos[i] = info;
    }
    return {
      obs: this.obsBuf,
      rewards: this.rewardBuf,
      terminated: this.terminatedBuf,
      truncated: this.truncatedBuf,
      infos,
    };
  }

  /** Masks of every env concatenated [K * logits], or null when the env has none. */
  actionMasks(): Uint8Array | null {
    const first = this.envs[0].actionMask?.();
    if (!first) return null;
    const out = new Uint8Array(this.numEnvs * first.length);
    out.set(first, 0);
    for (let i = 1; i < this.numEnvs; i++) out.set(this.envs[i].actionMask!(), i * first.length);
    return out;
  }

  private actionFor(actions: A[] | Int32Array | Float32Array, i: number): A {
    if (Array.isArray(actions)) return actions[i];
    const flat = actions as Int32Array | Float32Array;
    if (this.actionSpace.kind === 'discrete') return flat[i] as A;
    // Reuse subarray views: no per-step allocation after the first step.
    let view = this.actionViews[i] as Int32Array | Float32Array | undefined;
    if (
      !view ||
      view.buffer !== flat.buffer ||
      view.byteOffset !== flat.byteOffset + i * this.actionSize * flat.BYTES_PER_ELEMENT
    ) {
      view = flat.subarray(i * this.actionSize, (i + 1) * this.actionSize);
      this.actionViews[i] = view as A;
    }
    return view as A;
  }
}
