import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../data/synthetic.ts';
import { buildFeatures } from '../features/build.ts';
import { featurePreset } from '../features/config.ts';
import { PortfolioEnv } from './portfolio.ts';
import { TradingEnv } from './trading.ts';

// Risk monitoring in info (seed 002): drawdown from the running peak, exposure of the portfolio.
describe('risk info of the market envs', () => {
  const { panel } = generateSynthetic({ seed: 4, assets: 3, days: 200, volatility: 0.6 });
  const fs = buildFeatures(
    panel,
    featurePreset('ohlcv', {
      window: 5,
      split: {
        train: { start: '2000-01-03', end: '2000-06-30' },
        valid: { start: '2000-07-03', end: '2000-08-31' },
        test: { start: '2000-09-01', end: '2000-12-31' },
      },
    }),
  );

  it('TradingEnv: drawdown is value / running peak − 1, exposure the invested share', () => {
    const env = new TradingEnv(fs, { split: 'train', episodeLength: null, seed: 1 });
    let { info } = env.reset({ seed: 1 });
    expect(info.risk).toEqual({
      drawdown: 0,
      peakValue: info.portfolioValue,
      grossExposure: 0,
      netExposure: 0,
    });
    let peak = info.portfolioValue;
    const buyAll = new Int32Array(3).fill(1);
    for (let k = 0; k < 60; k++) {
      const r = env.step(k < 3 ? buyAll : new Int32Array(3));
      info = r.info;
      peak = Math.max(peak, info.portfolioValue);
      expect(info.risk.peakValue).toBeCloseTo(peak, 9);
      expect(info.risk.drawdown).toBeCloseTo(info.portfolioValue / peak - 1, 12);
      expect(info.risk.drawdown).toBeLessThanOrEqual(0);
      const held = info.portfolioValue - info.cash;
      expect(info.risk.grossExposure).toBeCloseTo(held / info.portfolioValue, 9);
      if (r.terminated || r.truncated) break;
    }
    expect(info.risk.grossExposure).toBeGreaterThan(0.1);
  });

  it('PortfolioEnv: exposure is Σ|w| and Σw of the drifted weights', () => {
    const env = new PortfolioEnv(fs, { split: 'train', episodeLength: null, seed: 1 });
    env.reset({ seed: 1 });
    const { info } = env.step(Float32Array.from([0.5, -0.2, 0.1]));
    const w = info.driftedWeights;
    expect(info.risk.grossExposure).toBeCloseTo(Math.abs(w[0]) + Math.abs(w[1]) + Math.abs(w[2]), 12);
    expect(info.risk.netExposure).toBeCloseTo(w[0] + w[1] + w[2], 12);
    expect(info.risk.drawdown).toBeLessThanOrEqual(0);
  });
});
