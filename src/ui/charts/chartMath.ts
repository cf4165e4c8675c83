/**
 * Pure geometry for the canvas charts (LiveChart, TimeSeriesChart): y domains and ticks, calendar
 * ticks over trading dates, the points a pixel column draws, hit-testing and the text summary a
 * screen reader gets. No DOM here, so every piece is unit-tested.
 */
import { minMaxIndices } from './downsample.ts';

/** Round ticks (1, 2, 2.5, 5 × 10^k) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  const step0 = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0 * (1 - 1e-9)) ?? step0;
  // Rounded to the step's decimals: 6 × 0.2 is 1.2000000000000002 in floating point.
  const decimals = Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(step))));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toFixed(decimals)) || 0);
  return out;
}

/** Axis text for a number: compact (k, M), never more digits than a tick needs. */
export function axisNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a === 0) return '0';
  if (a < 0.01) return v.toExponential(1);
  return v.toFixed(a < 1 ? 3 : 2);
}

/** Smallest and largest finite value of the series (NaN, NaN when there is none). */
export function finiteExtent(series: readonly ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  // Comparisons with NaN are false, so NaN never moved lo/hi; ±Infinity did: drop it.
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = Infinity;
    hi = -Infinity;
    for (const s of series)
      for (let i = 0; i < s.length; i++)
        if (Number.isFinite(s[i])) {
          lo = Math.min(lo, s[i]);
          hi = Math.max(hi, s[i]);
        }
  }
  return Number.isFinite(lo) ? [lo, hi] : [NaN, NaN];
}

export type DomainBound = number | 'auto' | 'dataMin' | 'dataMax';

/**
 * The y range a chart draws: the data (and the reference line) padded by 5% on each 'auto' side; a
 * number fixes that side ('dataMin'/'dataMax': the data's own end, unpadded). A flat series gets a
 * small band around its value so it is drawn mid-height, not on the frame.
 */
export function yDomain(
  dataLo: number,
  dataHi: number,
  opts: { domain?: readonly [DomainBound, DomainBound]; baseline?: number } = {},
): [number, number] {
  let lo = dataLo;
  let hi = dataHi;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (opts.baseline !== undefined) {
    lo = Math.min(lo, opts.baseline);
    hi = Math.max(hi, opts.baseline);
  }
  const [dLo, dHi] = opts.domain ?? ['auto', 'auto'];
  if (typeof dLo === 'number') lo = Math.min(dLo, hi);
  if (typeof dHi === 'number') hi = Math.max(dHi, lo);
  if (hi === lo) {
    const band = Math.abs(lo) * 0.05 || 1;
    return [typeof dLo === 'number' ? lo : lo - band, typeof dHi === 'number' ? hi : hi + band];
  }
  const pad = (hi - lo) * 0.05;
  return [dLo === 'auto' ? lo - pad : lo, dHi === 'auto' ? hi + pad : hi];
}

const ISO_DATE = /^(\d{4})-(\d{2})(-\d{2})?/;

/** Year × 12 + month − 1 of an ISO date ('2015-03-02' → 24182), NaN when it is not one. */
export function monthKey(date: string): number {
  const m = ISO_DATE.exec(date);
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : NaN;
}

export interface Tick {
  /** Row index the tick stands at. */
  index: number;
  label: string;
}

const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600];

/**
 * Calendar ticks for rows of ISO dates (trading days, gaps allowed): the first row of every month,
 * quarter, year, … — the smallest period that gives at most `maxTicks` ticks. Labels are `YYYY` for
 * yearly periods, `YYYY-MM` otherwise. Dates spanning under two months, or rows that are not dates,
 * get evenly spaced row ticks labelled with the row's own text.
 */
export function dateTicks(dates: readonly string[], maxTicks: number): Tick[] {
  const n = dates.length;
  if (n === 0) return [];
  const first = monthKey(dates[0]);
  const last = monthKey(dates[n - 1]);
  const max = Math.max(1, Math.floor(maxTicks));
  if (!Number.isFinite(first) || !Number.isFinite(last) || last - first < 2) {
    return evenTicks(n, max).map((i) => ({ index: i, label: dates[i] }));
  }
  const span = last - first;
  const step = MONTH_STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / 12) * 12;
  const out: Tick[] = [];
  let prev = Math.floor(first / step);
  for (let i = 1; i < n; i++) {
    const k = monthKey(dates[i]);
    if (!Number.isFinite(k)) continue;
    const period = Math.floor(k / step);
    if (period !== prev) {
      prev = period;
      const y = Math.floor(k / 12);
      out.push({
        index: i,
        label: step % 12 === 0 ? String(y) : `${y}-${String((k % 12) + 1).padStart(2, '0')}`,
      });
    }
  }
  return out.length > max ? out.filter((_, k) => k % Math.ceil(out.length / max) === 0) : out;
}

/** At most `count` row indices spread evenly over 0…n−1 (both ends included when count ≥ 2). */
export function evenTicks(n: number, count: number): number[] {
  if (n <= 0) return [];
  const c = Math.max(1, Math.min(n, Math.floor(count)));
  if (c === 1) return [0];
  const out: number[] = [];
  for (let k = 0; k < c; k++) {
    const i = Math.round((k * (n - 1)) / (c - 1));
    if (out.at(-1) !== i) out.push(i);
  }
  return out;
}

/**
 * Which points of a series a plot `pixels` wide draws: all finite ones when there are at most one
 * per pixel, else the min and max of every two-pixel column — no spike is lost, and the path stays
 * at about one point per pixel: rasterising a canvas path costs time per segment (software canvas:
 * ~20 ms for 7 lines of 2,600 points), and more points than pixels add nothing the eye can see.
 * Display only: metrics are always computed on the full series.
 */
export function drawnIndices(values: ArrayLike<number>, pixels: number): number[] {
  const w = Math.max(2, Math.floor(pixels));
  if (values.length > w) return minMaxIndices(values, Math.ceil(w / 2));
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(i);
  return out;
}

/**
 * The row under a pointer at `px` (CSS pixels from the plot's left edge) of a plot `width` wide
 * that shows x ∈ [x0, x1]. `xs` are the rows' x values (ascending) for a numeric axis; without them
 * the axis is the row index. Returns the nearest row, or −1 when the pointer is outside the plot.
 */
export function hitIndex(
  px: number,
  width: number,
  x0: number,
  x1: number,
  n: number,
  xs?: ArrayLike<number>,
): number {
  if (n === 0 || !(width > 0) || px < 0 || px > width) return -1;
  const x = x0 + (px / width) * (x1 - x0);
  if (!xs) return Math.max(0, Math.min(n - 1, Math.round(x)));
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(x - xs[lo]) ? hi : lo;
}

export interface SeriesSummary {
  label: string;
  first: number;
  last: number;
  min: number;
  max: number;
  /** Rows with a finite value. */
  points: number;
}

/** First, last, smallest and largest finite value of a series: the chart's text equivalent. */
export function summarise(label: string, values: ArrayLike<number>): SeriesSummary {
  let first = NaN;
  let last = NaN;
  let min = Infinity;
  let max = -Infinity;
  let points = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (points === 0) first = v;
    last = v;
    if (v < min) min = v;
    if (v > max) max = v;
    points++;
  }
  return points === 0
    ? { label, first, last, min: NaN, max: NaN, points }
    : { label, first, last, min, max, points };
}

/** One sentence for a chart's aria-label: what is drawn, over which x range, where each line ends. */
export function describeChart(
  title: string,
  summaries: readonly SeriesSummary[],
  xFirst: string,
  xLast: string,
  fmt: (v: number) => string,
): string {
  const lines = summaries
    .filter((s) => s.points > 0)
    .map((s) => `${s.label} from ${fmt(s.first)} to ${fmt(s.last)}`);
  const what = lines.length === 1 ? '1 line' : `${lines.length} lines`;
  return `${title}: ${what} from ${xFirst} to ${xLast}${lines.length ? `; ${lines.join('; ')}` : ''}.`;
}

/**
 * Running count of non-finite values: out[i] = how many of values[0…i] are NaN/±∞. Two drawn rows
 * a < b have a gap between them exactly when out[b] > out[a] (b itself is finite).
 */
export function nanPrefix(values: ArrayLike<number>): Int32Array {
  const out = new Int32Array(values.length);
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) c++;
    out[i] = c;
  }
  return out;
}
