/**
 * A market experiment from a Panel, pure core (no fs): features → TradingEnv factories per split,
 * and, after training, a deterministic backtest of the agent on every split with the baselines
 * beside it (same data, fees, splits and starting row). Used by `lab train`, `lab evaluate` and
 * the trainer worker.
 */
import type { Panel, SplitName, SplitSpec } from '../data/types.ts';
import { QTMRL_SPLIT } from '../data/types.ts';
import { buildFeatures, featurePreset, type BuildFeaturesOptions, type FeatureConfig, type FeaturePreset } from '../features/index.ts';
import type { FeatureSet } from '../features/types.ts';
import { TradingEnv, type TradingEnvConfig } from '../envs/trading.ts';
import { parseStrategy, runBaseline } from '../baselines/index.ts';
import { computeMetrics, metricsRecord, type MetricsRecord } from '../metrics/report.ts';
import { evaluatePolicy, type Predictor } from './evaluate.ts';

export const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

export interface MarketSetup {
  /** 'all' (every indicator, QTMRL) or 'ohlcv'. */
  features: FeaturePreset;
  window: number;
  /**
   * 'qtmrl': the paper's dates (train 2000–2010, valid 2011–2018, test 2019–2021);
   * 'ratio': 60/20/20 of the rows in date order; 'auto': qtmrl when every split gets data, else ratio.
   */
  splits: 'auto' | 'qtmrl' | 'ratio';
  /** TradingEnv settings (fees, buy/sell fractions, reward, episodeLength for training, …). */
  env: Partial<TradingEnvConfig>;
  /** Baselines evaluated beside the agent. */
  baselines: string[];
}

export const defaultMarketSetup: MarketSetup = {
  features: 'all',
  window: 20,
  splits: 'auto',
  env: {},
  baselines: ['buy-and-hold', 'equal-weight', 'random'],
};

export interface MarketExperiment {
  setup: MarketSetup;
  features: FeatureSet;
  featureConfig: FeatureConfig;
  /** Split date ranges actually used, and which rule gave them. */
  splitSpec: SplitSpec;
  splitRule: 'qtmrl' | 'ratio';
  /** Splits with at least two decision rows. */
  splits: SplitName[];
  /** Training env i (split 'train', training episode settings, seed i). */
  makeTrainEnv(index: number): TradingEnv;
  /** A full-split, deterministic env for evaluation. */
  makeEvalEnv(split: SplitName): TradingEnv;
}

function ratioSplit(dates: readonly string[]): SplitSpec {
  const T = dates.length;
  const a = Math.floor(T * 0.6);
  const b = Math.floor(T * 0.8);
  return {
    train: { start: dates[0], end: dates[a - 1] },
    valid: { start: dates[a], end: dates[b - 1] },
    test: { start: dates[b], end: dates[T - 1] },
  };
}

function rowsIn(dates: readonly string[], s: { start: string; end: string }): number {
  let n = 0;
  for (const d of dates) if (d >= s.start && d <= s.end) n++;
  return n;
}

/** `opts.normalization`: the statistics a trained agent was fitted with (see buildFeatures). */
export function buildMarketExperiment(panel: Panel, setup: Partial<MarketSetup> = {}, opts: BuildFeaturesOptions = {}): MarketExperiment {
  const s: MarketSetup = { ...defaultMarketSetup, ...setup, env: { ...defaultMarketSetup.env, ...setup.env } };
  if (panel.dates.length < 10) throw new Error(`market data has ${panel.dates.length} rows; training needs more`);
  const minRows = s.window + 2;
  const qtmrlFits = SPLITS.every((k) => rowsIn(panel.dates, QTMRL_SPLIT[k]) >= minRows);
  const splitRule = s.splits === 'qtmrl' || (s.splits === 'auto' && qtmrlFits) ? 'qtmrl' : 'ratio';
  const splitSpec = splitRule === 'qtmrl' ? QTMRL_SPLIT : ratioSplit(panel.dates);
  const featureConfig = featurePreset(s.features, { window: s.window, split: splitSpec });
  const features = buildFeatures(panel, featureConfig, opts);
  const splits = SPLITS.filter((k) => features.splits[k].end - Math.max(features.splits[k].start, s.window - 1) >= 2);
  if (!splits.includes('train')) throw new Error(`the train split ${splitSpec.train.start}..${splitSpec.train.end} has too few rows after the indicators' warm-up`);
  const envBase = { ...s.env, window: s.window };
  return {
    setup: s,
    features,
    featureConfig,
    splitSpec,
    splitRule,
    splits,
    makeTrainEnv: (i) => new TradingEnv(features, { ...envBase, split: 'train', seed: i }),
    makeEvalEnv: (split) => new TradingEnv(features, { ...envBase, split, episodeLength: null }),
  };
}

export interface StrategyRun {
  metrics: MetricsRecord;
  /** Portfolio value at each row of the episode (agent: after reset, then after each step). */
  equity: Float64Array;
}

export interface SplitReport {
  split: SplitName;
  startDate: string;
  endDate: string;
  /** First decision row and last row of the split (inclusive), in FeatureSet rows. */
  rows: [number, number];
  dates: string[];
  agent: StrategyRun & { positions: Float64Array[]; cash: number[]; actions: number[][] };
  baselines: Record<string, StrategyRun>;
}

/** Deterministic backtest of the agent on each split, baselines beside it over the same rows. */
export async function evaluateMarket(agent: Predictor, exp: MarketExperiment, opts: { annualization?: number; seed?: number } = {}): Promise<SplitReport[]> {
  const annualization = opts.annualization ?? 252;
  const fs = exp.features;
  const N = fs.assets.length;
  const fee = exp.makeEvalEnv(exp.splits[0]).config.feeRate;
  const initialCash = exp.makeEvalEnv(exp.splits[0]).config.initialCash;
  const out: SplitReport[] = [];
  for (const split of exp.splits) {
    const env = exp.makeEvalEnv(split);
    const res = await evaluatePolicy(agent, env, { episodes: 1, annualization });
    const m = res.market!;
    const first = env.rows.firstDecision;
    const last = env.rows.lastRow;
    const dates = fs.dates.slice(first, last + 1);
    const agentReturns = new Float64Array(m.equity.length - 1);
    for (let k = 1; k < m.equity.length; k++) agentReturns[k - 1] = m.equity[k] / m.equity[k - 1] - 1;
    const agentMetrics = metricsRecord(computeMetrics(agentReturns, { annualization, dates: dates.slice(1) }));
    const baselines: Record<string, StrategyRun> = {};
    for (const name of exp.setup.baselines) {
      const r = runBaseline(parseStrategy(name), fs.close, N, { fee, initialCash, range: { start: first, end: last + 1 }, seed: opts.seed ?? 0 });
      baselines[name] = {
        metrics: { ...metricsRecord(computeMetrics(r.returns, { annualization, dates, turnover: r.turnover, weights: r.weights, nAssets: N })), final_equity: r.equity[r.equity.length - 1] },
        equity: r.equity,
      };
    }
    out.push({
      split,
      startDate: dates[0],
      endDate: dates[dates.length - 1],
      rows: [first, last],
      dates,
      agent: { metrics: { ...agentMetrics, final_equity: m.finalValue }, equity: m.equity, positions: m.positions, cash: m.cash, actions: m.actions },
      baselines,
    });
  }
  return out;
}
