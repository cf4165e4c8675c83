/**
 * Drawdowns. Index conventions: returns[t] is the return of period t and V_t the value after it;
 * the starting capital V_{−1} = 1 comes before the first period and counts as a peak (as in
 * empyrical's max_drawdown, so a loss in the first period is a drawdown). A peak index of −1
 * therefore means "the starting capital". NaN returns are flat periods.
 *
 * Durations are counted in periods:
 *   peak-to-trough   = trough − peak
 *   peak-to-recovery = recovery − peak, where recovery is the first period whose value is back at
 *                      or above the peak; null while still under water at the end of the series.
 *   underwater length = number of periods with drawdown < 0 in the spell.
 * The "longest drawdown" is the spell with the longest time from its peak to its recovery, or to
 * the last period for a spell not yet recovered.
 */

/** Underwater series: V_t / max(V_{−1}, …, V_t) − 1, every value in [−1, 0]. */
export function drawdownSeries(returns: ArrayLike<number>): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n);
  let v = 1;
  let peak = 1;
  for (let t = 0; t < n; t++) {
    const r = returns[t];
    if (!Number.isNaN(r)) v *= 1 + r;
    if (v > peak) peak = v;
    out[t] = v / peak - 1;
  }
  return out;
}

/** Underwater series of an equity curve itself (its first value is the first peak); NaN values carry the last value. */
export function drawdownFromEquity(equity: ArrayLike<number>): Float64Array {
  const n = equity.length;
  const out = new Float64Array(n);
  let peak = -Infinity;
  let last = NaN;
  for (let t = 0; t < n; t++) {
    const v = Number.isNaN(equity[t]) ? last : equity[t];
    last = v;
    if (v > peak) peak = v;
    out[t] = Number.isNaN(v) ? 0 : peak > 0 ? v / peak - 1 : 0;
  }
  return out;
}

/** Maximum drawdown: min over t of V_t / max_{s≤t} V_s − 1, in [−1, 0]; NaN for an empty series. */
export function maxDrawdown(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  const dd = drawdownSeries(returns);
  let m = 0;
  for (let t = 0; t < dd.length; t++) if (dd[t] < m) m = dd[t];
  return m;
}

/** One drawdown spell: from a peak, through its trough, to the recovery (if any). */
export interface DrawdownPeriod {
  /** Index of the peak value (−1 = the starting capital). */
  peak: number;
  /** Index of the lowest value in the spell. */
  trough: number;
  /** First index back at or above the peak; null if not recovered by the end. */
  recovery: number | null;
  /** Drawdown at the trough, in [−1, 0). */
  depth: number;
  /** Periods from peak to trough. */
  peakToTrough: number;
  /** Periods from peak to recovery; null if not recovered. */
  peakToRecovery: number | null;
  /** Periods from peak to recovery, or to the last period when not recovered. */
  duration: number;
  /** Number of periods with drawdown < 0 in the spell. */
  underwater: number;
}

/** Every drawdown spell, in time order, from an underwater series (see drawdownSeries). */
export function drawdownPeriodsFromSeries(dd: ArrayLike<number>): DrawdownPeriod[] {
  const periods: DrawdownPeriod[] = [];
  const n = dd.length;
  let t = 0;
  while (t < n) {
    if (!(dd[t] < 0)) {
      t++;
      continue;
    }
    const peak = t - 1;
    let trough = t;
    while (t < n && dd[t] < 0) {
      if (dd[t] < dd[trough]) trough = t;
      t++;
    }
    const recovery = t < n ? t : null;
    const underwater = t - peak - 1;
    periods.push({
      peak,
      trough,
      recovery,
      depth: dd[trough],
      peakToTrough: trough - peak,
      peakToRecovery: recovery === null ? null : recovery - peak,
      duration: (recovery ?? n - 1) - peak,
      underwater,
    });
  }
  return periods;
}

/** Every drawdown spell of a returns series. */
export function drawdownPeriods(returns: ArrayLike<number>): DrawdownPeriod[] {
  return drawdownPeriodsFromSeries(drawdownSeries(returns));
}

export interface DrawdownSummary {
  /** Maximum drawdown, in [−1, 0] (0 when never under water, NaN when empty). */
  maxDrawdown: number;
  /** The deepest spell (the first one on ties); null when never under water. */
  deepest: DrawdownPeriod | null;
  /** The spell with the longest duration (peak to recovery or to the end); null when never under water. */
  longest: DrawdownPeriod | null;
  /** longest.duration, 0 when never under water. */
  maxDuration: number;
}

export function summarizeDrawdownSeries(dd: ArrayLike<number>): DrawdownSummary {
  if (dd.length === 0) return { maxDrawdown: NaN, deepest: null, longest: null, maxDuration: 0 };
  const periods = drawdownPeriodsFromSeries(dd);
  let deepest: DrawdownPeriod | null = null;
  let longest: DrawdownPeriod | null = null;
  for (const p of periods) {
    if (!deepest || p.depth < deepest.depth) deepest = p;
    if (!longest || p.duration > longest.duration) longest = p;
  }
  return { maxDrawdown: deepest?.depth ?? 0, deepest, longest, maxDuration: longest?.duration ?? 0 };
}

/** Maximum drawdown with its peak/trough/recovery and the longest spell. */
export function drawdownSummary(returns: ArrayLike<number>): DrawdownSummary {
  return summarizeDrawdownSeries(drawdownSeries(returns));
}
