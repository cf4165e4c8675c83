/**
 * Forecasting data on typed arrays: multichannel series [T, C] (row-major, time then channel), the
 * Time-Series-Library's splits, scaling and sliding windows, the seasonal-naive baseline and the
 * error metrics. No tfjs here.
 *
 * Splits follow the library's Dataset_Custom: 70 % train, 20 % test, the rest validation, by time;
 * validation and test windows may look back seq_len steps into the previous split (their targets
 * never do). Scaling is a StandardScaler fitted on the training rows only (population std), and
 * errors are reported in those standardised units, as the library reports its MSE/MAE.
 */
import type { Panel, RowRange } from '../data/types.ts';
import { Rng } from '../rng.ts';

export class ForecastDataError extends Error {}

export interface SeriesSet {
  /** [T, C] row-major. */
  values: Float32Array;
  length: number;
  channels: number;
  /** Channel names, length C. */
  names: string[];
  /** ISO dates per row, when the series has them. */
  dates?: string[];
}

export type PanelField = 'close' | 'log-close' | 'log-return' | 'volume';
export const PANEL_FIELDS: readonly PanelField[] = ['close', 'log-close', 'log-return', 'volume'];

/** One channel per asset of a panel's field; log-return drops the first date. */
export function panelSeries(panel: Panel, field: PanelField): SeriesSet {
  const T0 = panel.dates.length;
  const N = panel.assets.length;
  const skip = field === 'log-return' ? 1 : 0;
  const T = T0 - skip;
  if (T < 1) throw new ForecastDataError(`the panel has ${T0} dates: too few for ${field}`);
  const values = new Float32Array(T * N);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < N; i++) {
      const j = (t + skip) * N + i;
      const v =
        field === 'close'
          ? panel.close[j]
          : field === 'log-close'
            ? Math.log(panel.close[j])
            : field === 'volume'
              ? panel.volume[j]
              : Math.log(panel.close[j] / panel.close[j - N]);
      if (!Number.isFinite(v))
        throw new ForecastDataError(
          `${field} of ${panel.assets[i]} on ${panel.dates[t + skip]} is not finite`,
        );
      values[t * N + i] = v;
    }
  return { values, length: T, channels: N, names: [...panel.assets], dates: panel.dates.slice(skip) };
}

export interface PlantedConfig {
  length: number;
  channels: number;
  /** Planted periods (steps). */
  periods: number[];
  /** Amplitude of each period's sinusoid (before a per-channel factor in [0.5, 1.5)). Default 1 each. */
  amplitudes?: number[];
  /** Standard deviation of the white noise added. Default 0.3. */
  noise?: number;
  seed: number;
}

/**
 * Σ_j a_j·u_{c,j}·sin(2π t / p_j + φ_{c,j}) + level_c + noise: each channel its own phases, factors
 * u ∈ [0.5, 1.5) and level, the same periods. The proof's market for TimesNet.
 */
export function plantedSeries(cfg: PlantedConfig): SeriesSet {
  const { length: T, channels: C, periods } = cfg;
  if (!Number.isInteger(T) || T < 2)
    throw new ForecastDataError(`planted: length must be an integer ≥ 2, got ${T}`);
  if (!Number.isInteger(C) || C < 1)
    throw new ForecastDataError(`planted: channels must be an integer ≥ 1, got ${C}`);
  if (periods.length === 0 || periods.some((p) => !(p >= 2)))
    throw new ForecastDataError(`planted: periods must be ≥ 2, got [${periods.join(', ')}]`);
  const amps = cfg.amplitudes ?? periods.map(() => 1);
  if (amps.length !== periods.length)
    throw new ForecastDataError(`planted: ${amps.length} amplitudes for ${periods.length} periods`);
  const noise = cfg.noise ?? 0.3;
  const rng = new Rng(cfg.seed);
  const values = new Float32Array(T * C);
  for (let c = 0; c < C; c++) {
    const phase = periods.map(() => rng.uniform(0, 2 * Math.PI));
    const factor = periods.map(() => rng.uniform(0.5, 1.5));
    const level = rng.normal(0, 2);
    for (let t = 0; t < T; t++) {
      let v = level;
      periods.forEach((p, j) => (v += amps[j] * factor[j] * Math.sin((2 * Math.PI * t) / p + phase[j])));
      values[t * C + c] = v + noise * rng.normal();
    }
  }
  return { values, length: T, channels: C, names: Array.from({ length: C }, (_, c) => `ch${c}`) };
}

export interface ForecastSplits {
  train: RowRange;
  valid: RowRange;
  test: RowRange;
}

/** Dataset_Custom's borders: windows of each split start seqLen rows before its first target. */
export function librarySplits(length: number, seqLen: number, predLen: number): ForecastSplits {
  const nTrain = Math.floor(length * 0.7);
  const nTest = Math.floor(length * 0.2);
  const nValid = length - nTrain - nTest;
  const splits = {
    train: { start: 0, end: nTrain },
    valid: { start: nTrain - seqLen, end: nTrain + nValid },
    test: { start: length - nTest - seqLen, end: length },
  };
  for (const [name, r] of Object.entries(splits))
    if (r.start < 0 || windowCount(r, seqLen, predLen) < 1)
      throw new ForecastDataError(
        `${length} rows give the ${name} split no window of seq_len ${seqLen} + pred_len ${predLen}: ` +
          `need about ${Math.ceil(((seqLen + predLen) / 0.1) * 1.05)} rows, or a shorter --seq-len / --pred-len`,
      );
  return splits;
}

export function windowCount(range: RowRange, seqLen: number, predLen: number): number {
  return Math.max(0, range.end - range.start - seqLen - predLen + 1);
}

export interface Scaler {
  mean: Float64Array;
  std: Float64Array;
}

/** StandardScaler fitted on rows [fit.start, fit.end): per-channel mean and population std (1 if 0). */
export function fitScaler(s: SeriesSet, fit: RowRange): Scaler {
  const C = s.channels;
  const mean = new Float64Array(C);
  const std = new Float64Array(C);
  const n = fit.end - fit.start;
  for (let t = fit.start; t < fit.end; t++) for (let c = 0; c < C; c++) mean[c] += s.values[t * C + c];
  for (let c = 0; c < C; c++) mean[c] /= n;
  for (let t = fit.start; t < fit.end; t++)
    for (let c = 0; c < C; c++) std[c] += (s.values[t * C + c] - mean[c]) ** 2;
  for (let c = 0; c < C; c++) std[c] = Math.sqrt(std[c] / n) || 1;
  return { mean, std };
}

export function applyScaler(values: Float32Array, C: number, sc: Scaler): Float32Array {
  return values.map((v, i) => (v - sc.mean[i % C]) / sc.std[i % C]);
}

export function invertScaler(values: Float32Array, C: number, sc: Scaler): Float32Array {
  return values.map((v, i) => v * sc.std[i % C] + sc.mean[i % C]);
}

/**
 * Windows `starts` (offsets into `range`) of x [B, L, C] and y [B, P, C] (and marks [B, L, M]).
 */
export function gatherWindows(
  values: Float32Array,
  C: number,
  range: RowRange,
  seqLen: number,
  predLen: number,
  starts: ArrayLike<number>,
  marks?: { values: Float32Array; dim: number } | null,
): { x: Float32Array; y: Float32Array; marks: Float32Array | null } {
  const B = starts.length;
  const x = new Float32Array(B * seqLen * C);
  const y = new Float32Array(B * predLen * C);
  const m = marks ? new Float32Array(B * seqLen * marks.dim) : null;
  for (let b = 0; b < B; b++) {
    const t0 = range.start + starts[b];
    x.set(values.subarray(t0 * C, (t0 + seqLen) * C), b * seqLen * C);
    y.set(values.subarray((t0 + seqLen) * C, (t0 + seqLen + predLen) * C), b * predLen * C);
    if (m && marks)
      m.set(marks.values.subarray(t0 * marks.dim, (t0 + seqLen) * marks.dim), b * seqLen * marks.dim);
  }
  return { x, y, marks: m };
}

/**
 * The library's timeF marks for daily data (freq 'd'): day of week, of month, of year, each scaled
 * to [−0.5, 0.5]. [T, 3].
 */
export function dailyMarks(dates: readonly string[]): Float32Array {
  const out = new Float32Array(dates.length * 3);
  dates.forEach((iso, t) => {
    const d = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new ForecastDataError(`date ${t + 1} '${iso}' is not an ISO date`);
    const dow = (d.getUTCDay() + 6) % 7; // pandas: Monday = 0
    const doy = Math.round((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000);
    out[t * 3] = dow / 6 - 0.5;
    out[t * 3 + 1] = (d.getUTCDate() - 1) / 30 - 0.5;
    out[t * 3 + 2] = doy / 365 - 0.5;
  });
  return out;
}

/**
 * Seasonal naive with season m ≤ seqLen for windows x [B, L, C]: ŷ[h] = x[L + h − m·(⌊h/m⌋ + 1)],
 * i.e. the value one (or more) whole seasons back, within the input window. → [B, P, C].
 */
export function seasonalNaive(
  x: Float32Array,
  B: number,
  seqLen: number,
  predLen: number,
  C: number,
  m: number,
) {
  if (!Number.isInteger(m) || m < 1 || m > seqLen)
    throw new ForecastDataError(
      `seasonal-naive season must be an integer in 1..seq_len (${seqLen}), got ${m}`,
    );
  const y = new Float32Array(B * predLen * C);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < predLen; h++) {
      const src = seqLen + h - m * (Math.floor(h / m) + 1);
      for (let c = 0; c < C; c++) y[(b * predLen + h) * C + c] = x[(b * seqLen + src) * C + c];
    }
  return y;
}

export interface ErrorMetrics {
  mse: number;
  mae: number;
}

export function errorMetrics(pred: ArrayLike<number>, target: ArrayLike<number>): ErrorMetrics {
  if (pred.length !== target.length)
    throw new ForecastDataError(`prediction has ${pred.length} values, target ${target.length}`);
  let se = 0;
  let ae = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i] - target[i];
    se += d * d;
    ae += Math.abs(d);
  }
  return { mse: se / pred.length, mae: ae / pred.length };
}

export const PLANTED_DEFAULTS = {
  length: 2000,
  channels: 4,
  periods: [24, 12, 8],
  amplitudes: [1, 0.6, 0.4],
  noise: 0.5,
  seed: 0,
};

/**
 * `planted[:k=v,…]` → a planted-period series config: length, channels, noise, seed numbers;
 * periods and amplitudes '/'-separated lists (`planted:periods=24/7,amplitudes=1/0.5,noise=0.3`).
 */
export function parsePlantedSpec(spec: string): PlantedConfig {
  const m = /^planted(?::(.*))?$/i.exec(spec.trim());
  if (!m) throw new ForecastDataError(`not a planted spec: '${spec}'`);
  const cfg: PlantedConfig = { ...PLANTED_DEFAULTS };
  let amplitudesGiven = false;
  for (const part of (m[1] ?? '').split(/[,;&]/).filter((p) => p.trim() !== '')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (value === undefined || rest.length > 0)
      throw new ForecastDataError(`planted: expected key=value, got '${part.trim()}'`);
    const nums = value.split('/').map(Number);
    if (nums.some((n) => !Number.isFinite(n)) || value === '')
      throw new ForecastDataError(
        `planted: ${key} must be a number${key.endsWith('s') ? ' list like 24/12' : ''}, got '${value}'`,
      );
    if (key === 'periods') cfg.periods = nums;
    else if (key === 'amplitudes') {
      cfg.amplitudes = nums;
      amplitudesGiven = true;
    } else if (key === 'length' || key === 'channels' || key === 'noise' || key === 'seed') {
      if (nums.length !== 1) throw new ForecastDataError(`planted: ${key} takes one number, got '${value}'`);
      cfg[key] = nums[0];
    } else
      throw new ForecastDataError(
        `planted: unknown field '${key}' (known: length, channels, periods, amplitudes, noise, seed)`,
      );
  }
  if (!amplitudesGiven && cfg.periods.length !== PLANTED_DEFAULTS.periods.length)
    cfg.amplitudes = cfg.periods.map(() => 1);
  return cfg;
}
