/** `lab metrics <returns.csv>`: every metric of a returns series (empyrical conventions). */
import {
  ANNUALIZATION,
  computeMetrics,
  metricsRecord,
  monthlyReturnsTable,
  type MetricsRecord,
} from '../../core/metrics/index.ts';
import { parseArgs } from '../args.ts';
import { UsageError } from '../errors.ts';
import { printJson } from '../output.ts';
import { readReturnsCsv } from '../returnsCsv.ts';
import type { CliCommand } from './index.ts';

const usage = `usage: lab metrics <returns.csv> [--annualization N] [--risk-free r] [--json]

Every metric of a series of simple returns per period: total return, CAGR, annual volatility,
Sharpe, Sortino, Calmar, max drawdown (depth, peak/trough/recovery, longest duration), downside
risk, win rate, best/worst period; with a date column, also the monthly returns table.
Conventions follow empyrical (sample std ddof 1, NaN periods skipped by means, flat when compounding).

The CSV holds a returns column (header returns/return/ret/pnl, or the only non-date column) and an
optional date column (date/datetime/timestamp). Values like 1.5% are read as 0.015.

options:
  --annualization N   periods per year: a number, or daily (252, default), crypto (365), weekly (52), monthly (12)
  --risk-free r       risk-free return PER PERIOD (empyrical convention; default 0), e.g. 0.0001 daily
  --required-return r minimum acceptable return per period for Sortino (default: the risk-free rate)
  --column NAME       the returns column
  --date-column NAME  the date column
  --json              print one JSON object instead of a table`;

const spec = {
  flags: {
    annualization: { type: 'string', default: 'daily' },
    'risk-free': { type: 'number', default: 0 },
    'required-return': { type: 'number' },
    column: { type: 'string' },
    'date-column': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, names: ['returns.csv'] },
} as const;

/** `252`, `365.25`, or a name from ANNUALIZATION. */
export function parseAnnualization(raw: string): number {
  const named = (ANNUALIZATION as Record<string, number>)[raw.trim().toLowerCase()];
  if (named !== undefined) return named;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new UsageError(
      `--annualization expects a positive number or one of ${Object.keys(ANNUALIZATION).join(', ')}; got '${raw}'`,
    );
  }
  return v;
}

function formatValue(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

function formatTable(file: string, rec: MetricsRecord): string {
  const keys = Object.keys(rec);
  const width = Math.max(...keys.map((k) => k.length));
  return [`metrics of ${file}`, ...keys.map((k) => `  ${k.padEnd(width)}  ${formatValue(rec[k])}`)].join(
    '\n',
  );
}

export const command: CliCommand = {
  summary: 'every metric of a returns series (Sharpe, Sortino, CAGR, drawdowns, …)',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, spec);
    const file = positionals[0];
    const annualization = parseAnnualization(flags.annualization);
    const series = readReturnsCsv(file, { column: flags.column, dateColumn: flags['date-column'] });
    const report = computeMetrics(series.returns, {
      annualization,
      riskFree: flags['risk-free'],
      requiredReturn: flags['required-return'],
      dates: series.dates ?? undefined,
    });
    const rec = metricsRecord(report);
    const monthly = series.dates ? monthlyReturnsTable(series.dates, series.returns) : null;
    if (flags.json) {
      printJson({
        file,
        column: series.column,
        metrics: rec,
        ...(monthly && {
          monthly_returns: Object.fromEntries(monthly.years.map((y, i) => [String(y), monthly.months[i]])),
          yearly_returns: Object.fromEntries(monthly.years.map((y, i) => [String(y), monthly.yearly[i]])),
        }),
      });
    } else {
      process.stdout.write(formatTable(file, rec) + '\n');
      if (monthly) {
        const head = [
          'year',
          'Jan',
          'Feb',
          'Mar',
          'Apr',
          'May',
          'Jun',
          'Jul',
          'Aug',
          'Sep',
          'Oct',
          'Nov',
          'Dec',
          'Year',
        ];
        const cell = (v: number) => (Number.isNaN(v) ? '' : (v * 100).toFixed(2) + '%');
        const lines = monthly.years.map((y, i) => [
          String(y),
          ...monthly.months[i].map(cell),
          cell(monthly.yearly[i]),
        ]);
        process.stdout.write(
          '\nmonthly returns\n' +
            [head, ...lines].map((r) => r.map((c) => c.padStart(8)).join('')).join('\n') +
            '\n',
        );
      }
    }
    return 0;
  },
};
