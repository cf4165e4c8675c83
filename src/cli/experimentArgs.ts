/**
 * The experiment of a `lab train` / `lab config print` command line: core's default ExperimentConfig
 * (the lab's Train button with nothing changed), then a config file (--config), then the flags, then
 * `--set path=value` — every flag is a shorthand for one config path, and `--set` takes the config's
 * own dotted paths (the vocabulary of src/core/experiment/vocabulary.ts, share links and sweep keys).
 *
 *   --data SRC…        data            (one embedded:NAME / synthetic[:k=v,…] → that source; files → kind 'panel')
 *   --algo, --preset   algo, preset    (a new algorithm or preset starts from its own hyperparameters)
 *   --steps, --seed    totalSteps, seed
 *   --backend          backend
 *   --window           features.window
 *   --features         features.preset
 *   --fee              env.feeRate (portfolio env: env.costRate)
 *   --episode-length   env.episodeLength
 *   --eval-every       eval.every
 *   --splits           splits
 *
 * `--env cartpole|bandit|pendulum` are the sanity envs (core/envs/sanity.ts): not market experiments,
 * they take the algorithm flags and `--set agent.…` only.
 */
import { parseJsonFile } from './json.ts';
import { readFileSync } from 'node:fs';
import { DataSpecError, parseSourceSpec } from '../core/data/sources.ts';
import {
  SANITY_ENVS,
  defaultSanityAlgo,
  defaultSanityPreset,
  isSanityEnv,
  type SanityEnvName,
} from '../core/envs/sanity.ts';
import {
  agentDefaults,
  checkConfigKeys,
  ExperimentConfigError,
  isPlainObject,
  leafPaths,
  resolveExperimentConfig,
  type DataSourceConfig,
  type ResolvedExperimentConfig,
} from '../core/experiment/config.ts';
import { stableStringify } from '../core/experiment/data.ts';
import { displayOf, parseFieldText } from '../core/experiment/fields.ts';
import { parseLink } from '../core/experiment/link.ts';
import {
  BACKENDS,
  DEFAULT_SPLITS,
  defaultSplitsFor,
  fieldOf,
  type AlgoId,
} from '../core/experiment/vocabulary.ts';
import { getAlgorithm, resolveConfig } from '../core/run/algorithms.ts';
import { workflowFieldOf } from '../core/workflows/registry.ts';
import { UsageError } from './errors.ts';

/** The flags of an experiment, shared by `lab train` and `lab config print`. */
export const EXPERIMENT_FLAGS = {
  config: { type: 'string' },
  data: { type: 'string', multiple: true },
  env: { type: 'string' },
  algo: { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'integer' },
  seed: { type: 'integer' },
  backend: { type: 'string', choices: BACKENDS },
  set: { type: 'key-value' },
  features: { type: 'string', choices: ['all', 'ohlcv', 'custom'] },
  window: { type: 'integer' },
  splits: { type: 'string' },
  fee: { type: 'number' },
  'episode-length': { type: 'string' },
  'eval-every': { type: 'integer' },
} as const;

/** Usage lines of the flags above (after a command's own summary). */
export const EXPERIMENT_FLAGS_USAGE = `experiment (defaults: core's default experiment — embedded S&P 500, its QTMRL date splits,
a2c standard preset with an MLP, 20 000 steps, seed 1, eval every 5000 steps, all five baselines):
  --config FILE       an ExperimentConfig JSON (lab config print), or a file holding one as {config: …}
                      (DIR/run.json, DIR/checkpoint/config.json) or a run exported from the lab's Runs
                      panel (its config, or the share link it carries); the flags below override it
  --data SRC…         files / folders (--data A.csv B.csv → data.kind panel), or one embedded:NAME |
                      synthetic[:k=v,…]
  --env E             cartpole | bandit | pendulum (sanity envs; pendulum: sac) | synthetic[:k=v,…]
                      (same as --data synthetic…)
  --algo A            algo: a2c | ppo | sac | bc | iql (a new algorithm starts from its preset)
  --preset P          preset: standard | qtmrl | … (lab train --algo A --list)
  --steps N           totalSteps
  --seed S            seed (weights, sampling, env i: seed + i)
  --backend B         backend: auto (Node: wasm) | wasm | cpu | webgpu
  --window W          features.window
  --features F        features.preset: all | ohlcv | custom
  --fee F             env.feeRate (fee per traded notional, each side; portfolio env: env.costRate)
  --episode-length N  env.episodeLength (training episodes from random starts; none = whole train split)
  --eval-every N      eval.every (validation evaluations during training; 0 = at the end only)
  --splits S          auto (the data's default) | qtmrl | ratio (60/20/20) | TRAIN,VALID (fractions,
                      test gets the rest) | START:END,START:END,START:END (ISO dates)
  --set path=value    any config path, repeatable: agent.learningRate=3e-4, env.feeRate=0.001,
                      agent.network.encoder=timecnn, features.rsi=false, data.config.days=500;
                      declared fields parse as their type (64,64 for lists), others as JSON`;

type Flags = {
  config?: string;
  data: string[];
  env?: string;
  algo?: string;
  preset?: string;
  steps?: number;
  seed?: number;
  backend?: string;
  set: Record<string, string>;
  features?: string;
  window?: number;
  splits?: string;
  fee?: number;
  'episode-length'?: string;
  'eval-every'?: number;
};

export type { SanityEnvName };

/** A sanity-env run: the run loop on cartpole or the bandit, no market experiment. */
export interface SanityArgs {
  kind: 'sanity';
  env: SanityEnvName;
  algo: string;
  preset: string;
  /** Learner config overrides (seed, totalSteps, --set agent.…). */
  agent: Record<string, unknown>;
  backend: string;
  evalEvery: number;
}

export interface MarketArgs {
  kind: 'market';
  /** What was asked (the config input); `config` is it resolved. */
  input: Record<string, unknown>;
  config: ResolvedExperimentConfig;
  /** The --data sources when the data is the user's files (data.kind 'panel'). */
  dataSpecs: string[];
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Reads an ExperimentConfig file: the config itself, any JSON that holds it as `config` (run.json,
 * checkpoint/config.json), or a run exported from the lab (its `summary.config`, else the share
 * link `summary.hash` that reproduces it).
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : errorText(e)})`);
  }
  const json = parseJsonFile(text, file);
  if (!isPlainObject(json)) throw new UsageError(`${file}: expected a JSON object (an ExperimentConfig)`);
  if (isPlainObject(json.config)) return structuredClone(json.config);
  // A run exported from the lab's Runs panel: its summary holds the config, or the link that reproduces it.
  const summary = json.summary;
  if (isPlainObject(summary)) {
    if (isPlainObject(summary.config)) return structuredClone(summary.config);
    if (typeof summary.hash === 'string') {
      const link = parseLink(summary.hash);
      for (const n of link.notices) process.stderr.write(`lab: note: ${file}: ${n}\n`);
      return link.config;
    }
  }
  return json;
}

/** The data source of --data specs: one embedded or synthetic spec is that source; files are the user's panel. */
export function dataConfigOf(specs: readonly string[]): DataSourceConfig {
  if (specs.length === 1) {
    let parsed;
    try {
      parsed = parseSourceSpec(specs[0]);
    } catch (e) {
      if (e instanceof DataSpecError) throw new UsageError(e.message);
      throw e;
    }
    if (parsed.kind === 'embedded') return { kind: 'embedded', name: parsed.name };
    if (parsed.kind === 'synthetic') return { kind: 'synthetic', config: { ...parsed.config } };
  }
  return { kind: 'panel', label: specs.join(' ') };
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** `--splits`: auto (undefined: the data's default), qtmrl, ratio, TRAIN,VALID fractions or three START:END ranges. */
export function parseSplitsFlag(text: string): unknown {
  const t = text.trim();
  if (t === 'auto') return undefined;
  if (t === 'qtmrl') return structuredClone(DEFAULT_SPLITS.sp500);
  if (t === 'ratio') return { fractions: { train: 0.6, valid: 0.2 } };
  const parts = t.split(',').map((p) => p.trim());
  if (parts.length === 2 && parts.every((p) => p !== '' && Number.isFinite(Number(p))))
    return { fractions: { train: Number(parts[0]), valid: Number(parts[1]) } };
  if (parts.length === 3) {
    const ranges = parts.map((p) => p.split(':'));
    if (ranges.every((r) => r.length === 2 && ISO.test(r[0]) && ISO.test(r[1]))) {
      const [train, valid, test] = ranges.map(([start, end]) => ({ start, end }));
      return { train, valid, test };
    }
  }
  throw new UsageError(
    `--splits: expected auto, qtmrl, ratio, TRAIN,VALID fractions (0.6,0.2) or three START:END date ranges, got '${text}'`,
  );
}

/** Sets a dotted path in a plain object, creating objects on the way (a non-object in the way is an error). */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (const [i, p] of parts.slice(0, -1).entries()) {
    if (o[p] === undefined || o[p] === null) o[p] = {};
    if (!isPlainObject(o[p]))
      throw new UsageError(`--set ${path}: '${parts.slice(0, i + 1).join('.')}' is not an object`);
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

/** The value of `--set path=text`: parsed as the declared field's type when the path is declared, else JSON, else the text. */
export function parseSetValue(path: string, text: string, algo: string): unknown {
  const field = fieldOf(path, algo as AlgoId) ?? workflowFieldOf(path);
  if (field) {
    const r = parseFieldText(field, text);
    if (!r.ok) {
      // Forms show some fields scaled (bps); --set takes the config's own units, and says so.
      const n = Number(text);
      const range =
        field.kind === 'number' && field.display && Number.isFinite(n) && (n < field.min || n > field.max)
          ? `must be between ${field.min} and ${field.max} (the config's units; ${displayOf(field, field.min)}..${displayOf(field, field.max)} ${field.display.unit})`
          : r.error;
      throw new UsageError(`--set ${path}=${text}: ${range}`);
    }
    return r.value;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON: the text itself (e.g. --set agent.network.activation=relu)
  }
}

/** `--set` pairs applied to a config input (a copy), values parsed per path. */
export function applySets(
  input: Record<string, unknown>,
  sets: Record<string, string>,
): Record<string, unknown> {
  const out = structuredClone(input);
  // `algo` first: it decides how the agent paths parse.
  const entries = Object.entries(sets).sort(([a], [b]) => Number(b === 'algo') - Number(a === 'algo'));
  for (const [path, text] of entries) {
    if (path === '' || path.split('.').some((p) => p === ''))
      throw new UsageError(`--set: bad path '${path}'`);
    setPath(out, path, parseSetValue(path, text, typeof out.algo === 'string' ? out.algo : 'a2c'));
  }
  return out;
}

/** Resolve a config input; a bad config is the user's input (exit 2, the field named). */
export async function resolveOrUsage(input: unknown, where = ''): Promise<ResolvedExperimentConfig> {
  try {
    return await resolveExperimentConfig(input);
  } catch (e) {
    if (e instanceof ExperimentConfigError) throw new UsageError(`${where}${e.message}`);
    throw e;
  }
}

function sanityEnvOf(env: string | undefined): SanityEnvName | null {
  if (env === undefined || /^synthetic(:|$)/i.test(env)) return null;
  if (isSanityEnv(env)) return env;
  throw new UsageError(`--env must be ${SANITY_ENVS.join(', ')} or synthetic[:k=v,…]; got '${env}'`);
}

/** Same data source (splits of one are the default of the other)? */
const sameJson = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);

/**
 * The experiment a command line asks for: core's default ⊕ --config ⊕ flags ⊕ --set, resolved
 * (or a sanity-env run). Every mistake is a UsageError naming the flag or the config path.
 */
export async function experimentFromFlags(flags: Flags): Promise<SanityArgs | MarketArgs> {
  const sanity = sanityEnvOf(flags.env);
  if (sanity) return sanityFromFlags(sanity, flags);
  const dataSpecs = [...flags.data, ...(flags.env !== undefined ? [flags.env] : [])];
  const input: Record<string, unknown> = flags.config ? readConfigFile(flags.config) : {};
  const where = flags.config ? `${flags.config}: ` : '';

  if (dataSpecs.length > 0) {
    const data = dataConfigOf(dataSpecs);
    // Splits that were the old source's default follow the data: the new source's default applies.
    if (
      input.splits !== undefined &&
      sameJson(input.splits, defaultSplitsFor(input.data as { kind: string } | undefined))
    )
      delete input.splits;
    input.data = data;
  }
  const oldAlgo = typeof input.algo === 'string' ? input.algo : 'a2c';
  const oldPreset = typeof input.preset === 'string' ? input.preset : 'standard';
  if (flags.algo !== undefined) input.algo = flags.algo;
  if (flags.preset !== undefined) input.preset = flags.preset;
  // Another algorithm or preset starts from its own hyperparameters, not the file's.
  const newAlgo = flags.algo ?? flags.set.algo;
  const newPreset = flags.preset ?? flags.set.preset;
  if ((newAlgo !== undefined && newAlgo !== oldAlgo) || (newPreset !== undefined && newPreset !== oldPreset))
    delete input.agent;
  if (flags.steps !== undefined) input.totalSteps = flags.steps;
  if (flags.seed !== undefined) input.seed = flags.seed;
  if (flags.backend !== undefined) input.backend = flags.backend;
  const features = (isPlainObject(input.features) ? input.features : {}) as Record<string, unknown>;
  if (flags.window !== undefined) features.window = flags.window;
  if (flags.features !== undefined) features.preset = flags.features;
  if (Object.keys(features).length > 0) input.features = features;
  const env = (isPlainObject(input.env) ? input.env : {}) as Record<string, unknown>;
  const envKind = flags.set.envKind ?? input.envKind;
  if (flags.fee !== undefined) env[envKind === 'portfolio' ? 'costRate' : 'feeRate'] = flags.fee;
  if (flags['episode-length'] !== undefined) env.episodeLength = episodeLengthOf(flags['episode-length']);
  if (Object.keys(env).length > 0) input.env = env;
  if (flags['eval-every'] !== undefined)
    input.eval = { ...(isPlainObject(input.eval) ? input.eval : {}), every: flags['eval-every'] };
  if (flags.splits !== undefined) {
    const splits = parseSplitsFlag(flags.splits);
    if (splits === undefined) delete input.splits;
    else input.splits = splits;
  }

  const sets = Object.keys(flags.set);
  if (sets.length > 0) {
    // Every --set path must be a key of the experiment (checked against the config without them, as
    // sweep keys are) or a declared field (a transformer's agent.network.dModel under an MLP preset).
    const before = await resolveOrUsage(
      applySets(input, pick(flags.set, ['workflow', 'algo', 'preset', 'envKind'])),
      where,
    );
    const known = new Set(leafPaths(before));
    const algo = flags.set.algo ?? before.algo;
    const unknown = sets.filter((p) => !known.has(p) && !fieldOf(p, algo as AlgoId) && !workflowFieldOf(p));
    if (unknown.length > 0) {
      const p = unknown[0];
      const hint = known.has(`agent.${p}`) ? ` — did you mean agent.${p}?` : '';
      try {
        checkConfigKeys(before, [p], '--set path');
      } catch (e) {
        throw new UsageError(`${errorText(e)}${hint}`);
      }
      throw new UsageError(`--set path '${p}' is not a key of the experiment config${hint}`);
    }
  }
  const finalInput = applySets(input, flags.set);
  const config = await resolveOrUsage(finalInput, where);
  if (config.data.kind === 'panel' && flags.data.length === 0)
    throw new UsageError(
      `${where}the experiment's data is the user's own files ('${config.data.label}'): give them with --data`,
    );
  return {
    kind: 'market',
    input: finalInput,
    config,
    dataSpecs: config.data.kind === 'panel' ? dataSpecs : [],
  };
}

function pick(o: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
}

function episodeLengthOf(text: string): number | null {
  if (text === 'none' || text === 'null') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--episode-length expects a whole number ≥ 1 or none, got '${text}'`);
  return n;
}

async function sanityFromFlags(env: SanityEnvName, flags: Flags): Promise<SanityArgs> {
  if (flags.data.length > 0) throw new UsageError(`--env ${env} trains on a sanity env; drop --data`);
  if (flags.config)
    throw new UsageError(`--env ${env} trains on a sanity env; --config describes a market experiment`);
  const marketOnly = (['window', 'features', 'splits', 'fee', 'episode-length'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (marketOnly.length > 0)
    throw new UsageError(`--${marketOnly[0]} applies to market experiments, not --env ${env}`);
  const algo = flags.algo ?? flags.set.algo ?? defaultSanityAlgo(env);
  const preset = flags.preset ?? flags.set.preset ?? defaultSanityPreset(env, algo);
  try {
    await agentDefaults(algo, preset);
  } catch (e) {
    throw new UsageError(errorText(e).replace(/^invalid experiment config at \w+: /, ''));
  }
  const agent: Record<string, unknown> = {};
  for (const [path, text] of Object.entries(flags.set)) {
    if (path === 'algo' || path === 'preset') continue;
    if (path === 'seed' || path === 'totalSteps') agent[path] = parseSetValue(path, text, algo);
    else if (path.startsWith('agent.'))
      setPath(agent, path.slice('agent.'.length), parseSetValue(path, text, algo));
    else
      throw new UsageError(`--set ${path}: --env ${env} takes agent.… settings (and seed, totalSteps) only`);
  }
  if (flags.seed !== undefined) agent.seed = flags.seed;
  else agent.seed ??= 1;
  if (flags.steps !== undefined) agent.totalSteps = flags.steps;
  try {
    resolveConfig(algo, await getAlgorithm(algo).defaults(preset), agent);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
  return {
    kind: 'sanity',
    env,
    algo,
    preset,
    agent,
    backend: flags.backend ?? 'auto',
    evalEvery: flags['eval-every'] ?? 0,
  };
}
