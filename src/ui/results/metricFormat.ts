import { fmtNum, fmtPct } from '../charts/format.ts';

export const METRIC_COLUMNS: { key: string; label: string; pct: boolean }[] = [
  { key: 'total_return', label: 'Total return', pct: true },
  { key: 'cagr', label: 'CAGR', pct: true },
  { key: 'annual_volatility', label: 'Volatility', pct: true },
  { key: 'sharpe', label: 'Sharpe', pct: false },
  { key: 'sortino', label: 'Sortino', pct: false },
  { key: 'calmar', label: 'Calmar', pct: false },
  { key: 'max_drawdown', label: 'Max drawdown', pct: true },
  { key: 'turnover', label: 'Turnover', pct: true },
];

/**
 * A metric as the lab shows it: percentages or two decimals; ±Infinity (empyrical's Sharpe of a flat
 * positive series, a Sortino without downside) as ∞ / −∞; undefined (NaN, missing) as —.
 */
export function fmtMetric(key: string, v: number | undefined | null): string {
  if (v === undefined || v === null) return '—';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  const col = METRIC_COLUMNS.find((c) => c.key === key);
  return col?.pct ? fmtPct(v, 2) : fmtNum(v, 2);
}
