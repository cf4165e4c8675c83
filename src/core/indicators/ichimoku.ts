import { scratch, windowExtreme } from './rolling.ts';
import { checkPeriod, checkSameLength, firstFinite, output, type Series } from './internal.ts';

export interface IchimokuResult {
  /** Tenkan-sen (conversion line): (highest high + lowest low)/2 over the last `tenkan` bars; first at tenkan−1. */
  tenkan: Float64Array;
  /** Kijun-sen (base line): the same midpoint over `kijun` bars; first at kijun−1. */
  kijun: Float64Array;
  /** Senkou span A on the bar where it is plotted: (tenkan + kijun)/2 computed `offset` bars earlier. */
  spanA: Float64Array;
  /** Senkou span B on the bar where it is plotted: the `senkouB`-bar midpoint computed `offset` bars earlier. */
  spanB: Float64Array;
}

/** out[t + shift] = (highest high + lowest low)/2 over bars (t − period, t]; NaN while a NaN is in the window. */
function midpoint(high: Series, low: Series, period: number, shift: number, out: Float64Array): void {
  const n = high.length;
  const s = firstFinite(high, low);
  const hh = scratch(2, n);
  const ll = scratch(3, n);
  windowExtreme(high, period, true, s, hh);
  windowExtreme(low, period, false, s, ll);
  for (let t = s + period - 1; t + shift < n; t++) out[t + shift] = (hh[t] + ll[t]) / 2;
}

/**
 * Ichimoku cloud (default 9, 26, 52, offset 26), Stock.Indicators convention: the leading spans are
 * stored on the bar where they are PLOTTED, i.e. spanA[t] = (tenkan[t−26] + kijun[t−26])/2 and
 * spanB[t] = 52-bar midpoint ending at t−26 (first at index 77). Displacing forward only reads the
 * past, so every output at t uses bars ≤ t. With offset 0 the spans are undisplaced
 * (technicalindicators' convention). The lagging span (chikou, close shifted 26 bars BACK) reads
 * the future and is deliberately not part of this result; see `chikouSpan`.
 */
export function ichimoku(
  high: Series,
  low: Series,
  tenkan = 9,
  kijun = 26,
  senkouB = 52,
  offset = 26,
  out?: IchimokuResult,
): IchimokuResult {
  checkPeriod('Ichimoku tenkan period', tenkan);
  checkPeriod('Ichimoku kijun period', kijun);
  checkPeriod('Ichimoku senkou B period', senkouB);
  checkPeriod('Ichimoku offset', offset, 0);
  const n = checkSameLength(high, low);
  const tenkanLine = output(n, out?.tenkan);
  const kijunLine = output(n, out?.kijun);
  const spanA = output(n, out?.spanA);
  const spanB = output(n, out?.spanB);
  midpoint(high, low, tenkan, 0, tenkanLine);
  midpoint(high, low, kijun, 0, kijunLine);
  midpoint(high, low, senkouB, offset, spanB);
  for (let t = offset; t < n; t++) spanA[t] = (tenkanLine[t - offset] + kijunLine[t - offset]) / 2;
  return { tenkan: tenkanLine, kijun: kijunLine, spanA, spanB };
}

/**
 * Chikou span (lagging span) as charts show it: chikou[t] = close[t + offset], NaN for the last
 * `offset` bars. LOOK-AHEAD: it reads the future, so it is for charts and reference tests only and
 * must never be a feature.
 */
export function chikouSpan(close: Series, offset = 26, out?: Float64Array): Float64Array {
  checkPeriod('Ichimoku chikou offset', offset, 0);
  const n = close.length;
  out = output(n, out);
  for (let t = 0; t + offset < n; t++) out[t] = close[t + offset];
  return out;
}
