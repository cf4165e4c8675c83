/**
 * Alignment: several assets' series → one `Panel` on a common calendar.
 *
 * intersection (default)  the dates every asset has; nothing is invented.
 * union                   every date any asset has, inside the range all assets cover (from the
 *                         latest first date to the earliest last date, so nothing is filled before
 *                         an asset exists or after it ends); an asset without a bar on a date gets
 *                         a flat bar at its previous close (open = high = low = close) and volume 0.
 * adjust                  multiplies open/high/low/close by Adj Close / Close per row (split and
 *                         dividend adjustment as Yahoo defines it); volume is left as traded.
 * Every change is counted per asset in the report.
 */
import type { Panel } from './types.ts';
import type { AlignReport, AssetSeries } from './report.ts';
import { dayOfWeek, daysFromIso, isoFromDays } from './dates.ts';

export interface AlignOptions {
  /** 'intersection' (default) or 'union' with forward fill. */
  calendar?: 'intersection' | 'union';
  /** Adjust OHLC by the Adj Close / Close ratio where the source had Adj Close. Default false. */
  adjust?: boolean;
  /** Keep only dates ≥ start (ISO, inclusive). */
  start?: string;
  /** Keep only dates ≤ end (ISO, inclusive). */
  end?: string;
}

const EXAMPLES = 5;

export function alignSeries(
  series: readonly AssetSeries[],
  opts: AlignOptions = {},
): { panel: Panel; report: AlignReport } {
  const calendar = opts.calendar ?? 'intersection';
  const adjust = opts.adjust ?? false;
  const notes: string[] = [];
  const names = uniqueNames(
    series.map((s) => s.asset),
    notes,
  );
  const n = series.length;
  const days = series.map((s) => {
    const d = new Float64Array(s.dates.length);
    for (let i = 0; i < d.length; i++) d[i] = daysFromIso(s.dates[i]);
    return d;
  });
  let lo = opts.start ? daysFromIso(opts.start) : -Infinity;
  let hi = opts.end ? daysFromIso(opts.end) : Infinity;
  if (opts.start && lo !== lo) throw new Error(`alignSeries: start '${opts.start}' is not an ISO date`);
  if (opts.end && hi !== hi) throw new Error(`alignSeries: end '${opts.end}' is not an ISO date`);

  let cal: number[] = [];
  if (n > 0) {
    if (calendar === 'union') {
      let common0 = -Infinity;
      let common1 = Infinity;
      for (const d of days) {
        if (d.length === 0) continue;
        common0 = Math.max(common0, d[0]);
        common1 = Math.min(common1, d[d.length - 1]);
      }
      if (common0 > lo) lo = common0;
      if (common1 < hi) hi = common1;
      const set = new Set<number>();
      for (const d of days) for (let i = 0; i < d.length; i++) if (d[i] >= lo && d[i] <= hi) set.add(d[i]);
      cal = [...set].sort((a, b) => a - b);
    } else {
      const count = new Map<number, number>();
      for (const d of days)
        for (let i = 0; i < d.length; i++)
          if (d[i] >= lo && d[i] <= hi) count.set(d[i], (count.get(d[i]) ?? 0) + 1);
      for (const [d, c] of count) if (c === n) cal.push(d);
      cal.sort((a, b) => a - b);
    }
  }
  const T = cal.length;
  const dates = cal.map(isoFromDays);
  const panel: Panel = {
    dates,
    assets: names,
    open: new Float64Array(T * n),
    high: new Float64Array(T * n),
    low: new Float64Array(T * n),
    close: new Float64Array(T * n),
    volume: new Float64Array(T * n),
  };
  const assets: AlignReport['assets'] = [];
  for (let i = 0; i < n; i++) {
    const s = series[i];
    const d = days[i];
    const adj = adjust && s.adjClose !== null;
    let p = 0;
    let dropped = 0;
    const examples: string[] = [];
    let filled = 0;
    let last = -1;
    for (let t = 0; t < T; t++) {
      while (p < d.length && d[p] < cal[t]) {
        dropped++;
        if (examples.length < EXAMPLES) examples.push(s.dates[p]);
        p++;
      }
      const k = t * n + i;
      if (p < d.length && d[p] === cal[t]) {
        const f = adj ? ratio(s, p) : 1;
        panel.open[k] = s.open[p] * f;
        panel.high[k] = s.high[p] * f;
        panel.low[k] = s.low[p] * f;
        panel.close[k] = s.close[p] * f;
        panel.volume[k] = s.volume[p];
        last = p;
        p++;
      } else {
        // Union only: the range starts where every asset has a bar, so `last` exists.
        const c = last >= 0 ? s.close[last] * (adj ? ratio(s, last) : 1) : NaN;
        panel.open[k] = panel.high[k] = panel.low[k] = panel.close[k] = c;
        panel.volume[k] = 0;
        filled++;
      }
    }
    while (p < d.length) {
      dropped++;
      if (examples.length < EXAMPLES) examples.push(s.dates[p]);
      p++;
    }
    assets.push({
      asset: names[i],
      rows: s.dates.length,
      droppedDates: dropped,
      droppedExamples: examples,
      filled,
      adjustment: !adjust ? 'not requested' : s.adjClose ? 'adjusted' : 'no adj close',
    });
  }
  if (n > 0 && T === 0)
    notes.push(
      calendar === 'intersection'
        ? 'the assets share no dates: the panel is empty (try the union calendar)'
        : 'the assets share no common date range: the panel is empty',
    );
  if (calendar === 'union' && T > 0)
    notes.push(
      `union calendar limited to the range every asset covers (${dates[0]}..${dates[T - 1]}); gaps carried forward`,
    );
  const withDrops = assets.filter((a) => a.droppedDates > 0);
  if (calendar === 'intersection' && withDrops.length > 0) {
    notes.push(
      `intersection dropped dates not shared by all assets: ${withDrops.map((a) => `${a.asset} ${a.droppedDates}`).join(', ')}`,
    );
  }
  if (adjust) {
    const none = assets.filter((a) => a.adjustment === 'no adj close').map((a) => a.asset);
    if (none.length) notes.push(`not adjusted (no Adj Close): ${none.join(', ')}`);
  }
  return {
    panel,
    report: {
      calendar,
      adjusted: adjust,
      dates: T,
      start: T ? dates[0] : '',
      end: T ? dates[T - 1] : '',
      assets,
      notes,
    },
  };
}

function ratio(s: AssetSeries, p: number): number {
  const a = s.adjClose![p];
  const c = s.close[p];
  return a > 0 && c > 0 ? a / c : 1;
}

function uniqueNames(names: string[], notes: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let out = name;
    let k = 2;
    while (seen.has(out)) out = `${name}_${k++}`;
    if (out !== name) notes.push(`two assets are named ${name}: the second is ${out}`);
    seen.add(out);
    return out;
  });
}

/** A panel's assets as separate series (no Adj Close), e.g. to align synthetic data with files. */
export function panelToSeries(panel: Panel): AssetSeries[] {
  const n = panel.assets.length;
  const T = panel.dates.length;
  return panel.assets.map((asset, i) => {
    const pick = (src: Float64Array) => {
      const out = new Float64Array(T);
      for (let t = 0; t < T; t++) out[t] = src[t * n + i];
      return out;
    };
    return {
      asset,
      dates: panel.dates.slice(),
      open: pick(panel.open),
      high: pick(panel.high),
      low: pick(panel.low),
      close: pick(panel.close),
      volume: pick(panel.volume),
      adjClose: null,
    };
  });
}

/**
 * Periods per year of a date sequence from its median spacing: 252 for trading days, 365 when
 * weekends trade (crypto), 52 weekly, 12 monthly, 4 quarterly.
 */
export function inferAnnualization(dates: readonly string[]): number {
  if (dates.length < 3) return 252;
  const gaps: number[] = [];
  let weekend = 0;
  for (let i = 1; i < dates.length; i++) {
    const a = daysFromIso(dates[i - 1]);
    const b = daysFromIso(dates[i]);
    gaps.push(b - a);
    const w = dayOfWeek(b);
    if (w === 0 || w === 6) weekend++;
  }
  gaps.sort((x, y) => x - y);
  const med = gaps[gaps.length >> 1];
  if (med >= 80) return 4;
  if (med >= 25) return 12;
  if (med >= 6) return 52;
  return weekend > 0.2 * gaps.length ? 365 : 252;
}
