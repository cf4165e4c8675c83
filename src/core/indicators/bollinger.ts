import { sma } from './movingAverages.ts';
import { rollingStd } from './rolling.ts';
import { checkNonNegative, checkPeriod, output, type Series } from './internal.ts';

export interface BollingerResult {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger bands (default 20, 2): middle = SMA(n); upper/lower = middle ± k·σ, σ the POPULATION
 * standard deviation (ddof = 0) of the same n closes. Convention shared by Stock.Indicators,
 * technicalindicators and Tulip; first value at index n-1.
 */
export function bollinger(close: Series, period = 20, k = 2, out?: BollingerResult): BollingerResult {
  checkPeriod('Bollinger period', period);
  checkNonNegative('Bollinger multiplier', k);
  const n = close.length;
  const middle = sma(close, period, out?.middle);
  const upper = rollingStd(close, period, out?.upper); // σ for now, bands below
  const lower = output(n, out?.lower);
  for (let t = 0; t < n; t++) {
    const d = k * upper[t];
    upper[t] = middle[t] + d;
    lower[t] = middle[t] - d;
  }
  return { upper, middle, lower };
}
