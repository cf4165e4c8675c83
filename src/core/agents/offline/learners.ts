/**
 * The registry entries of the offline learners — BC, IQL and residual IQL — which the run registry
 * (src/core/run/algorithms.ts) loads lazily: config defaults, then create = resolve the config,
 * load or collect the dataset (offline/source.ts, reporting collection progress), build the learner.
 */
import {
  resolveConfig,
  type AlgorithmEntry,
  type CreateLearnerArgs,
  type Learner,
} from '../../run/learner.ts';
import { BcLearner, defaultBcConfig, type BcLearnerConfig } from '../bc.ts';
import { IqlLearner, iqlPresets, type IqlLearnerConfig } from '../iql.ts';
import {
  IqlResidualLearner,
  defaultIqlResidualOptions,
  type IqlResidualLearnerConfig,
} from '../iqlResidual.ts';
import { defaultDatasetSource, loadDataset, type DatasetSourceConfig } from './source.ts';

export { provideBaseline, provideDataset, provideDatasetFile, type DatasetSourceConfig } from './source.ts';

export type OfflineAlgo = 'bc' | 'iql' | 'iql-residual';

/** Default gradient-step budget when the caller gives none (BC: 0 = its `epochs`). */
const DEFAULT_STEPS: Record<OfflineAlgo, number> = { bc: 0, iql: 100_000, 'iql-residual': 100_000 };

/** Presets per algorithm: BC has seed 004's; IQL CORL's sized for a browser ('standard') or not ('corl'). */
export const OFFLINE_PRESETS: Record<OfflineAlgo, readonly string[]> = {
  bc: ['standard'],
  iql: ['standard', 'corl'],
  'iql-residual': ['standard', 'corl'],
};

function defaults(algo: OfflineAlgo, preset = 'standard'): Record<string, unknown> {
  if (!OFFLINE_PRESETS[algo].includes(preset))
    throw new Error(`unknown ${algo} preset '${preset}' (${OFFLINE_PRESETS[algo].join(', ')})`);
  const iql = iqlPresets[preset as keyof typeof iqlPresets];
  const agent =
    algo === 'bc' ? defaultBcConfig : algo === 'iql' ? iql : { ...iql, ...defaultIqlResidualOptions };
  return JSON.parse(
    JSON.stringify({ ...agent, totalSteps: DEFAULT_STEPS[algo], dataset: defaultDatasetSource }),
  ) as Record<string, unknown>;
}

/** The registry entry of an offline algorithm. */
export function offlineAlgorithmEntry(algo: OfflineAlgo): Omit<AlgorithmEntry, 'summary'> {
  return {
    presets: OFFLINE_PRESETS[algo],
    async defaults(preset) {
      return defaults(algo, preset);
    },
    async create({ config = {}, preset, makeEnv, onProgress }: CreateLearnerArgs): Promise<Learner> {
      const merged = resolveConfig(algo, defaults(algo, preset), config);
      const source = { ...defaultDatasetSource, ...((config.dataset ?? {}) as Partial<DatasetSourceConfig>) };
      merged.dataset = source;
      const { dataset, behaviourReturn } = loadDataset(source, makeEnv(0), merged.seed as number, onProgress);
      if (algo === 'bc') return new BcLearner(merged as unknown as BcLearnerConfig, dataset, behaviourReturn);
      if (algo === 'iql')
        return new IqlLearner(merged as unknown as IqlLearnerConfig, dataset, behaviourReturn);
      return new IqlResidualLearner(merged as unknown as IqlResidualLearnerConfig, dataset, behaviourReturn);
    },
  };
}
