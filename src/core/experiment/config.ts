/**
 * ExperimentConfig: one serialisable description of a whole experiment — data, assets, splits,
 * features, env, algorithm and its hyperparameters, seed, step budget, evaluation — shared by the
 * trainer worker, `lab train` and sweeps. Plain JSON (it travels in URLs, sweep specs and result
 * files), validated with zod; every error names the field (`features.window: …`).
 *
 * Sweeps address it by dotted paths (`agent.entCoef`, `env.buyPct`, `features.window`), so the
 * resolved config (`resolveExperimentConfig`) spells out every key with its default: a sweep key
 * that is not in it is a typo, and `checkConfigKeys` says so before anything runs.
 *
 * Pure: no tfjs here (the agent defaults are read through the algorithm registry, which loads each
 * algorithm lazily), so the UI can validate configs without pulling tfjs into its bundle.
 */
import { z } from 'zod';
import type { DateRange, SplitName, SplitSpec } from '../data/types.ts';
import { EMBEDDED_DATASETS } from '../data/embedded.ts';
import { resolveSyntheticConfig, SYNTHETIC_DEFAULTS, type SyntheticConfig } from '../data/synthetic.ts';
import {
  DEFAULT_FEATURE_CONFIG,
  featurePreset,
  validateFeatureConfig,
  type FeatureConfig,
} from '../features/config.ts';
import { DEFAULT_TRADING_CONFIG, type TradingEnvConfig } from '../envs/trading.ts';
import { DEFAULT_PORTFOLIO_CONFIG, type PortfolioEnvConfig } from '../envs/portfolio.ts';
import { getAlgorithm } from '../run/algorithms.ts';
import { deepMerge, isPlainObject } from './merge.ts';
import { BACKENDS, defaultSplitsFor, defaultTotalSteps } from './vocabulary.ts';
import { workflowIds, workflowSettings, workflowSettingsError, workflows } from '../workflows/registry.ts';

export { deepMerge, isPlainObject };

/** Bad experiment config: the user's input (the CLI maps it to exit 2). Messages name the field. */
export class ExperimentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentConfigError';
  }
}

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Baselines the evaluation can run beside the agent (names as they appear in results). */
export const BASELINE_NAMES = ['buy-and-hold', 'equal-weight', 'ma-10', 'ma-20', 'ma-30'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date YYYY-MM-DD');
const dateRange = z.strictObject({ start: isoDate, end: isoDate });

const dataSchema = z.discriminatedUnion('kind', [
  /** An embedded dataset (sp500, stocks). */
  z.strictObject({
    kind: z.literal('embedded'),
    name: z.enum(Object.keys(EMBEDDED_DATASETS) as [string, ...string[]]),
  }),
  /** The seeded synthetic generator (src/core/data/synthetic.ts); omitted fields take its defaults. */
  z.strictObject({ kind: z.literal('synthetic'), config: z.record(z.string(), z.unknown()).default({}) }),
  /** Data the caller provides (the user's CSV files): not reproducible from the config alone. */
  z.strictObject({ kind: z.literal('panel'), label: z.string().default('user data') }),
]);

const splitsSchema = z.union([
  z.strictObject({ train: dateRange, valid: dateRange, test: dateRange }),
  /** Train and valid shares of the panel's dates; test gets the rest. */
  z.strictObject({
    fractions: z.strictObject({ train: z.number().gt(0).lt(1), valid: z.number().gt(0).lt(1) }),
  }),
]);

const FEATURE_KEYS = Object.keys(DEFAULT_FEATURE_CONFIG).filter((k) => k !== 'split');

const featuresSchema = z.record(z.string(), z.unknown()).superRefine((obj, ctx) => {
  for (const k of Object.keys(obj)) {
    if (k !== 'preset' && !FEATURE_KEYS.includes(k))
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: `unknown feature setting (known: preset, ${FEATURE_KEYS.join(', ')})`,
      });
    else if (
      k !== 'window' &&
      k !== 'preset' &&
      obj[k] !== undefined &&
      typeof obj[k] !== 'boolean' &&
      typeof (DEFAULT_FEATURE_CONFIG as unknown as Record<string, unknown>)[k] === 'boolean'
    )
      ctx.addIssue({ code: 'custom', path: [k], message: 'must be true or false' });
  }
  if (obj.preset !== undefined && !['custom', 'all', 'ohlcv'].includes(obj.preset as string)) {
    ctx.addIssue({
      code: 'custom',
      path: ['preset'],
      message: `must be custom, all or ohlcv, got ${JSON.stringify(obj.preset)}`,
    });
  }
});

/** Env keys the experiment derives itself: the split (train / whole-split eval), the window (features.window) and the seed. */
const DERIVED_ENV_KEYS = ['split', 'window', 'seed'];
const envKeys = (kind: EnvKind) =>
  Object.keys(kind === 'trading' ? DEFAULT_TRADING_CONFIG : DEFAULT_PORTFOLIO_CONFIG).filter(
    (k) => !DERIVED_ENV_KEYS.includes(k),
  );

const evalSchema = z.strictObject({
  /** Env steps between validation evaluations during training (the live equity curve); 0 = only at the end. */
  every: z.number().int().min(0).default(5000),
  /** Splits evaluated after training. */
  splits: z.array(z.enum(['train', 'valid', 'test'])).default(['train', 'valid', 'test']),
  /** Baselines run on the same rows, fees and start as the agent. */
  baselines: z.array(z.enum(BASELINE_NAMES)).default([...BASELINE_NAMES]),
  /** Periods per year for the metrics; null = inferred from the dates (252 daily, 12 monthly, …). */
  annualization: z.number().positive().nullable().default(null),
});

export const experimentConfigSchema = z.strictObject({
  /** The lab workflow this experiment belongs to (src/core/workflows): market (seed 003), … */
  workflow: z.string().min(1).default('market'),
  /** A label for tables and run lists. */
  name: z.string().default('experiment'),
  /** Default: the embedded S&P 500 (the lab's start page data). */
  data: dataSchema.default({ kind: 'embedded', name: 'sp500' }),
  /** Tickers to keep, in this order; empty = every asset of the data. */
  assets: z.array(z.string()).default([]),
  /** Default: the data source's own (defaultSplitsFor: QTMRL's dates for the S&P 500, 60/20/20 otherwise). */
  splits: splitsSchema.optional(),
  /**
   * FeatureConfig fields (window included; the split comes from `splits`) plus `preset`. An
   * indicator may be `true` (its QTMRL periods) or `false` (off) instead of its periods.
   * 'custom' (default) uses the fields as given over the QTMRL defaults; 'all' / 'ohlcv' replace
   * every indicator field with that preset's (so one sweep key switches indicators on and off).
   */
  features: featuresSchema.default({}),
  envKind: z.enum(['trading', 'portfolio']).default('trading'),
  /** Env config of `envKind` without split, window and seed (derived). Default episodeLength 252 (random starts). */
  env: z.record(z.string(), z.unknown()).default({}),
  /** A name of the algorithm registry (a2c, ppo, …). */
  algo: z.string().min(1).default('a2c'),
  /** The algorithm's preset the hyperparameters start from. */
  preset: z.string().default('standard'),
  /** Hyperparameters in the algorithm's own names (A2CConfig, PPOConfig, …) over the preset; seed and totalSteps live at the top. */
  agent: z.record(z.string(), z.unknown()).default({}),
  /** Seeds the agent (weights, sampling), the training envs (env i: seed + i). */
  seed: z.number().int().default(1),
  /** tfjs backend: auto = WebGPU with a real adapter, else wasm (Node: wasm). Same backend → same numbers. */
  backend: z.enum(BACKENDS).default('auto'),
  /** Env steps to train for, all envs together. */
  /** Default: defaultTotalSteps(algo) — 20,000, IQL 2,000 updates. */
  totalSteps: z.number().int().min(1).optional(),
  eval: evalSchema.default({
    every: 5000,
    splits: ['train', 'valid', 'test'],
    baselines: [...BASELINE_NAMES],
    annualization: null,
  }),
});

export type EnvKind = 'trading' | 'portfolio';
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type SplitsConfig = z.output<typeof splitsSchema>;
/** The parsed config: splits are always filled (the data source's default when not given). */
export type ExperimentConfig = Omit<z.output<typeof experimentConfigSchema>, 'splits' | 'totalSteps'> & {
  splits: SplitsConfig;
  totalSteps: number;
};
// A workflow's own settings live under its id (`kol: { maxWeight: 0.1 }`), declared by the
// workflow's fields and checked by core/workflows/registry.ts, not by this schema; read them with
// registry's workflowValues(config).
export type DataSourceConfig = ExperimentConfig['data'];
export type EvalConfig = ExperimentConfig['eval'];

/** Every key spelled out: what runs, what results record, what sweep keys are checked against. */
export interface ResolvedExperimentConfig extends Omit<ExperimentConfig, 'features' | 'env' | 'agent'> {
  features: Omit<FeatureConfig, 'split'> & { preset: 'custom' | 'all' | 'ohlcv' };
  env: Record<string, unknown>;
  agent: Record<string, unknown>;
}

function zodMessage(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  const where = [root, ...issue.path.map(String)].filter(Boolean).join('.') || '(config)';
  return `${where}: ${issue.message}`;
}

/** Validates a config and fills the top-level defaults; throws ExperimentConfigError naming the field. */
export function parseExperimentConfig(input: unknown): ExperimentConfig {
  const raw = (input ?? {}) as Record<string, unknown>;
  // The splits default depends on the data source, which a static zod default cannot see.
  const withSplits =
    isPlainObject(raw) && raw.splits === undefined
      ? {
          ...raw,
          splits: defaultSplitsFor(
            isPlainObject(raw.data) ? (raw.data as { kind: string; name?: string }) : undefined,
          ),
        }
      : raw;
  // Workflow settings (the object under a workflow's id) are checked against its declared fields.
  const sections: Record<string, unknown> = {};
  const shared = { ...(withSplits as Record<string, unknown>) };
  if (isPlainObject(raw))
    for (const w of workflows())
      if (w.fields && shared[w.id] !== undefined) {
        sections[w.id] = shared[w.id];
        delete shared[w.id];
      }
  const parsed = experimentConfigSchema.safeParse(shared);
  if (!parsed.success)
    throw new ExperimentConfigError(`invalid experiment config at ${zodMessage(parsed.error, '')}`);
  if (!workflowIds().includes(parsed.data.workflow))
    throw new ExperimentConfigError(
      `invalid experiment config at workflow: unknown workflow '${parsed.data.workflow}' (known: ${workflowIds().join(', ')})`,
    );
  const sectionError = workflowSettingsError({ workflow: parsed.data.workflow, ...sections });
  if (sectionError) throw new ExperimentConfigError(`invalid experiment config at ${sectionError}`);
  const c: ExperimentConfig = {
    ...parsed.data,
    ...sections,
    splits: parsed.data.splits ?? (defaultSplitsFor(parsed.data.data) as SplitsConfig),
    totalSteps: parsed.data.totalSteps ?? defaultTotalSteps(parsed.data.algo),
  };
  const known = envKeys(c.envKind);
  for (const k of Object.keys(c.env)) {
    if (!known.includes(k)) {
      const why = DERIVED_ENV_KEYS.includes(k)
        ? `is set by the experiment (${k === 'window' ? 'use features.window' : 'derived per env'})`
        : `is not a ${c.envKind} env setting (known: ${known.join(', ')})`;
      throw new ExperimentConfigError(`invalid experiment config at env.${k}: ${why}`);
    }
  }
  if (c.data.kind === 'synthetic') {
    const knownSyn = Object.keys(SYNTHETIC_DEFAULTS).concat('tickers');
    for (const k of Object.keys(c.data.config)) {
      if (!knownSyn.includes(k))
        throw new ExperimentConfigError(
          `invalid experiment config at data.config.${k}: not a synthetic generator setting (known: ${knownSyn.join(', ')})`,
        );
    }
    try {
      resolveSyntheticConfig(c.data.config as Partial<SyntheticConfig>);
    } catch (e) {
      throw new ExperimentConfigError(
        `invalid experiment config at data.config: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  for (const k of ['seed', 'totalSteps']) {
    if (k in c.agent)
      throw new ExperimentConfigError(
        `invalid experiment config at agent.${k}: set the top-level '${k}' instead`,
      );
  }
  return c;
}

/** The feature config of an experiment (preset applied, window and split filled). */
export function featureConfigOf(features: Record<string, unknown>, split: SplitSpec): FeatureConfig {
  const { preset = 'custom', ...fields } = indicatorSwitches(features) as {
    preset?: 'custom' | 'all' | 'ohlcv';
  } & Partial<FeatureConfig>;
  const base = featurePreset('all');
  const merged: FeatureConfig = { ...base, ...fields, split };
  if (preset !== 'custom') {
    const p = featurePreset(preset);
    for (const k of FEATURE_KEYS)
      if (k !== 'window')
        (merged as unknown as Record<string, unknown>)[k] = (p as unknown as Record<string, unknown>)[k];
  }
  validateFeatureConfig(merged);
  return merged;
}

/** Indicators given as true/false → their QTMRL periods / off, so `features.rsi=false` reads naturally. */
function indicatorSwitches(features: Record<string, unknown>): Record<string, unknown> {
  const all = featurePreset('all') as unknown as Record<string, unknown>;
  const off = featurePreset('ohlcv') as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...features };
  for (const [k, v] of Object.entries(features)) {
    if (typeof v !== 'boolean' || typeof all[k] === 'boolean' || !(k in all)) continue;
    out[k] = structuredClone(v ? all[k] : off[k]);
  }
  return out;
}

/** Date ranges of the splits on these dates (fractions → the dates at those shares of the rows). */
export function splitSpecOf(splits: SplitsConfig, dates: readonly string[]): SplitSpec {
  if (!('fractions' in splits)) return splits;
  const T = dates.length;
  if (T < 3)
    throw new ExperimentConfigError(`splits.fractions: the data has ${T} dates; need at least 3 to split`);
  const { train, valid } = splits.fractions;
  if (train + valid >= 1)
    throw new ExperimentConfigError(
      `splits.fractions: train + valid must be < 1 (test gets the rest), got ${train} + ${valid}`,
    );
  // Every split gets at least one date: train [0, a), valid [a, b), test [b, T).
  const a = Math.min(T - 2, Math.max(1, Math.round(T * train)));
  const b = Math.min(T - 1, Math.max(a + 1, Math.round(T * (train + valid))));
  const range = (from: number, to: number): DateRange => ({ start: dates[from], end: dates[to - 1] });
  return { train: range(0, a), valid: range(a, b), test: range(b, T) };
}

/** The env config of the experiment (every key of `envKind`'s config except split, window and seed). */
export function envDefaults(kind: EnvKind): Record<string, unknown> {
  const d: Record<string, unknown> = {
    ...(kind === 'trading' ? DEFAULT_TRADING_CONFIG : DEFAULT_PORTFOLIO_CONFIG),
  };
  for (const k of DERIVED_ENV_KEYS) delete d[k];
  // Training episodes start at random rows of the train split (a year of days), as QTMRL samples them.
  d.episodeLength = 252;
  return d;
}

/** The agent hyperparameters of a preset, as the registry resolves them, without seed and totalSteps (top-level keys). */
export async function agentDefaults(algo: string, preset: string): Promise<Record<string, unknown>> {
  const entry = getAlgorithm(algo);
  if (!entry.presets.includes(preset))
    throw new ExperimentConfigError(
      `invalid experiment config at preset: '${preset}' is not a ${algo} preset (${entry.presets.join(', ')})`,
    );
  const d = { ...(await entry.defaults(preset)) };
  delete d.seed;
  delete d.totalSteps;
  return d;
}

/**
 * Validate and spell out every key with its default: features (preset applied), the env config of
 * `envKind`, the agent's hyperparameters (preset + overrides, nested objects merged), synthetic
 * generator settings. Unknown agent keys are an error naming them.
 */
export async function resolveExperimentConfig(input: unknown): Promise<ResolvedExperimentConfig> {
  const c = parseExperimentConfig(input);
  let agentBase: Record<string, unknown>;
  try {
    agentBase = await agentDefaults(c.algo, c.preset);
  } catch (e) {
    if (e instanceof ExperimentConfigError) throw e;
    throw new ExperimentConfigError(
      `invalid experiment config at algo: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const unknownAgent = Object.keys(c.agent).filter((k) => !(k in agentBase));
  if (unknownAgent.length > 0) {
    throw new ExperimentConfigError(
      `invalid experiment config at agent.${unknownAgent[0]}: not a ${c.algo} hyperparameter (known: ${Object.keys(agentBase).join(', ')})`,
    );
  }
  const fields = indicatorSwitches(c.features);
  const preset = (fields.preset as 'custom' | 'all' | 'ohlcv' | undefined) ?? 'custom';
  delete fields.preset;
  const features = {
    ...(featurePreset('all') as unknown as Record<string, unknown>),
    ...fields,
    preset,
  } as ResolvedExperimentConfig['features'] & { split?: unknown };
  delete features.split;
  // Spell out what the preset selects, so the resolved config says which indicators run.
  if (preset !== 'custom') {
    const p = featurePreset(preset) as unknown as Record<string, unknown>;
    for (const k of FEATURE_KEYS)
      if (k !== 'window') (features as unknown as Record<string, unknown>)[k] = p[k];
  }
  const data: DataSourceConfig =
    c.data.kind === 'synthetic'
      ? { kind: 'synthetic', config: { ...SYNTHETIC_DEFAULTS, ...c.data.config } }
      : c.data;
  const settings = workflowSettings(c as unknown as Record<string, unknown>);
  return {
    ...c,
    data,
    features,
    env: { ...envDefaults(c.envKind), ...c.env },
    agent: mergeAgent(agentBase, c.agent),
    ...(settings ? { [c.workflow]: settings } : {}),
  };
}

/**
 * Hyperparameters over the preset, nested objects merged — except a network with another encoder,
 * which replaces the preset's: its other fields (MLP widths, tanh) belong to the preset's encoder,
 * and the new encoder's own defaults (ReLU, d_model 64) must apply, as they do in a single run.
 */
function mergeAgent(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const agent = deepMerge(base, over);
  const net = over.network;
  const def = base.network;
  if (isPlainObject(net) && isPlainObject(def) && net.encoder !== undefined && net.encoder !== def.encoder)
    agent.network = structuredClone(net);
  return agent;
}

/** Dotted paths of every leaf of a config (plain-object nesting; arrays are leaves). */
export function leafPaths(obj: unknown, prefix = ''): string[] {
  if (!isPlainObject(obj)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) out.push(p, ...leafPaths(v, p));
    else out.push(p);
  }
  return out;
}

/**
 * Keys (dotted paths) that do not exist in `resolved`. A path may name a leaf or an object
 * (`agent.network`), and paths inside a nullable object (`features.macd.fast` when macd is null)
 * count as existing only when the object does.
 */
export function unknownConfigKeys(resolved: object, keys: readonly string[]): string[] {
  const known = new Set(leafPaths(resolved));
  return keys.filter((k) => !known.has(k));
}

/** Throws ExperimentConfigError naming the first key that the resolved config does not have. */
export function checkConfigKeys(resolved: object, keys: readonly string[], what = 'sweep parameter'): void {
  const bad = unknownConfigKeys(resolved, keys);
  if (bad.length > 0) {
    const head = bad[0].split('.')[0];
    const near = leafPaths(resolved).filter(
      (p) => p.startsWith(`${head}.`) && !p.slice(head.length + 1).includes('.'),
    );
    throw new ExperimentConfigError(
      `${what} '${bad[0]}' is not a key of the experiment config${near.length ? ` (keys under ${head}: ${near.map((p) => p.slice(head.length + 1)).join(', ')})` : ''}`,
    );
  }
}

/** Env config for one env of a prepared experiment (the derived keys filled). */
export function envConfigFor(
  resolved: ResolvedExperimentConfig,
  opts: { split: SplitName; seed: number; wholeSplit: boolean; episodeLength?: number | null },
): Partial<TradingEnvConfig> | Partial<PortfolioEnvConfig> {
  const env: Record<string, unknown> = {
    ...resolved.env,
    split: opts.split,
    window: resolved.features.window,
    seed: opts.seed,
  };
  if (opts.wholeSplit) env.episodeLength = null;
  else if (opts.episodeLength !== undefined) env.episodeLength = opts.episodeLength;
  return env;
}
