import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Panel, SplitSpec } from '../data/types.ts';
import { Rng } from '../rng.ts';
import { sma } from '../indicators/index.ts';
import {
  DEFAULT_FEATURE_CONFIG,
  buildFeatures,
  computeRawFeatures,
  featureColumns,
  featureNames,
  featurePreset,
  marketObsLayout,
  rawFeatureRecords,
  type FeatureConfig,
} from './index.ts';

/** Consecutive calendar days from 2000-01-03. */
function isoDays(T: number, start = '2000-01-03'): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: T }, (_, t) => new Date(t0 + t * 86_400_000).toISOString().slice(0, 10));
}

/** Seeded random-walk OHLCV panel, T dates × N assets, prices around `level` (different per asset). */
function randomPanel(T: number, N: number, seed: number): Panel {
  const rng = new Rng(seed);
  const p: Panel = {
    dates: isoDays(T),
    assets: Array.from({ length: N }, (_, i) => `A${i}`),
    open: new Float64Array(T * N),
    high: new Float64Array(T * N),
    low: new Float64Array(T * N),
    close: new Float64Array(T * N),
    volume: new Float64Array(T * N),
  };
  for (let i = 0; i < N; i++) {
    let c = 10 * 10 ** i * (1 + rng.float());
    for (let t = 0; t < T; t++) {
      const k = t * N + i;
      const open = c * (1 + rng.normal(0, 0.005));
      c *= Math.exp(rng.normal(0, 0.02));
      p.open[k] = open;
      p.close[k] = c;
      p.high[k] = Math.max(open, c) * (1 + Math.abs(rng.normal(0, 0.01)));
      p.low[k] = Math.min(open, c) * (1 - Math.abs(rng.normal(0, 0.01)));
      p.volume[k] = Math.floor(1e6 * (1 + rng.float()) * 10 ** i);
    }
  }
  return p;
}

/** Split with train/valid/test boundaries at the given row indices of `dates` (inclusive ends). */
function splitAt(dates: string[], trainEnd: number, validEnd: number): SplitSpec {
  return {
    train: { start: dates[0], end: dates[trainEnd] },
    valid: { start: dates[trainEnd + 1], end: dates[validEnd] },
    test: { start: dates[validEnd + 1], end: dates[dates.length - 1] },
  };
}

const DOCUMENTED_NAMES = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'sma_10',
  'sma_20',
  'sma_50',
  'ema_12',
  'ema_26',
  'rsi_14',
  'macd',
  'macd_signal',
  'macd_hist',
  'atr_14',
  'bb_upper',
  'bb_mid',
  'bb_lower',
  'ichimoku_tenkan',
  'ichimoku_kijun',
  'ichimoku_span_a',
  'ichimoku_span_b',
  'ha_open',
  'ha_high',
  'ha_low',
  'ha_close',
  'supertrend',
  'supertrend_dir',
];

describe('feature config and columns', () => {
  it('QTMRL defaults give the documented 28 columns; names follow the parameters', () => {
    expect(featureNames(featurePreset('all'))).toEqual(DOCUMENTED_NAMES);
    expect(featureNames(featurePreset('ohlcv'))).toEqual(['open', 'high', 'low', 'close', 'volume']);
    expect(
      featureNames(
        featurePreset('all', { ohlcv: false, sma: [5, 200], ema: [], rsi: [2, 9], atr: [] }),
      ).slice(0, 4),
    ).toEqual(['sma_5', 'sma_200', 'rsi_2', 'rsi_9']);
    expect(DEFAULT_FEATURE_CONFIG.window).toBe(20);
    expect(DEFAULT_FEATURE_CONFIG.split.train.start.startsWith('2000')).toBe(true);
  });

  it('presets are fresh copies (editing one never changes the defaults)', () => {
    const c = featurePreset('all');
    c.sma.push(99);
    c.split.train.end = '1999-01-01';
    expect(DEFAULT_FEATURE_CONFIG.sma).toEqual([10, 20, 50]);
    expect(featurePreset('all').split.train.end).toBe('2010-12-31');
  });

  it('bad config values are rejected naming the field', () => {
    expect(() => featureColumns(featurePreset('all', { sma: [10, 0] }))).toThrow(
      'features.sma[1] must be an integer ≥ 1, got 0',
    );
    expect(() => featureColumns(featurePreset('all', { ema: [12, 12] }))).toThrow(
      /features.ema lists period 12 twice/,
    );
    expect(() => featureColumns(featurePreset('all', { macd: { fast: 26, slow: 12, signal: 9 } }))).toThrow(
      /features.macd.fast/,
    );
    expect(() => featureColumns(featurePreset('all', { window: 0 }))).toThrow(/features.window/);
    const split = { ...DEFAULT_FEATURE_CONFIG.split, valid: { start: '2018-01-01', end: '2011-01-01' } };
    expect(() => featureColumns(featurePreset('all', { split }))).toThrow(
      /features.split.valid starts \(2018-01-01\) after it ends/,
    );
    expect(() => featureColumns(featurePreset('ohlcv', { ohlcv: false }))).not.toThrow();
    expect(() => computeRawFeatures(randomPanel(10, 1, 1), featurePreset('ohlcv', { ohlcv: false }))).toThrow(
      /selects no columns/,
    );
  });
});

describe('buildFeatures', () => {
  const T = 400;
  const N = 3;
  const panel = randomPanel(T, N, 11);
  const config: FeatureConfig = featurePreset('all', { split: splitAt(panel.dates, 249, 329) });
  const fs = buildFeatures(panel, config);
  const F = DOCUMENTED_NAMES.length;
  const f0 = 77; // Ichimoku span B: 52-bar midpoint displaced 26 → first at 51 + 26

  it('drops the rows before every indicator is valid and keeps shapes consistent', () => {
    expect(computeRawFeatures(panel, config).firstValidRow).toBe(f0);
    expect(fs.dates).toEqual(panel.dates.slice(f0));
    expect(fs.assets).toEqual(panel.assets);
    expect(fs.featureNames).toEqual(DOCUMENTED_NAMES);
    expect(fs.X).toBeInstanceOf(Float32Array);
    expect(fs.X.length).toBe((T - f0) * N * F);
    expect(Array.from(fs.close)).toEqual(Array.from(panel.close.subarray(f0 * N)));
    expect(fs.X.every(Number.isFinite)).toBe(true);
    expect(marketObsLayout(fs, 20, 1, 1)).toEqual({
      window: 20,
      nAssets: N,
      nFeatures: F,
      perAssetExtras: 1,
      globalExtras: 1,
    });
    // OHLCV only: one warm-up row (the close's daily return needs the previous close).
    expect(buildFeatures(panel, featurePreset('ohlcv', { split: config.split })).dates[0]).toBe(
      panel.dates[1],
    );
  });

  it('date splits become row ranges; each split leaves W−1 rows of history', () => {
    const trainEndRow = 249 - f0 + 1;
    expect(fs.splits.train).toEqual({ start: config.window - 1, end: trainEndRow });
    expect(fs.splits.valid).toEqual({ start: trainEndRow, end: 329 - f0 + 1 });
    expect(fs.splits.test).toEqual({ start: 329 - f0 + 1, end: T - f0 });
    const noTest = buildFeatures(panel, {
      ...config,
      split: { ...config.split, test: { start: '2030-01-01', end: '2030-12-31' } },
    });
    expect(noTest.splits.test.end - noTest.splits.test.start).toBe(0);
  });

  it('z-score: every feature has mean 0 and σ 1 over train rows × assets (population σ)', () => {
    const rowsTrain = { start: 0, end: fs.splits.train.end }; // statistics use all train-dated rows
    for (let f = 0; f < F; f++) {
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (let t = rowsTrain.start; t < rowsTrain.end; t++) {
        for (let i = 0; i < N; i++) {
          const x = fs.X[(t * N + i) * F + f];
          s += x;
          s2 += x * x;
          n++;
        }
      }
      const m = s / n;
      expect(Math.abs(m), fs.featureNames[f]).toBeLessThan(1e-5);
      expect(Math.abs(Math.sqrt(s2 / n - m * m) - 1), fs.featureNames[f]).toBeLessThan(1e-4);
    }
  });

  it('scale-free transforms: price levels / close − 1, close → return, macd/atr ÷ close, volume → log1p, rsi raw', () => {
    const raw = computeRawFeatures(panel, config);
    const { mean, std } = fs.normalization;
    const at = (name: string, t: number, i: number) => {
      const f = DOCUMENTED_NAMES.indexOf(name);
      return { x: fs.X[((t - f0) * N + i) * F + f] * std[f] + mean[f], raw: raw.values[(t * N + i) * F + f] };
    };
    const t = 200;
    for (let i = 0; i < N; i++) {
      const c = panel.close[t * N + i];
      const tol = (v: number) => 1e-5 * (1 + Math.abs(v));
      const smaRef = sma(
        Array.from({ length: T }, (_, k) => panel.close[k * N + i]),
        20,
      )[t];
      expect(at('sma_20', t, i).raw).toBeCloseTo(smaRef, 9);
      for (const [name, want] of [
        ['sma_20', smaRef / c - 1],
        ['close', c / panel.close[(t - 1) * N + i] - 1],
        ['volume', Math.log1p(panel.volume[t * N + i])],
        ['atr_14', at('atr_14', t, i).raw / c],
        ['macd', at('macd', t, i).raw / c],
        ['rsi_14', at('rsi_14', t, i).raw],
        ['supertrend_dir', at('supertrend_dir', t, i).raw],
        ['open', panel.open[t * N + i] / c - 1],
      ] as const) {
        expect(Math.abs(at(name, t, i).x - want), `${name} of asset ${i}`).toBeLessThan(tol(want));
      }
    }
    // Scale-free: the same path at 1000× the price gives the same features.
    const scaled: Panel = {
      ...panel,
      open: panel.open.map((v) => v * 1000),
      high: panel.high.map((v) => v * 1000),
      low: panel.low.map((v) => v * 1000),
      close: panel.close.map((v) => v * 1000),
    };
    const fsScaled = buildFeatures(scaled, config);
    const vol = DOCUMENTED_NAMES.indexOf('volume');
    let worst = 0;
    for (let k = 0; k < fs.X.length; k++)
      if (k % F !== vol) worst = Math.max(worst, Math.abs(fsScaled.X[k] - fs.X[k]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('raw records for CSV: date, asset, untransformed values, from the first valid row', () => {
    const raw = computeRawFeatures(panel, config);
    const recs = [...rawFeatureRecords(raw)];
    expect(recs.length).toBe((T - f0) * N);
    expect(recs[0].slice(0, 2)).toEqual([panel.dates[f0], 'A0']);
    expect(recs[1][1]).toBe('A1');
    expect(recs[0][2 + DOCUMENTED_NAMES.indexOf('close')]).toBe(panel.close[f0 * N]);
    expect(recs[0].every((v) => v !== null)).toBe(true);
    expect([...rawFeatureRecords(raw, 0)][0][2 + DOCUMENTED_NAMES.indexOf('sma_10')]).toBeNull();
  });

  it('saved normalisation: reused as given (a trained agent sees inputs scaled as in training)', () => {
    const saved = { featureNames: fs.featureNames, mean: fs.normalization.mean, std: fs.normalization.std };
    // Same data and statistics: the same X, up to the float32 rounding of the stored statistics.
    const again = buildFeatures(panel, config, { normalization: saved }).X;
    let maxDiff = 0;
    for (let k = 0; k < again.length; k++) maxDiff = Math.max(maxDiff, Math.abs(again[k] - fs.X[k]));
    expect(maxDiff).toBeLessThan(1e-4);

    // Other data: its own fit would differ; with the saved statistics X = (raw − saved mean) / saved std.
    const other = randomPanel(T, N, 12);
    const refit = buildFeatures(other, config);
    const reused = buildFeatures(other, config, { normalization: saved });
    expect(reused.normalization.mean).toEqual(fs.normalization.mean);
    expect(reused.normalization.std).toEqual(fs.normalization.std);
    expect(reused.X[0]).not.toBeCloseTo(refit.X[0], 3);
    for (const k of [0, 17, 1000, reused.X.length - 1]) {
      const f = k % F;
      const raw = refit.X[k] * refit.normalization.std[f] + refit.normalization.mean[f];
      expect(reused.X[k]).toBeCloseTo((raw - saved.mean[f]) / saved.std[f], 3);
    }

    // No train rows are needed when the statistics are given.
    const lateSplit = featurePreset('all', { split: splitAt(panel.dates, 10, 329) });
    expect(() => buildFeatures(panel, lateSplit)).toThrow(/train split/);
    expect(buildFeatures(panel, lateSplit, { normalization: saved }).X.length).toBe(fs.X.length);

    expect(() =>
      buildFeatures(panel, config, {
        normalization: { ...saved, featureNames: saved.featureNames.slice(1) },
      }),
    ).toThrow(/saved normalisation is for columns/);
    const badStd = Float32Array.from(saved.std);
    badStd[saved.featureNames.indexOf('sma_10')] = 0;
    expect(() => buildFeatures(panel, config, { normalization: { ...saved, std: badStd } })).toThrow(
      /'sma_10' is not usable/,
    );
  });

  it('fails clearly: empty train split, too little data, non-positive prices', () => {
    const lateTrain = { ...config.split, train: { start: '2030-01-01', end: '2030-12-31' } };
    expect(() => buildFeatures(panel, { ...config, split: lateTrain })).toThrow(
      /train split 2030-01-01\.\.2030-12-31 has no rows/,
    );
    const early = { ...config.split, train: { start: '1990-01-01', end: panel.dates[50] } };
    expect(() => buildFeatures(panel, { ...config, split: early })).toThrow(/after dropping 77 warm-up rows/);
    expect(() => buildFeatures(randomPanel(60, 2, 3), config)).toThrow(
      /not enough rows — ichimoku_span_b of A0 is undefined on all 60 rows \(2000-01-03\.\.2000-03-02\)/,
    );
    const bad: Panel = { ...panel, close: panel.close.slice() };
    bad.close[300 * N + 2] = 0;
    expect(() => buildFeatures(bad, config)).toThrow(
      new RegExp(`of A2 on ${panel.dates[300]} is not finite`),
    );
  });
});

describe('no leakage (fast-check)', () => {
  const T = 150;
  const N = 2;
  const base = randomPanel(T, N, 5);
  // Train rows (panel index) ..110, valid ..130, test ..149; first usable row 77.
  const config = featurePreset('all', { window: 5, split: splitAt(base.dates, 110, 130) });
  const trainEnd = 110;

  /** Index of the first of the first n values that differ (Object.is: NaN equals NaN), or −1. */
  function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
    for (let k = 0; k < n; k++) if (!Object.is(a[k], b[k])) return k;
    return -1;
  }

  /** `p` with every bar after row t replaced by the bars of `q`. */
  function changeAfter(p: Panel, q: Panel, t: number): Panel {
    const out: Panel = {
      ...p,
      open: p.open.slice(),
      high: p.high.slice(),
      low: p.low.slice(),
      close: p.close.slice(),
      volume: p.volume.slice(),
    };
    for (let k = (t + 1) * N; k < T * N; k++) {
      out.open[k] = q.open[k];
      out.high[k] = q.high[k];
      out.low[k] = q.low[k];
      out.close[k] = q.close[k];
      out.volume[k] = q.volume[k];
    }
    return out;
  }

  it('changing data after t never changes features at or before t, nor the normalisation when t is past the train split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: T - 2 }), fc.integer({ min: 1, max: 1e9 }), (t, seed) => {
        const changed = changeAfter(base, randomPanel(T, N, seed), t);
        const rawA = computeRawFeatures(base, config);
        const rawB = computeRawFeatures(changed, config);
        const rawUpto = (t + 1) * N * rawA.featureNames.length;
        expect(firstDifference(rawA.values, rawB.values, rawUpto), 'first raw value that moved').toBe(-1);

        const a = buildFeatures(base, config);
        const b = buildFeatures(changed, config);
        const f0 = rawA.firstValidRow;
        const F = a.featureNames.length;
        const upto = Math.max(0, t + 1 - f0) * N * F; // X values of rows ≤ t
        if (t >= trainEnd) {
          // Only valid/test data changed: identical statistics and identical features up to t.
          expect(b.normalization.mean).toEqual(a.normalization.mean);
          expect(b.normalization.std).toEqual(a.normalization.std);
          expect(firstDifference(a.X, b.X, upto), 'first feature value that moved').toBe(-1);
        } else {
          // Train data changed: the statistics may move, but the un-normalised features up to t do not.
          let bad = -1;
          for (let k = 0; k < upto && bad < 0; k++) {
            const f = k % F;
            const va = a.X[k] * a.normalization.std[f] + a.normalization.mean[f];
            const vb = b.X[k] * b.normalization.std[f] + b.normalization.mean[f];
            // float32 rounding of X, scaled by σ: relative 1e-6 of the largest magnitude involved.
            const tol =
              1e-6 * a.normalization.std[f] * (1 + Math.abs(a.X[k]) + Math.abs(b.X[k])) + 1e-6 * Math.abs(va);
            if (!(Math.abs(va - vb) <= tol)) bad = k;
          }
          expect(bad, `first feature value that moved: ${bad}`).toBe(-1);
        }
      }),
      { numRuns: 40 },
    );
  });
});
