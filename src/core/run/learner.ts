/**
 * The one Learner interface the run loop drives (A2C, PPO, BC, IQL, residual IQL), and what an
 * algorithm's registry entry looks like. A leaf module: algorithm modules import it, the registry
 * (algorithms.ts) imports them lazily, so nothing imports the registry back (no cycle).
 */
import type { Action, Env } from '../envs/types.ts';
import type { CheckpointArtifacts } from '../agents/checkpoint.ts';
import type { IterationReport } from '../agents/common/onPolicy.ts';

/** What the run loop drives. A2C and PPO implement it (agents/common/onPolicy.ts), BC and IQL in agents/offline/learners.ts. */
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
  predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array>;
  saveCheckpoint(extra?: Record<string, unknown>): Promise<CheckpointArtifacts>;
  loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void>;
  dispose(): void;
}

/** Progress of work a learner does before its first iteration (offline: collecting the dataset). */
export interface SetupProgress {
  phase: 'collect';
  done: number;
  total: number;
}

export interface CreateLearnerArgs {
  /** Overrides on top of the preset (unknown keys are an error). */
  config?: Record<string, unknown>;
  preset?: string;
  /** Builds training env i (the vector env seeds it with seed + i). */
  makeEnv: (index: number) => Env<Action>;
  /** Called during setup work (dataset collection), at most every few hundred steps and at the end. */
  onProgress?: (progress: SetupProgress) => void;
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
export function resolveConfig<C extends object>(
  algo: string,
  base: C,
  overrides: Record<string, unknown> = {},
): C {
  const known = Object.keys(base);
  const unknown = Object.keys(overrides).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `unknown ${algo} config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`,
    );
  return { ...base, ...overrides } as C;
}
