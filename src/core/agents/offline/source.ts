/**
 * Where an offline learner's data comes from (config.dataset):
 * - `file: NAME` — a dataset handed over with provideDataset()/provideDatasetFile() under that
 *   name (core has no file system: the CLI or the worker reads the file and hands the bytes over);
 * - otherwise a rollout of the behaviour policy in training env 0: 'random' (uniform over the
 *   action space, mask-respecting) or 'constant' (always `action` on every head, e.g. BUY = 1 in
 *   TradingEnv), with `randomMix` of random actions mixed in, seeded by config.seed.
 * Residual IQL also needs its baseline rule at acting time: provideBaseline() under a name.
 */
import { Rng } from '../../rng.ts';
import type { Action, Env, Space } from '../../envs/types.ts';
import { spaceSize } from '../../envs/types.ts';
import type { SetupProgress } from '../../run/learner.ts';
import { collectDataset, randomAction, type RolloutPolicy } from './collect.ts';
import { type OfflineDataset, spaceToJson, validateDataset } from './dataset.ts';
import { decodeDatasetFile } from './index.ts';

export interface DatasetSourceConfig {
  /** Name of a provided dataset (provideDataset / provideDatasetFile); null = collect by rollout. Default null. */
  file: string | null;
  /** Rollout behaviour: 'random' or 'constant'. Default 'random'. */
  behaviour: 'random' | 'constant';
  /** The constant behaviour's action, on every head (Box: every dimension). Default 0. */
  action: number;
  /** Transitions to collect. Default 20 000. */
  steps: number;
  /** Fraction of random actions mixed into the behaviour. Default 0.5. */
  randomMix: number;
}

export const defaultDatasetSource: DatasetSourceConfig = {
  file: null,
  behaviour: 'random',
  action: 0,
  steps: 20_000,
  randomMix: 0.5,
};

const provided = new Map<string, OfflineDataset>();
const baselines = new Map<string, RolloutPolicy>();

/** Hand a dataset to the registry under a name; configs refer to it as dataset.file = name. */
export function provideDataset(name: string, ds: OfflineDataset): void {
  provided.set(name, ds);
}

/** Decode a file's bytes/text (binary or CSV, see decodeDatasetFile) and provide it under its name. */
export function provideDatasetFile(name: string, data: Uint8Array | ArrayBuffer | string): OfflineDataset {
  const ds = decodeDatasetFile(name, data);
  provided.set(name, ds);
  return ds;
}

/** Hand residual IQL the baseline rule it scales (the rule that gave the dataset's baseline column). */
export function provideBaseline(name: string, rule: RolloutPolicy): void {
  baselines.set(name, rule);
}

export function providedBaseline(name: string): RolloutPolicy {
  const rule = baselines.get(name);
  if (!rule)
    throw new Error(`baseline rule '${name}' was not provided (call provideBaseline('${name}', rule))`);
  return rule;
}

function behaviourPolicy(space: Space, src: DatasetSourceConfig, seed: number): RolloutPolicy {
  if (src.behaviour === 'random') {
    const rng = new Rng(seed).fork('offline/behaviour');
    return (_obs, ctx) => randomAction(space, rng, ctx.mask);
  }
  if (src.behaviour !== 'constant')
    throw new Error(`dataset.behaviour must be 'random' or 'constant', got '${String(src.behaviour)}'`);
  if (space.kind === 'discrete') return () => src.action;
  if (space.kind === 'multi-discrete') return () => new Int32Array(space.nvec.length).fill(src.action);
  return () => new Float32Array(spaceSize(space)).fill(src.action);
}

/** A provided dataset, checked against the env (a CSV's inferred action space adopts the env's). */
function providedDataset(name: string, env: Env<Action>): OfflineDataset {
  const ds = provided.get(name);
  if (!ds)
    throw new Error(
      `dataset '${name}' was not provided (the CLI reads --set dataset.file=PATH; a worker calls provideDatasetFile)`,
    );
  const envObs = spaceSize(env.observationSpace);
  if (ds.obsDim !== envObs)
    throw new Error(
      `dataset '${name}' has ${ds.obsDim} observation columns, the env's observation has ${envObs}`,
    );
  const a = JSON.stringify(spaceToJson(ds.meta.actionSpace));
  const b = JSON.stringify(spaceToJson(env.actionSpace));
  if (a === b) return ds;
  // A CSV without a meta line has its space inferred from the actions seen (e.g. Discrete(2) when
  // only 0/1 occur): adopt the env's space when the actions fit it.
  if (ds.meta.actionSpace.kind === env.actionSpace.kind && ds.actionDim === spaceSize(env.actionSpace)) {
    try {
      return validateDataset({ ...ds, meta: { ...ds.meta, actionSpace: env.actionSpace } }, name);
    } catch (e) {
      throw new Error(`dataset '${name}' does not fit the env's action space ${b}: ${(e as Error).message}`);
    }
  }
  throw new Error(`dataset '${name}' action space ${a} differs from the env's ${b}`);
}

/**
 * The dataset a learner trains on: a provided file, or a rollout in env 0 (reporting progress).
 * `behaviourReturn` is the rollout's mean episode return (NaN for a file).
 */
export function loadDataset(
  src: DatasetSourceConfig,
  env: Env<Action>,
  seed: number,
  onProgress?: (p: SetupProgress) => void,
): { dataset: OfflineDataset; behaviourReturn: number } {
  if (src.file !== null && src.file !== undefined)
    return { dataset: providedDataset(src.file, env), behaviourReturn: NaN };
  const res = collectDataset(env, behaviourPolicy(env.actionSpace, src, seed), {
    steps: src.steps,
    randomMix: src.behaviour === 'random' ? 0 : src.randomMix,
    seed,
    source: `rollout:${src.behaviour}${src.behaviour === 'constant' ? `:${src.action}` : ''}`,
    ...(onProgress
      ? { onProgress: (done: number, total: number) => onProgress({ phase: 'collect', done, total }) }
      : {}),
  });
  return { dataset: res.dataset, behaviourReturn: res.meanReturn };
}
