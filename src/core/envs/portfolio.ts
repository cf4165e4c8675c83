import type { FeatureSet, MarketObsLayout } from '../features/types.ts';
import { Rng } from '../rng.ts';
import type { EpisodeRows, SplitSelector } from './market.ts';
import {
  Slab,
  checkEpisodeLength,
  checkFeatureSet,
  episodeStart,
  layoutSize,
  marketObsSpace,
  resolveRows,
  writeWindow,
} from './market.ts';
import type { BoxSpace, Env, Info, ResetOptions, ResetResult, RiskInfo, StepResult } from './types.ts';

/**
 * Seed 000's portfolio layer as an env: the action is a target weight (or signal) per asset,
 * long-short; the layer turns it into weights; the reward is the portfolio's return net of cost.
 *
 * One step at row t:
 *   1. w = portfolioLayer(action, current drifted weights, cfg) — see portfolioLayer.
 *   2. turnover = Σ|w_i − w̃_i| where w̃ are the current weights after yesterday's price moves
 *      (drifted); cost = costRate × turnover.
 *   3. Time advances to t + 1; r_i = close_{t+1,i}/close_{t,i} − 1; gross = Σ w_i r_i.
 *      reward = gross − cost (seed 000's additive convention: cost is charged on the value at t);
 *      V_{t+1} = V_t·(1 + reward); the weights drift to w̃_i = w_i(1 + r_i)/(1 + reward).
 * The rest of the value (1 − Σ w_i, which exceeds 1 with shorts) is cash earning nothing.
 * Terminated at the split's last row or when the value reaches 0 (ruin, possible with shorts);
 * truncated after episodeLength steps (random start drawn with the env's Rng, as TradingEnv).
 *
 * Observation: X[t−W+1..t, asset, feature] time-major, then the current drifted weight per asset
 * (includeWeights). Same buffer rules as TradingEnv: the obs array is reused, infos are fresh.
 */

// ---- the layer (pure) ----------------------------------------------------------------------

export interface PortfolioLayerConfig {
  /** Cap on each |w_i| after normalisation; the capped-off mass is not redistributed (it stays in cash). */
  maxWeight: number;
  /** An asset whose signal is NaN (no new signal) keeps prevWeight × holdDecay (1 = keep, 0 = close). */
  holdDecay: number;
}

export const DEFAULT_PORTFOLIO_LAYER: Readonly<PortfolioLayerConfig> = Object.freeze({
  maxWeight: 0.2,
  holdDecay: 1,
});

/**
 * Signals → weights, in this order:
 *   1. w_i = signal_i, or prevWeights_i × holdDecay where signal_i is NaN;
 *   2. if Σ|w| > 1, divide every w_i by Σ|w| (gross exposure ≤ 1; a smaller book is left as is,
 *      the rest being cash);
 *   3. clamp each w_i to [−maxWeight, maxWeight]; the capped-off mass goes to cash (not
 *      redistributed), so Σ|w| ≤ 1 still holds and a lone strong signal gets exactly maxWeight.
 * Signals may exceed ±1 (they only matter through the normalisation). Writes into `out` when
 * given (may alias `prevWeights`) and returns it.
 */
export function portfolioLayer(
  signals: ArrayLike<number>,
  prevWeights: ArrayLike<number>,
  cfg: PortfolioLayerConfig = DEFAULT_PORTFOLIO_LAYER,
  out: Float64Array = new Float64Array(signals.length),
): Float64Array {
  const n = signals.length;
  if (prevWeights.length !== n || out.length !== n) {
    throw new Error(
      `portfolioLayer: ${n} signals but ${prevWeights.length} previous weights and ${out.length} outputs`,
    );
  }
  let gross = 0;
  for (let i = 0; i < n; i++) {
    const s = signals[i];
    if (s === Infinity || s === -Infinity)
      throw new Error(`portfolioLayer: signal ${i} is ${s}; use NaN for "no signal"`);
    const w = Number.isNaN(s) ? prevWeights[i] * cfg.holdDecay : s;
    out[i] = w;
    gross += Math.abs(w);
  }
  const scale = gross > 1 ? 1 / gross : 1;
  const cap = cfg.maxWeight;
  for (let i = 0; i < n; i++) {
    const w = out[i] * scale;
    out[i] = w > cap ? cap : w < -cap ? -cap : w;
  }
  return out;
}

// ---- config --------------------------------------------------------------------------------

export interface PortfolioEnvConfig extends PortfolioLayerConfig {
  /** Rows of the FeatureSet an episode uses: 'train' | 'valid' | 'test' or a row range [start, end). */
  split: SplitSelector;
  /** Days of features in an observation (W). */
  window: number;
  /** Portfolio value at the start of an episode (an index; returns do not depend on it). */
  initialValue: number;
  /** Transaction cost per unit of turnover Σ|w_t − w̃_{t}| (0.0005 = 5 bps of traded value). */
  costRate: number;
  /** null: run to the split's end. n: random start, truncate after n steps. */
  episodeLength: number | null;
  /** Append the current (drifted) weight per asset to the observation. */
  includeWeights: boolean;
  /** Seed of the env's Rng until reset({seed}) re-seeds it (only random starts use it). */
  seed: number;
}

export const DEFAULT_PORTFOLIO_CONFIG: Readonly<PortfolioEnvConfig> = Object.freeze({
  split: 'train',
  window: 20,
  initialValue: 1,
  costRate: 0.0005,
  maxWeight: 0.2,
  holdDecay: 1,
  episodeLength: null,
  includeWeights: true,
  seed: 0,
} satisfies PortfolioEnvConfig);

export interface PortfolioInfo extends Info {
  date: string;
  t: number;
  portfolioValue: number;
  /** Weights the layer chose this step (held from t to t + 1). */
  weights: Float64Array;
  /** Current weights after the price move to this row (what the next step trades from). */
  driftedWeights: Float64Array;
  /** Σ|w − w̃| this step. */
  turnover: number;
  /** costRate × turnover. */
  cost: number;
  /** gross = w·r; cost = −costRate·turnover; they sum to the reward. */
  rewardParts: { gross: number; cost: number };
  /** Drawdown from the peak since reset and the drifted weights' exposure at this row. */
  risk: RiskInfo;
}

const INFO_SLAB_STEPS = 32;

export class PortfolioEnv implements Env<Float32Array, PortfolioInfo> {
  readonly config: Readonly<PortfolioEnvConfig>;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly layout: MarketObsLayout;
  readonly nAssets: number;
  readonly rows: EpisodeRows;
  readonly dates: readonly string[];
  readonly assets: readonly string[];

  private readonly X: Float32Array;
  private readonly close: Float64Array;
  private readonly rowLen: number;
  private readonly rng: Rng;
  private obs: Float32Array;
  /** Current weights after the latest price move. */
  private readonly drifted: Float64Array;
  private readonly slab: Slab<Float64Array>;
  private value = 0;
  private peakValue = 0;
  private t = -1;
  private episodeEnd = -1;
  private needsReset = true;

  constructor(features: FeatureSet, config: Partial<PortfolioEnvConfig> = {}) {
    const cfg: PortfolioEnvConfig = { ...DEFAULT_PORTFOLIO_CONFIG, ...config };
    const bad = (field: keyof PortfolioEnvConfig, why: string): never => {
      throw new Error(`PortfolioEnv config: ${field} = ${JSON.stringify(cfg[field])}: ${why}`);
    };
    if (!(cfg.initialValue > 0) || !Number.isFinite(cfg.initialValue))
      bad('initialValue', 'must be a finite number > 0');
    if (!(cfg.costRate >= 0 && cfg.costRate < 1)) bad('costRate', 'must be in [0, 1)');
    if (!(cfg.maxWeight > 0 && cfg.maxWeight <= 1)) bad('maxWeight', 'must be in (0, 1]');
    if (!(cfg.holdDecay >= 0 && cfg.holdDecay <= 1)) bad('holdDecay', 'must be in [0, 1]');
    checkFeatureSet(features, 'PortfolioEnv');
    this.config = Object.freeze(cfg);
    this.rows = resolveRows(features, cfg.split, cfg.window, 'PortfolioEnv');
    checkEpisodeLength(this.rows, cfg.episodeLength, 'PortfolioEnv');

    const N = features.assets.length;
    const F = features.featureNames.length;
    this.nAssets = N;
    this.dates = features.dates;
    this.assets = features.assets;
    this.X = features.X;
    this.close = features.close;
    this.rowLen = N * F;
    this.layout = Object.freeze({
      window: cfg.window,
      nAssets: N,
      nFeatures: F,
      perAssetExtras: cfg.includeWeights ? 1 : 0,
      globalExtras: 0,
    });
    // Drifted weights are unbounded in principle (a short that loses grows without limit).
    this.observationSpace = marketObsSpace(this.layout, -Infinity, Infinity);
    this.actionSpace = { kind: 'box', shape: [N], low: -1, high: 1 };
    this.obs = new Float32Array(layoutSize(this.layout));
    this.drifted = new Float64Array(N);
    this.slab = new Slab(Float64Array, INFO_SLAB_STEPS * 2 * N);
    this.rng = new Rng(cfg.seed);
  }

  /** Current row index, −1 before the first reset. */
  get row(): number {
    return this.t;
  }

  reset(opts: ResetOptions = {}): ResetResult<PortfolioInfo> {
    if (opts.seed !== undefined) this.rng.seed(opts.seed);
    const length = this.config.episodeLength;
    this.t = episodeStart(this.rows, length, (n) => this.rng.int(n));
    this.episodeEnd = length === null ? this.rows.lastRow : this.t + length;
    this.value = this.config.initialValue;
    this.peakValue = this.value;
    this.drifted.fill(0);
    this.needsReset = false;
    this.writeObs();
    return { obs: this.obs, info: this.makeInfo(this.slab.take(this.nAssets), 0, 0, 0) };
  }

  step(action: Float32Array): StepResult<PortfolioInfo> {
    if (this.needsReset)
      throw new Error('PortfolioEnv.step() called before reset() or after the episode ended; call reset()');
    const N = this.nAssets;
    if (action.length !== N)
      throw new Error(
        `PortfolioEnv.step: action has ${action.length} entries, expected one weight per asset (${N})`,
      );
    const drifted = this.drifted;
    const weights = portfolioLayer(action, drifted, this.config, this.slab.take(N));
    let turnover = 0;
    for (let i = 0; i < N; i++) turnover += Math.abs(weights[i] - drifted[i]);
    const cost = this.config.costRate * turnover;

    const row = this.t * N;
    this.t++;
    const nextRow = this.t * N;
    let gross = 0;
    for (let i = 0; i < N; i++) gross += weights[i] * (this.close[nextRow + i] / this.close[row + i] - 1);
    const reward = gross - cost;
    const growth = 1 + reward;
    const ruined = !(growth > 0);
    this.value = ruined ? 0 : this.value * growth;
    if (this.value > this.peakValue) this.peakValue = this.value;
    for (let i = 0; i < N; i++)
      drifted[i] = ruined ? 0 : (weights[i] * (this.close[nextRow + i] / this.close[row + i])) / growth;

    const terminated = ruined || this.t >= this.rows.lastRow;
    const truncated = !terminated && this.t >= this.episodeEnd;
    if (terminated || truncated) this.needsReset = true;
    this.writeObs();
    return {
      obs: this.obs,
      reward,
      terminated,
      truncated,
      info: this.makeInfo(weights, turnover, gross, cost),
    };
  }

  /** See Env.setObservationBuffer: reset/step write into and return `target` from now on. */
  setObservationBuffer(target: Float32Array): void {
    if (target.length !== this.obs.length)
      throw new Error(
        `PortfolioEnv.setObservationBuffer: ${target.length} values, the observation has ${this.obs.length}`,
      );
    this.obs = target;
    if (this.t >= 0) this.writeObs();
  }

  private writeObs(): void {
    writeWindow(this.obs, this.X, this.t, this.config.window, this.rowLen);
    if (this.config.includeWeights) this.obs.set(this.drifted, this.layout.window * this.rowLen);
  }

  private makeInfo(weights: Float64Array, turnover: number, gross: number, cost: number): PortfolioInfo {
    const driftedWeights = this.slab.take(this.nAssets);
    driftedWeights.set(this.drifted);
    return {
      date: this.dates[this.t],
      t: this.t,
      portfolioValue: this.value,
      weights,
      driftedWeights,
      turnover,
      cost,
      rewardParts: { gross, cost: -cost },
      risk: this.riskInfo(),
    };
  }

  private riskInfo(): RiskInfo {
    let gross = 0;
    let net = 0;
    for (let i = 0; i < this.nAssets; i++) {
      gross += Math.abs(this.drifted[i]);
      net += this.drifted[i];
    }
    return {
      drawdown: this.peakValue > 0 ? this.value / this.peakValue - 1 : -1,
      peakValue: this.peakValue,
      grossExposure: gross,
      netExposure: net,
    };
  }
}
