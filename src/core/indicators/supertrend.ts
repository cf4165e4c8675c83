import { atr } from './atr.ts';
import {
  checkNonNegative,
  checkPeriod,
  checkSameLength,
  firstFinite,
  output,
  type Series,
} from './internal.ts';

export interface SupertrendResult {
  /** The active band: the lower band in an up-trend, the upper band in a down-trend. */
  supertrend: Float64Array;
  /** +1 up-trend (bullish, line below price), −1 down-trend (bearish, line at/above price); NaN in warm-up. */
  direction: Float64Array;
}

/**
 * Supertrend (default ATR period 10, multiplier 3), Stock.Indicators convention:
 * ATR is Wilder's (see `atr`, first at index n); mid = (H+L)/2; candidate bands mid ± m·ATR.
 * The final upper band only moves down unless the previous close was above it; the final lower
 * band only moves up unless the previous close was below it. The first trend (index n) is
 * bullish if close ≥ mid. Each bar: if close ≤ the active band (the lower one when bullish, the
 * upper one when bearish) the trend is bearish and the line is the upper band, otherwise bullish
 * and the line is the lower band.
 */
export function supertrend(
  high: Series,
  low: Series,
  close: Series,
  period = 10,
  multiplier = 3,
  out?: SupertrendResult,
): SupertrendResult {
  checkPeriod('Supertrend ATR period', period);
  checkNonNegative('Supertrend multiplier', multiplier);
  const n = checkSameLength(high, low, close);
  // The line's buffer holds the ATR first; each bar reads its ATR before overwriting it.
  const line = atr(high, low, close, period, out?.supertrend);
  const direction = output(n, out?.direction);
  const start = firstFinite(high, low, close) + period;
  let bullish = true;
  let upper = NaN;
  let lower = NaN;
  for (let t = start; t < n; t++) {
    const a = line[t];
    const mid = (high[t] + low[t]) / 2;
    const upperEval = mid + multiplier * a;
    const lowerEval = mid - multiplier * a;
    const prevClose = close[t - 1];
    if (t === start) {
      bullish = close[t] >= mid;
      upper = upperEval;
      lower = lowerEval;
    }
    if (upperEval < upper || prevClose > upper) upper = upperEval;
    if (lowerEval > lower || prevClose < lower) lower = lowerEval;
    if (close[t] <= (bullish ? lower : upper)) {
      bullish = false;
      line[t] = upper;
      direction[t] = -1;
    } else {
      bullish = true;
      line[t] = lower;
      direction[t] = 1;
    }
  }
  return { supertrend: line, direction };
}
