import type { Panel } from '../../core/data/types.ts';
import { buildFeatures, computeRawFeatures, featurePreset } from '../../core/features/index.ts';
import { Rng } from '../../core/rng.ts';
import { median } from './index.ts';

/**
 * Indicators + features for the QTMRL shape (16 assets × 5,500 days, every default indicator, 28
 * columns) on a seeded synthetic random-walk OHLCV panel. Target: under 100 ms for the features.
 * Figures are medians of several timed runs after warm-up runs, in milliseconds:
 * - `indicators_ms`: every indicator kernel on every asset, raw values in the (t, asset, feature)
 *   layout (`computeRawFeatures`, what `lab features` writes);
 * - `features_ms`: the whole `buildFeatures` (indicators, scale-free transform, warm-up drop,
 *   splits, train-fitted z-score, Float32 tensor);
 * - `*_cpu_ms`: the same as process CPU time, which other load on the machine inflates less.
 */
export const INDICATOR_BENCH_SHAPE = { assets: 16, days: 5500 } as const;
export const FEATURES_TARGET_MS = 100;

const RUNS = 9;

/** Seeded geometric random walk with consistent open/high/low and volume, weekdays from 2000-01-03. */
export function syntheticPanel(assets: number, days: number, seed = 42): Panel {
  const rng = new Rng(seed);
  const n = assets * days;
  const p: Panel = {
    dates: [],
    assets: Array.from({ length: assets }, (_, i) => `SYN${i}`),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let day = Date.parse('2000-01-03T00:00:00Z');
  while (p.dates.length < days) {
    const wd = new Date(day).getUTCDay();
    if (wd !== 0 && wd !== 6) p.dates.push(new Date(day).toISOString().slice(0, 10));
    day += 86_400_000;
  }
  for (let i = 0; i < assets; i++) {
    let c = 20 + 200 * rng.float();
    for (let t = 0; t < days; t++) {
      const k = t * assets + i;
      const open = c * (1 + rng.normal(0, 0.004));
      c *= Math.exp(rng.normal(0.0002, 0.02));
      p.open[k] = open;
      p.close[k] = c;
      p.high[k] = Math.max(open, c) * (1 + Math.abs(rng.normal(0, 0.008)));
      p.low[k] = Math.min(open, c) * (1 - Math.abs(rng.normal(0, 0.008)));
      p.volume[k] = Math.round(1e6 * Math.exp(rng.normal(0, 0.5)));
    }
  }
  return p;
}

/** Wall and process CPU milliseconds of one call (CPU time is the steadier figure on a shared machine). */
function time(fn: () => unknown): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

export async function benchIndicators(): Promise<Record<string, number>> {
  const { assets, days } = INDICATOR_BENCH_SHAPE;
  const panel = syntheticPanel(assets, days);
  const config = featurePreset('all');
  // Warm-up: lets the JIT compile the kernels before timing.
  for (let r = 0; r < 3; r++) buildFeatures(panel, config);
  const indicators: { wall: number; cpu: number }[] = [];
  const features: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    indicators.push(time(() => computeRawFeatures(panel, config)));
    features.push(time(() => buildFeatures(panel, config)));
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    indicators_ms: round(median(indicators.map((x) => x.wall))),
    features_ms: round(median(features.map((x) => x.wall))),
    indicators_cpu_ms: round(median(indicators.map((x) => x.cpu))),
    features_cpu_ms: round(median(features.map((x) => x.cpu))),
    target_features_ms: FEATURES_TARGET_MS,
    assets,
    days,
    features: computeRawFeatures(panel, config).featureNames.length,
  };
}
