/**
 * Risk / regime analyst. It has no view on direction (it never votes); it caps exposure.
 *
 * - Volatility: rolling population standard deviation of daily log returns over 20 days
 *   (σ_t reads closes t−20..t), NaN while warming up.
 * - Regimes, fitted on the train split only, per asset: the 1/3 and 2/3 quantiles of σ over the
 *   asset's train rows (linear interpolation, numpy's default) split low / normal / high; the 0.95
 *   quantile is the veto line. An asset with fewer than 20 train values uses the quantiles of every
 *   asset's train values pooled.
 * - Cap on |position| per day: low 1, normal 1, high 0.5; σ ≥ the veto line → 0 (veto: the
 *   position is closed whatever the vote says). While σ is unknown (warm-up) the regime is
 *   unknown and the cap is the normal one.
 */
import type { Panel, RowRange } from '../data/types.ts';
import { rollingStd } from '../indicators/index.ts';
import { EnsembleError, REGIME_HIGH, REGIME_LOW, REGIME_NORMAL, REGIME_UNKNOWN } from './types.ts';

export interface RiskConfig {
  /** Days of log returns in the rolling volatility. */
  volWindow: number;
  lowQuantile: number;
  highQuantile: number;
  /** σ at or above this train quantile vetoes exposure; > 1 disables the veto. */
  vetoQuantile: number;
  /** Cap on |position| per regime. */
  cap: { low: number; normal: number; high: number };
}

export const DEFAULT_RISK: Readonly<RiskConfig> = Object.freeze({
  volWindow: 20,
  lowQuantile: 1 / 3,
  highQuantile: 2 / 3,
  vetoQuantile: 0.95,
  cap: Object.freeze({ low: 1, normal: 1, high: 0.5 }),
});

/** Per-asset σ thresholds fitted on the train split. */
export interface RegimeFit {
  low: Float64Array;
  high: Float64Array;
  veto: Float64Array;
  /** Train values used per asset (0 = the pooled fit was used). */
  trainValues: Int32Array;
}

export interface RiskOutput {
  /** [T·N] σ_t. */
  vol: Float64Array;
  /** [T·N] REGIME_LOW / NORMAL / HIGH or REGIME_UNKNOWN. */
  regime: Int8Array;
  /** [T·N] cap on |position| in [0, 1]. */
  cap: Float64Array;
  /** [T·N] 1 on veto days. */
  veto: Uint8Array;
  fit: RegimeFit;
}

function checkConfig(c: RiskConfig): void {
  if (!Number.isInteger(c.volWindow) || c.volWindow < 2)
    throw new EnsembleError(`risk: volWindow must be an integer ≥ 2, got ${c.volWindow}`);
  if (!(c.lowQuantile > 0 && c.lowQuantile < c.highQuantile && c.highQuantile < 1))
    throw new EnsembleError(
      `risk: need 0 < lowQuantile < highQuantile < 1, got ${c.lowQuantile}, ${c.highQuantile}`,
    );
  if (!(c.vetoQuantile > 0)) throw new EnsembleError(`risk: vetoQuantile must be > 0, got ${c.vetoQuantile}`);
  for (const k of ['low', 'normal', 'high'] as const)
    if (!(c.cap[k] >= 0 && c.cap[k] <= 1))
      throw new EnsembleError(`risk: cap.${k} must be in [0, 1], got ${c.cap[k]}`);
}

/** Quantile q of sorted values, linear interpolation between closest ranks (numpy 'linear'). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** [T·N] rolling σ of daily log returns (population, `window` returns, the first at row `window`). */
export function rollingVolatility(panel: Panel, window: number = DEFAULT_RISK.volWindow): Float64Array {
  const T = panel.dates.length;
  const N = panel.assets.length;
  const out = new Float64Array(T * N);
  const r = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    r[0] = NaN;
    for (let t = 1; t < T; t++) r[t] = Math.log(panel.close[t * N + i] / panel.close[(t - 1) * N + i]);
    const s = rollingStd(r, window);
    for (let t = 0; t < T; t++) out[t * N + i] = s[t];
  }
  return out;
}

/** Fits the per-asset thresholds on rows [train.start, train.end) of σ. */
export function fitRegimes(
  vol: Float64Array,
  N: number,
  train: RowRange,
  cfg: RiskConfig = DEFAULT_RISK,
): RegimeFit {
  checkConfig(cfg);
  const fit: RegimeFit = {
    low: new Float64Array(N),
    high: new Float64Array(N),
    veto: new Float64Array(N),
    trainValues: new Int32Array(N),
  };
  const pooled: number[] = [];
  const per: number[][] = [];
  for (let i = 0; i < N; i++) {
    const v: number[] = [];
    for (let t = train.start; t < train.end; t++) {
      const x = vol[t * N + i];
      if (Number.isFinite(x)) v.push(x);
    }
    per.push(v.sort((a, b) => a - b));
    pooled.push(...v);
  }
  pooled.sort((a, b) => a - b);
  if (pooled.length === 0)
    throw new EnsembleError(
      `risk: the train split has no volatility values to fit the regimes on (it needs more than ${cfg.volWindow} rows)`,
    );
  const veto = (s: number[]) => (cfg.vetoQuantile > 1 ? Infinity : quantileSorted(s, cfg.vetoQuantile));
  for (let i = 0; i < N; i++) {
    const own = per[i].length >= cfg.volWindow;
    const s = own ? per[i] : pooled;
    fit.low[i] = quantileSorted(s, cfg.lowQuantile);
    fit.high[i] = quantileSorted(s, cfg.highQuantile);
    fit.veto[i] = veto(s);
    fit.trainValues[i] = own ? per[i].length : 0;
  }
  return fit;
}

/** Regime, cap and veto per (t, asset) from σ and a fit. */
export function riskAnalyst(
  vol: Float64Array,
  N: number,
  fit: RegimeFit,
  cfg: RiskConfig = DEFAULT_RISK,
): RiskOutput {
  checkConfig(cfg);
  const n = vol.length;
  const regime = new Int8Array(n);
  const cap = new Float64Array(n);
  const veto = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = k % N;
    const s = vol[k];
    if (!Number.isFinite(s)) {
      regime[k] = REGIME_UNKNOWN;
      cap[k] = cfg.cap.normal;
      continue;
    }
    const r = s < fit.low[i] ? REGIME_LOW : s > fit.high[i] ? REGIME_HIGH : REGIME_NORMAL;
    regime[k] = r;
    if (s >= fit.veto[i]) {
      veto[k] = 1;
      cap[k] = 0;
    } else cap[k] = r === REGIME_LOW ? cfg.cap.low : r === REGIME_HIGH ? cfg.cap.high : cfg.cap.normal;
  }
  return { vol, regime, cap, veto, fit };
}
