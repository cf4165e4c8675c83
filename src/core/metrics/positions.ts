/**
 * Metrics of a weights (positions) history: turnover and exposure.
 * `weights` is row-major [T × N]: weights[t * N + i] is asset i's share of portfolio value held
 * after trading at period t (cash is the remainder 1 − Σ w). Shorts are negative weights.
 */

function checkShape(weights: ArrayLike<number>, nAssets: number): number {
  if (!Number.isInteger(nAssets) || nAssets < 1)
    throw new Error(`nAssets must be a positive integer, got ${nAssets}`);
  if (weights.length % nAssets !== 0)
    throw new Error(`weights length ${weights.length} is not a multiple of ${nAssets}`);
  return weights.length / nAssets;
}

export interface TurnoverOptions {
  /** Weights held before the first period (default all cash, so the first purchase counts as turnover). */
  initial?: ArrayLike<number>;
}

/**
 * One-sided turnover per period: ½ Σ_i |w_t,i − w_{t−1,i}| (the average of buys and sells as a
 * fraction of portfolio value, pyfolio's convention). Computed from weights alone, it ignores the
 * drift of weights between trades that price moves cause; the backtester reports the exact traded
 * notional instead (BacktestResult.turnover), which is what `lab backtest` writes.
 */
export function turnoverFromWeights(
  weights: ArrayLike<number>,
  nAssets: number,
  opts?: TurnoverOptions,
): Float64Array {
  const T = checkShape(weights, nAssets);
  const out = new Float64Array(T);
  const init = opts?.initial;
  if (init && init.length !== nAssets)
    throw new Error(`initial weights have length ${init.length}, expected ${nAssets}`);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = 0; i < nAssets; i++) {
      const prev = t === 0 ? (init ? init[i] : 0) : weights[(t - 1) * nAssets + i];
      const d = weights[t * nAssets + i] - prev;
      if (!Number.isNaN(d)) s += Math.abs(d);
    }
    out[t] = s / 2;
  }
  return out;
}

export interface ExposureStats {
  /** Fraction of periods with any position (Σ|w| > 1e-9). */
  timeInMarket: number;
  /** Mean over periods of the gross exposure Σ_i |w_t,i| (1 = fully invested, long-only). */
  averageGross: number;
  /** Mean over periods of the net exposure Σ_i w_t,i. */
  averageNet: number;
}

/** Exposure of a weights history (NaN weights count as 0). NaN fields for an empty history. */
export function exposure(weights: ArrayLike<number>, nAssets: number): ExposureStats {
  const T = checkShape(weights, nAssets);
  if (T === 0) return { timeInMarket: NaN, averageGross: NaN, averageNet: NaN };
  let inMarket = 0;
  let gross = 0;
  let net = 0;
  for (let t = 0; t < T; t++) {
    let g = 0;
    let s = 0;
    for (let i = 0; i < nAssets; i++) {
      const w = weights[t * nAssets + i];
      if (Number.isNaN(w)) continue;
      g += Math.abs(w);
      s += w;
    }
    if (g > 1e-9) inMarket++;
    gross += g;
    net += s;
  }
  return { timeInMarket: inMarket / T, averageGross: gross / T, averageNet: net / T };
}
