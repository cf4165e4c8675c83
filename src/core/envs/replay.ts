import type { RowRange } from '../data/types.ts';
import type { FeatureSet } from '../features/types.ts';
import type { TradingEnvConfig } from './trading.ts';
import { HOLD, TradingEnv } from './trading.ts';

/**
 * Replays given BUY/SELL/HOLD actions per date and asset through TradingEnv, so anyone can check
 * the env's accounting against their own (`lab replay`).
 *
 * Rows are end of day: row d holds cash and shares after d's orders executed at close_d, and
 * value = cash + Σ shares·close_d; return_d = value_d / value_{d−1} − 1, with value_{−1} =
 * initialCash (so the first day's fees show). Over the whole run this compounds to the same total
 * as the env's rewards, which mark before each day's trades. No order can execute on the last
 * date (there is no later close to value it at): actions there are reported in `unusedDates`.
 */

/** Close prices only: enough to replay (no features needed). */
export interface ClosePanel {
  dates: string[];
  assets: string[];
  /** [T × N], row-major by date then asset. */
  close: Float64Array;
}

/** Actions per ISO date: one code per asset (HOLD 0, BUY 1, SELL 2). Missing dates hold. */
export type ReplayActions = Map<string, ArrayLike<number>>;

/** TradingEnv options that make sense for a replay; window and episode length are fixed. */
export type ReplayConfig = Partial<
  Omit<TradingEnvConfig, 'window' | 'episodeLength' | 'includePosition' | 'includeCash' | 'seed' | 'split'>
> & {
  /** Rows to replay; default every row of the data. */
  split?: TradingEnvConfig['split'];
};

export interface ReplayResult {
  assets: string[];
  /** End-of-day rows, first traded date .. last date. */
  dates: string[];
  value: Float64Array;
  cash: Float64Array;
  returns: Float64Array;
  /** [rows × N] shares after the day's orders. */
  shares: Float64Array;
  /** [rows × N] close of each row, for the value of positions. */
  close: Float64Array;
  /** Per row: fees paid, traded notional, one-sided turnover (½ · notional / pre-trade value, as the baselines' backtest), orders executed and skipped on that date. */
  fees: Float64Array;
  tradedNotional: Float64Array;
  turnover: Float64Array;
  trades: Int32Array;
  skipped: Int32Array;
  /** The env's rewards (marked before each day's trades), one per step. */
  rewards: Float64Array;
  totals: { fees: number; trades: number; skipped: number; skippedByLimit: number; tradedNotional: number };
  /** Action dates that were not applied: not in the data, outside the replayed rows, or the last date. */
  unusedDates: string[];
  /** The full env config used. */
  config: TradingEnvConfig;
}

/** A FeatureSet with no features around a close panel: enough for TradingEnv with window 1. */
export function featureSetFromClose(panel: ClosePanel): FeatureSet {
  const T = panel.dates.length;
  const all: RowRange = { start: 0, end: T };
  return {
    dates: panel.dates,
    assets: panel.assets,
    featureNames: [],
    X: new Float32Array(0),
    close: panel.close,
    splits: { train: all, valid: { start: T, end: T }, test: { start: T, end: T } },
    normalization: { mean: new Float32Array(0), std: new Float32Array(0) },
  };
}

function isFeatureSet(source: FeatureSet | ClosePanel): source is FeatureSet {
  return 'X' in source && 'featureNames' in source;
}

export function replayActions(
  source: FeatureSet | ClosePanel,
  actions: ReplayActions,
  cfg: ReplayConfig = {},
): ReplayResult {
  const fs = isFeatureSet(source) ? source : featureSetFromClose(source);
  const N = fs.assets.length;
  const env = new TradingEnv(fs, {
    ...cfg,
    split: cfg.split ?? { start: 0, end: fs.dates.length },
    window: 1,
    episodeLength: null,
    includePosition: true,
    includeCash: true,
  });
  const { firstDecision, lastRow, maxSteps } = env.rows;
  const rows = maxSteps + 1;
  const out: ReplayResult = {
    assets: fs.assets.slice(),
    dates: fs.dates.slice(firstDecision, lastRow + 1),
    value: new Float64Array(rows),
    cash: new Float64Array(rows),
    returns: new Float64Array(rows),
    shares: new Float64Array(rows * N),
    close: fs.close.slice(firstDecision * N, (lastRow + 1) * N),
    fees: new Float64Array(rows),
    tradedNotional: new Float64Array(rows),
    turnover: new Float64Array(rows),
    trades: new Int32Array(rows),
    skipped: new Int32Array(rows),
    rewards: new Float64Array(maxSteps),
    totals: { fees: 0, trades: 0, skipped: 0, skippedByLimit: 0, tradedNotional: 0 },
    unusedDates: [],
    config: { ...env.config },
  };

  const holdAll = new Int32Array(N).fill(HOLD);
  const action = new Int32Array(N);
  const used = new Set<string>();
  let preTrade = env.reset().info.portfolioValue;
  let prevValue = env.config.initialCash;
  for (let k = 0; k < maxSteps; k++) {
    const date = out.dates[k];
    const given = actions.get(date);
    if (given) {
      if (given.length !== N)
        throw new Error(`replayActions: ${date} has ${given.length} actions, expected one per asset (${N})`);
      for (let i = 0; i < N; i++) action[i] = given[i];
      used.add(date);
    }
    const { reward, info } = env.step(given ? action : holdAll);
    out.rewards[k] = reward;
    // The step marked at the next row; end of day k is the same holdings valued at close_k.
    let value = info.cash;
    for (let i = 0; i < N; i++) {
      out.shares[k * N + i] = info.positions[i];
      value += info.positions[i] * out.close[k * N + i];
    }
    out.cash[k] = info.cash;
    out.value[k] = value;
    out.returns[k] = value / prevValue - 1;
    prevValue = value;
    out.fees[k] = info.fees;
    out.tradedNotional[k] = info.tradedNotional;
    out.turnover[k] = info.tradedNotional / 2 / preTrade;
    preTrade = info.portfolioValue;
    out.trades[k] = info.trades;
    out.skipped[k] = info.skipped;
    out.totals.fees += info.fees;
    out.totals.trades += info.trades;
    out.totals.skipped += info.skipped;
    out.totals.skippedByLimit += info.skippedByLimit;
    out.totals.tradedNotional += info.tradedNotional;
    if (k === maxSteps - 1) {
      // Last date: no orders, the marked value is the end-of-day value.
      out.cash[rows - 1] = info.cash;
      out.shares.set(info.positions, (rows - 1) * N);
      out.value[rows - 1] = info.portfolioValue;
      out.returns[rows - 1] = info.portfolioValue / prevValue - 1;
    }
  }
  for (const date of actions.keys()) if (!used.has(date)) out.unusedDates.push(date);
  out.unusedDates.sort();
  return out;
}
