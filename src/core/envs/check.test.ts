import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { EnvCheckError, checkEnv } from './check.ts';
import type {
  BoxSpace,
  Env,
  Info,
  MultiDiscreteSpace,
  ResetOptions,
  ResetResult,
  StepResult,
} from './types.ts';

/** A small random-walk env with switchable defects. */
interface Defects {
  nanAt?: number;
  outOfBoundsAt?: number;
  wrongLength?: boolean;
  leakState?: boolean;
  ignoreSeed?: boolean;
  badReward?: boolean;
  dropInfoKey?: boolean;
  emptyMaskHead?: boolean;
  terminatedAsNumber?: boolean;
}

class WalkEnv implements Env<Int32Array> {
  readonly observationSpace: BoxSpace = { kind: 'box', shape: [3], low: -10, high: 10 };
  readonly actionSpace: MultiDiscreteSpace = { kind: 'multi-discrete', nvec: [3, 2] };
  private rng = new Rng(0);
  private x = 0;
  private steps = 0;
  private leaked = 0;

  constructor(private readonly defects: Defects = {}) {}

  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined && !this.defects.ignoreSeed) this.rng.seed(opts.seed);
    this.x = this.rng.uniform(-1, 1);
    this.steps = 0;
    return { obs: this.obs(), info: { x: this.x } };
  }

  step(a: Int32Array): StepResult {
    this.steps++;
    if (this.defects.leakState) this.leaked += 0.001;
    this.x = Math.max(-5, Math.min(5, this.x + (a[0] - 1) * 0.1 + this.rng.normal(0, 0.1) + this.leaked));
    const info: Info = { x: this.x, rewardParts: { walk: -Math.abs(this.x) }, actionMask: this.mask() };
    if (this.defects.dropInfoKey && this.steps === 3) delete info.x;
    const terminated = this.steps >= 10;
    return {
      obs: this.obs(),
      reward: this.defects.badReward && this.steps === 4 ? NaN : -Math.abs(this.x),
      terminated: (this.defects.terminatedAsNumber ? Number(terminated) : terminated) as boolean,
      truncated: false,
      info,
    };
  }

  actionMask(): Uint8Array {
    return this.mask();
  }

  private mask(): Uint8Array {
    return Uint8Array.from([1, 1, 1, this.defects.emptyMaskHead && this.steps === 2 ? 0 : 1, 0]);
  }

  private obs(): Float32Array {
    if (this.defects.wrongLength) return new Float32Array(2);
    const o = Float32Array.from([this.x, this.steps / 10, 1]);
    if (this.defects.nanAt === this.steps) o[1] = NaN;
    if (this.defects.outOfBoundsAt === this.steps) o[2] = 11;
    return o;
  }
}

const opts = { steps: 25, stochastic: true, infoKeys: ['x'] };

describe('checkEnv', () => {
  it('passes a correct env', () => {
    expect(() => checkEnv(new WalkEnv(), opts)).not.toThrow();
  });

  it.each<[string, Defects, RegExp]>([
    ['NaN in an observation', { nanAt: 5 }, /step 4: observation\[1\] = NaN is not finite/],
    [
      'an observation outside its Box',
      { outOfBoundsAt: 0 },
      /reset: observation\[2\] = 11 is outside the declared bounds \[-10, 10\]/,
    ],
    [
      'an observation of the wrong size',
      { wrongLength: true },
      /reset: observation has 2 values, observationSpace shape \[3\] needs 3/,
    ],
    [
      'state leaking across episodes (same seed, different runs)',
      { leakState: true },
      /not deterministic: two runs with seed 123/,
    ],
    [
      'a stochastic env that ignores the seed',
      { ignoreSeed: true },
      /not deterministic|identical trajectories/,
    ],
    ['a NaN reward', { badReward: true }, /step 3: reward NaN is not a finite number/],
    ['a missing info field', { dropInfoKey: true }, /step 2: info lacks the required field 'x'/],
    [
      'a mask head with no allowed action',
      { emptyMaskHead: true },
      /info.actionMask: head 1 has no allowed action/,
    ],
    ['a non-boolean terminated', { terminatedAsNumber: true }, /terminated\/truncated must be booleans/],
  ])('catches %s', (_name, defects, message) => {
    expect(() => checkEnv(new WalkEnv(defects), opts)).toThrow(EnvCheckError);
    expect(() => checkEnv(new WalkEnv(defects), opts)).toThrow(message);
  });

  it('catches a malformed space', () => {
    const env = new WalkEnv();
    (env as { observationSpace: BoxSpace }).observationSpace = { kind: 'box', shape: [3], low: 1, high: 0 };
    expect(() => checkEnv(env, opts)).toThrow(/low\[0\] = 1 > high\[0\] = 0/);
  });

  it('does not require seed sensitivity unless the env is declared stochastic', () => {
    expect(() => checkEnv(new WalkEnv({ ignoreSeed: true }), { steps: 5, stochastic: false })).toThrow(
      /not deterministic/,
    );
    // Ignoring the seed is only caught because the stream then carries over between runs; a
    // constant env passes when not declared stochastic.
    class ConstEnv extends WalkEnv {
      override reset(): ResetResult {
        return { obs: Float32Array.from([0, 0, 1]), info: { x: 0 } };
      }
      override step(): StepResult {
        return {
          obs: Float32Array.from([0, 0, 1]),
          reward: 0,
          terminated: false,
          truncated: false,
          info: { x: 0 },
        };
      }
    }
    expect(() => checkEnv(new ConstEnv(), { steps: 5 })).not.toThrow();
    expect(() => checkEnv(new ConstEnv(), { steps: 5, stochastic: true })).toThrow(/identical trajectories/);
  });
});
