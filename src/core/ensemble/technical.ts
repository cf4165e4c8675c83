/**
 * Technical analyst: three documented rules on RSI, MACD and Bollinger bands (the lab's indicator
 * kernels, Stock.Indicators convention), each voting +1 (bullish), −1 (bearish) or 0:
 *
 *   RSI(14)            RSI < 30 (oversold) → +1;  RSI > 70 (overbought) → −1;  else 0
 *   MACD(12, 26, 9)    histogram = MACD − signal > 0 → +1;  < 0 → −1;  = 0 → 0      (trend)
 *   Bollinger(20, 2)   close < lower band → +1;  close > upper band → −1;  else 0  (mean reversion)
 *
 * score = mean of the three rules, in {−1, −⅔, −⅓, 0, ⅓, ⅔, 1}; BUY when score ≥ threshold (0.3:
 * one rule suffices when the others are neutral), SELL when ≤ −0.3, else HOLD; strength = |score|
 * (0 for HOLD). While any indicator is still warming up (the first 33 rows: MACD's signal line) the
 * analyst abstains. Reads closes up to t only (the kernels are causal).
 */
import type { Panel } from '../data/types.ts';
import { bollinger, macd, rsi } from '../indicators/index.ts';
import { EnsembleError, emptyVotes, writeVote, type AnalystVotes } from './types.ts';

export interface TechnicalConfig {
  rsiPeriod: number;
  /** RSI below this is oversold (+1). */
  oversold: number;
  /** RSI above this is overbought (−1). */
  overbought: number;
  macd: { fast: number; slow: number; signal: number };
  bbPeriod: number;
  /** Band width in population standard deviations. */
  bbK: number;
  /** |score| needed for BUY/SELL, in (0, 1]. */
  threshold: number;
}

export const DEFAULT_TECHNICAL: Readonly<TechnicalConfig> = Object.freeze({
  rsiPeriod: 14,
  oversold: 30,
  overbought: 70,
  macd: Object.freeze({ fast: 12, slow: 26, signal: 9 }),
  bbPeriod: 20,
  bbK: 2,
  threshold: 0.3,
});

/** The indicator values the rules read, for one asset ([T] each). */
export interface TechnicalInputs {
  rsi: Float64Array;
  macdHist: Float64Array;
  macdSignal: Float64Array;
  bbUpper: Float64Array;
  bbMiddle: Float64Array;
  bbLower: Float64Array;
}

export function technicalInputs(
  close: Float64Array,
  cfg: TechnicalConfig = DEFAULT_TECHNICAL,
): TechnicalInputs {
  const m = macd(close, cfg.macd.fast, cfg.macd.slow, cfg.macd.signal);
  const bb = bollinger(close, cfg.bbPeriod, cfg.bbK);
  return {
    rsi: rsi(close, cfg.rsiPeriod),
    macdHist: m.histogram,
    macdSignal: m.signal,
    bbUpper: bb.upper,
    bbMiddle: bb.middle,
    bbLower: bb.lower,
  };
}

/** The three rule votes at one row (each −1, 0 or +1), or null when an input is not finite. */
export function technicalRules(
  close: number,
  rsiValue: number,
  hist: number,
  upper: number,
  lower: number,
  cfg: TechnicalConfig = DEFAULT_TECHNICAL,
): { rsi: number; macd: number; bollinger: number } | null {
  if (![close, rsiValue, hist, upper, lower].every(Number.isFinite)) return null;
  return {
    rsi: rsiValue < cfg.oversold ? 1 : rsiValue > cfg.overbought ? -1 : 0,
    macd: Math.sign(hist),
    bollinger: close < lower ? 1 : close > upper ? -1 : 0,
  };
}

function checkConfig(c: TechnicalConfig): void {
  if (!(c.oversold < c.overbought))
    throw new EnsembleError(`technical: oversold (${c.oversold}) must be below overbought (${c.overbought})`);
  if (!(c.threshold > 0 && c.threshold <= 1))
    throw new EnsembleError(`technical: threshold must be in (0, 1], got ${c.threshold}`);
}

/** Asset i's closes as a [T] array. */
export function assetClose(
  panel: Panel,
  i: number,
  out = new Float64Array(panel.dates.length),
): Float64Array {
  const N = panel.assets.length;
  for (let t = 0, k = i; t < out.length; t++, k += N) out[t] = panel.close[k];
  return out;
}

/** Votes of the technical analyst; `indicators` (one per asset, from `technicalInputs`) are computed when not given. */
export function technicalAnalyst(
  panel: Panel,
  cfg: TechnicalConfig = DEFAULT_TECHNICAL,
  indicators?: readonly TechnicalInputs[],
): AnalystVotes {
  checkConfig(cfg);
  const T = panel.dates.length;
  const N = panel.assets.length;
  const votes = emptyVotes('technical', T * N);
  const close = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    assetClose(panel, i, close);
    const x = indicators?.[i] ?? technicalInputs(close, cfg);
    for (let t = 0; t < T; t++) {
      const r = technicalRules(close[t], x.rsi[t], x.macdHist[t], x.bbUpper[t], x.bbLower[t], cfg);
      writeVote(votes, t * N + i, r ? (r.rsi + r.macd + r.bollinger) / 3 : NaN, cfg.threshold);
    }
  }
  return votes;
}
