/**
 * BC and IQL as run-loop Learners (src/core/run/algorithms.ts), registered as 'bc' and 'iql' when
 * this module loads, so `lab train --algo bc|iql`, the trainer worker and the UI drive them like
 * A2C/PPO: one iterate() = one BC epoch or `logInterval` IQL updates; globalStep = gradient steps.
 *
 * Where the data comes from (config.dataset):
 * - `file: NAME` — a dataset handed over with provideDataset()/provideDatasetFile() under that
 *   name (core has no file system: the CLI or the worker reads the file and hands the bytes over);
 * - otherwise a rollout of the behaviour policy in training env 0: 'random' (uniform over the
 *   action space, mask-respecting) or 'constant' (always `action` on every head, e.g. BUY = 1 in
 *   TradingEnv), with `randomMix` of random actions mixed in, seeded by config.seed.
 * The residual IQL variant needs its baseline rule at acting time and is not offered here (use
 * IqlAgent directly).
 */
import { Rng } from '../../rng.ts';
import type { Action, Env, Space } from '../../envs/types.ts';
import { spaceSize } from '../../envs/types.ts';
import {
  registerAlgorithm,
  resolveConfig,
  type AlgorithmEntry,
  type CreateLearnerArgs,
  type Learner,
} from '../../run/algorithms.ts';
import type { IterationReport } from '../common/onPolicy.ts';
import type { CheckpointArtifacts } from '../checkpoint.ts';
import { BcAgent, defaultBcConfig, type BcConfig } from '../bc.ts';
import { IqlAgent, defaultIqlConfig, type IqlConfig } from '../iql.ts';
import { collectDataset, randomAction } from './collect.ts';
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

/** Registry config of 'bc': BcConfig + gradient-step budget + data source. */
export type BcLearnerConfig = BcConfig & {
  /** Gradient steps; 0 = run `epochs` epochs (early stopping may end sooner). Default 0. */
  totalSteps: number;
  dataset: DatasetSourceConfig;
};

/** Registry config of 'iql': IqlConfig + update budget + data source. */
export type IqlLearnerConfig = IqlConfig & {
  /** IQL updates. Default 100 000 (CORL runs 1e6; the lab's default fits a browser session). */
  totalSteps: number;
  dataset: DatasetSourceConfig;
};

const provided = new Map<string, OfflineDataset>();

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

function behaviourPolicy(
  space: Space,
  src: DatasetSourceConfig,
  seed: number,
): (obs: Float32Array, ctx: { mask?: Uint8Array }) => Action {
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

/** The dataset a learner trains on: a provided file, or a rollout in env 0. */
function loadDataset(
  src: DatasetSourceConfig,
  env: Env<Action>,
  seed: number,
): { dataset: OfflineDataset; behaviourReturn: number } {
  if (src.file !== null && src.file !== undefined) {
    const ds = provided.get(src.file);
    if (!ds)
      throw new Error(
        `dataset '${src.file}' was not provided (the CLI reads --set dataset.file=PATH; a worker calls provideDatasetFile)`,
      );
    const envObs = spaceSize(env.observationSpace);
    if (ds.obsDim !== envObs)
      throw new Error(
        `dataset '${src.file}' has ${ds.obsDim} observation columns, the env's observation has ${envObs}`,
      );
    const a = JSON.stringify(spaceToJson(ds.meta.actionSpace));
    const b = JSON.stringify(spaceToJson(env.actionSpace));
    if (a === b) return { dataset: ds, behaviourReturn: NaN };
    // A CSV without a meta line has its space inferred from the actions seen (e.g. Discrete(2) when
    // only 0/1 occur): adopt the env's space when the actions fit it.
    if (ds.meta.actionSpace.kind === env.actionSpace.kind && ds.actionDim === spaceSize(env.actionSpace)) {
      try {
        return {
          dataset: validateDataset({ ...ds, meta: { ...ds.meta, actionSpace: env.actionSpace } }, src.file),
          behaviourReturn: NaN,
        };
      } catch (e) {
        throw new Error(
          `dataset '${src.file}' does not fit the env's action space ${b}: ${(e as Error).message}`,
        );
      }
    }
    throw new Error(`dataset '${src.file}' action space ${a} differs from the env's ${b}`);
  }
  const res = collectDataset(env, behaviourPolicy(env.actionSpace, src, seed), {
    steps: src.steps,
    randomMix: src.behaviour === 'random' ? 0 : src.randomMix,
    seed,
    source: `rollout:${src.behaviour}${src.behaviour === 'constant' ? `:${src.action}` : ''}`,
  });
  return { dataset: res.dataset, behaviourReturn: res.meanReturn };
}

class OfflineLearner implements Learner {
  readonly algo: 'bc' | 'iql';
  readonly config: BcLearnerConfig | IqlLearnerConfig;
  iteration = 0;
  private readonly bc: BcAgent | null;
  private readonly iql: IqlAgent | null;
  private readonly behaviourReturn: number;
  private readonly budget: number;
  private bcFinished = false;

  constructor(
    algo: 'bc' | 'iql',
    config: BcLearnerConfig | IqlLearnerConfig,
    dataset: OfflineDataset,
    behaviourReturn: number,
  ) {
    this.algo = algo;
    this.config = config;
    this.behaviourReturn = behaviourReturn;
    const { totalSteps: _t, dataset: _d, ...agentConfig } = config;
    if (algo === 'bc') {
      const cfg = agentConfig as BcConfig;
      this.bc = new BcAgent(
        {
          obsDim: dataset.obsDim,
          actionSpace: dataset.meta.actionSpace,
          strength: dataset.strength !== undefined,
        },
        cfg,
      );
      this.iql = null;
      this.bc.startFit(dataset);
      const perEpoch = this.bc.stepsPerEpoch;
      if (config.totalSteps > 0) this.bc.config.epochs = Math.max(1, Math.ceil(config.totalSteps / perEpoch));
      this.budget = this.bc.config.epochs * perEpoch;
    } else {
      const cfg = agentConfig as IqlConfig;
      if (cfg.residual)
        throw new Error(
          'iql: the residual variant needs its baseline rule at acting time; use IqlAgent directly',
        );
      this.iql = new IqlAgent({ obsDim: dataset.obsDim, actionSpace: dataset.meta.actionSpace }, cfg);
      this.bc = null;
      this.budget = config.totalSteps;
      this.iql.startTraining(dataset, this.budget);
    }
  }

  get globalStep(): number {
    return this.bc ? this.bc.globalStep : this.iql!.globalStep;
  }

  get totalSteps(): number {
    return this.budget;
  }

  get numIterations(): number {
    return this.bc ? this.bc.config.epochs : Math.ceil(this.budget / this.iql!.config.logInterval);
  }

  get done(): boolean {
    return this.bc ? this.bcFinished : this.iql!.globalStep >= this.budget;
  }

  async iterate(): Promise<IterationReport> {
    let metrics: Record<string, number>;
    if (this.bc) {
      const epoch = this.bc.fitEpoch();
      metrics = epoch.metrics;
      if (this.bc.fitDone) {
        const report = this.bc.finishFit();
        this.bcFinished = true;
        metrics['charts/best_epoch'] = report.bestEpoch;
        if (report.stoppedEarly) metrics['charts/early_stopped'] = 1;
      }
    } else {
      const iql = this.iql!;
      const interval = iql.config.logInterval;
      metrics = iql.trainUpdates(
        Math.min(interval - (iql.globalStep % interval), this.budget - iql.globalStep),
      );
    }
    if (this.iteration === 0 && Number.isFinite(this.behaviourReturn))
      metrics['charts/behaviour_return'] = this.behaviourReturn;
    this.iteration++;
    return { globalStep: this.globalStep, iteration: this.iteration, metrics, episodes: [] };
  }

  async predict(
    obs: Float32Array,
    rows: number,
    masks: Uint8Array | null,
    deterministic: boolean,
  ): Promise<Int32Array | Float32Array> {
    const x =
      obs.length === rows * (this.bc ? this.bc.spec.obsDim : this.iql!.spec.obsDim)
        ? obs
        : obs.subarray(0, rows * (this.bc ? this.bc.spec.obsDim : this.iql!.spec.obsDim));
    if (this.bc) return this.bc.act(x, { sample: !deterministic, masks }).actions;
    return this.iql!.act(x, { greedy: deterministic, masks });
  }

  saveCheckpoint(extra: Record<string, unknown> = {}): Promise<CheckpointArtifacts> {
    return this.bc ? this.bc.saveCheckpoint(extra) : this.iql!.saveCheckpoint(extra);
  }

  async loadCheckpoint(artifacts: CheckpointArtifacts): Promise<void> {
    if (this.bc) await this.bc.restoreCheckpoint(artifacts);
    else await this.iql!.restoreCheckpoint(artifacts);
  }

  dispose(): void {
    this.bc?.dispose();
    this.iql?.dispose();
  }
}

/** The registry entry of an offline algorithm (the run registry loads this module lazily). */
export function offlineAlgorithmEntry(algo: 'bc' | 'iql'): AlgorithmEntry {
  const base = (): Record<string, unknown> =>
    JSON.parse(
      JSON.stringify(
        algo === 'bc'
          ? { ...defaultBcConfig, totalSteps: 0, dataset: defaultDatasetSource }
          : { ...defaultIqlConfig, totalSteps: 100_000, dataset: defaultDatasetSource },
      ),
    ) as Record<string, unknown>;
  return {
    summary:
      algo === 'bc'
        ? 'Behaviour cloning (seed 004): action + strength heads, class weights / oversampling / focal loss, early stopping; offline dataset'
        : 'Implicit Q-learning (CORL/d3rlpy defaults; categorical actor for discrete actions); offline dataset',
    presets: ['standard'],
    async defaults() {
      return base();
    },
    async create({ config = {}, makeEnv }: CreateLearnerArgs): Promise<Learner> {
      const defaults = base();
      const merged = resolveConfig(algo, defaults, config) as Record<string, unknown>;
      const source = { ...defaultDatasetSource, ...((config.dataset ?? {}) as Partial<DatasetSourceConfig>) };
      merged.dataset = source;
      const resolved = merged as unknown as BcLearnerConfig | IqlLearnerConfig;
      const env = makeEnv(0);
      const { dataset, behaviourReturn } = loadDataset(source, env, resolved.seed);
      return new OfflineLearner(algo, resolved, dataset, behaviourReturn);
    },
  };
}

/** Register 'bc' and 'iql' in the run loop's algorithm registry (idempotent). */
export function registerOfflineAlgorithms(): void {
  registerAlgorithm('bc', offlineAlgorithmEntry('bc'));
  registerAlgorithm('iql', offlineAlgorithmEntry('iql'));
}

registerOfflineAlgorithms();
