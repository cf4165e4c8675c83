/**
 * Adapter: the UI's experiment (flat, user-facing units: bps, %) → the plain configs core expects
 * (fractions, core field names). The only place that knows both vocabularies.
 */
import type { FeatureConfig } from '../../core/features/config.ts';
import type { PortfolioEnvConfig } from '../../core/envs/portfolio.ts';
import type { TradingEnvConfig } from '../../core/envs/trading.ts';
import type { SplitSpec } from '../../core/data/types.ts';
import type { AlgoId } from '../../store/algorithms.ts';
import type { Experiment } from '../../store/experiment.ts';
import type { Values } from '../../store/fields.ts';
import type { Panel } from '../../../workers/protocol.ts';

export function splitSpec(e: Experiment): SplitSpec {
  const s = e.splits as Record<string, string>;
  return {
    train: { start: s['train.start'], end: s['train.end'] },
    valid: { start: s['valid.start'], end: s['valid.end'] },
    test: { start: s['test.start'], end: s['test.end'] },
  };
}

export function featureConfig(e: Experiment): FeatureConfig {
  const on = (k: string) => e.features[`ind.${k}`] === true;
  return {
    ohlcv: on('ohlcv'),
    sma: on('sma') ? [10, 20, 50] : [],
    ema: on('ema') ? [12, 26] : [],
    rsi: on('rsi') ? [14] : [],
    macd: on('macd') ? { fast: 12, slow: 26, signal: 9 } : null,
    atr: on('atr') ? [14] : [],
    bbands: on('bbands') ? { period: 20, k: 2 } : null,
    ichimoku: on('ichimoku') ? { tenkan: 9, kijun: 26, senkouB: 52, offset: 26 } : null,
    heikinAshi: on('heikinAshi'),
    supertrend: on('supertrend') ? { period: 10, multiplier: 3 } : null,
    window: e.features.window as number,
    split: splitSpec(e),
  };
}

/** Train-split env config; evaluation overrides `split` and `episodeLength`. */
export function tradingEnvConfig(e: Experiment): Partial<TradingEnvConfig> {
  const v = e.env;
  return {
    split: 'train',
    window: e.features.window as number,
    initialCash: v.initialCash as number,
    buyPct: (v.buyPct as number) / 100,
    sellPct: (v.sellPct as number) / 100,
    feeRate: (v.feeBps as number) / 10_000,
    slippageBps: v.slippageBps as number,
    fractionalShares: v.fractional as boolean,
    limitPct: (v.limitPct as number) > 0 ? (v.limitPct as number) / 100 : null,
    reward: v.reward as 'return' | 'log',
    episodeLength: v.episodeLen as number,
    seed: e.train.seed as number,
  };
}

export function portfolioEnvConfig(e: Experiment): Partial<PortfolioEnvConfig> {
  const v = e.env;
  return {
    split: 'train',
    window: e.features.window as number,
    costRate: ((v.feeBps as number) + (v.slippageBps as number)) / 10_000,
    maxWeight: v.maxWeight as number,
    holdDecay: v.holdDecay as number,
    episodeLength: v.episodeLen as number,
    seed: e.train.seed as number,
  };
}

/** A copy of a panel whose buffers can be transferred without detaching the UI's own. */
export function copyPanel(p: Panel): Panel {
  return {
    dates: p.dates.slice(),
    assets: p.assets.slice(),
    open: p.open.slice(),
    high: p.high.slice(),
    low: p.low.slice(),
    close: p.close.slice(),
    volume: p.volume.slice(),
  };
}

/** The network spec core builds from the encoder + width knobs. */
export function networkSpec(hp: Values): Record<string, unknown> {
  const h = hp.hidden as number;
  return hp.encoder === 'mlp'
    ? { encoder: 'mlp', hidden: [h, h], activation: 'tanh' }
    : { encoder: hp.encoder, dModel: h };
}

function datasetSource(hp: Values): Record<string, unknown> {
  return {
    file: null,
    behaviour: hp.behaviour,
    action: Number(hp.action),
    steps: hp.datasetSteps,
    randomMix: hp.randomMix,
  };
}

/** Agent hyperparameters in core's names (A2CConfig, PPOConfig, …); seed and step budget added by the caller. */
export function agentConfig(algo: AlgoId, hp: Values): Record<string, unknown> {
  switch (algo) {
    case 'a2c':
      return {
        numEnvs: hp.numEnvs,
        numSteps: hp.nSteps,
        gamma: hp.gamma,
        gaeLambda: hp.gaeLambda,
        learningRate: hp.lr,
        optimizer: hp.optimizer,
        // Core's presets: RMSprop eps 1e-5 (SB3), Adam eps 1e-8 (QTMRL).
        optimizerEps: hp.optimizer === 'adam' ? 1e-8 : 1e-5,
        maxGradNorm: hp.maxGradNorm,
        entCoef: hp.entCoef,
        vfCoef: hp.vfCoef,
        rewardScale: hp.rewardScale,
        normAdv: hp.normAdv,
        useMasks: hp.masks,
        network: networkSpec(hp),
      };
    case 'ppo':
      return {
        numEnvs: hp.numEnvs,
        numSteps: hp.nSteps,
        gamma: hp.gamma,
        gaeLambda: hp.gaeLambda,
        learningRate: hp.lr,
        annealLr: hp.annealLr,
        numMinibatches: hp.minibatches,
        updateEpochs: hp.epochs,
        normAdv: hp.normAdv,
        clipCoef: hp.clip,
        clipVloss: hp.clipVloss,
        entCoef: hp.entCoef,
        vfCoef: hp.vfCoef,
        rewardScale: hp.rewardScale,
        maxGradNorm: hp.maxGradNorm,
        targetKl: (hp.targetKl as number) > 0 ? hp.targetKl : null,
        useMasks: hp.masks,
        network: networkSpec(hp),
      };
    case 'bc':
      return {
        learningRate: hp.lr,
        alpha: hp.alpha,
        beta: hp.beta,
        imbalance: hp.imbalance,
        epochs: hp.epochs,
        batchSize: hp.batch,
        valFraction: hp.valFraction,
        patience: hp.patience,
        hidden: [hp.hidden, hp.hidden],
        dataset: datasetSource(hp),
      };
    case 'iql':
      return {
        actorLearningRate: hp.lr,
        criticLearningRate: hp.lr,
        valueLearningRate: hp.lr,
        gamma: hp.gamma,
        expectile: hp.expectile,
        beta: hp.temperature,
        maxWeight: hp.maxWeight,
        tau: hp.tau,
        batchSize: hp.batch,
        rewardScale: hp.rewardScale,
        hidden: [hp.hidden, hp.hidden],
        dataset: datasetSource(hp),
      };
  }
}

/** Typed-array buffers of a panel, for comlink.transfer. */
export function panelTransferables(p: Panel): ArrayBuffer[] {
  return [p.open, p.high, p.low, p.close, p.volume].map((a) => a.buffer as ArrayBuffer);
}
