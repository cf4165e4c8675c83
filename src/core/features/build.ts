import type { Panel, RowRange, SplitName } from '../data/types.ts';
import {
  atr,
  bollinger,
  ema,
  heikinAshi,
  ichimoku,
  macd,
  rsi,
  sma,
  supertrend,
} from '../indicators/index.ts';
import { FeatureError, validateFeatureConfig, type FeatureConfig } from './config.ts';
import type { FeatureSet, MarketObsLayout } from './types.ts';

/**
 * How a raw column is made scale-free before the z-score, so one set of statistics fits every
 * asset (a $5 and a $500 stock read alike):
 * - 'price'    price-level columns: value / close[t] − 1 (same-day close; e.g. sma_20 → how far the
 *              average sits from today's price). Ratios, not logs, so a zero price (degenerate old
 *              index data) stays finite.
 * - 'return'   close itself: close[t] / close[t−1] − 1, the one-day simple return.
 * - 'perClose' price-difference columns (macd, macd_signal, macd_hist, atr_n): value / close[t].
 * - 'volume'   log1p(volume).
 * - 'none'     already scale-free (rsi_n in 0..100, supertrend_dir ±1).
 */
export type FeatureScale = 'price' | 'return' | 'perClose' | 'volume' | 'none';

export interface FeatureColumn {
  name: string;
  scale: FeatureScale;
}

interface Bars {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * Computes every configured column for one asset, in the documented order (see `featureColumns`),
 * writing column k into `col()`'s k-th array; `tmp()` gives scratch arrays (MACD's EMAs).
 * Returns the column descriptions.
 */
function computeColumns(
  b: Bars,
  c: FeatureConfig,
  col: () => Float64Array,
  tmp: () => Float64Array,
): FeatureColumn[] {
  const cols: FeatureColumn[] = [];
  const add = (name: string, scale: FeatureScale) => cols.push({ name, scale });
  if (c.ohlcv) {
    col().set(b.open);
    add('open', 'price');
    col().set(b.high);
    add('high', 'price');
    col().set(b.low);
    add('low', 'price');
    col().set(b.close);
    add('close', 'return');
    col().set(b.volume);
    add('volume', 'volume');
  }
  for (const n of c.sma) {
    sma(b.close, n, col());
    add(`sma_${n}`, 'price');
  }
  for (const n of c.ema) {
    ema(b.close, n, col());
    add(`ema_${n}`, 'price');
  }
  for (const n of c.rsi) {
    rsi(b.close, n, col());
    add(`rsi_${n}`, 'none');
  }
  if (c.macd) {
    macd(b.close, c.macd.fast, c.macd.slow, c.macd.signal, {
      macd: col(),
      signal: col(),
      histogram: col(),
      fastEma: tmp(),
      slowEma: tmp(),
    });
    add('macd', 'perClose');
    add('macd_signal', 'perClose');
    add('macd_hist', 'perClose');
  }
  for (const n of c.atr) {
    atr(b.high, b.low, b.close, n, col());
    add(`atr_${n}`, 'perClose');
  }
  if (c.bbands) {
    bollinger(b.close, c.bbands.period, c.bbands.k, { upper: col(), middle: col(), lower: col() });
    add('bb_upper', 'price');
    add('bb_mid', 'price');
    add('bb_lower', 'price');
  }
  if (c.ichimoku) {
    const { tenkan, kijun, senkouB, offset } = c.ichimoku;
    ichimoku(b.high, b.low, tenkan, kijun, senkouB, offset, {
      tenkan: col(),
      kijun: col(),
      spanA: col(),
      spanB: col(),
    });
    add('ichimoku_tenkan', 'price');
    add('ichimoku_kijun', 'price');
    add('ichimoku_span_a', 'price');
    add('ichimoku_span_b', 'price');
  }
  if (c.heikinAshi) {
    heikinAshi(b.open, b.high, b.low, b.close, { open: col(), high: col(), low: col(), close: col() });
    add('ha_open', 'price');
    add('ha_high', 'price');
    add('ha_low', 'price');
    add('ha_close', 'price');
  }
  if (c.supertrend) {
    supertrend(b.high, b.low, b.close, c.supertrend.period, c.supertrend.multiplier, {
      supertrend: col(),
      direction: col(),
    });
    add('supertrend', 'price');
    add('supertrend_dir', 'none');
  }
  return cols;
}

/**
 * The columns a config produces, in order. Names come from the parameters; for the QTMRL defaults:
 * open, high, low, close, volume, sma_10, sma_20, sma_50, ema_12, ema_26, rsi_14, macd,
 * macd_signal, macd_hist, atr_14, bb_upper, bb_mid, bb_lower, ichimoku_tenkan, ichimoku_kijun,
 * ichimoku_span_a, ichimoku_span_b, ha_open, ha_high, ha_low, ha_close, supertrend, supertrend_dir
 * (28 columns). Ichimoku spans are the values plotted at t (computed `offset` bars earlier); the
 * chikou span is never a column (it reads the future).
 */
export function featureColumns(config: FeatureConfig): FeatureColumn[] {
  validateFeatureConfig(config);
  // The same code path as the real computation, on zero bars, so names and order cannot drift.
  const empty = () => new Float64Array(0);
  return computeColumns(
    { open: empty(), high: empty(), low: empty(), close: empty(), volume: empty() },
    config,
    empty,
    empty,
  );
}

/** Column names of a config (see `featureColumns`); its length is the F of X[t, asset, feature]. */
export function featureNames(config: FeatureConfig): string[] {
  return featureColumns(config).map((c) => c.name);
}

/** The MarketObsLayout of a feature set seen through a window of W rows, with the env's extras. */
export function marketObsLayout(
  features: FeatureSet,
  window: number,
  perAssetExtras = 0,
  globalExtras = 0,
): MarketObsLayout {
  return {
    window,
    nAssets: features.assets.length,
    nFeatures: features.featureNames.length,
    perAssetExtras,
    globalExtras,
  };
}

function checkPanel(panel: Panel): void {
  const T = panel.dates.length;
  const N = panel.assets.length;
  if (N === 0) throw new FeatureError('features: the panel has no assets');
  for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (panel[key].length !== T * N) {
      throw new FeatureError(
        `features: panel.${key} has ${panel[key].length} values, expected ${T} dates × ${N} assets = ${T * N}`,
      );
    }
  }
}

/** Every column of every asset, column-major: value(t, asset i, column f) = data[(i·F + f)·T + t]. */
interface ColumnBlock {
  columns: FeatureColumn[];
  T: number;
  N: number;
  F: number;
  data: Float64Array;
  /** Per (i·F + f): rows before the column is usable (first finite index, +1 for the 'return' column). */
  warmup: Int32Array;
  firstValidRow: number;
}

/** Asset i's bars, copied out of the panel's (t, asset) layout. */
function extractBars(panel: Panel, i: number, bars: Bars): void {
  const N = panel.assets.length;
  const T = panel.dates.length;
  for (let t = 0, k = i; t < T; t++, k += N) {
    bars.open[t] = panel.open[k];
    bars.high[t] = panel.high[k];
    bars.low[t] = panel.low[k];
    bars.close[t] = panel.close[k];
    bars.volume[t] = panel.volume[k];
  }
}

function newBars(T: number): Bars {
  return {
    open: new Float64Array(T),
    high: new Float64Array(T),
    low: new Float64Array(T),
    close: new Float64Array(T),
    volume: new Float64Array(T),
  };
}

/**
 * Runs the kernels asset by asset straight into one column-major block (views, no per-column
 * allocation: allocating typed arrays costs more than these O(T) loops).
 */
function computeBlock(panel: Panel, config: FeatureConfig): ColumnBlock {
  const columns = featureColumns(config);
  checkPanel(panel);
  const T = panel.dates.length;
  const N = panel.assets.length;
  const F = columns.length;
  if (F === 0)
    throw new FeatureError(
      'features: the config selects no columns (enable ohlcv or at least one indicator)',
    );
  const data = new Float64Array(N * F * T);
  const warmup = new Int32Array(N * F);
  const scratch = [new Float64Array(T), new Float64Array(T)];
  const bars = newBars(T);
  let firstValidRow = 0;
  for (let i = 0; i < N; i++) {
    extractBars(panel, i, bars);
    let f = 0;
    let s = 0;
    const col = () => data.subarray((i * F + f) * T, (i * F + ++f) * T);
    const tmp = () => scratch[s++];
    computeColumns(bars, config, col, tmp);
    for (f = 0; f < F; f++) {
      const base = (i * F + f) * T;
      let w = 0;
      while (w < T && !Number.isFinite(data[base + w])) w++;
      if (columns[f].scale === 'return' && w < T) w++; // the return also needs the previous close
      warmup[i * F + f] = w;
      if (w > firstValidRow) firstValidRow = w;
    }
  }
  return { columns, T, N, F, data, warmup, firstValidRow };
}

/** Raw (un-transformed, un-normalised) indicator values of every panel row, e.g. for `lab features`. */
export interface RawFeatures {
  dates: string[];
  assets: string[];
  columns: FeatureColumn[];
  featureNames: string[];
  /** [T * N * F] row-major (t, asset, feature), raw indicator values; NaN where not yet defined. */
  values: Float64Array;
  /**
   * First row at which every column of every asset is defined (including, when `close` is a
   * column, a previous close for its return): the first row `buildFeatures` keeps. T if none.
   */
  firstValidRow: number;
  /** Per feature, the most rows any asset needs before it is usable (T when some asset never gets a value). */
  warmupRows: Int32Array;
}

/** Computes every configured indicator for every asset of the panel: raw values, all rows. */
export function computeRawFeatures(panel: Panel, config: FeatureConfig): RawFeatures {
  const { columns, T, N, F, data, firstValidRow, warmup } = computeBlock(panel, config);
  const warmupRows = new Int32Array(F);
  for (let i = 0; i < N; i++)
    for (let f = 0; f < F; f++) warmupRows[f] = Math.max(warmupRows[f], warmup[i * F + f]);
  const values = new Float64Array(T * N * F);
  for (let i = 0; i < N; i++) {
    for (let f = 0; f < F; f++) {
      const src = (i * F + f) * T;
      for (let t = 0, k = i * F + f; t < T; t++, k += N * F) values[k] = data[src + t];
    }
  }
  return {
    dates: panel.dates,
    assets: panel.assets,
    columns,
    featureNames: columns.map((c) => c.name),
    values,
    firstValidRow,
    warmupRows,
  };
}

/** Rows of `raw` as [date, asset, ...values] records, from `fromRow` (default: the first valid row); NaN → null. */
export function* rawFeatureRecords(
  raw: RawFeatures,
  fromRow = raw.firstValidRow,
): Generator<(string | number | null)[]> {
  const N = raw.assets.length;
  const F = raw.featureNames.length;
  for (let t = fromRow; t < raw.dates.length; t++) {
    for (let i = 0; i < N; i++) {
      const rec: (string | number | null)[] = new Array(F + 2);
      rec[0] = raw.dates[t];
      rec[1] = raw.assets[i];
      const base = (t * N + i) * F;
      for (let f = 0; f < F; f++) {
        const v = raw.values[base + f];
        rec[f + 2] = Number.isFinite(v) ? v : null;
      }
      yield rec;
    }
  }
}

/** Names the first column that never becomes usable, e.g. "ichimoku_span_b of A0 is undefined on all 60 rows (…)". */
function neverDefined(block: ColumnBlock, panel: Panel): string {
  const { T, N, F } = block;
  const span = T ? ` (${panel.dates[0]}..${panel.dates[T - 1]})` : '';
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < N; i++) {
      if (block.warmup[i * F + f] >= T)
        return `${block.columns[f].name} of ${panel.assets[i]} is undefined on all ${T} rows${span}`;
    }
  }
  return `the data has ${T} rows${span}`;
}

/**
 * Scale-free transform of rows [from, T) of one column in place (see `FeatureScale`); `close` is
 * the asset's raw close. Stops at the first row whose result is not finite (leaving its raw value
 * in place for the error message) and returns it; −1 when all are finite.
 */
function transformColumn(v: Float64Array, scale: FeatureScale, close: Float64Array, from: number): number {
  const T = v.length;
  // y − y is 0 for finite y and NaN for NaN/±Infinity.
  switch (scale) {
    case 'price':
      for (let t = from; t < T; t++) {
        const y = v[t] / close[t] - 1;
        if (y - y !== 0) return t;
        v[t] = y;
      }
      return -1;
    case 'return':
      for (let t = from; t < T; t++) {
        const y = close[t] / close[t - 1] - 1;
        if (y - y !== 0) return t;
        v[t] = y;
      }
      return -1;
    case 'perClose':
      for (let t = from; t < T; t++) {
        const y = v[t] / close[t];
        if (y - y !== 0) return t;
        v[t] = y;
      }
      return -1;
    case 'volume':
      for (let t = from; t < T; t++) {
        const y = Math.log1p(v[t]);
        if (y - y !== 0) return t;
        v[t] = y;
      }
      return -1;
    case 'none':
      for (let t = from; t < T; t++) if (v[t] - v[t] !== 0) return t;
      return -1;
  }
}

/** [start, end) of the rows whose date lies in [from, to] (ISO strings compare as dates). */
function dateRows(dates: string[], from: string, to: string): RowRange {
  let start = 0;
  while (start < dates.length && dates[start] < from) start++;
  let end = start;
  while (end < dates.length && dates[end] <= to) end++;
  return { start, end };
}

/**
 * The feature tensor of seed 003 §2.
 *
 * 1. Raw indicators per asset; columns as in `featureColumns`.
 * 2. Scale-free transform per column (see `FeatureScale`): price levels / close − 1, close → daily
 *    return, macd/atr ÷ close, volume → log1p.
 * 3. Rows before every column of every asset is defined are dropped (the longest warm-up wins:
 *    77 rows for Ichimoku span B with the defaults). Every later value must be finite, else an
 *    Error names the feature, asset and date.
 * 4. Splits: the rows whose dates fall in each range of `config.split`; each range then starts at
 *    row W−1 or later (W = config.window) so a full window of history exists. The env reads the
 *    W−1 rows before a split's start as history: they are past data, not a leak.
 * 5. z-score per feature with mean and population σ over all train-dated rows × all assets, fitted on
 *    the train split only (valid/test data never enter the statistics). A feature constant on the
 *    train rows (σ ≈ 0) keeps σ = 1, i.e. is only centred. No train rows → Error.
 *    `opts.normalization` replaces the fit with saved statistics (evaluating a trained agent on
 *    other data must scale its inputs as in training); then no train rows are needed.
 *
 * Each value at row t depends only on bars ≤ t (indicators are causal), and the statistics only on
 * train rows, so changing data after t changes nothing at or before t, and changing valid/test data
 * never changes the normalisation.
 */
/** Statistics saved with a trained agent, reused instead of a fit on the new data's train split. */
export interface SavedNormalization {
  featureNames: readonly string[];
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

export interface BuildFeaturesOptions {
  normalization?: SavedNormalization;
}

export function buildFeatures(
  panel: Panel,
  config: FeatureConfig,
  opts: BuildFeaturesOptions = {},
): FeatureSet {
  const block = computeBlock(panel, config);
  const { columns, T, N, F, data } = block;
  const f0 = block.firstValidRow;
  if (f0 >= T) {
    throw new FeatureError(
      `features: not enough rows — ${neverDefined(block, panel)} (the longest indicator warm-up must fit inside the data, plus at least one usable row)`,
    );
  }
  const rows = T - f0;
  const dates = panel.dates.slice(f0);
  const close = panel.close.slice(f0 * N);

  // 2. Scale-free transform of the kept rows, column by column (contiguous, in place).
  const rawClose = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    for (let t = 0, k = i; t < T; t++, k += N) rawClose[t] = panel.close[k];
    for (let f = 0; f < F; f++) {
      const v = data.subarray((i * F + f) * T, (i * F + f + 1) * T);
      const bad = transformColumn(v, columns[f].scale, rawClose, f0);
      if (bad >= 0) {
        throw new FeatureError(
          `features: ${columns[f].name} of ${panel.assets[i]} on ${panel.dates[bad]} is not finite after scaling ` +
            `(raw value ${v[bad]}, close ${rawClose[bad]}); prices must be finite and positive, volumes finite and ≥ 0`,
        );
      }
    }
  }

  // 4. Splits as row ranges of the kept rows.
  const window = config.window;
  const splits = {} as Record<SplitName, RowRange>;
  let trainRows: RowRange = { start: 0, end: 0 };
  for (const name of ['train', 'valid', 'test'] as const) {
    const r = dateRows(dates, config.split[name].start, config.split[name].end);
    if (name === 'train') trainRows = r;
    splits[name] = { start: Math.min(Math.max(r.start, window - 1), r.end), end: r.end };
  }
  const saved = opts.normalization;
  if (saved)
    checkSavedNormalization(
      saved,
      columns.map((c) => c.name),
    );
  if (!saved && trainRows.end <= trainRows.start) {
    const { start, end } = config.split.train;
    throw new FeatureError(
      `features: the train split ${start}..${end} has no rows to fit the normalisation on — usable rows run ` +
        `${dates[0]}..${dates[rows - 1]} (after dropping ${f0} warm-up rows from ${panel.dates[0]})`,
    );
  }

  // 5. z-score statistics over train rows × all assets (two-pass, float64).
  const a = f0 + trainRows.start;
  const b = f0 + trainRows.end;
  const count = (b - a) * N;
  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  for (let f = 0; f < F && saved; f++) {
    mean[f] = saved.mean[f];
    std[f] = saved.std[f];
  }
  for (let f = 0; f < F && !saved; f++) {
    let s = 0;
    for (let i = 0; i < N; i++) for (let t = a, k = (i * F + f) * T + a; t < b; t++, k++) s += data[k];
    const m = s / count;
    let ss = 0;
    for (let i = 0; i < N; i++) {
      for (let t = a, k = (i * F + f) * T + a; t < b; t++, k++) {
        const d = data[k] - m;
        ss += d * d;
      }
    }
    const sd = Math.sqrt(ss / count);
    mean[f] = m;
    std[f] = sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1;
  }

  const X = new Float32Array(rows * N * F);
  const inv = std.map((s) => 1 / s);
  for (let i = 0; i < N; i++) {
    // Column-outer (sequential reads, strided writes): measured ~3× faster than row-outer here.
    for (let f = 0; f < F; f++) {
      const m = mean[f];
      const r = inv[f];
      for (let t = f0, src = (i * F + f) * T + f0, dst = i * F + f; t < T; t++, src++, dst += N * F)
        X[dst] = (data[src] - m) * r;
    }
  }

  return {
    dates,
    assets: panel.assets.slice(),
    featureNames: columns.map((c) => c.name),
    X,
    close,
    splits,
    normalization: { mean: Float32Array.from(mean), std: Float32Array.from(std) },
  };
}

function checkSavedNormalization(saved: SavedNormalization, names: string[]): void {
  const same =
    saved.featureNames.length === names.length && names.every((n, i) => n === saved.featureNames[i]);
  if (!same) {
    const missing = saved.featureNames.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !saved.featureNames.includes(n));
    const diff = [
      missing.length ? `missing here: ${missing.join(', ')}` : '',
      extra.length ? `not in the model: ${extra.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    throw new FeatureError(
      `features: the saved normalisation is for columns [${saved.featureNames.join(', ')}], these features are [${names.join(', ')}]${diff ? ` (${diff})` : ' (another order)'}`,
    );
  }
  for (let f = 0; f < names.length; f++) {
    if (!Number.isFinite(saved.mean[f]) || !(saved.std[f] > 0) || !Number.isFinite(saved.std[f])) {
      throw new FeatureError(
        `features: saved normalisation of '${names[f]}' is not usable (mean ${saved.mean[f]}, std ${saved.std[f]})`,
      );
    }
  }
}
