import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cholesky,
  generateSynthetic,
  resolveSyntheticConfig,
  syntheticCsvChunks,
  type SyntheticMeta,
} from './synthetic.ts';
import { importCsv } from './csv.ts';
import { dayOfWeek, daysFromIso } from './dates.ts';

/** Log returns of asset i from closes (t ≥ 1). */
function returns(close: Float64Array, n: number, i: number): number[] {
  const T = close.length / n;
  const r: number[] = [];
  for (let t = 1; t < T; t++) r.push(Math.log(close[t * n + i] / close[(t - 1) * n + i]));
  return r;
}

function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('generateSynthetic', () => {
  it('same seed and config → identical panel; another seed → different', () => {
    const a = generateSynthetic({ seed: 7, assets: 3, days: 300, signalStrength: 0.1 });
    const b = generateSynthetic({ seed: 7, assets: 3, days: 300, signalStrength: 0.1 });
    expect(b).toEqual(a);
    const c = generateSynthetic({ seed: 8, assets: 3, days: 300, signalStrength: 0.1 });
    expect(c.panel.close).not.toEqual(a.panel.close);
  });

  it('business-day calendar of ISO dates from the chosen start (weekend start → Monday)', () => {
    const { panel } = generateSynthetic({ start: '2021-01-02', days: 30, assets: 1 });
    expect(panel.dates[0]).toBe('2021-01-04');
    expect(panel.dates).toHaveLength(30);
    for (let t = 1; t < panel.dates.length; t++) {
      expect(panel.dates[t] > panel.dates[t - 1]).toBe(true);
      expect([0, 6]).not.toContain(dayOfWeek(daysFromIso(panel.dates[t])));
    }
  });

  it('return correlation is close to the target (one factor and Cholesky)', () => {
    const base = { days: 6000, jumpProbability: 0 };
    const one = generateSynthetic({ ...base, seed: 1, assets: 3, correlation: 0.6 });
    const r0 = returns(one.panel.close, 3, 0);
    expect(corr(r0, returns(one.panel.close, 3, 1))).toBeCloseTo(0.6, 1);
    expect(corr(r0, returns(one.panel.close, 3, 2))).toBeCloseTo(0.6, 1);
    const m = [
      [1, 0.8, -0.3],
      [0.8, 1, 0],
      [-0.3, 0, 1],
    ];
    const chol = generateSynthetic({ ...base, seed: 2, assets: 3, correlation: m });
    const c = [0, 1, 2].map((i) => returns(chol.panel.close, 3, i));
    expect(Math.abs(corr(c[0], c[1]) - 0.8)).toBeLessThan(0.04);
    expect(Math.abs(corr(c[0], c[2]) + 0.3)).toBeLessThan(0.04);
    expect(Math.abs(corr(c[1], c[2]))).toBeLessThan(0.04);
  });

  it('signalStrength 0: lag-1 autocorrelation of returns ≈ 0; > 0: ≈ signalStrength', () => {
    const T = 8000;
    const band = 3 / Math.sqrt(T);
    for (const phi of [0, 0.15]) {
      const { panel, meta } = generateSynthetic({
        seed: 3,
        assets: 2,
        days: T,
        signalStrength: phi,
        jumpProbability: 0,
      });
      for (let i = 0; i < 2; i++) {
        const r = returns(panel.close, 2, i);
        expect(Math.abs(corr(r.slice(0, -1), r.slice(1)) - phi)).toBeLessThan(band);
        // logReturns in meta are the closes' log returns.
        expect(meta.logReturns[2 * 5 + i]).toBeCloseTo(r[4], 12);
      }
    }
  });

  it('an oracle rule on the observable (sign of today’s return) earns alpha only when the signal exists', () => {
    const stat = (phi: number, seed: number) => {
      const { panel, meta } = generateSynthetic({ seed, assets: 4, days: 5000, signalStrength: phi });
      const mu = meta.config.drift / 252;
      const pnl: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = returns(panel.close, 4, i);
        // Long-short on the sign of today's return (relative to the drift), held for one day.
        for (let t = 0; t + 1 < r.length; t++) pnl.push(Math.sign(r[t] - mu) * (r[t + 1] - mu));
        // The signal series is exactly the conditional mean μ + φ (r_t − μ).
        expect(meta.signal[(10 + 1) * 4 + i]).toBeCloseTo(mu + phi * (r[10] - mu), 12);
      }
      const mean = pnl.reduce((s, x) => s + x, 0) / pnl.length;
      const sd = Math.sqrt(pnl.reduce((s, x) => s + (x - mean) ** 2, 0) / (pnl.length - 1));
      return mean / (sd / Math.sqrt(pnl.length)); // t-statistic
    };
    expect(stat(0.1, 11)).toBeGreaterThan(5);
    expect(Math.abs(stat(0, 11))).toBeLessThan(3);
  });

  it('OHLCV bars are internally consistent for any config (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          assets: fc.integer({ min: 1, max: 5 }),
          days: fc.integer({ min: 2, max: 120 }),
          volatility: fc.double({ min: 0, max: 2, noNaN: true }),
          turbulentMultiplier: fc.double({ min: 0, max: 6, noNaN: true }),
          correlation: fc.double({ min: -0.2, max: 1, noNaN: true }),
          jumpProbability: fc.double({ min: 0, max: 1, noNaN: true }),
          jumpStd: fc.double({ min: 0, max: 0.5, noNaN: true }),
          signalStrength: fc.double({ min: 0, max: 0.95, noNaN: true }),
          drift: fc.double({ min: -1, max: 1, noNaN: true }),
        }),
        (cfg) => {
          const { panel, meta } = generateSynthetic(cfg);
          const n = panel.assets.length;
          expect(panel.dates.length * n).toBe(panel.close.length);
          expect(meta.regime.length).toBe(panel.dates.length);
          const bad: number[] = [];
          for (let k = 0; k < panel.close.length; k++) {
            const o = panel.open[k],
              h = panel.high[k],
              l = panel.low[k],
              c = panel.close[k];
            const consistent =
              l > 0 &&
              l <= Math.min(o, c) &&
              h >= Math.max(o, c) &&
              Number.isFinite(h) &&
              panel.volume[k] > 0;
            if (!consistent) bad.push(k);
          }
          expect(bad).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('regimes switch and turbulence is more volatile', () => {
    const { panel, meta } = generateSynthetic({ seed: 5, assets: 1, days: 5000, jumpProbability: 0 });
    const r = returns(panel.close, 1, 0);
    const calm: number[] = [];
    const turb: number[] = [];
    r.forEach((x, t) => (meta.regime[t + 1] ? turb : calm).push(x * x));
    expect(turb.length).toBeGreaterThan(200);
    expect(calm.length).toBeGreaterThan(2000);
    const ratio = Math.sqrt(
      turb.reduce((s, x) => s + x, 0) / turb.length / (calm.reduce((s, x) => s + x, 0) / calm.length),
    );
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(3);
  });

  it('validates the config with messages naming the field', () => {
    expect(() => resolveSyntheticConfig({ assets: 0 })).toThrow(/assets/);
    expect(() => resolveSyntheticConfig({ signalStrength: 1 })).toThrow(/signalStrength/);
    expect(() => resolveSyntheticConfig({ start: '03/01/2000' })).toThrow(/start/);
    expect(() => resolveSyntheticConfig({ assets: 3, correlation: -0.6 })).toThrow(/correlation/);
    expect(() =>
      resolveSyntheticConfig({
        assets: 2,
        correlation: [
          [1, 0.5],
          [0.4, 1],
        ],
      }),
    ).toThrow(/symmetric/);
    expect(() =>
      cholesky([
        [1, 1],
        [1, 1],
      ]),
    ).toThrow(/not positive definite/);
  });

  it('CSV chunks import back to the same panel (within 4-decimal rounding)', () => {
    const cfg = { seed: 9, assets: 3, days: 50 };
    const text = [...syntheticCsvChunks(cfg, 'long', 40)].join('');
    const r = importCsv(text, { fileName: 'syn.csv' });
    if (!r.ok) throw new Error(r.error.message);
    const { panel } = generateSynthetic(cfg);
    expect(r.series.map((s) => s.asset)).toEqual(panel.assets);
    expect(r.series[2].close[49]).toBeCloseTo(panel.close[49 * 3 + 2], 4);
    expect(r.report.rowsDropped).toBe(0);
  });
});

describe('planted return regimes (regimes = 2, seed 002’s proof market)', () => {
  // Lag-1 autocorrelation of day returns inside one regime, pooled over assets.
  function lag1(meta: SyntheticMeta, N: number, want: number): number {
    let sxy = 0;
    let sxx = 0;
    const mu = meta.config.drift / 252;
    for (let t = 2; t < meta.trendRegime.length; t++) {
      if (meta.trendRegime[t] !== want || meta.trendRegime[t - 1] !== want) continue;
      for (let i = 0; i < N; i++) {
        const x = meta.logReturns[(t - 1) * N + i] - mu;
        const y = meta.logReturns[t * N + i] - mu;
        sxy += x * y;
        sxx += x * x;
      }
    }
    return sxy / sxx;
  }

  it('alternates trending and mean-reverting spells of the planted length, with the planted autocorrelation', () => {
    const { meta } = generateSynthetic({
      seed: 5,
      assets: 4,
      days: 2520,
      regimes: 2,
      regimeLength: 40,
      jumpProbability: 0,
    });
    expect([...meta.trendRegime.slice(0, 3)]).toEqual([0, 0, 0]);
    expect(meta.trendRegime[39]).toBe(0);
    expect(meta.trendRegime[40]).toBe(1);
    expect(meta.trendRegime[80]).toBe(0);
    expect(lag1(meta, 4, 0)).toBeGreaterThan(0.2);
    expect(lag1(meta, 4, 1)).toBeLessThan(-0.2);
  });

  it('regimes = 1 is the market it always was (same draws, all days trending-labelled 0)', () => {
    const a = generateSynthetic({ seed: 9, days: 300 });
    const b = generateSynthetic({ seed: 9, days: 300, regimes: 1, regimeLength: 5, regimeStrength: 0.9 });
    expect(b.panel.close).toEqual(a.panel.close);
    expect(a.meta.trendRegime.every((r) => r === 0)).toBe(true);
  });

  it('names the bad field', () => {
    expect(() => generateSynthetic({ regimes: 3 })).toThrow(/regimes must be 1 or 2/);
    expect(() => generateSynthetic({ regimes: 2, regimeStrength: 0.99 })).toThrow(/regimeStrength/);
    expect(() => generateSynthetic({ regimes: 2, regimeLength: 0 })).toThrow(/regimeLength/);
  });
});
