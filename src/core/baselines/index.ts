/**
 * Baselines on the same data, fees and splits as the agents (see strategies.ts for each rule and
 * backtest.ts for the execution model). `runBaseline(parseStrategy('ma:20'), close, N, opts)`.
 */
import type { BacktestOptions, BacktestResult } from './backtest.ts';
import { buyAndHold, equalWeight, maCrossover, randomBaseline, type RandomOptions } from './strategies.ts';

export * from './backtest.ts';
export * from './strategies.ts';

export type StrategySpec =
  | { kind: 'buy-and-hold' }
  | { kind: 'equal-weight'; every: number }
  | { kind: 'ma'; n: number }
  | { kind: 'random' };

/** The strategy names `parseStrategy` accepts, for help texts. */
export const STRATEGY_SYNTAX = 'buy-and-hold | equal-weight[:k] | ma:<n> | random';

/** Parse 'buy-and-hold', 'equal-weight', 'equal-weight:5' (every 5 rows), 'ma:20', 'random'. Throws Error on anything else. */
export function parseStrategy(s: string): StrategySpec {
  const t = s.trim().toLowerCase();
  if (t === 'buy-and-hold' || t === 'buy_and_hold' || t === 'bh') return { kind: 'buy-and-hold' };
  if (t === 'random') return { kind: 'random' };
  const ew = /^equal-weight(?::(\d+))?$/.exec(t);
  if (ew) return { kind: 'equal-weight', every: ew[1] ? Number(ew[1]) : 1 };
  const ma = /^ma:(\d+)$/.exec(t);
  if (ma && Number(ma[1]) >= 1) return { kind: 'ma', n: Number(ma[1]) };
  throw new Error(`unknown strategy '${s}'; expected ${STRATEGY_SYNTAX}`);
}

export function strategyName(spec: StrategySpec): string {
  switch (spec.kind) {
    case 'equal-weight':
      return spec.every === 1 ? 'equal-weight' : `equal-weight:${spec.every}`;
    case 'ma':
      return `ma:${spec.n}`;
    default:
      return spec.kind;
  }
}

/** Run one baseline over `opts.range` of a [T × N] close matrix. */
export function runBaseline(
  spec: StrategySpec,
  close: Float64Array,
  nAssets: number,
  opts: BacktestOptions & Pick<RandomOptions, 'seed' | 'env'> = {},
): BacktestResult {
  switch (spec.kind) {
    case 'buy-and-hold':
      return buyAndHold(close, nAssets, opts);
    case 'equal-weight':
      return equalWeight(close, nAssets, { ...opts, every: spec.every });
    case 'ma':
      return maCrossover(close, nAssets, spec.n, opts);
    case 'random':
      return randomBaseline(close, nAssets, opts);
  }
}
