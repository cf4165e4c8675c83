/**
 * The lab's experiment (UI vocabulary: %, bps, flat field maps) ⇄ core's ExperimentConfig (the
 * sweep's dotted paths), and the catalogue of settings the sweep builder offers. Built on the
 * Train adapter (runtime/toCore.ts) so a sweep run trains exactly what Train would.
 */
import type { ExperimentConfigInput } from '../../core/experiment/config.ts';
import type { Scalar } from '../../core/sweeps/spec.ts';
import type { AlgoId } from '../../store/algorithms.ts';
import { INDICATORS, type DataSource } from '../../store/config.ts';
import type { Experiment } from '../../store/experiment.ts';
import { agentConfig, featureConfig, portfolioEnvConfig, splitSpec, tradingEnvConfig } from '../runtime/toCore.ts';
import { syntheticConfig } from '../runtime/syntheticConfig.ts';

/** Algorithms the sweep runner can train (registered in core's run loop). */
export const SWEEPABLE_ALGOS: readonly AlgoId[] = ['a2c', 'ppo'];

/** The experiment as core's ExperimentConfig (what every run of a sweep starts from). */
export function experimentConfigOf(e: Experiment): ExperimentConfigInput {
  const src = e.data.data as DataSource;
  const data: ExperimentConfigInput['data'] =
    src === 'synthetic' ? { kind: 'synthetic', config: syntheticConfig(e.synthetic) as Record<string, unknown> } : src === 'csv' ? { kind: 'panel', label: 'CSV files' } : { kind: 'embedded', name: src };
  const { split: _split, ...features } = featureConfig(e);
  const envKind = e.env.env as 'trading' | 'portfolio';
  const { split: _s, window: _w, seed: _seed, ...env } = (envKind === 'trading' ? tradingEnvConfig(e) : portfolioEnvConfig(e)) as Record<string, unknown>;
  return {
    name: 'lab experiment',
    data,
    assets: [...e.assets],
    splits: splitSpec(e),
    features: { ...features, preset: 'custom' },
    envKind,
    env,
    algo: e.algo,
    preset: 'standard',
    agent: agentOf(e),
    seed: e.train.seed as number,
    totalSteps: e.train.steps as number,
    eval: { every: 0 },
  };
}

/**
 * Train's agent config, with the network written so that switching its encoder in a sweep gives
 * what Train gives for that encoder: widths for the MLP (hidden) and the market encoders (dModel)
 * both present, no activation (each encoder's default: tanh for the MLP, ReLU otherwise).
 */
function agentOf(e: Experiment): Record<string, unknown> {
  const agent = agentConfig(e.algo, e.hp[e.algo]);
  const h = e.hp[e.algo].hidden as number;
  if (agent.network) agent.network = { encoder: e.hp[e.algo].encoder, hidden: [h, h], dModel: h };
  return agent;
}

export interface SweepKeyOption {
  key: string;
  label: string;
  /** Suggested values (core units) for a new parameter. */
  suggest: Scalar[];
  group: 'Agent' | 'Env' | 'Features' | 'Data' | 'Run';
  /** Only for these algorithms / env kinds / data sources. */
  algos?: readonly AlgoId[];
  envKind?: 'trading' | 'portfolio';
  synthetic?: boolean;
}

/** Settings the builder lists (any other dotted path can be typed in). Core names and units. */
export const SWEEP_KEYS: readonly SweepKeyOption[] = [
  { key: 'agent.learningRate', label: 'Learning rate', suggest: [1e-4, 3e-4, 1e-3], group: 'Agent' },
  { key: 'agent.entCoef', label: 'Entropy coef', suggest: [0, 0.05], group: 'Agent' },
  { key: 'agent.gamma', label: 'Discount γ', suggest: [0.96, 0.99], group: 'Agent' },
  { key: 'agent.gaeLambda', label: 'GAE λ', suggest: [0.95, 1], group: 'Agent' },
  { key: 'agent.vfCoef', label: 'Value coef', suggest: [0.5, 1], group: 'Agent' },
  { key: 'agent.maxGradNorm', label: 'Grad clip', suggest: [0.5, 1], group: 'Agent' },
  { key: 'agent.numSteps', label: 'Rollout length', suggest: [5, 20], group: 'Agent' },
  { key: 'agent.numEnvs', label: 'Parallel envs', suggest: [4, 8], group: 'Agent' },
  { key: 'agent.network.encoder', label: 'Encoder', suggest: ['timecnn', 'transformer'], group: 'Agent' },
  { key: 'agent.clipCoef', label: 'Clip ε', suggest: [0.1, 0.2], group: 'Agent', algos: ['ppo'] },
  { key: 'agent.updateEpochs', label: 'Epochs', suggest: [4, 10], group: 'Agent', algos: ['ppo'] },
  { key: 'features.window', label: 'Window W', suggest: [20, 30, 60], group: 'Features' },
  { key: 'features.preset', label: 'Indicators (all / OHLCV only)', suggest: ['all', 'ohlcv'], group: 'Features' },
  { key: 'env.reward', label: 'Reward', suggest: ['return', 'log'], group: 'Env' },
  { key: 'env.buyPct', label: 'Buy fraction', suggest: [0.2, 0.1], group: 'Env', envKind: 'trading' },
  { key: 'env.sellPct', label: 'Sell fraction', suggest: [0.5, 0.3], group: 'Env', envKind: 'trading' },
  { key: 'env.feeRate', label: 'Fee rate', suggest: [0.0005, 0.001], group: 'Env', envKind: 'trading' },
  { key: 'env.slippageBps', label: 'Slippage (bps)', suggest: [0, 5], group: 'Env', envKind: 'trading' },
  { key: 'env.episodeLength', label: 'Episode length', suggest: [126, 252], group: 'Env' },
  { key: 'env.costRate', label: 'Cost rate', suggest: [0.0005, 0.001], group: 'Env', envKind: 'portfolio' },
  { key: 'env.maxWeight', label: 'Max weight', suggest: [0.2, 0.5], group: 'Env', envKind: 'portfolio' },
  { key: 'data.config.signalStrength', label: 'Planted signal φ', suggest: [0, 0.1], group: 'Data', synthetic: true },
  { key: 'totalSteps', label: 'Training steps', suggest: [2000, 5000], group: 'Run' },
];

export function sweepKeysFor(e: Experiment): SweepKeyOption[] {
  const envKind = e.env.env as 'trading' | 'portfolio';
  return SWEEP_KEYS.filter((k) => (!k.algos || k.algos.includes(e.algo)) && (!k.envKind || k.envKind === envKind) && (!k.synthetic || e.data.data === 'synthetic'));
}

export function labelOf(key: string): string {
  return SWEEP_KEYS.find((k) => k.key === key)?.label ?? key;
}

/**
 * The lab experiment of one sweep point (for saving the run like any other run and reproducing it
 * from its link). Keys without a field in the lab keep the base value; the run name carries the point.
 */
export function experimentOfPoint(base: Experiment, point: Record<string, Scalar>, seed: number): Experiment {
  const e: Experiment = structuredClone(base);
  const hp = e.hp[e.algo];
  const agentKeys: Record<string, string> = {
    learningRate: 'lr',
    entCoef: 'entCoef',
    gamma: 'gamma',
    gaeLambda: 'gaeLambda',
    vfCoef: 'vfCoef',
    maxGradNorm: 'maxGradNorm',
    numSteps: 'nSteps',
    numEnvs: 'numEnvs',
    clipCoef: 'clip',
    updateEpochs: 'epochs',
    numMinibatches: 'minibatches',
    'network.encoder': 'encoder',
  };
  for (const [key, v] of Object.entries(point)) {
    if (key.startsWith('agent.')) {
      const k = agentKeys[key.slice(6)];
      if (k && k in hp) hp[k] = v;
    } else if (key === 'env.buyPct' || key === 'env.sellPct') e.env[key.slice(4)] = (v as number) * 100;
    else if (key === 'env.feeRate' || key === 'env.costRate') e.env.feeBps = (v as number) * 10_000;
    else if (key === 'env.slippageBps' || key === 'env.reward' || key === 'env.maxWeight' || key === 'env.holdDecay') e.env[key.slice(4)] = v;
    else if (key === 'env.episodeLength') e.env.episodeLen = v;
    else if (key === 'features.window') e.features.window = v;
    else if (key === 'features.preset' && (v === 'all' || v === 'ohlcv')) for (const i of INDICATORS) e.features[`ind.${i.key}`] = v === 'all' || i.key === 'ohlcv';
    else if (key === 'data.config.signalStrength') e.synthetic['syn.signal'] = v;
    else if (key === 'totalSteps') e.train.steps = v;
  }
  e.train.seed = seed;
  return e;
}
