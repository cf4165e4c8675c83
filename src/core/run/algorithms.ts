/**
 * Algorithm registry: name → how to build a Learner from a JSON config. The run loop, the trainer
 * worker and `lab train --algo …` dispatch through it; adding an algorithm (BC, IQL, …) is one
 * `registerAlgorithm` call. Entries load their module lazily so nothing pays for code it does not run.
 */
import type { Action, Env } from '../envs/types.ts';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import type { IterationReport } from '../agents/common/onPolicy.ts';

/** What the run loop drives. A2C and PPO implement it (agents/common/onPolicy.ts). */
export interface Learner {
  readonly algo: string;
  /** The full resolved config (JSON-safe). */
  readonly config: object;
  /** Env steps so far (offline learners: gradient steps). */
  readonly globalStep: number;
  readonly iteration: number;
  readonly numIterations: number;
  /** Env steps the run will have taken when done (the budget rounded down to whole iterations). */
  readonly totalSteps: number;
  /** True once the step budget is spent. */
  readonly done: boolean;
  /** One iteration: collect + update (offline: a batch of updates). */
  iterate(): Promise<IterationReport>;
  /** Env-ready actions for `rows` observations. */
  predict(obs: Float32Array, rows: number, masks: Uint8Array | null, deterministic: boolean): Promise<Int32Array | Float32Array>;
  saveCheckpoint(extra?: Record<string, unknown>): Promise<CheckpointArtifacts>;
  loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void>;
  dispose(): void;
}

export interface CreateLearnerArgs {
  /** Overrides on top of the preset (unknown keys are an error). */
  config?: Record<string, unknown>;
  preset?: string;
  /** Builds training env i (the vector env seeds it with seed + i). */
  makeEnv: (index: number) => Env<Action>;
}

export interface AlgorithmEntry {
  /** One line for `lab help` and the UI. */
  summary: string;
  presets: readonly string[];
  /** Resolved default config of a preset (JSON-safe), for forms and `--set` validation. */
  defaults(preset?: string): Promise<Record<string, unknown>>;
  create(args: CreateLearnerArgs): Promise<Learner>;
}

/** Preset + overrides, rejecting keys the algorithm does not have (a typo must not be silently ignored). */
export function resolveConfig<C extends object>(algo: string, base: C, overrides: Record<string, unknown> = {}): C {
  const known = Object.keys(base);
  const unknown = Object.keys(overrides).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`unknown ${algo} config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
  return { ...base, ...overrides } as C;
}

const registry = new Map<string, AlgorithmEntry>();

export function registerAlgorithm(name: string, entry: AlgorithmEntry): void {
  registry.set(name, entry);
}

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

export function getAlgorithm(name: string): AlgorithmEntry {
  const entry = registry.get(name);
  if (!entry) throw new Error(`unknown algorithm '${name}' (known: ${algorithmNames().join(', ')})`);
  return entry;
}

registerAlgorithm('a2c', {
  summary: 'Advantage actor-critic (synchronous A2C); presets: standard (SB3), qtmrl (seed 003)',
  presets: ['standard', 'qtmrl'],
  async defaults(preset = 'standard') {
    const { a2cConfig } = await import('../agents/a2c.ts');
    return JSON.parse(JSON.stringify(a2cConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { A2C, a2cConfig } = await import('../agents/a2c.ts');
    return new A2C(resolveConfig('a2c', a2cConfig(preset as 'standard'), config), makeEnv);
  },
});

registerAlgorithm('ppo', {
  summary: 'Proximal policy optimisation (CleanRL ppo.py, maskable); presets: standard (CleanRL), sb3, qtmrl',
  presets: ['standard', 'sb3', 'qtmrl'],
  async defaults(preset = 'standard') {
    const { ppoConfig } = await import('../agents/ppo.ts');
    return JSON.parse(JSON.stringify(ppoConfig(preset as 'standard'))) as Record<string, unknown>;
  },
  async create({ config, preset = 'standard', makeEnv }) {
    const { PPO, ppoConfig } = await import('../agents/ppo.ts');
    return new PPO(resolveConfig('ppo', ppoConfig(preset as 'standard'), config), makeEnv);
  },
});

// Offline algorithms: their module (and its dataset code) loads only when one is used.
const offline = async () => (await import('../agents/offline/learners.ts')).offlineAlgorithmEntry;
registerAlgorithm('bc', {
  summary: 'Behaviour cloning (seed 004): action + strength heads, class imbalance handling, early stopping; offline dataset',
  presets: ['standard'],
  defaults: async (preset) => (await offline())('bc').defaults(preset),
  create: async (args) => (await offline())('bc').create(args),
});
registerAlgorithm('iql', {
  summary: 'Implicit Q-learning (CORL/d3rlpy defaults; categorical actor for discrete actions); offline dataset',
  presets: ['standard'],
  defaults: async (preset) => (await offline())('iql').defaults(preset),
  create: async (args) => (await offline())('iql').create(args),
});
