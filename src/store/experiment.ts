import { ALGO_FIELDS, PRESETS, type AlgoId } from './algorithms.ts';
import {
  DATA_FIELDS,
  DATASET_SPLITS,
  ENV_FIELDS,
  FEATURE_FIELDS,
  SPLIT_FIELDS,
  SYNTHETIC_FIELDS,
  TRAIN_FIELDS,
} from './config.ts';
import { defaultsOf, type FieldSpec, type Values } from './fields.ts';

/**
 * The whole experiment as plain data: what a link reproduces and what a run records.
 * Every part is a flat key → value map described by the field specs in config.ts/algorithms.ts.
 */
export interface Experiment {
  data: Values;
  synthetic: Values;
  /** Selected tickers; empty = all assets of the dataset. */
  assets: string[];
  splits: Values;
  features: Values;
  env: Values;
  algo: AlgoId;
  /** Hyperparameters of every algorithm, so switching algorithm keeps what the user set. */
  hp: Record<AlgoId, Values>;
  train: Values;
}

/** Sections of the experiment that are plain field maps, with their specs. */
export const SECTIONS = {
  data: DATA_FIELDS,
  synthetic: SYNTHETIC_FIELDS,
  splits: SPLIT_FIELDS,
  features: FEATURE_FIELDS,
  env: ENV_FIELDS,
  train: TRAIN_FIELDS,
} as const satisfies Record<string, readonly FieldSpec[]>;
export type SectionName = keyof typeof SECTIONS;

export function defaultHp(algo: AlgoId, preset = 'standard'): Values {
  return { ...defaultsOf(ALGO_FIELDS[algo]), ...(PRESETS[algo][preset] ?? {}) };
}

export function defaultExperiment(): Experiment {
  return {
    data: defaultsOf(DATA_FIELDS),
    synthetic: defaultsOf(SYNTHETIC_FIELDS),
    assets: [],
    splits: { ...defaultsOf(SPLIT_FIELDS), ...DATASET_SPLITS.sp500 },
    features: defaultsOf(FEATURE_FIELDS),
    env: defaultsOf(ENV_FIELDS),
    algo: 'a2c',
    hp: { a2c: defaultHp('a2c'), ppo: defaultHp('ppo'), bc: defaultHp('bc'), iql: defaultHp('iql') },
    train: defaultsOf(TRAIN_FIELDS),
  };
}

/** Which preset (if any) the current hyperparameters match exactly. */
export function matchingPreset(algo: AlgoId, hp: Values): string | null {
  for (const [name] of Object.entries(PRESETS[algo])) {
    const full = defaultHp(algo, name);
    if (Object.keys(full).every((k) => full[k] === hp[k])) return name;
  }
  return null;
}
