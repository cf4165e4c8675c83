/**
 * Seed 004's 34-feature state of one asset on one day, as the decision at close t sees it. Every
 * value reads data up to close t only (closes, volumes, indicators and signals at rows ≤ t; the
 * portfolio state before today's trade, which earlier decisions made).
 *
 *   ret_1 … ret_20     past simple returns, ret_j = close[t−j+1]/close[t−j] − 1 (ret_1 = today's), raw
 *   rsi                RSI(14) / 100, in [0, 1]
 *   macd_signal        MACD signal line / close
 *   bb_width           (upper − lower) / middle of Bollinger(20, 2)
 *   volume_ratio       volume / mean volume of the last 20 days (incl. today)
 *   position           the asset's sleeve position in [−1, 1] before today's trade (drifted)
 *   leverage           gross exposure Σ|w| of the portfolio before today's trade
 *   cash_pct           cash / value before today's trade (> 1 when short)
 *   days_since_trade   tanh(days since the asset last traded / 10)
 *   regime_low, regime_normal, regime_high   the risk analyst's regime, one-hot (all 0 while unknown)
 *   data_health        share of the 25 market inputs above (20 returns, RSI, MACD signal, Bollinger,
 *                      volume ratio, the regime's volatility) that are valid on this day
 *   news_sentiment     sentiment × confidence of the asset's news that day, 0 without news
 *   macro_sentiment    market-wide sentiment that day, 0 without
 *
 * An input that is not valid yet (warm-up, zero volume) is written as 0 and lowers data_health.
 */
import { sma } from '../indicators/index.ts';
import type { PositionBacktestResult } from './backtest.ts';
import type { EnsembleAnalysis } from './ensemble.ts';
import { REGIME_HIGH, REGIME_LOW, REGIME_NORMAL } from './types.ts';

export const RETURN_LAGS = 20;

export const STATE_FEATURES: readonly string[] = Object.freeze([
  ...Array.from({ length: RETURN_LAGS }, (_, j) => `ret_${j + 1}`),
  'rsi',
  'macd_signal',
  'bb_width',
  'volume_ratio',
  'position',
  'leverage',
  'cash_pct',
  'days_since_trade',
  'regime_low',
  'regime_normal',
  'regime_high',
  'data_health',
  'news_sentiment',
  'macro_sentiment',
]);

export const STATE_DIM = STATE_FEATURES.length;
const F = STATE_DIM;
const MARKET_INPUTS = RETURN_LAGS + 5;
/** Scale of days_since_trade: tanh(days / 10). */
export const DAYS_SCALE = 10;
const VOLUME_WINDOW = 20;

const col = (name: string): number => STATE_FEATURES.indexOf(name);
const C = {
  rsi: col('rsi'),
  macdSignal: col('macd_signal'),
  bbWidth: col('bb_width'),
  volumeRatio: col('volume_ratio'),
  position: col('position'),
  leverage: col('leverage'),
  cash: col('cash_pct'),
  days: col('days_since_trade'),
  regime: col('regime_low'),
  health: col('data_health'),
  news: col('news_sentiment'),
  macro: col('macro_sentiment'),
};

/**
 * The states of the rows of one split run: [L·N·34] Float32, row-major (row, asset, feature), where
 * `bt` is that split's backtest (its pre-trade portfolio state).
 */
export function stateFeatures(a: EnsembleAnalysis, bt: PositionBacktestResult): Float32Array {
  const { panel, indicators, risk, signals } = a;
  const N = panel.assets.length;
  const T = panel.dates.length;
  const { start, end } = bt.range;
  const L = end - start;
  const X = new Float32Array(L * N * F);
  const volume = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) volume[t] = panel.volume[t * N + i];
    const volMean = sma(volume, VOLUME_WINDOW);
    const ind = indicators[i];
    for (let t = start; t < end; t++) {
      const k = t - start;
      const base = (k * N + i) * F;
      let valid = 0;
      const put = (c: number, v: number) => {
        if (Number.isFinite(v)) {
          X[base + c] = v;
          valid++;
        }
      };
      const c0 = panel.close[t * N + i];
      for (let j = 1; j <= RETURN_LAGS; j++) {
        if (t - j < 0) continue;
        put(j - 1, panel.close[(t - j + 1) * N + i] / panel.close[(t - j) * N + i] - 1);
      }
      put(C.rsi, ind.rsi[t] / 100);
      put(C.macdSignal, ind.macdSignal[t] / c0);
      put(C.bbWidth, (ind.bbUpper[t] - ind.bbLower[t]) / ind.bbMiddle[t]);
      put(C.volumeRatio, volMean[t] > 0 ? volume[t] / volMean[t] : NaN);
      const regime = risk.regime[t * N + i];
      if (Number.isFinite(risk.vol[t * N + i])) valid++;
      X[base + C.health] = valid / MARKET_INPUTS;
      X[base + C.position] = bt.pre.position[k * N + i];
      X[base + C.leverage] = bt.pre.gross[k];
      X[base + C.cash] = bt.pre.cashShare[k];
      X[base + C.days] = Math.tanh(bt.pre.daysSinceTrade[k * N + i] / DAYS_SCALE);
      if (regime === REGIME_LOW || regime === REGIME_NORMAL || regime === REGIME_HIGH)
        X[base + C.regime + regime] = 1;
      if (signals) {
        const s = signals.sentiment[t * N + i];
        const c = signals.confidence[t * N + i];
        if (!Number.isNaN(s)) X[base + C.news] = s * (Number.isNaN(c) ? 1 : c);
        const m = signals.macro[t];
        if (!Number.isNaN(m)) X[base + C.macro] = m;
      }
    }
  }
  return X;
}
