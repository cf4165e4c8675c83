import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../agents/backend.ts';
import { plantedSeries } from './dataset.ts';
import { runForecast } from './train.ts';

describe('TimesNet as a forecaster (wasm)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).backend).toBe('wasm');
  });

  it('planted periods 24/12/8 + noise, 3 channels: FFT finds them and TimesNet beats seasonal naive on test', () => {
    // Noise σ 0.5 against unit-scale seasonality: seasonal naive (season 24 is exact for all three
    // periods) pays the noise twice, ≈ 2σ²; a model that averages past cycles approaches σ².
    const series = plantedSeries({
      length: 1000,
      channels: 3,
      periods: [24, 12, 8],
      amplitudes: [1, 0.6, 0.4],
      noise: 0.5,
      seed: 1,
    });
    const run = runForecast(series, {
      seqLen: 48,
      predLen: 24,
      topK: 3,
      numKernels: 3,
      epochs: 3,
      batchSize: 32,
      learningRate: 5e-3,
      stepsPerEpoch: 20,
      seed: 1,
    });
    expect(run.periods.map((p) => p.period)).toEqual([24, 12, 8]);
    expect(run.seasonalNaive.season).toBe(24);
    expect(run.history.length).toBe(3);
    expect(run.history[2].step).toBe(57);
    // Measured 0.264 vs 0.482 (seed 1); the bar leaves room for backend rounding, not for a broken model.
    expect(run.timesnet.test.mse).toBeLessThan(0.75 * run.seasonalNaive.test.mse);
    expect(run.timesnet.test.mae).toBeLessThan(run.seasonalNaive.test.mae);
    expect(run.test.timesnet.length).toBe(run.windows.test * 24 * 3);
  }, 120_000);

  it('is deterministic for a seed; LoRA with a frozen base trains only the adapters', () => {
    const series = plantedSeries({ length: 400, channels: 2, periods: [12], noise: 0.2, seed: 2 });
    const cfg = {
      seqLen: 24,
      predLen: 12,
      topK: 2,
      numKernels: 2,
      dModel: 8,
      dFF: 8,
      epochs: 1,
      stepsPerEpoch: 2,
      seed: 3,
    };
    const a = runForecast(series, cfg);
    const b = runForecast(series, cfg);
    expect(b.timesnet).toEqual(a.timesnet);
    expect(b.history.map((h) => h['losses/train_mse'])).toEqual(a.history.map((h) => h['losses/train_mse']));
    const lora = runForecast(series, { ...cfg, loraRank: 2, freezeBase: true });
    expect(lora.trainableParams).toBeLessThan(lora.paramCount / 5);
    expect(lora.paramCount).toBeGreaterThan(a.paramCount);
    expect(() => runForecast(series, { ...cfg, freezeBase: true })).toThrow(/loraRank ≥ 1/);
  }, 60_000);
});
