/**
 * Calendar aggregation of returns (empyrical aggregate_returns): returns compound within each
 * calendar month or year; NaN returns are flat. Dates are ISO strings 'YYYY-MM-DD…', aligned with
 * the returns and ascending.
 */

export interface PeriodReturn {
  /** 'YYYY' or 'YYYY-MM'. */
  period: string;
  return: number;
  /** Number of returns in the period. */
  count: number;
}

function checkDates(dates: readonly string[], returns: ArrayLike<number>): void {
  if (dates.length !== returns.length) {
    throw new Error(`dates have length ${dates.length}, returns have ${returns.length}`);
  }
  for (let t = 0; t < dates.length; t++) {
    if (!/^\d{4}-\d{2}/.test(dates[t])) throw new Error(`date ${t} is not ISO (YYYY-MM-DD): '${dates[t]}'`);
    if (t > 0 && dates[t] < dates[t - 1])
      throw new Error(`dates are not ascending at ${t}: '${dates[t - 1]}' then '${dates[t]}'`);
  }
}

/** Compounded return per calendar month or year, in time order. */
export function aggregateReturns(
  dates: readonly string[],
  returns: ArrayLike<number>,
  by: 'monthly' | 'yearly',
): PeriodReturn[] {
  checkDates(dates, returns);
  const keyLen = by === 'monthly' ? 7 : 4;
  const out: PeriodReturn[] = [];
  let current: string | null = null;
  let v = 1;
  let count = 0;
  for (let t = 0; t < returns.length; t++) {
    const key = dates[t].slice(0, keyLen);
    if (key !== current) {
      if (current !== null) out.push({ period: current, return: v - 1, count });
      current = key;
      v = 1;
      count = 0;
    }
    const r = returns[t];
    if (!Number.isNaN(r)) v *= 1 + r;
    count++;
  }
  if (current !== null) out.push({ period: current, return: v - 1, count });
  return out;
}

export interface MonthlyReturnsTable {
  /** Calendar years covered, ascending. */
  years: number[];
  /** months[y][m]: compounded return of month m (0 = January) of years[y]; NaN where there is no data. */
  months: number[][];
  /** Compounded return of each year (over the months with data). */
  yearly: number[];
}

/** Year × month table of compounded returns (the usual "monthly returns heatmap"). */
export function monthlyReturnsTable(
  dates: readonly string[],
  returns: ArrayLike<number>,
): MonthlyReturnsTable {
  const monthly = aggregateReturns(dates, returns, 'monthly');
  if (monthly.length === 0) return { years: [], months: [], yearly: [] };
  const first = Number(monthly[0].period.slice(0, 4));
  const last = Number(monthly[monthly.length - 1].period.slice(0, 4));
  const years: number[] = [];
  for (let y = first; y <= last; y++) years.push(y);
  const months = years.map(() => new Array<number>(12).fill(NaN));
  const growth = years.map(() => 1);
  const seen = years.map(() => false);
  for (const m of monthly) {
    const y = Number(m.period.slice(0, 4)) - first;
    const mo = Number(m.period.slice(5, 7)) - 1;
    months[y][mo] = m.return;
    growth[y] *= 1 + m.return;
    seen[y] = true;
  }
  return { years, months, yearly: growth.map((g, i) => (seen[i] ? g - 1 : NaN)) };
}
