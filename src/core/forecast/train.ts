/**
 * TimesNet as a forecaster, end to end on typed arrays: split and scale the series (dataset.ts),
 * detect its periods (periods.ts), train TimesNet (agents/timesnetForecaster.ts holds the tensors)
 * with the library's loop — MSE, Adam, learning rate halved every epoch ('type1'), early stopping on
 * the validation MSE with the best epoch's weights restored — and score it beside seasonal naive,
 * whose season is chosen on the validation split among the detected periods.
 *
 * Needs an initialised tfjs backend (agents/backend.ts initBackend) before runForecast.
 */
import { TimesNetForecaster, type NamedWeights } from '../agents/timesnetForecaster.ts';
import type { LoraTarget } from '../agents/nets/timesnet.ts';
import type { RowRange } from '../data/types.ts';
import { Rng } from '../rng.ts';
import {
  applyScaler,
  dailyMarks,
  errorMetrics,
  fitScaler,
  ForecastDataError,
  gatherWindows,
  invertScaler,
  librarySplits,
  seasonalNaive,
  windowCount,
  type ErrorMetrics,
  type ForecastSplits,
  type SeriesSet,
} from './dataset.ts';
import { fftForPeriod } from './periods.ts';

export interface ForecastConfig {
  seqLen: number;
  predLen: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Cap on training batches per epoch (0 = all windows). */
  stepsPerEpoch: number;
  /** Epochs without a better validation MSE before stopping. */
  patience: number;
  topK: number;
  dModel: number;
  dFF: number;
  eLayers: number;
  numKernels: number;
  dropout: number;
  loraRank: number;
  loraAlpha: number;
  loraTargets?: readonly LoraTarget[];
  freezeBase: boolean;
  /** Day-of-week/month/year marks from the dates (the library's timeF, freq 'd'). */
  timeFeatures: boolean;
  seed: number;
}

/**
 * Defaults: the library's ETTh1 model (d_model 16, d_ff 32, e_layers 2, 6 kernels; top_k 3 of its 5) with a
 * budget that fits a 2-core machine; the library's lr 1e-4 suits its 10 epochs of ~8k windows, a few
 * hundred steps here need a larger one (measured: 1e-3 had not converged after 38 steps, 3e-3–5e-3 had).
 */
export const FORECAST_DEFAULTS: ForecastConfig = {
  seqLen: 96,
  predLen: 24,
  epochs: 3,
  batchSize: 32,
  learningRate: 3e-3,
  stepsPerEpoch: 30,
  patience: 3,
  topK: 3,
  dModel: 16,
  dFF: 32,
  eLayers: 2,
  numKernels: 6,
  dropout: 0.1,
  loraRank: 0,
  loraAlpha: 1,
  freezeBase: false,
  timeFeatures: false,
  seed: 0,
};

export interface DetectedPeriod {
  period: number;
  frequency: number;
  amplitude: number;
}

export interface SplitMetrics {
  train: ErrorMetrics;
  valid: ErrorMetrics;
  test: ErrorMetrics;
}

export interface ForecastEpoch {
  /** Global step (training batches so far). */
  step: number;
  epoch: number;
  'losses/train_mse': number;
  'losses/valid_mse': number;
  'charts/learning_rate': number;
  'perf/epoch_seconds': number;
}

export interface ForecastRun {
  config: ForecastConfig;
  splits: ForecastSplits;
  windows: { train: number; valid: number; test: number };
  /** Top-k periods of the (scaled) training windows of length seq_len + pred_len. */
  periods: DetectedPeriod[];
  timesnet: SplitMetrics;
  seasonalNaive: SplitMetrics & { season: number; candidates: { season: number; validMse: number }[] };
  history: ForecastEpoch[];
  bestEpoch: number;
  paramCount: number;
  trainableParams: number;
  /** Periods per TimesBlock in the last test batch. */
  modelPeriods: number[][];
  /** Test forecasts in the series' units, [windows, P, C], and each window's first target row. */
  test: {
    targetStart: Int32Array;
    actual: Float32Array;
    timesnet: Float32Array;
    seasonalNaive: Float32Array;
  };
  /** Base weights of the kept (best) model, adapters excluded: a starting point for LoRA fine-tuning. */
  baseWeights: NamedWeights[];
  seconds: number;
}

export interface ForecastHooks {
  onEpoch?: (e: ForecastEpoch) => void;
  /** Start from these base weights (a previous run's baseWeights) instead of the seed's init. */
  initBase?: readonly NamedWeights[];
}

function detected(x: Float32Array, B: number, T: number, C: number, k: number): DetectedPeriod[] {
  const d = fftForPeriod(x, B, T, C, Math.min(k, Math.floor(T / 2)));
  return d.periods.map((period, j) => ({ period, frequency: d.frequencies[j], amplitude: d.amplitudes[j] }));
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Trains and scores TimesNet and seasonal naive on one series; deterministic for a seed. */
export function runForecast(
  series: SeriesSet,
  partial: Partial<ForecastConfig> = {},
  hooks: ForecastHooks = {},
): ForecastRun {
  const t0 = performance.now();
  const cfg: ForecastConfig = { ...FORECAST_DEFAULTS, ...partial };
  for (const k of [
    'seqLen',
    'predLen',
    'epochs',
    'batchSize',
    'topK',
    'dModel',
    'dFF',
    'eLayers',
    'numKernels',
  ] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1)
      throw new ForecastDataError(`forecast: ${k} must be a positive integer, got ${cfg[k]}`);
  if (!Number.isInteger(cfg.loraRank) || cfg.loraRank < 0)
    throw new ForecastDataError(`forecast: loraRank must be an integer ≥ 0, got ${cfg.loraRank}`);
  if (cfg.freezeBase && cfg.loraRank === 0)
    throw new ForecastDataError('forecast: freezeBase trains only the LoRA adapters: give loraRank ≥ 1');
  const { seqLen: L, predLen: P, batchSize } = cfg;
  const C = series.channels;
  const splits = librarySplits(series.length, L, P);
  const scaler = fitScaler(series, splits.train);
  const values = applyScaler(series.values, C, scaler);
  let marks: { values: Float32Array; dim: number } | null = null;
  if (cfg.timeFeatures) {
    if (!series.dates) throw new ForecastDataError('forecast: time features need dated rows');
    marks = { values: dailyMarks(series.dates), dim: 3 };
  }
  const nWin = {
    train: windowCount(splits.train, L, P),
    valid: windowCount(splits.valid, L, P),
    test: windowCount(splits.test, L, P),
  };

  // Periods of the data as TimesNet sees them: FFT_for_Period over training windows of its length
  // seq_len + pred_len (up to 256 of them, evenly spaced).
  const rng = new Rng(cfg.seed).fork('forecast');
  const sample = range(nWin.train).filter((_, i) => i % Math.max(1, Math.floor(nWin.train / 256)) === 0);
  const sampleWindows = new Float32Array(sample.length * (L + P) * C);
  sample.forEach((s, b) =>
    sampleWindows.set(
      values.subarray((splits.train.start + s) * C, (splits.train.start + s + L + P) * C),
      b * (L + P) * C,
    ),
  );
  const periods = detected(sampleWindows, sample.length, L + P, C, cfg.topK);

  // Seasonal naive: the season among the detected periods that fits within seq_len, best on validation.
  const seasons = [...new Set(periods.map((d) => d.period))].filter((m) => m <= L && m >= 1);
  if (seasons.length === 0) seasons.push(1);
  const evalNaive = (r: RowRange, n: number, m: number) => {
    const w = gatherWindows(values, C, r, L, P, range(n));
    return { pred: seasonalNaive(w.x, n, L, P, C, m), target: w.y };
  };
  const candidates = seasons.map((season) => {
    const { pred, target } = evalNaive(splits.valid, nWin.valid, season);
    return { season, validMse: errorMetrics(pred, target).mse };
  });
  const season = [...candidates].sort((a, b) => a.validMse - b.validMse || a.season - b.season)[0].season;
  const naiveOf = (r: RowRange, n: number) => {
    const { pred, target } = evalNaive(r, n, season);
    return { metrics: errorMetrics(pred, target), pred, target };
  };

  const forecaster = new TimesNetForecaster({
    model: {
      seqLen: L,
      predLen: P,
      channels: C,
      dModel: cfg.dModel,
      dFF: cfg.dFF,
      topK: cfg.topK,
      eLayers: cfg.eLayers,
      numKernels: cfg.numKernels,
      dropout: cfg.dropout,
      markDim: marks ? marks.dim : 0,
      lora:
        cfg.loraRank > 0 ? { rank: cfg.loraRank, alpha: cfg.loraAlpha, targets: cfg.loraTargets } : undefined,
      seed: cfg.seed,
    },
    learningRate: cfg.learningRate,
    freezeBase: cfg.freezeBase,
  });
  try {
    if (hooks.initBase) forecaster.setBaseWeights(hooks.initBase);
    const predictSplit = (r: RowRange, n: number) => {
      const out = new Float32Array(n * P * C);
      const target = new Float32Array(n * P * C);
      for (let s = 0; s < n; s += 64) {
        const starts = range(Math.min(64, n - s)).map((i) => s + i);
        const w = gatherWindows(values, C, r, L, P, starts, marks);
        out.set(forecaster.predict(w.x, starts.length, w.marks), s * P * C);
        target.set(w.y, s * P * C);
      }
      return { pred: out, target };
    };

    const history: ForecastEpoch[] = [];
    let best = { mse: Infinity, epoch: 0, weights: forecaster.getWeights() };
    let step = 0;
    const perEpoch = Math.max(1, Math.floor(nWin.train / batchSize));
    const steps = cfg.stepsPerEpoch > 0 ? Math.min(cfg.stepsPerEpoch, perEpoch) : perEpoch;
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const te = performance.now();
      const lr = cfg.learningRate * 0.5 ** (epoch - 1);
      forecaster.setLearningRate(lr);
      const order = range(nWin.train);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      for (let b = 0; b < steps; b++) {
        const starts = order.subarray(b * batchSize, Math.min(nWin.train, (b + 1) * batchSize));
        const w = gatherWindows(values, C, splits.train, L, P, starts, marks);
        lossSum += forecaster.trainStep(w.x, w.y, starts.length, w.marks);
        step++;
      }
      const v = predictSplit(splits.valid, nWin.valid);
      const validMse = errorMetrics(v.pred, v.target).mse;
      const e: ForecastEpoch = {
        step,
        epoch,
        'losses/train_mse': lossSum / steps,
        'losses/valid_mse': validMse,
        'charts/learning_rate': lr,
        'perf/epoch_seconds': (performance.now() - te) / 1000,
      };
      history.push(e);
      hooks.onEpoch?.(e);
      if (validMse < best.mse) best = { mse: validMse, epoch, weights: forecaster.getWeights() };
      else if (epoch - best.epoch >= cfg.patience) break;
    }
    forecaster.setWeights(best.weights);

    const tn = {
      train: predictSplit(splits.train, nWin.train),
      valid: predictSplit(splits.valid, nWin.valid),
      test: predictSplit(splits.test, nWin.test),
    };
    const nv = {
      train: naiveOf(splits.train, nWin.train),
      valid: naiveOf(splits.valid, nWin.valid),
      test: naiveOf(splits.test, nWin.test),
    };
    const trainable = forecaster.trainableVariables().reduce((n, v) => n + v.size, 0);
    return {
      config: cfg,
      splits,
      windows: nWin,
      periods,
      timesnet: {
        train: errorMetrics(tn.train.pred, tn.train.target),
        valid: errorMetrics(tn.valid.pred, tn.valid.target),
        test: errorMetrics(tn.test.pred, tn.test.target),
      },
      seasonalNaive: {
        season,
        candidates,
        train: nv.train.metrics,
        valid: nv.valid.metrics,
        test: nv.test.metrics,
      },
      history,
      bestEpoch: best.epoch,
      paramCount: forecaster.model.paramCount,
      trainableParams: trainable,
      modelPeriods: forecaster.lastPeriods,
      test: {
        targetStart: range(nWin.test).map((i) => splits.test.start + i + L),
        actual: invertScaler(tn.test.target, C, scaler),
        timesnet: invertScaler(tn.test.pred, C, scaler),
        seasonalNaive: invertScaler(nv.test.pred, C, scaler),
      },
      baseWeights: forecaster.getBaseWeights(),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    forecaster.dispose();
  }
}
