import { Rng } from '../rng.ts';
import type { Action, BoxSpace, Env, Info, Space, StepResult } from './types.ts';
import { logitCount, spaceSize } from './types.ts';

/**
 * Gymnasium's env_checker for this lab's envs. Checks, in order:
 *   - the declared spaces are well formed;
 *   - reset({seed}) and step(a) return observations of the declared size, finite (no NaN/Inf)
 *     and inside the observation Box; rewards finite; terminated/truncated booleans; info an
 *     object with the required keys, finite rewardParts and well-formed action masks;
 *   - determinism: the same seed and the same actions give the same trajectory, bit for bit;
 *   - seed sensitivity (only when `stochastic`): different seeds give different trajectories.
 * Throws EnvCheckError naming the check, the step and the value that failed.
 */
export interface CheckEnvOptions {
  /** Steps per checked trajectory (episodes reset as they end). Default 64. */
  steps?: number;
  /** Seed of the first trajectory. Default 123. */
  seed?: number;
  /** The env draws from its Rng (random starts, noise): different seeds must then differ. Default false. */
  stochastic?: boolean;
  /** Keys every reset/step info must carry. */
  infoKeys?: string[];
  /** Action sampler; default uniform over the action space (Box: uniform in its bounds). */
  sampleAction?: (rng: Rng, space: Space) => Action;
}

export class EnvCheckError extends Error {
  constructor(message: string) {
    super(`checkEnv: ${message}`);
    this.name = 'EnvCheckError';
  }
}

interface Trajectory {
  obs: Float32Array[];
  rewards: number[];
  flags: string[];
}

export function checkEnv(env: Env, opts: CheckEnvOptions = {}): void {
  const steps = opts.steps ?? 64;
  const seed = opts.seed ?? 123;
  checkSpace(env.observationSpace, 'observationSpace');
  if (env.observationSpace.kind !== 'box')
    throw new EnvCheckError(`observationSpace must be a Box, got '${(env.observationSpace as Space).kind}'`);
  checkSpace(env.actionSpace, 'actionSpace');

  // The same action sequence drives every trajectory, so only the env's own randomness differs.
  const actionRng = new Rng(seed ^ 0x5eed);
  const sample = opts.sampleAction ?? sampleAction;
  const actions = Array.from({ length: steps }, () => copyAction(sample(actionRng, env.actionSpace)));
  for (let k = 0; k < actions.length; k++) checkActionInSpace(actions[k], env.actionSpace, k);

  const first = rollout(env, seed, actions, opts.infoKeys ?? []);
  const again = rollout(env, seed, actions, opts.infoKeys ?? []);
  const diff = firstDifference(first, again);
  if (diff)
    throw new EnvCheckError(
      `not deterministic: two runs with seed ${seed} and the same actions differ at ${diff}`,
    );
  if (opts.stochastic) {
    const other = rollout(env, seed + 1, actions, opts.infoKeys ?? []);
    if (!firstDifference(first, other)) {
      throw new EnvCheckError(
        `seeds ${seed} and ${seed + 1} gave identical trajectories, but the env is declared stochastic`,
      );
    }
  }
}

function rollout(env: Env, seed: number, actions: Action[], infoKeys: string[]): Trajectory {
  const space = env.observationSpace;
  const traj: Trajectory = { obs: [], rewards: [], flags: [] };
  const reset = env.reset({ seed });
  checkObs(reset.obs, space, 'reset');
  checkInfo(reset.info, env, infoKeys, 'reset');
  traj.obs.push(Float32Array.from(reset.obs));
  for (let k = 0; k < actions.length; k++) {
    const where = `step ${k}`;
    const res = env.step(actions[k]) as StepResult<Info>;
    if (!res || typeof res !== 'object')
      throw new EnvCheckError(`${where}: step() returned ${String(res)}, not a StepResult`);
    checkObs(res.obs, space, where);
    if (typeof res.reward !== 'number' || !Number.isFinite(res.reward))
      throw new EnvCheckError(`${where}: reward ${String(res.reward)} is not a finite number`);
    if (typeof res.terminated !== 'boolean' || typeof res.truncated !== 'boolean') {
      throw new EnvCheckError(
        `${where}: terminated/truncated must be booleans, got ${typeof res.terminated}/${typeof res.truncated}`,
      );
    }
    checkInfo(res.info, env, infoKeys, where);
    traj.obs.push(Float32Array.from(res.obs));
    traj.rewards.push(res.reward);
    traj.flags.push(`${res.terminated ? 'T' : '-'}${res.truncated ? 't' : '-'}`);
    if (res.terminated || res.truncated) {
      // Continue unseeded: the env's own stream must carry on deterministically too.
      const next = env.reset();
      checkObs(next.obs, space, `reset after ${where}`);
      checkInfo(next.info, env, infoKeys, `reset after ${where}`);
      traj.obs.push(Float32Array.from(next.obs));
    }
  }
  return traj;
}

function checkObs(obs: unknown, space: BoxSpace, where: string): void {
  if (!(obs instanceof Float32Array))
    throw new EnvCheckError(`${where}: observation is ${describe(obs)}, expected a Float32Array`);
  const size = spaceSize(space);
  if (obs.length !== size)
    throw new EnvCheckError(
      `${where}: observation has ${obs.length} values, observationSpace shape [${space.shape.join(', ')}] needs ${size}`,
    );
  for (let k = 0; k < size; k++) {
    const v = obs[k];
    if (!Number.isFinite(v)) throw new EnvCheckError(`${where}: observation[${k}] = ${v} is not finite`);
    const lo = typeof space.low === 'number' ? space.low : space.low[k];
    const hi = typeof space.high === 'number' ? space.high : space.high[k];
    if (v < lo || v > hi)
      throw new EnvCheckError(
        `${where}: observation[${k}] = ${v} is outside the declared bounds [${lo}, ${hi}]`,
      );
  }
}

function checkInfo(info: unknown, env: Env, keys: string[], where: string): void {
  if (!info || typeof info !== 'object' || Array.isArray(info))
    throw new EnvCheckError(`${where}: info is ${describe(info)}, expected an object`);
  const rec = info as Info;
  for (const key of keys)
    if (!(key in rec)) throw new EnvCheckError(`${where}: info lacks the required field '${key}'`);
  if (rec.rewardParts !== undefined) {
    for (const [name, v] of Object.entries(rec.rewardParts)) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new EnvCheckError(`${where}: info.rewardParts.${name} = ${String(v)} is not a finite number`);
    }
  }
  if (rec.actionMask !== undefined) checkMask(rec.actionMask, env.actionSpace, `${where}: info.actionMask`);
  if (env.actionMask) checkMask(env.actionMask(), env.actionSpace, `${where}: actionMask()`);
}

function checkMask(mask: unknown, space: Space, what: string): void {
  if (!(mask instanceof Uint8Array))
    throw new EnvCheckError(`${what} is ${describe(mask)}, expected a Uint8Array`);
  const n = logitCount(space);
  if (mask.length !== n)
    throw new EnvCheckError(`${what} has ${mask.length} entries, the action space has ${n} logits`);
  for (let k = 0; k < n; k++)
    if (mask[k] !== 0 && mask[k] !== 1)
      throw new EnvCheckError(`${what}[${k}] = ${mask[k]}, expected 0 or 1`);
  // Every head must keep at least one allowed action, or a masked policy has nothing to sample.
  const heads = space.kind === 'multi-discrete' ? space.nvec : space.kind === 'discrete' ? [space.n] : [];
  let off = 0;
  for (let h = 0; h < heads.length; h++) {
    let any = 0;
    for (let j = 0; j < heads[h]; j++) any |= mask[off + j];
    if (!any) throw new EnvCheckError(`${what}: head ${h} has no allowed action`);
    off += heads[h];
  }
}

function checkSpace(space: Space, what: string): void {
  const isPosInt = (x: number) => Number.isInteger(x) && x >= 1;
  switch (space?.kind) {
    case 'box': {
      if (!Array.isArray(space.shape) || space.shape.length === 0 || !space.shape.every(isPosInt)) {
        throw new EnvCheckError(
          `${what}.shape [${String(space.shape)}] must be a non-empty list of positive integers`,
        );
      }
      const size = spaceSize(space);
      for (const [name, b] of [
        ['low', space.low],
        ['high', space.high],
      ] as const) {
        if (typeof b === 'number') {
          if (Number.isNaN(b)) throw new EnvCheckError(`${what}.${name} is NaN`);
        } else if (!(b instanceof Float32Array) || b.length !== size) {
          throw new EnvCheckError(`${what}.${name} must be a number or a Float32Array of ${size} values`);
        }
      }
      for (let k = 0; k < size; k++) {
        const lo = typeof space.low === 'number' ? space.low : space.low[k];
        const hi = typeof space.high === 'number' ? space.high : space.high[k];
        if (!(lo <= hi)) throw new EnvCheckError(`${what}: low[${k}] = ${lo} > high[${k}] = ${hi}`);
      }
      return;
    }
    case 'discrete':
      if (!isPosInt(space.n)) throw new EnvCheckError(`${what}.n = ${space.n} must be a positive integer`);
      return;
    case 'multi-discrete':
      if (space.nvec.length === 0 || !space.nvec.every(isPosInt))
        throw new EnvCheckError(`${what}.nvec [${space.nvec.join(', ')}] must be positive integers`);
      return;
    default:
      throw new EnvCheckError(`${what} has unknown kind '${(space as { kind?: unknown })?.kind}'`);
  }
}

/** Uniform action from a space; Box bounds that are infinite fall back to N(0, 1). */
export function sampleAction(rng: Rng, space: Space): Action {
  switch (space.kind) {
    case 'discrete':
      return rng.int(space.n);
    case 'multi-discrete':
      return Int32Array.from(space.nvec, (n) => rng.int(n));
    case 'box': {
      const out = new Float32Array(spaceSize(space));
      for (let k = 0; k < out.length; k++) {
        const lo = typeof space.low === 'number' ? space.low : space.low[k];
        const hi = typeof space.high === 'number' ? space.high : space.high[k];
        out[k] = Number.isFinite(lo) && Number.isFinite(hi) ? rng.uniform(lo, hi) : rng.normal();
      }
      return out;
    }
  }
}

function checkActionInSpace(a: Action, space: Space, k: number): void {
  const bad = (why: string) => new EnvCheckError(`sampled action ${k} ${why}`);
  if (space.kind === 'discrete') {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= space.n)
      throw bad(`${String(a)} is not in Discrete(${space.n})`);
  } else if (space.kind === 'multi-discrete') {
    if (!(a instanceof Int32Array) || a.length !== space.nvec.length)
      throw bad(`must be an Int32Array of ${space.nvec.length}`);
    a.forEach((v, i) => {
      if (v < 0 || v >= space.nvec[i]) throw bad(`head ${i} = ${v} is outside [0, ${space.nvec[i]})`);
    });
  } else if (!(a instanceof Float32Array) || a.length !== spaceSize(space)) {
    throw bad(`must be a Float32Array of ${spaceSize(space)}`);
  }
}

function copyAction(a: Action): Action {
  return typeof a === 'number' ? a : a.slice();
}

function firstDifference(a: Trajectory, b: Trajectory): string | null {
  if (a.obs.length !== b.obs.length)
    return `the number of observations (${a.obs.length} vs ${b.obs.length}; episodes ended at different steps)`;
  for (let k = 0; k < a.rewards.length; k++) {
    if (!Object.is(a.rewards[k], b.rewards[k])) return `step ${k}: reward ${a.rewards[k]} vs ${b.rewards[k]}`;
    if (a.flags[k] !== b.flags[k]) return `step ${k}: terminated/truncated ${a.flags[k]} vs ${b.flags[k]}`;
  }
  for (let k = 0; k < a.obs.length; k++) {
    const x = a.obs[k];
    const y = b.obs[k];
    for (let j = 0; j < x.length; j++)
      if (!Object.is(x[j], y[j])) return `observation ${k}, element ${j}: ${x[j]} vs ${y[j]}`;
  }
  return null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
