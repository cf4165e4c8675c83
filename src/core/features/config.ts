import { QTMRL_SPLIT, type SplitSpec } from '../data/types.ts';

/** Bad feature config or data unfit for features: the user's input, not a bug (the CLI maps it to exit 2). */
export class FeatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureError';
  }
}

/** MACD line parameters (fast EMA, slow EMA, signal EMA). */
export interface MacdParams {
  fast: number;
  slow: number;
  signal: number;
}

/**
 * Which features `buildFeatures` computes. Defaults are QTMRL's (seed 003 `configs/default.yaml`);
 * see `featureColumns` for the column each entry produces and how it is scaled.
 */
export interface FeatureConfig {
  /** The five raw bar columns open, high, low, close, volume. Default true. */
  ohlcv: boolean;
  /** Simple moving averages of the close, one column `sma_{n}` per period. Default [10, 20, 50]. */
  sma: number[];
  /** Exponential moving averages of the close (SMA-seeded), `ema_{n}` per period. Default [12, 26]. */
  ema: number[];
  /** Wilder RSI of the close, `rsi_{n}` per period. Default [14]. */
  rsi: number[];
  /** MACD → columns macd, macd_signal, macd_hist; null leaves it out. Default { fast: 12, slow: 26, signal: 9 }. */
  macd: MacdParams | null;
  /** Wilder average true range, `atr_{n}` per period. Default [14]. */
  atr: number[];
  /** Bollinger bands (SMA ± k population σ) → bb_upper, bb_mid, bb_lower; null leaves them out. Default { period: 20, k: 2 }. */
  bbands: { period: number; k: number } | null;
  /**
   * Ichimoku → ichimoku_tenkan, ichimoku_kijun, ichimoku_span_a, ichimoku_span_b, the spans as
   * plotted (computed `offset` bars earlier). The chikou span reads the future and is never a
   * feature. null leaves it out. Default { tenkan: 9, kijun: 26, senkouB: 52, offset: 26 }.
   */
  ichimoku: { tenkan: number; kijun: number; senkouB: number; offset: number } | null;
  /** Heikin-Ashi candles → ha_open, ha_high, ha_low, ha_close. Default true. */
  heikinAshi: boolean;
  /** Supertrend (Wilder ATR period, band multiplier) → supertrend, supertrend_dir (+1/−1); null leaves it out. Default { period: 10, multiplier: 3 }. */
  supertrend: { period: number; multiplier: number } | null;
  /**
   * Observation window W (days of features per observation). Features do not depend on it, but each
   * split's row range starts at row W−1 or later, so the env's window fits inside the feature set
   * (rows before a split's start are read as history — past data, no leak). Default 20.
   */
  window: number;
  /** Date ranges of train / valid / test; z-score statistics are fitted on train rows only. Default QTMRL_SPLIT. */
  split: SplitSpec;
}

/** QTMRL defaults (seed 003): OHLCV plus every indicator. */
export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  ohlcv: true,
  sma: [10, 20, 50],
  ema: [12, 26],
  rsi: [14],
  macd: { fast: 12, slow: 26, signal: 9 },
  atr: [14],
  bbands: { period: 20, k: 2 },
  ichimoku: { tenkan: 9, kijun: 26, senkouB: 52, offset: 26 },
  heikinAshi: true,
  supertrend: { period: 10, multiplier: 3 },
  window: 20,
  split: QTMRL_SPLIT,
});

export const FEATURE_PRESETS = ['all', 'ohlcv'] as const;
export type FeaturePreset = (typeof FEATURE_PRESETS)[number];

/**
 * A fresh config for a preset: 'all' = the QTMRL defaults; 'ohlcv' = the five bar columns and no
 * indicators (the ablation matrix's "raw prices only" arm).
 */
export function featurePreset(preset: FeaturePreset, overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  const d = DEFAULT_FEATURE_CONFIG;
  const all: FeatureConfig = {
    ohlcv: d.ohlcv,
    sma: [...d.sma],
    ema: [...d.ema],
    rsi: [...d.rsi],
    macd: d.macd && { ...d.macd },
    atr: [...d.atr],
    bbands: d.bbands && { ...d.bbands },
    ichimoku: d.ichimoku && { ...d.ichimoku },
    heikinAshi: d.heikinAshi,
    supertrend: d.supertrend && { ...d.supertrend },
    window: d.window,
    split: { train: { ...d.split.train }, valid: { ...d.split.valid }, test: { ...d.split.test } },
  };
  switch (preset) {
    case 'all':
      return { ...all, ...overrides };
    case 'ohlcv':
      return {
        ...all,
        ohlcv: true,
        sma: [],
        ema: [],
        rsi: [],
        macd: null,
        atr: [],
        bbands: null,
        ichimoku: null,
        heikinAshi: false,
        supertrend: null,
        ...overrides,
      };
    default:
      throw new FeatureError(
        `unknown feature preset '${String(preset)}' (expected ${FEATURE_PRESETS.join(' or ')})`,
      );
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function period(field: string, v: unknown, min = 1): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new FeatureError(`features.${field} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
}

function nonNegative(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new FeatureError(`features.${field} must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
  }
}

function periods(field: string, v: unknown): void {
  if (!Array.isArray(v))
    throw new FeatureError(`features.${field} must be a list of periods, got ${JSON.stringify(v)}`);
  v.forEach((p, k) => period(`${field}[${k}]`, p));
  const dup = v.find((p, k) => v.indexOf(p) !== k);
  if (dup !== undefined) throw new FeatureError(`features.${field} lists period ${dup} twice`);
}

/** Throws an Error naming the field (e.g. `features.sma[1] must be an integer ≥ 1, got 0`) for any bad value. */
export function validateFeatureConfig(c: FeatureConfig): void {
  if (typeof c.ohlcv !== 'boolean')
    throw new FeatureError(`features.ohlcv must be true or false, got ${JSON.stringify(c.ohlcv)}`);
  if (typeof c.heikinAshi !== 'boolean')
    throw new FeatureError(`features.heikinAshi must be true or false, got ${JSON.stringify(c.heikinAshi)}`);
  periods('sma', c.sma);
  periods('ema', c.ema);
  periods('rsi', c.rsi);
  periods('atr', c.atr);
  if (c.macd) {
    period('macd.fast', c.macd.fast);
    period('macd.slow', c.macd.slow);
    period('macd.signal', c.macd.signal);
    if (c.macd.fast >= c.macd.slow)
      throw new FeatureError(
        `features.macd.fast (${c.macd.fast}) must be shorter than features.macd.slow (${c.macd.slow})`,
      );
  }
  if (c.bbands) {
    period('bbands.period', c.bbands.period);
    nonNegative('bbands.k', c.bbands.k);
  }
  if (c.ichimoku) {
    period('ichimoku.tenkan', c.ichimoku.tenkan);
    period('ichimoku.kijun', c.ichimoku.kijun);
    period('ichimoku.senkouB', c.ichimoku.senkouB);
    period('ichimoku.offset', c.ichimoku.offset, 0);
  }
  if (c.supertrend) {
    period('supertrend.period', c.supertrend.period);
    nonNegative('supertrend.multiplier', c.supertrend.multiplier);
  }
  period('window', c.window);
  for (const name of ['train', 'valid', 'test'] as const) {
    const r = c.split?.[name];
    if (!r || !ISO_DATE.test(r.start) || !ISO_DATE.test(r.end)) {
      throw new FeatureError(
        `features.split.${name} must be { start, end } with ISO dates (YYYY-MM-DD), got ${JSON.stringify(r)}`,
      );
    }
    if (r.start > r.end)
      throw new FeatureError(`features.split.${name} starts (${r.start}) after it ends (${r.end})`);
  }
}
