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
import type {
  BoxSpace,
  Env,
  Info,
  MultiDiscreteSpace,
  ResetOptions,
  ResetResult,
  StepResult,
  RiskInfo,
} from './types.ts';

/**
 * QTMRL's multi-asset trading env (seed 003 §3): a shared cash pool, one BUY/SELL/HOLD head per
 * asset, fees, no shorting, best-effort execution, portfolio-level reward.
 *
 * Action encoding (one Int32 per asset, MultiDiscrete nvec = [3, …, 3]):
 *   0 = HOLD, 1 = BUY, 2 = SELL  (exported as HOLD, BUY, SELL).
 *
 * Order of execution within step(a) at row t (all at close_t, slippage applied):
 *   1. SELLs, in asset order. Each sells sellPct of that asset's position; proceeds minus fee go
 *      to cash. Sells go first so their cash can fund today's buys.
 *   2. BUYs. With k BUY orders left after the limit rule, the buys spend together exactly what k
 *      sequential "buyPct of current cash" orders would, C·(1 − (1 − buyPct)^k), but split it
 *      equally (`buyAllocation: 'equal-split'`, default), so no asset is favoured by its column
 *      position; k = 1 is exactly "spend buyPct of current cash". `'sequential'` is the paper's
 *      loop: in asset order, each buy spends buyPct of the cash left at that moment.
 *      A buy's budget includes its fee: notional = budget / (1 + feeRate), fee = feeRate·notional.
 *   3. Time advances to t + 1; the portfolio is marked at close_{t+1}; the reward compares
 *      P_{t+1} with P_t (both marked before that row's trades).
 * Best effort: an order that cannot be carried out (no position to sell, budget below one whole
 * share, notional ≤ minOrderValue or ≤ DUST_SHARE of the portfolio, limit rule) is skipped and
 * counted in info.skipped; it never throws and never makes cash or a position negative.
 *
 * Costs: fee = feeRate × traded notional, one-sided, on every buy and sell. Slippage moves the
 * execution price against the trader by slippageBps (buy at close·(1+s), sell at close·(1−s));
 * fees are charged on that execution price.
 *
 * Episodes: the agent acts at rows firstDecision .. lastRow−1 of the split, where
 * firstDecision = max(split start, window − 1); reaching the split's last row terminates. With
 * episodeLength set, reset() draws a uniform start with the env's Rng so that the episode has
 * exactly episodeLength steps and then truncates (truncated is only set when not terminated).
 *
 * Observation (flat Float32Array, layout in `layout`): X[t−W+1..t, asset, feature] time-major,
 * then per-asset position weight pos·close_t/P_t (includePosition), then cash weight cash/P_t
 * (includeCash); weights lie in [0, 1] and sum to 1. The array returned by reset/step is the
 * env's own buffer, overwritten by the next reset/step: copy it to keep it (SyncVectorEnv copies
 * it into its batch). Info objects and their arrays are fresh every step and safe to keep.
 */

// ---- config ------------------------------------------------------------------------------

export interface TradingEnvConfig {
  /** Rows of the FeatureSet an episode uses: 'train' | 'valid' | 'test' or a row range [start, end). */
  split: SplitSelector;
  /** Days of features in an observation (W). */
  window: number;
  /** Cash at the start of every episode; no initial holdings. */
  initialCash: number;
  /** Fraction of current cash a BUY spends, fee included, in (0, 1]. */
  buyPct: number;
  /** Fraction of the position a SELL sells, in (0, 1]. */
  sellPct: number;
  /** Fee as a fraction of traded notional, charged on each side (0.0005 = 0.05%). */
  feeRate: number;
  /** Execution price moves against the trader by this many basis points. */
  slippageBps: number;
  /** true: fractional shares. false: whole shares — buys floor the share count; sells floor it but sell at least one share, so any position can be closed. */
  fractionalShares: boolean;
  /** An order executes only if its notional exceeds this (0 = any positive amount). */
  minOrderValue: number;
  /** Daily price limit, e.g. 0.1 for ±10% (Chinese exchanges): no BUY when close_t ≥ close_{t−1}·(1+limit), no SELL when close_t ≤ close_{t−1}·(1−limit). null = off. */
  limitPct: number | null;
  /** How the cash of several BUYs in one step is shared: 'equal-split' (order-free, default) or 'sequential' (paper's asset-order loop). */
  buyAllocation: 'equal-split' | 'sequential';
  /** 'return': P_{t+1}/P_t − 1. 'log': log(P_{t+1}/P_t). */
  reward: 'return' | 'log';
  /** null: run from the split's first decision row to its end. n: random start, truncate after n steps. */
  episodeLength: number | null;
  /** Append per-asset position weights (pos·close/P) to the observation. */
  includePosition: boolean;
  /** Append the cash weight (cash/P) to the observation. */
  includeCash: boolean;
  /** Seed of the env's Rng until reset({seed}) re-seeds it (only random starts use it). */
  seed: number;
}

export const DEFAULT_TRADING_CONFIG: Readonly<TradingEnvConfig> = Object.freeze({
  split: 'train',
  window: 20,
  initialCash: 1e6,
  buyPct: 0.2,
  sellPct: 0.5,
  feeRate: 0.0005,
  slippageBps: 0,
  fractionalShares: true,
  minOrderValue: 0,
  limitPct: null,
  buyAllocation: 'equal-split',
  reward: 'return',
  episodeLength: null,
  includePosition: true,
  includeCash: true,
  seed: 0,
} satisfies TradingEnvConfig);

// ---- actions -------------------------------------------------------------------------------

export const HOLD = 0;
export const BUY = 1;
export const SELL = 2;
/** Action names by code: TRADE_ACTIONS[BUY] === 'buy'. */
export const TRADE_ACTIONS = ['hold', 'buy', 'sell'] as const;
export type TradeActionName = (typeof TRADE_ACTIONS)[number];

/**
 * Relative tolerance of the limit test: limit prices are rounded to ticks on real exchanges, and
 * 10 × 1.1 = 11.000000000000002 in floating point, so a close exactly at the limit counts as at it.
 */
const LIMIT_TOLERANCE = 1e-9;
/**
 * Orders worth at most this share of the portfolio are float dust, not trades: selling a whole
 * position can leave ~1e-12 of cash that the mask (computed in another summation order) saw as 0,
 * and a masked BUY would otherwise spend it. Mask and step use the same floor, so masks stay exact.
 */
const DUST_SHARE = 1e-9;

/** Steps of info arrays per slab: small enough that a posted view drags little along. */
const INFO_SLAB_STEPS = 32;

// ---- info ----------------------------------------------------------------------------------

export interface TradingInfo extends Info {
  /** Date of the row the portfolio is marked at (t after the step). */
  date: string;
  /** Row index into the FeatureSet. */
  t: number;
  /** P = cash + Σ positions·close at this row. */
  portfolioValue: number;
  cash: number;
  /** Shares held per asset (a copy). */
  positions: Float64Array;
  /** Fees paid this step. */
  fees: number;
  /** Cost of slippage this step: Σ qty·|execution price − close|. */
  slippageCost: number;
  /** Σ qty·execution price over this step's trades (fees are feeRate × this). */
  tradedNotional: number;
  /** Orders executed this step. */
  trades: number;
  /** Shares traded per asset this step: + bought, − sold. */
  executedQty: Float64Array;
  /** BUY/SELL orders not executed (no cash, no position, below minOrderValue or dust, or a limit rule). */
  skipped: number;
  /** Of `skipped`, those blocked by the limit-up/limit-down rule. */
  skippedByLimit: number;
  /** Sum to the reward: market move, fees and slippage (fractions of P_t, or log terms for 'log'). */
  rewardParts: { market: number; fee: number; slippage: number };
  /** [N × 3] flattened per asset as (hold, buy, sell); 0 = the order cannot execute at this row (see actionMask()). */
  actionMask: Uint8Array;
  /** Drawdown from the peak since reset and exposure at this row. */
  risk: RiskInfo;
}

// ---- env -----------------------------------------------------------------------------------

export class TradingEnv implements Env<Int32Array, TradingInfo> {
  readonly config: Readonly<TradingEnvConfig>;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: MultiDiscreteSpace;
  readonly layout: MarketObsLayout;
  readonly nAssets: number;
  readonly rows: EpisodeRows;
  readonly dates: readonly string[];
  readonly assets: readonly string[];

  private readonly X: Float32Array;
  private readonly close: Float64Array;
  private readonly rowLen: number;
  private readonly windowLen: number;
  private readonly rng: Rng;
  private obs: Float32Array;
  private readonly positions: Float64Array;
  private readonly buyOrders: Uint8Array;
  private readonly sellProceeds: Float64Array;
  /** Per-step info arrays (positions, executedQty; actionMask): fresh views, see Slab. */
  private readonly f64Slab: Slab<Float64Array>;
  private readonly u8Slab: Slab<Uint8Array>;
  private readonly buyUp: number;
  private readonly sellDown: number;
  /** A close at or above prev·upLimit is limit-up, at or below prev·downLimit limit-down (limitPct null: never). */
  private readonly upLimit: number;
  private readonly downLimit: number;
  private mask: Uint8Array;
  private cash = 0;
  private value = 0;
  private peakValue = 0;
  private t = -1;
  private stepsTaken = 0;
  private episodeEnd = -1;
  private needsReset = true;

  constructor(features: FeatureSet, config: Partial<TradingEnvConfig> = {}) {
    const cfg: TradingEnvConfig = { ...DEFAULT_TRADING_CONFIG, ...config };
    validateConfig(cfg);
    checkFeatureSet(features, 'TradingEnv');
    this.config = Object.freeze(cfg);
    this.rows = resolveRows(features, cfg.split, cfg.window, 'TradingEnv');
    checkEpisodeLength(this.rows, cfg.episodeLength, 'TradingEnv');

    const N = features.assets.length;
    const F = features.featureNames.length;
    this.nAssets = N;
    this.dates = features.dates;
    this.assets = features.assets;
    this.X = features.X;
    this.close = features.close;
    this.rowLen = N * F;
    this.windowLen = cfg.window * N * F;
    this.layout = Object.freeze({
      window: cfg.window,
      nAssets: N,
      nFeatures: F,
      perAssetExtras: cfg.includePosition ? 1 : 0,
      globalExtras: cfg.includeCash ? 1 : 0,
    });
    this.observationSpace = marketObsSpace(this.layout, 0, 1);
    this.actionSpace = { kind: 'multi-discrete', nvec: new Array<number>(N).fill(3) };
    this.obs = new Float32Array(layoutSize(this.layout));
    this.positions = new Float64Array(N);
    this.buyOrders = new Uint8Array(N);
    this.sellProceeds = new Float64Array(N);
    // Room for INFO_SLAB_STEPS steps of per-step arrays before a new slab is allocated.
    this.f64Slab = new Slab(Float64Array, INFO_SLAB_STEPS * 2 * N);
    this.u8Slab = new Slab(Uint8Array, INFO_SLAB_STEPS * 3 * N);
    this.mask = new Uint8Array(3 * N);
    this.buyUp = 1 + cfg.slippageBps / 1e4;
    this.sellDown = 1 - cfg.slippageBps / 1e4;
    this.upLimit = cfg.limitPct === null ? Infinity : (1 + cfg.limitPct) * (1 - LIMIT_TOLERANCE);
    this.downLimit = cfg.limitPct === null ? -Infinity : (1 - cfg.limitPct) * (1 + LIMIT_TOLERANCE);
    this.rng = new Rng(cfg.seed);
  }

  /**
   * The FeatureSet's X[t, asset, feature] the observation windows are read from (not a copy): an
   * agent can hold it on its device and reference an observation by `row` (the day its window ends on).
   */
  get marketFeatures(): Float32Array {
    return this.X;
  }

  /** Current row index (the date the portfolio is marked at), −1 before the first reset. */
  get row(): number {
    return this.t;
  }

  reset(opts: ResetOptions = {}): ResetResult<TradingInfo> {
    if (opts.seed !== undefined) this.rng.seed(opts.seed);
    const length = this.config.episodeLength;
    this.t = episodeStart(this.rows, length, (n) => this.rng.int(n));
    this.episodeEnd = length === null ? this.rows.lastRow : this.t + length;
    this.stepsTaken = 0;
    this.cash = this.config.initialCash;
    this.positions.fill(0);
    this.value = this.cash;
    this.peakValue = this.value;
    this.needsReset = false;
    this.writeObs();
    this.mask = this.computeMask();
    return { obs: this.obs, info: this.makeInfo(0, 0, 0, 0, this.f64Slab.take(this.nAssets), 0, 0, 0, 0, 0) };
  }

  step(action: Int32Array): StepResult<TradingInfo> {
    if (this.needsReset)
      throw new Error('TradingEnv.step() called before reset() or after the episode ended; call reset()');
    const N = this.nAssets;
    if (action.length !== N)
      throw new Error(`TradingEnv.step: action has ${action.length} entries, expected one per asset (${N})`);
    const cfg = this.config;
    const close = this.close;
    const positions = this.positions;
    const buyOrders = this.buyOrders;
    const row = this.t * N;
    const limited = cfg.limitPct !== null && this.t > 0;
    const feeRate = cfg.feeRate;
    // this.value is what the mask was computed with (the last mark), so both use the same floor.
    const minOrder = Math.max(cfg.minOrderValue, DUST_SHARE * this.value);
    const whole = !cfg.fractionalShares;
    const executed = this.f64Slab.take(N);
    let cash = this.cash;
    let fees = 0;
    let slippage = 0;
    let notionalSum = 0;
    let trades = 0;
    let skipped = 0;
    let skippedByLimit = 0;
    let nBuys = 0;

    // 1. Sells (and collect buys).
    for (let i = 0; i < N; i++) {
      const a = action[i];
      buyOrders[i] = 0;
      if (a === HOLD) continue;
      if (a !== BUY && a !== SELL)
        throw new Error(`TradingEnv.step: action[${i}] = ${a}; expected 0 (hold), 1 (buy) or 2 (sell)`);
      const price = close[row + i];
      if (limited) {
        const prev = close[row - N + i];
        if (a === BUY ? price >= prev * this.upLimit : price <= prev * this.downLimit) {
          skipped++;
          skippedByLimit++;
          continue;
        }
      }
      if (a === BUY) {
        buyOrders[i] = 1;
        nBuys++;
        continue;
      }
      const pos = positions[i];
      const qty = this.sellQty(pos);
      const execPrice = price * this.sellDown;
      const notional = qty * execPrice;
      if (!(qty > 0) || notional <= minOrder) {
        skipped++;
        continue;
      }
      const fee = notional * feeRate;
      positions[i] = pos - qty;
      cash += notional - fee;
      fees += fee;
      slippage += qty * (price - execPrice);
      notionalSum += notional;
      executed[i] = -qty;
      trades++;
    }

    // 2. Buys.
    if (nBuys > 0) {
      const equalSplit = cfg.buyAllocation === 'equal-split';
      const sharedBudget = equalSplit ? (cash * (1 - Math.pow(1 - cfg.buyPct, nBuys))) / nBuys : 0;
      const costPerShareFactor = this.buyUp * (1 + feeRate);
      for (let i = 0; i < N; i++) {
        if (buyOrders[i] === 0) continue;
        const budget = equalSplit ? sharedBudget : cash * cfg.buyPct;
        const price = close[row + i];
        const raw = budget / (price * costPerShareFactor);
        const qty = whole ? Math.floor(raw) : raw;
        const execPrice = price * this.buyUp;
        const notional = qty * execPrice;
        if (!(qty > 0) || notional <= minOrder) {
          skipped++;
          continue;
        }
        const fee = notional * feeRate;
        positions[i] += qty;
        cash -= notional + fee;
        // Only with buyPct = 1 can rounding push the last buy an ulp past the cash.
        if (cash < 0) cash = 0;
        fees += fee;
        slippage += qty * (execPrice - price);
        notionalSum += notional;
        executed[i] = qty;
        trades++;
      }
    }

    // 3. Advance and mark.
    const prevValue = this.value;
    this.t++;
    this.stepsTaken++;
    const nextRow = this.t * N;
    let value = cash;
    for (let i = 0; i < N; i++) value += positions[i] * close[nextRow + i];
    this.cash = cash;
    this.value = value;
    if (value > this.peakValue) this.peakValue = value;

    const afterFees = prevValue - fees;
    const afterCosts = afterFees - slippage;
    let reward: number;
    let market: number;
    let feePart: number;
    let slippagePart: number;
    if (cfg.reward === 'log') {
      reward = Math.log(value / prevValue);
      feePart = Math.log1p(-fees / prevValue);
      slippagePart = Math.log1p(-slippage / afterFees);
      market = Math.log(value / afterCosts);
    } else {
      reward = value / prevValue - 1;
      feePart = -fees / prevValue;
      slippagePart = -slippage / prevValue;
      market = (value - afterCosts) / prevValue;
    }

    const terminated = this.t >= this.rows.lastRow;
    const truncated = !terminated && this.t >= this.episodeEnd;
    if (terminated || truncated) this.needsReset = true;
    this.writeObs();
    this.mask = this.computeMask();
    const info = this.makeInfo(
      fees,
      slippage,
      notionalSum,
      trades,
      executed,
      skipped,
      skippedByLimit,
      market,
      feePart,
      slippagePart,
    );
    return { obs: this.obs, reward, terminated, truncated, info };
  }

  /**
   * Mask for the current row, [N × 3] as (hold, buy, sell) per asset. Each head's mask holds
   * whatever the other heads choose: HOLD always; SELL iff there is a position whose sale exceeds
   * minOrderValue and the price is not at the lower limit (exact: sells do not interact); BUY is
   * masked only when it cannot execute this step in any case — price at the upper limit, or even
   * buyPct of the cash after selling every other sellable position cannot buy more than minOrderValue
   * (one whole share in whole-share mode). So a masked action never executes, while an allowed
   * BUY can still be skipped (its cash went to other buys, or the sells it relied on were not
   * placed). The array is the same one as the latest info.actionMask.
   */
  actionMask(): Uint8Array {
    return this.mask;
  }

  /** Number of steps taken in the current episode. */
  get episodeSteps(): number {
    return this.stepsTaken;
  }

  /** See Env.setObservationBuffer: reset/step write into and return `target` from now on. */
  setObservationBuffer(target: Float32Array): void {
    if (target.length !== this.obs.length)
      throw new Error(
        `TradingEnv.setObservationBuffer: ${target.length} values, the observation has ${this.obs.length}`,
      );
    this.obs = target;
    if (this.t >= 0) this.writeObs();
  }

  private writeObs(): void {
    const obs = this.obs;
    writeWindow(obs, this.X, this.t, this.config.window, this.rowLen);
    let k = this.windowLen;
    const invValue = 1 / this.value;
    if (this.config.includePosition) {
      const row = this.t * this.nAssets;
      for (let i = 0; i < this.nAssets; i++) obs[k++] = this.positions[i] * this.close[row + i] * invValue;
    }
    if (this.config.includeCash) obs[k] = this.cash / this.value;
  }

  /** Shares a SELL sells: sellPct of the position; whole shares floor it but sell at least one. */
  private sellQty(pos: number): number {
    if (this.config.fractionalShares) return pos * this.config.sellPct;
    return pos >= 1 ? Math.max(1, Math.floor(pos * this.config.sellPct)) : 0;
  }

  private computeMask(): Uint8Array {
    const N = this.nAssets;
    const cfg = this.config;
    const mask = this.u8Slab.take(3 * N);
    const row = this.t * N;
    const limited = cfg.limitPct !== null && this.t > 0;
    const minOrder = Math.max(cfg.minOrderValue, DUST_SHARE * this.value);
    // Sells first, as in step(): their proceeds bound the cash any buy could get.
    const proceeds = this.sellProceeds;
    let maxCash = this.cash;
    for (let i = 0; i < N; i++) {
      const price = this.close[row + i];
      const pos = this.positions[i];
      const qty = this.sellQty(pos);
      const notional = qty * price * this.sellDown;
      const canSell =
        qty > 0 && notional > minOrder && !(limited && price <= this.close[row - N + i] * this.downLimit);
      mask[3 * i + HOLD] = 1;
      mask[3 * i + SELL] = canSell ? 1 : 0;
      proceeds[i] = canSell ? notional * (1 - cfg.feeRate) : 0;
      maxCash += proceeds[i];
    }
    for (let i = 0; i < N; i++) {
      // Asset i's own head cannot both sell and buy: its proceeds do not count.
      const budget = (maxCash - proceeds[i]) * cfg.buyPct;
      const price = this.close[row + i];
      const buyPrice = price * this.buyUp;
      const raw = budget / (buyPrice * (1 + cfg.feeRate));
      const qty = cfg.fractionalShares ? raw : Math.floor(raw);
      const canBuy =
        qty > 0 && qty * buyPrice > minOrder && !(limited && price >= this.close[row - N + i] * this.upLimit);
      mask[3 * i + BUY] = canBuy ? 1 : 0;
    }
    return mask;
  }

  private riskInfo(): RiskInfo {
    const row = this.t * this.nAssets;
    let held = 0;
    for (let i = 0; i < this.nAssets; i++) held += this.positions[i] * this.close[row + i];
    const v = this.value;
    return {
      drawdown: this.peakValue > 0 ? v / this.peakValue - 1 : 0,
      peakValue: this.peakValue,
      // Long-only: gross and net exposure are the invested share.
      grossExposure: v > 0 ? Math.abs(held) / v : 0,
      netExposure: v > 0 ? held / v : 0,
    };
  }

  private makeInfo(
    fees: number,
    slippageCost: number,
    tradedNotional: number,
    trades: number,
    executedQty: Float64Array,
    skipped: number,
    skippedByLimit: number,
    market: number,
    fee: number,
    slippage: number,
  ): TradingInfo {
    return {
      date: this.dates[this.t],
      t: this.t,
      portfolioValue: this.value,
      cash: this.cash,
      risk: this.riskInfo(),
      positions: copyInto(this.f64Slab.take(this.nAssets), this.positions),
      fees,
      slippageCost,
      tradedNotional,
      trades,
      executedQty,
      skipped,
      skippedByLimit,
      rewardParts: { market, fee, slippage },
      actionMask: this.mask,
    };
  }
}

function copyInto(dst: Float64Array, src: Float64Array): Float64Array {
  dst.set(src);
  return dst;
}

function validateConfig(c: TradingEnvConfig): void {
  const fail = (field: keyof TradingEnvConfig, why: string): never => {
    throw new Error(`TradingEnv config: ${field} = ${JSON.stringify(c[field])}: ${why}`);
  };
  if (!(c.initialCash > 0) || !Number.isFinite(c.initialCash))
    fail('initialCash', 'must be a finite number > 0');
  if (!(c.buyPct > 0 && c.buyPct <= 1)) fail('buyPct', 'must be in (0, 1]');
  if (!(c.sellPct > 0 && c.sellPct <= 1)) fail('sellPct', 'must be in (0, 1]');
  if (!(c.feeRate >= 0 && c.feeRate < 1)) fail('feeRate', 'must be in [0, 1)');
  if (!(c.slippageBps >= 0 && c.slippageBps < 1e4)) fail('slippageBps', 'must be in [0, 10000)');
  if (!(c.minOrderValue >= 0) || !Number.isFinite(c.minOrderValue))
    fail('minOrderValue', 'must be a finite number ≥ 0');
  if (c.limitPct !== null && !(c.limitPct > 0 && c.limitPct < 1))
    fail('limitPct', 'must be null or in (0, 1)');
  if (c.buyAllocation !== 'equal-split' && c.buyAllocation !== 'sequential')
    fail('buyAllocation', "must be 'equal-split' or 'sequential'");
  if (c.reward !== 'return' && c.reward !== 'log') fail('reward', "must be 'return' or 'log'");
  if (typeof c.fractionalShares !== 'boolean') fail('fractionalShares', 'must be a boolean');
  if (!Number.isFinite(c.seed)) fail('seed', 'must be a finite number');
}
