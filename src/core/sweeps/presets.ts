/**
 * Ready-made sweeps: the QTMRL ablation matrix (seed 003 §7) and a learning-rate × entropy grid for
 * PPO, as sweep specs over ExperimentConfig's dotted paths. Each preset fixes what it studies on
 * top of a base experiment (the lab passes the user's current one; headless, a synthetic market
 * with a planted signal), so `presetSpec('qtmrl-window', myExperiment)` ablates my data.
 *
 * Keys used (their owners' config names):
 *   features.window                     FeatureConfig.window (the env's window follows it)
 *   features.preset  'all' | 'ohlcv'    every indicator vs the five bar columns (features/config.ts featurePreset)
 *   agent.network.encoder               'timecnn' | 'transformer' (agents/common/networks.ts → nets/encoders.ts)
 *   env.reward       'return' | 'log'   TradingEnvConfig.reward
 *   env.buyPct / env.sellPct            TradingEnvConfig fractions (tied: 20%/50% vs 10%/30%)
 *   agent.entCoef                       A2CConfig / PPOConfig entropy coefficient
 *   agent.learningRate                  A2CConfig / PPOConfig learning rate
 */
import type { ExperimentConfigInput } from '../experiment/config.ts';
import { deepMerge } from '../experiment/merge.ts';
import { parseSweepSpec, type SweepSpec, type SweepSpecInput } from './spec.ts';

/** Headless default data: 8 correlated synthetic assets with a faint planted AR(1) signal (≈ 10 years of days). */
export const PRESET_DATA: ExperimentConfigInput = {
  data: { kind: 'synthetic', config: { assets: 8, days: 2500, seed: 7, signalStrength: 0.1 } },
  splits: { fractions: { train: 0.6, valid: 0.2 } },
};

/**
 * QTMRL's setup (seed 003): A2C with its preset (γ 0.96, entropy 0.05, value coef 1.0, grad clip
 * 1.0, rollout 50, lr 1e-5, Adam), TimeCNN encoder, W = 20, every indicator, return reward,
 * BUY 20% of cash / SELL 50% of the position. The step budget is 100k env steps (the paper's is
 * 1e6: set totalSteps for a faithful replication; a short budget keeps a lab sweep to minutes).
 */
export const QTMRL_BASE: ExperimentConfigInput = {
  algo: 'a2c',
  preset: 'qtmrl',
  agent: { network: { encoder: 'timecnn', activation: 'relu' }, entCoef: 0.05 },
  features: { preset: 'all', window: 20 },
  envKind: 'trading',
  env: { reward: 'return', buyPct: 0.2, sellPct: 0.5 },
  totalSteps: 100_000,
};

export interface SweepPreset {
  id: string;
  title: string;
  description: string;
  /** The spec on a base experiment (default PRESET_DATA); the preset's own settings win. */
  spec(base?: ExperimentConfigInput): SweepSpec;
}

type Params = SweepSpecInput['params'];

const WINDOW: NonNullable<Params>[number] = {
  key: 'features.window',
  values: { kind: 'list', values: [20, 30, 60] },
};
const FEATURES: NonNullable<Params>[number] = {
  key: 'features.preset',
  values: { kind: 'list', values: ['all', 'ohlcv'] },
};
const ENCODER: NonNullable<Params>[number] = {
  key: 'agent.network.encoder',
  values: { kind: 'list', values: ['timecnn', 'transformer'] },
};
const REWARD: NonNullable<Params>[number] = {
  key: 'env.reward',
  values: { kind: 'list', values: ['return', 'log'] },
};
const FRACTIONS: NonNullable<Params>[number] = {
  key: 'env.buyPct',
  values: { kind: 'list', values: [0.2, 0.1] },
  tied: { 'env.sellPct': [0.5, 0.3] },
};
const ENTROPY: NonNullable<Params>[number] = {
  key: 'agent.entCoef',
  values: { kind: 'list', values: [0, 0.05] },
};

/**
 * The preset's settings over a base experiment. The base keeps its data, assets, splits and env
 * costs; when the preset picks an algorithm and preset, the base's hyperparameters are dropped
 * (they belong to another configuration, or to another algorithm where they would not exist).
 */
export function presetBase(
  base: ExperimentConfigInput,
  overrides: ExperimentConfigInput,
): Record<string, unknown> {
  const b = { ...(base as Record<string, unknown>) };
  if (overrides.algo !== undefined || overrides.preset !== undefined) {
    delete b.agent;
    delete b.preset;
  }
  return deepMerge(b, overrides as Record<string, unknown>);
}

function qtmrl(
  id: string,
  title: string,
  description: string,
  params: Params,
  seedsPerPoint: number,
): SweepPreset {
  return {
    id,
    title,
    description,
    spec: (base = PRESET_DATA) =>
      parseSweepSpec({ name: id, base: presetBase(base, QTMRL_BASE), params, seedsPerPoint }),
  };
}

/**
 * Seed 000's fidelity–return frontier: the kol workflow on synthetic posts whose reliability varies
 * across tickers (accuracy 0.6 ± 0.15), fidelity λ × residual scale × max weight. The sweep view
 * draws each point's fidelity against its return (ui/sweeps FrontierChart).
 */
export const KOL_FRONTIER_BASE: ExperimentConfigInput = {
  workflow: 'kol',
  data: { kind: 'synthetic', config: { assets: 8, days: 1260, seed: 1 } },
  kol: { synthetic: { seed: 1, accuracy: 0.6, tickerSpread: 0.15 } },
} as ExperimentConfigInput;

function kolFrontierBase(base: ExperimentConfigInput): Record<string, unknown> {
  // Another workflow's base keeps nothing but its data; a kol base keeps its posts and book too.
  const b = base as Record<string, unknown>;
  if (b.workflow === 'kol') return deepMerge({}, b);
  return deepMerge(KOL_FRONTIER_BASE as Record<string, unknown>, b.data ? { data: b.data } : {});
}

const KOL_FRONTIER: SweepPreset = {
  id: 'kol-frontier',
  title: 'KOL: fidelity–return frontier',
  description:
    'Residual IQL on opinion-leader posts: fidelity λ {0, 0.3, 3, 1e6} × residual scale {0.1, 0.2, 0.4} × max weight {0.1, 0.2}; the results plot each point’s fidelity (mean |policy − baseline|) against its return.',
  spec: (base = KOL_FRONTIER_BASE) =>
    parseSweepSpec({
      name: 'kol-frontier',
      base: kolFrontierBase(base),
      params: [
        { key: 'kol.fidelityLambda', values: { kind: 'list', values: [0, 0.3, 3, 1e6] } },
        { key: 'kol.residualScale', values: { kind: 'list', values: [0.1, 0.2, 0.4] } },
        { key: 'kol.maxWeight', values: { kind: 'list', values: [0.1, 0.2] } },
      ],
      seedsPerPoint: 1,
    }),
};

export const SWEEP_PRESETS: readonly SweepPreset[] = [
  qtmrl(
    'qtmrl-window',
    'QTMRL ablation: window',
    'Observation window W ∈ {20, 30, 60} days, everything else as QTMRL.',
    [WINDOW],
    3,
  ),
  qtmrl(
    'qtmrl-features',
    'QTMRL ablation: indicators',
    'OHLCV only vs OHLCV + every indicator.',
    [FEATURES],
    3,
  ),
  qtmrl('qtmrl-encoder', 'QTMRL ablation: encoder', 'TimeCNN vs Transformer encoder.', [ENCODER], 3),
  qtmrl('qtmrl-reward', 'QTMRL ablation: reward', 'Simple return vs log return as the reward.', [REWARD], 3),
  qtmrl(
    'qtmrl-fractions',
    'QTMRL ablation: trade sizes',
    'BUY/SELL fractions 20%/50% vs 10%/30%.',
    [FRACTIONS],
    3,
  ),
  qtmrl('qtmrl-entropy', 'QTMRL ablation: entropy', 'Entropy coefficient 0 vs 0.05.', [ENTROPY], 3),
  qtmrl(
    'qtmrl-matrix',
    'QTMRL ablation matrix (full factorial)',
    'All six factors crossed: 3 × 2 × 2 × 2 × 2 × 2 = 96 points, one seed each.',
    [WINDOW, FEATURES, ENCODER, REWARD, FRACTIONS, ENTROPY],
    1,
  ),
  {
    id: 'ppo-lr-entropy',
    title: 'PPO: learning rate × entropy',
    description:
      'PPO (CleanRL defaults) on a log grid of learning rates 1e-5 … 1e-3 × entropy coefficients {0, 0.001, 0.01, 0.05}.',
    spec: (base = PRESET_DATA) =>
      parseSweepSpec({
        name: 'ppo-lr-entropy',
        base: presetBase(base, { algo: 'ppo', preset: 'standard', totalSteps: 50_000 }),
        params: [
          { key: 'agent.learningRate', values: { kind: 'log-range', min: 1e-5, max: 1e-3, steps: 5 } },
          { key: 'agent.entCoef', values: { kind: 'list', values: [0, 0.001, 0.01, 0.05] } },
        ],
        seedsPerPoint: 2,
      }),
  },
  KOL_FRONTIER,
];

export function getSweepPreset(id: string): SweepPreset {
  const p = SWEEP_PRESETS.find((x) => x.id === id);
  if (!p)
    throw new Error(`unknown sweep preset '${id}' (known: ${SWEEP_PRESETS.map((x) => x.id).join(', ')})`);
  return p;
}
