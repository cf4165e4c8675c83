import { checkSameLength, firstFinite, output, type Series } from './internal.ts';

export interface HeikinAshiResult {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/**
 * Heikin-Ashi candles (Stock.Indicators and technicalindicators agree):
 * haClose = (O+H+L+C)/4; haOpen[0] = (O0+C0)/2, then haOpen[t] = (haOpen[t−1] + haClose[t−1])/2;
 * haHigh = max(H, haOpen, haClose); haLow = min(L, haOpen, haClose). Defined from the first bar.
 */
export function heikinAshi(
  open: Series,
  high: Series,
  low: Series,
  close: Series,
  out?: HeikinAshiResult,
): HeikinAshiResult {
  const n = checkSameLength(open, high, low, close);
  const ho = output(n, out?.open);
  const hh = output(n, out?.high);
  const hl = output(n, out?.low);
  const hc = output(n, out?.close);
  const s = firstFinite(open, high, low, close);
  for (let t = s; t < n; t++) {
    const c = (open[t] + high[t] + low[t] + close[t]) / 4;
    const o = t === s ? (open[t] + close[t]) / 2 : (ho[t - 1] + hc[t - 1]) / 2;
    ho[t] = o;
    hc[t] = c;
    hh[t] = Math.max(high[t], o, c);
    hl[t] = Math.min(low[t], o, c);
  }
  return { open: ho, high: hh, low: hl, close: hc };
}
