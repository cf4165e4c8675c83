/**
 * Seeded synthetic market: N correlated assets with regime-switching volatility, jumps, drift and
 * an optional planted predictable signal, as a `Panel` of internally consistent OHLCV bars on a
 * business-day calendar (Mon–Fri, no holidays). Same seed and config → identical panel.
 *
 * Model, per business day t ≥ 1 and asset i (all returns are close-to-close log returns):
 *   regime  one market-wide Markov chain, calm ⇄ turbulent (`pCalmToTurbulent`, `pTurbulentToCalm`);
 *           σ_t = volatility/√252 in calm, × `turbulentMultiplier` in turbulence.
 *   shock   ε_{t,i} = σ_t z_{t,i} + J_{t,i}; z correlated N(0,1) (one factor for a scalar
 *           correlation ≥ 0, Cholesky for a negative scalar or a matrix); J a jump
 *           N(jumpMean, jumpStd²) with probability `jumpProbability`, else 0.
 *   return  r_{t,i} = μ + φ_t (r_{t−1,i} − μ) + ε_{t,i},  μ = drift/252,  r_0 = μ;  φ_t = signalStrength,
 *           or with `regimes: 2` signalStrength ± regimeStrength in planted trending / mean-reverting
 *           spells of `regimeLength` days (meta.trendRegime).
 *
 * THE PLANTED SIGNAL: with φ = signalStrength > 0 each asset's daily log return is AR(1): tomorrow's
 * expected return is μ + φ·(today's return − μ), and today's return log(close_t / close_{t−1}) is
 * observable at the close of day t. So an agent that looks at the last return (or anything built on
 * closes: momentum, RSI, MACD…) can earn alpha; with φ = 0 returns are serially uncorrelated and no
 * rule can beat the drift. `meta.signal[t·N + i]` is that conditional expectation, known at close t.
 *
 * Bars: open_t = close_{t−1}·exp(0.3 σ_t u) (an overnight gap), high/low extend max/min(open, close)
 * by half-normal multiples of 0.5 σ_t, volume = baseVolume·lognormal·(1.5 in turbulence)·(1 + 20|ε|),
 * rounded, ≥ 1. Day 0 is a flat bar at `startPrice`. So low ≤ open, close ≤ high and volume > 0 always.
 */
import { Rng } from '../rng.ts';
import { daysFromIso, isWeekend, isoFromDays, nextBusinessDay } from './dates.ts';
import type { Panel } from './types.ts';

export interface SyntheticConfig {
  /** Seed of the one Rng that drives everything. Default 0. */
  seed: number;
  /** Number of assets N. Default 4. */
  assets: number;
  /** Tickers, length N. Default SYN1, SYN2, … */
  tickers?: string[];
  /** Number of business days T. Default 1260 (about five years). */
  days: number;
  /** First date, ISO; a weekend start moves to the next Monday. Default '2000-01-03'. */
  start: string;
  /** Every asset's price on day 0. Default 100. */
  startPrice: number;
  /** Annualised mean log return μ·252. Default 0.05. */
  drift: number;
  /** Annualised volatility in the calm regime. Default 0.2. */
  volatility: number;
  /** Volatility multiplier in the turbulent regime. Default 2.5. */
  turbulentMultiplier: number;
  /** Daily probability of calm → turbulent. Default 0.02 (a turbulent spell every ~50 days). */
  pCalmToTurbulent: number;
  /** Daily probability of turbulent → calm. Default 0.1 (spells last ~10 days). */
  pTurbulentToCalm: number;
  /** Correlation of the assets' shocks: one pairwise value, or a full N×N correlation matrix. Default 0.3. */
  correlation: number | number[][];
  /** Daily probability of a jump, per asset. Default 0.01. */
  jumpProbability: number;
  /** Mean of a jump's log size. Default −0.02. */
  jumpMean: number;
  /** Standard deviation of a jump's log size. Default 0.05. */
  jumpStd: number;
  /** φ, the AR(1) coefficient of daily log returns: the planted signal's strength, in [0, 0.95]. Default 0 (no signal). */
  signalStrength: number;
  /** Mean daily volume. Default 1,000,000. */
  baseVolume: number;
  /**
   * Market regimes of the return dynamics (seed 002's proof market). 1 (default): one regime, φ =
   * signalStrength throughout. 2: alternating trending (φ = signalStrength + regimeStrength) and
   * mean-reverting (φ = signalStrength − regimeStrength) spells of `regimeLength` days each,
   * starting trending; the true regime per day is `meta.trendRegime`.
   */
  regimes: number;
  /** Days of each planted regime spell (regimes = 2). Default 63 (a quarter). */
  regimeLength: number;
  /** How far φ moves up (trending) or down (mean-reverting) in each regime. Default 0.3. */
  regimeStrength: number;
}

export const SYNTHETIC_DEFAULTS: SyntheticConfig = {
  seed: 0,
  assets: 4,
  days: 1260,
  start: '2000-01-03',
  startPrice: 100,
  drift: 0.05,
  volatility: 0.2,
  turbulentMultiplier: 2.5,
  pCalmToTurbulent: 0.02,
  pTurbulentToCalm: 0.1,
  correlation: 0.3,
  jumpProbability: 0.01,
  jumpMean: -0.02,
  jumpStd: 0.05,
  signalStrength: 0,
  baseVolume: 1_000_000,
  regimes: 1,
  regimeLength: 63,
  regimeStrength: 0.3,
};

export interface SyntheticMeta {
  /** The resolved config (defaults filled in). */
  config: SyntheticConfig;
  /** Periods per year of the calendar: 252. */
  annualization: number;
  /** [T·N] close-to-close log return r_{t,i} (0 on day 0). */
  logReturns: Float64Array;
  /** [T·N] E[r_{t+1,i} | close t] = μ + φ (r_{t,i} − μ): the planted signal, observable at close t. */
  signal: Float64Array;
  /** [T] 0 = calm, 1 = turbulent. */
  regime: Uint8Array;
  /** [T·N] 1 where a jump happened. */
  jumps: Uint8Array;
  /** [T] the planted return regime: 0 = trending, 1 = mean-reverting (all 0 with regimes = 1). */
  trendRegime: Uint8Array;
}

export interface SyntheticMarket {
  panel: Panel;
  meta: SyntheticMeta;
}

/** Fills defaults and checks ranges; throws an Error naming the bad field. */
export function resolveSyntheticConfig(partial: Partial<SyntheticConfig> = {}): SyntheticConfig {
  const c: SyntheticConfig = { ...SYNTHETIC_DEFAULTS, ...partial };
  const bad = (field: string, why: string): never => {
    throw new Error(`synthetic config: ${field} ${why}`);
  };
  if (!Number.isInteger(c.assets) || c.assets < 1 || c.assets > 1000)
    bad('assets', `must be an integer in 1..1000, got ${c.assets}`);
  if (!Number.isInteger(c.days) || c.days < 2 || c.days > 200000)
    bad('days', `must be an integer in 2..200000, got ${c.days}`);
  if (!Number.isFinite(c.seed)) bad('seed', `must be a finite number, got ${c.seed}`);
  if (daysFromIso(c.start) !== daysFromIso(c.start))
    bad('start', `must be an ISO date YYYY-MM-DD, got '${c.start}'`);
  if (!(c.startPrice > 0)) bad('startPrice', `must be > 0, got ${c.startPrice}`);
  if (!(c.volatility >= 0)) bad('volatility', `must be ≥ 0, got ${c.volatility}`);
  if (!(c.turbulentMultiplier >= 0)) bad('turbulentMultiplier', `must be ≥ 0, got ${c.turbulentMultiplier}`);
  for (const k of ['pCalmToTurbulent', 'pTurbulentToCalm', 'jumpProbability'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) bad(k, `must be a probability in [0, 1], got ${c[k]}`);
  }
  if (!(c.jumpStd >= 0)) bad('jumpStd', `must be ≥ 0, got ${c.jumpStd}`);
  if (!Number.isFinite(c.drift) || !Number.isFinite(c.jumpMean)) bad('drift/jumpMean', 'must be finite');
  if (!(c.signalStrength >= 0 && c.signalStrength <= 0.95))
    bad('signalStrength', `must be in [0, 0.95], got ${c.signalStrength}`);
  if (!(c.baseVolume > 0)) bad('baseVolume', `must be > 0, got ${c.baseVolume}`);
  if (c.regimes !== 1 && c.regimes !== 2) bad('regimes', `must be 1 or 2, got ${c.regimes}`);
  if (!Number.isInteger(c.regimeLength) || c.regimeLength < 1)
    bad('regimeLength', `must be a whole number of days ≥ 1, got ${c.regimeLength}`);
  if (
    c.regimes === 2 &&
    !(
      Math.abs(c.signalStrength + c.regimeStrength) <= 0.95 &&
      Math.abs(c.signalStrength - c.regimeStrength) <= 0.95
    )
  )
    bad(
      'regimeStrength',
      `must keep φ = signalStrength ± regimeStrength within [−0.95, 0.95], got ${c.regimeStrength}`,
    );
  if (c.tickers !== undefined && (c.tickers.length !== c.assets || new Set(c.tickers).size !== c.assets)) {
    bad('tickers', `must be ${c.assets} distinct names`);
  }
  if (typeof c.correlation === 'number') {
    if (!(c.correlation <= 1 && c.correlation > (c.assets > 1 ? -1 / (c.assets - 1) : -1))) {
      bad(
        'correlation',
        `must be in (${c.assets > 1 ? (-1 / (c.assets - 1)).toFixed(3) : -1}, 1] for ${c.assets} assets, got ${c.correlation}`,
      );
    }
  } else {
    const m = c.correlation;
    if (m.length !== c.assets || m.some((row) => row.length !== c.assets))
      bad('correlation', `matrix must be ${c.assets}×${c.assets}`);
    for (let i = 0; i < c.assets; i++) {
      if (Math.abs(m[i][i] - 1) > 1e-9) bad('correlation', `matrix diagonal must be 1 (row ${i + 1})`);
      for (let j = 0; j < i; j++)
        if (Math.abs(m[i][j] - m[j][i]) > 1e-9 || Math.abs(m[i][j]) > 1)
          bad(
            'correlation',
            `matrix must be symmetric with entries in [-1, 1] (row ${i + 1}, column ${j + 1})`,
          );
    }
  }
  return c;
}

/** Lower-triangular L with L·Lᵀ = m (row-major n×n); throws if m is not positive definite. */
export function cholesky(m: number[][]): Float64Array {
  const n = m.length;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 1e-12))
          throw new Error(`synthetic config: correlation matrix is not positive definite (pivot ${i + 1})`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  return L;
}

export function generateSynthetic(partial: Partial<SyntheticConfig> = {}): SyntheticMarket {
  const cfg = resolveSyntheticConfig(partial);
  const N = cfg.assets;
  const T = cfg.days;
  const rng = new Rng(cfg.seed);
  const tickers = cfg.tickers ?? Array.from({ length: N }, (_, i) => `SYN${i + 1}`);

  const dates: string[] = new Array(T);
  let day = daysFromIso(cfg.start);
  while (isWeekend(day)) day++;
  for (let t = 0; t < T; t++) {
    dates[t] = isoFromDays(day);
    day = nextBusinessDay(day);
  }

  let chol: Float64Array | null = null;
  let sqrtRho = 0;
  let sqrtIdio = 1;
  if (typeof cfg.correlation === 'number' && cfg.correlation >= 0) {
    sqrtRho = Math.sqrt(cfg.correlation);
    sqrtIdio = Math.sqrt(1 - cfg.correlation);
  } else {
    const m =
      typeof cfg.correlation === 'number'
        ? Array.from({ length: N }, (_, i) =>
            Array.from({ length: N }, (_, j) => (i === j ? 1 : (cfg.correlation as number))),
          )
        : cfg.correlation;
    chol = cholesky(m);
  }

  const mu = cfg.drift / 252;
  const trendRegime = new Uint8Array(T);
  if (cfg.regimes === 2) for (let t = 0; t < T; t++) trendRegime[t] = Math.floor(t / cfg.regimeLength) % 2;
  const phiOf = (t: number) =>
    cfg.regimes === 2
      ? cfg.signalStrength + (trendRegime[Math.min(t, T - 1)] ? -cfg.regimeStrength : cfg.regimeStrength)
      : cfg.signalStrength;
  const sigmaCalm = cfg.volatility / Math.sqrt(252);
  const open = new Float64Array(T * N);
  const high = new Float64Array(T * N);
  const low = new Float64Array(T * N);
  const close = new Float64Array(T * N);
  const volume = new Float64Array(T * N);
  const logReturns = new Float64Array(T * N);
  const signal = new Float64Array(T * N);
  const regime = new Uint8Array(T);
  const jumps = new Uint8Array(T * N);
  const z = new Float64Array(N);
  const e = new Float64Array(N);

  for (let i = 0; i < N; i++) {
    open[i] = high[i] = low[i] = close[i] = cfg.startPrice;
    volume[i] = Math.max(1, Math.round(cfg.baseVolume));
    logReturns[i] = 0;
    signal[i] = mu;
  }
  // A deterministic schedule: regimes = 1 draws exactly what it always drew.
  let turbulent = 0;
  for (let t = 1; t < T; t++) {
    const u = rng.float();
    turbulent = turbulent ? (u < cfg.pTurbulentToCalm ? 0 : 1) : u < cfg.pCalmToTurbulent ? 1 : 0;
    regime[t] = turbulent;
    const sigma = sigmaCalm * (turbulent ? cfg.turbulentMultiplier : 1);
    if (chol) {
      for (let i = 0; i < N; i++) e[i] = rng.normal();
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += chol[i * N + k] * e[k];
        z[i] = s;
      }
    } else {
      const f = rng.normal();
      for (let i = 0; i < N; i++) z[i] = sqrtRho * f + sqrtIdio * rng.normal();
    }
    for (let i = 0; i < N; i++) {
      const k = t * N + i;
      const prev = k - N;
      let eps = sigma * z[i];
      if (rng.float() < cfg.jumpProbability) {
        eps += rng.normal(cfg.jumpMean, cfg.jumpStd);
        jumps[k] = 1;
      }
      const r = mu + phiOf(t) * (logReturns[prev] - mu) + eps;
      logReturns[k] = r;
      // Tomorrow's expectation uses tomorrow's φ: the schedule is planted, so known in advance.
      signal[k] = mu + phiOf(t + 1) * (r - mu);
      const c = close[prev] * Math.exp(r);
      const o = close[prev] * Math.exp(0.3 * sigma * rng.normal());
      const top = Math.max(o, c);
      const bottom = Math.min(o, c);
      close[k] = c;
      open[k] = o;
      high[k] = top * Math.exp(Math.abs(rng.normal()) * 0.5 * sigma);
      low[k] = bottom * Math.exp(-Math.abs(rng.normal()) * 0.5 * sigma);
      const v =
        cfg.baseVolume * Math.exp(0.25 * rng.normal()) * (turbulent ? 1.5 : 1) * (1 + 20 * Math.abs(eps));
      volume[k] = Math.max(1, Math.round(v));
    }
  }
  return {
    panel: { dates, assets: tickers, open, high, low, close, volume },
    meta: { config: cfg, annualization: 252, logReturns, signal, regime, jumps, trendRegime },
  };
}

/**
 * CSV text of a synthetic market, in chunks (for benchmarks and tests of the importer on big files).
 * 'long': `Date,Symbol,Open,High,Low,Close,Adj Close,Volume` rows, date-major; 'wide': `Date,TICK1,…` closes.
 * About 75 bytes per long row: 100 MB ≈ 200 assets × 7000 days.
 */
export function* syntheticCsvChunks(
  partial: Partial<SyntheticConfig> = {},
  layout: 'long' | 'wide' = 'long',
  rowsPerChunk = 20000,
): Generator<string> {
  const { panel } = generateSynthetic(partial);
  const N = panel.assets.length;
  const T = panel.dates.length;
  const f = (x: number) => x.toFixed(4);
  let buf: string[] = [
    layout === 'long'
      ? 'Date,Symbol,Open,High,Low,Close,Adj Close,Volume'
      : ['Date', ...panel.assets].join(','),
  ];
  for (let t = 0; t < T; t++) {
    if (layout === 'wide') {
      const row = [panel.dates[t]];
      for (let i = 0; i < N; i++) row.push(f(panel.close[t * N + i]));
      buf.push(row.join(','));
    } else {
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        buf.push(
          `${panel.dates[t]},${panel.assets[i]},${f(panel.open[k])},${f(panel.high[k])},${f(panel.low[k])},${f(panel.close[k])},${f(panel.close[k])},${panel.volume[k]}`,
        );
      }
    }
    if (buf.length >= rowsPerChunk) {
      yield buf.join('\n') + '\n';
      buf = [];
    }
  }
  if (buf.length) yield buf.join('\n') + '\n';
}
