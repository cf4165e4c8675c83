/**
 * Technical indicators as typed-array kernels: equal-length inputs in, Float64Array out, NaN during
 * warm-up, O(T) each, no look-ahead (out[t] reads inputs ≤ t only). Convention: Stock.Indicators
 * (DaveSkender/Stock.Indicators), which TA-Lib and technicalindicators share except where a
 * kernel's doc comment says otherwise; golden tests check its 502-bar reference series.
 */
export type { Series } from './internal.ts';
export { sma, ema, wilderSmooth } from './movingAverages.ts';
export { rsi } from './rsi.ts';
export { macd, type MacdResult } from './macd.ts';
export { trueRange, atr } from './atr.ts';
export { rollingStd, rollingMax, rollingMin } from './rolling.ts';
export { bollinger, type BollingerResult } from './bollinger.ts';
export { ichimoku, chikouSpan, type IchimokuResult } from './ichimoku.ts';
export { heikinAshi, type HeikinAshiResult } from './heikinAshi.ts';
export { supertrend, type SupertrendResult } from './supertrend.ts';
