/**
 * Offline datasets from rolling out any policy (a rule, a baseline, a trained agent) in an env
 * or a vector env, with a seeded fraction of uniformly random actions mixed in — the usual way
 * to make a "medium" / "mixed-quality" D4RL-style dataset.
 */
import { Rng } from '../../rng.ts';
import type { Action, Env, Info, Space } from '../../envs/types.ts';
import { spaceSize } from '../../envs/types.ts';
import type { FinalInfo, SyncVectorEnv } from '../../envs/vector.ts';
import {
  DatasetBuilder,
  type DatasetMeta,
  type OfflineDataset,
  boxBound,
  isDiscreteSpace,
} from './dataset.ts';

/** What a rollout policy may return: a bare action, or the action with a strength in [0, 1] (seed 004). */
export interface PolicyOutput {
  action: Action;
  strength?: number;
}

export interface PolicyContext {
  /** Index of the env inside a vector env (0 for a single env). */
  envIndex: number;
  /** Info of the step that produced `obs` (or of the reset). */
  info: Info;
  /** Action mask of the env, when it has one. */
  mask?: Uint8Array;
}

/** A policy as a plain function: observation → action. Called once per env step, in order. */
export type RolloutPolicy = (obs: Float32Array, ctx: PolicyContext) => Action | PolicyOutput;

export interface CollectOptions {
  /** Transitions to record, summed over the envs of a vector env. */
  steps: number;
  /** Fraction in [0, 1] of actions replaced by uniformly random (mask-respecting) ones. Default 0. */
  randomMix?: number;
  /** Seeds the env resets (env i of a vector env gets seed + i) and the random mix. Default 0. */
  seed?: number;
  /** Label stored in meta.source. Default 'policy'. */
  source?: string;
  /** Env description stored in meta.env. */
  env?: string;
  /** A second policy whose action is recorded beside the behaviour action (residual IQL's baseline). */
  baseline?: RolloutPolicy;
  /** Extra facts stored in meta.notes. */
  notes?: Record<string, string | number | boolean>;
  /** Called with (recorded, steps) every `progressEvery` transitions and once at the end. */
  onProgress?: (recorded: number, steps: number) => void;
  /** Default 500. */
  progressEvery?: number;
}

export interface CollectResult {
  dataset: OfflineDataset;
  /** Returns of the episodes that finished during collection (the behaviour policy's returns). */
  episodeReturns: number[];
  /** Mean of episodeReturns (NaN when no episode finished). */
  meanReturn: number;
}

function isPolicyOutput(v: Action | PolicyOutput): v is PolicyOutput {
  return typeof v === 'object' && !ArrayBuffer.isView(v) && 'action' in v;
}

function isVectorEnv(env: Env | SyncVectorEnv): env is SyncVectorEnv {
  return 'numEnvs' in env && 'envs' in env;
}

/** A uniformly random action of the space, honouring a flattened action mask when given. */
export function randomAction(space: Space, rng: Rng, mask?: Uint8Array): Action {
  const pick = (n: number, offset: number): number => {
    if (!mask) return rng.int(n);
    let allowed = 0;
    for (let j = 0; j < n; j++) allowed += mask[offset + j] ? 1 : 0;
    if (allowed === 0) return rng.int(n);
    let r = rng.int(allowed);
    for (let j = 0; j < n; j++) if (mask[offset + j] && r-- === 0) return j;
    return n - 1;
  };
  switch (space.kind) {
    case 'discrete':
      return pick(space.n, 0);
    case 'multi-discrete': {
      const a = new Int32Array(space.nvec.length);
      let off = 0;
      space.nvec.forEach((n, h) => {
        a[h] = pick(n, off);
        off += n;
      });
      return a;
    }
    case 'box': {
      const size = spaceSize(space);
      const a = new Float32Array(size);
      for (let j = 0; j < size; j++) {
        const lo = boxBound(space.low, j);
        const hi = boxBound(space.high, j);
        if (!Number.isFinite(lo) || !Number.isFinite(hi))
          throw new Error(
            `randomMix needs a bounded Box action space; element ${j} has bounds [${lo}, ${hi}]`,
          );
        a[j] = rng.uniform(lo, hi);
      }
      return a;
    }
  }
}

/**
 * Roll `policy` out for `steps` transitions and record them. Episodes that end are reset (the
 * vector env resets itself); the last transition of each env becomes a timeout so nothing
 * bootstraps past the data.
 */
export function collectDataset(
  env: Env | SyncVectorEnv,
  policy: RolloutPolicy,
  options: CollectOptions,
): CollectResult {
  const steps = options.steps;
  if (!(steps >= 1) || !Number.isInteger(steps))
    throw new Error(`collectDataset: steps must be a positive integer, got ${steps}`);
  const randomMix = options.randomMix ?? 0;
  if (!(randomMix >= 0 && randomMix <= 1))
    throw new Error(`collectDataset: randomMix must be in [0, 1], got ${randomMix}`);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed).fork('collect/random-mix');
  const vector = isVectorEnv(env);
  const envs: Env[] = vector ? env.envs : [env];
  const k = envs.length;
  const observationSpace = envs[0].observationSpace;
  const actionSpace = envs[0].actionSpace;
  const obsDim = spaceSize(observationSpace);
  const actionDim = spaceSize(actionSpace);
  const discrete = isDiscreteSpace(actionSpace);

  let strengthSeen = false;
  const builders: DatasetBuilder[] = [];
  const obs: Float32Array[] = [];
  const infos: Info[] = [];
  const running = new Float64Array(k);
  const episodeReturns: number[] = [];
  const makeBuilder = () =>
    new DatasetBuilder({
      obsDim,
      actionDim,
      discrete,
      strength: true,
      baseline: options.baseline !== undefined,
      capacity: Math.ceil(steps / k) + 1,
    });

  if (vector) {
    const res = env.reset({ seed });
    for (let i = 0; i < k; i++) {
      obs.push(res.obs.slice(i * obsDim, (i + 1) * obsDim));
      infos.push(res.infos[i]);
      builders.push(makeBuilder());
    }
  } else {
    const res = env.reset({ seed });
    obs.push(Float32Array.from(res.obs));
    infos.push(res.info);
    builders.push(makeBuilder());
  }

  const actions: Action[] = new Array(k);
  const strengths = new Float32Array(k);
  const baselines: Action[] = new Array(k);
  let recorded = 0;
  while (recorded < steps) {
    const active = Math.min(k, steps - recorded);
    const masks = vector ? env.actionMasks() : (envs[0].actionMask?.() ?? null);
    for (let i = 0; i < k; i++) {
      const mask = masks ? masks.subarray(i * (masks.length / k), (i + 1) * (masks.length / k)) : undefined;
      const ctx: PolicyContext = { envIndex: i, info: infos[i], mask };
      const out = policy(obs[i], ctx);
      let action = isPolicyOutput(out) ? out.action : out;
      let strength = isPolicyOutput(out) && out.strength !== undefined ? out.strength : NaN;
      if (!Number.isNaN(strength)) strengthSeen = true;
      // Draw for every env every step, so the stream does not depend on which envs were random.
      const u = rng.float();
      if (u < randomMix) {
        action = randomAction(actionSpace, rng, mask);
        if (!Number.isNaN(strength)) strength = rng.float();
      }
      actions[i] = copyAction(action, actionSpace);
      strengths[i] = strength;
      if (options.baseline) {
        const b = options.baseline(obs[i], ctx);
        baselines[i] = isPolicyOutput(b) ? b.action : b;
      }
    }
    if (vector) {
      const res = env.step(actions);
      for (let i = 0; i < k; i++) {
        const info = res.infos[i] as FinalInfo;
        const done = res.terminated[i] === 1 || res.truncated[i] === 1;
        const next = done && info.finalObs ? info.finalObs : res.obs.subarray(i * obsDim, (i + 1) * obsDim);
        running[i] += res.rewards[i];
        if (i < active) {
          builders[i].push({
            obs: obs[i],
            action: actions[i],
            reward: res.rewards[i],
            nextObs: next,
            terminal: res.terminated[i] === 1,
            timeout: res.truncated[i] === 1,
            // A policy that gives no strength for some steps records 0 there.
            strength: Number.isNaN(strengths[i]) ? 0 : strengths[i],
            baseline: options.baseline ? baselines[i] : undefined,
          });
        }
        if (done) {
          episodeReturns.push(running[i]);
          running[i] = 0;
        }
        obs[i].set(res.obs.subarray(i * obsDim, (i + 1) * obsDim));
        infos[i] = info;
      }
    } else {
      const e = envs[0];
      const res = e.step(actions[0]);
      running[0] += res.reward;
      builders[0].push({
        obs: obs[0],
        action: actions[0],
        reward: res.reward,
        nextObs: res.obs,
        terminal: res.terminated,
        timeout: res.truncated,
        strength: Number.isNaN(strengths[0]) ? 0 : strengths[0],
        baseline: options.baseline ? baselines[0] : undefined,
      });
      if (res.terminated || res.truncated) {
        episodeReturns.push(running[0]);
        running[0] = 0;
        const r = e.reset();
        obs[0] = Float32Array.from(r.obs);
        infos[0] = r.info;
      } else {
        obs[0] = Float32Array.from(res.obs);
        infos[0] = res.info;
      }
    }
    const before = recorded;
    recorded += active;
    const every = options.progressEvery ?? 500;
    if (
      options.onProgress &&
      (Math.floor(recorded / every) > Math.floor(before / every) || recorded === steps)
    )
      options.onProgress(recorded, steps);
  }

  const meta: DatasetMeta = {
    observationSpace,
    actionSpace,
    source: options.source ?? 'policy',
    seed,
    randomMix,
  };
  if (options.env !== undefined) meta.env = options.env;
  if (options.notes !== undefined) meta.notes = { ...options.notes };
  const parts = builders.map((b) => {
    b.markLastTimeout();
    return b.finish(meta);
  });
  const dataset = concatDatasets(parts, meta);
  if (!strengthSeen) delete dataset.strength;
  const meanReturn = episodeReturns.length
    ? episodeReturns.reduce((a, b) => a + b, 0) / episodeReturns.length
    : NaN;
  return { dataset, episodeReturns, meanReturn };
}

function copyAction(a: Action, space: Space): Action {
  if (typeof a === 'number') {
    if (space.kind !== 'discrete')
      throw new Error(`policy returned a number for a ${space.kind} action space`);
    return a;
  }
  return a.slice();
}

/** Datasets with one layout, appended in order (per-env trajectories stay contiguous). */
export function concatDatasets(parts: OfflineDataset[], meta: DatasetMeta = parts[0].meta): OfflineDataset {
  if (parts.length === 0) throw new Error('concatDatasets: nothing to concatenate');
  if (parts.length === 1) return { ...parts[0], meta };
  const cat = <T extends Float32Array | Int32Array | Uint8Array>(
    get: (d: OfflineDataset) => T | undefined,
  ): T | undefined => {
    const arrays = parts.map(get);
    if (arrays.some((a) => a === undefined)) return undefined;
    const total = arrays.reduce((s, a) => s + a!.length, 0);
    const out = new (arrays[0]!.constructor as new (n: number) => T)(total);
    let off = 0;
    for (const a of arrays) {
      out.set(a!, off);
      off += a!.length;
    }
    return out;
  };
  const first = parts[0];
  for (const p of parts) {
    if (p.obsDim !== first.obsDim || p.actionDim !== first.actionDim)
      throw new Error('concatDatasets: datasets differ in obsDim or actionDim');
  }
  const out: OfflineDataset = {
    size: parts.reduce((s, p) => s + p.size, 0),
    obsDim: first.obsDim,
    actionDim: first.actionDim,
    obs: cat((d) => d.obs)!,
    nextObs: cat((d) => d.nextObs)!,
    actions: cat((d) => d.actions)!,
    rewards: cat((d) => d.rewards)!,
    terminals: cat((d) => d.terminals)!,
    timeouts: cat((d) => d.timeouts)!,
    meta,
  };
  const strength = cat((d) => d.strength);
  if (strength) out.strength = strength;
  const baseline = cat((d) => d.baseline);
  if (baseline) out.baseline = baseline;
  return out;
}

export interface EvaluateOptions {
  episodes: number;
  seed?: number;
  /** Safety cap on steps per episode (default 100 000). */
  maxSteps?: number;
}

/** Returns of `episodes` full episodes of `policy` in `env` (seeded resets seed, seed + 1, …). */
export function evaluatePolicy(env: Env, policy: RolloutPolicy, options: EvaluateOptions): number[] {
  const seed = options.seed ?? 0;
  const maxSteps = options.maxSteps ?? 100_000;
  const out: number[] = [];
  for (let ep = 0; ep < options.episodes; ep++) {
    let { obs, info } = env.reset({ seed: seed + ep });
    let total = 0;
    for (let t = 0; t < maxSteps; t++) {
      const mask = env.actionMask?.();
      const o = policy(obs, { envIndex: 0, info, mask });
      const res = env.step(isPolicyOutput(o) ? o.action : o);
      total += res.reward;
      obs = res.obs;
      info = res.info;
      if (res.terminated || res.truncated) break;
    }
    out.push(total);
  }
  return out;
}
