import { ema } from './movingAverages.ts';
import { checkPeriod, output, type Series } from './internal.ts';

export interface MacdResult {
  /** fastEma − slowEma; first value at index slow−1. */
  macd: Float64Array;
  /** EMA(signal) of the MACD line, seeded with the SMA of its first `signal` values; first at slow+signal−2. */
  signal: Float64Array;
  /** macd − signal. */
  histogram: Float64Array;
  fastEma: Float64Array;
  slowEma: Float64Array;
}

/**
 * MACD (default 12, 26, 9).
 * Convention (Stock.Indicators, technicalindicators, TA-Lib): both EMAs SMA-seeded (see `ema`),
 * the signal line an SMA-seeded EMA of the MACD line. With (12,26,9): macd from index 25, signal
 * and histogram from index 33. (Tulip seeds with the first value and hard-codes alphas; not used.)
 */
export function macd(close: Series, fast = 12, slow = 26, signal = 9, out?: MacdResult): MacdResult {
  checkPeriod('MACD fast period', fast);
  checkPeriod('MACD slow period', slow);
  checkPeriod('MACD signal period', signal);
  if (fast >= slow)
    throw new RangeError(`MACD fast period (${fast}) must be shorter than the slow period (${slow})`);
  const n = close.length;
  const fastEma = ema(close, fast, out?.fastEma);
  const slowEma = ema(close, slow, out?.slowEma);
  const line = output(n, out?.macd);
  for (let t = 0; t < n; t++) line[t] = fastEma[t] - slowEma[t];
  const sig = ema(line, signal, out?.signal);
  const histogram = output(n, out?.histogram);
  for (let t = 0; t < n; t++) histogram[t] = line[t] - sig[t];
  return { macd: line, signal: sig, histogram, fastEma, slowEma };
}
