// Real exports from ../shared/data (skipped when that folder is absent; the inline fixtures in
// csv.test.ts cover every quirk without it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData, sharedPath } from '../../testing/sharedData.ts';
import { alignSeries } from './align.ts';
import { importCsv } from './csv.ts';
import type { FileImportReport, ImportResult } from './report.ts';

function load(rel: string): Extract<ImportResult, { ok: true }> {
  const path = sharedPath('market', rel);
  const r = importCsv(readFileSync(path, 'utf8'), { fileName: path });
  if (!r.ok) throw new Error(`${r.error.file}:${r.error.line}:${r.error.column} ${r.error.message}`);
  return r;
}

const count = (r: FileImportReport, code: string) => r.issues.find((i) => i.code === code)?.count ?? 0;

describe.skipIf(!sharedData)('real messy exports', () => {
  it('SPY investing.com "Nov 27, 2020": BOM, CRLF, quotes, newest first, 25 bogus non-trading rows dropped', () => {
    const { series, report } = load('messy/SPY_investing_com_MonDD_YYYY.csv');
    expect(report).toMatchObject({
      bom: true,
      newline: 'CRLF',
      layout: 'ohlcv',
      dateFormat: 'MMM DD, YYYY',
      rowsRead: 2519,
      rowsKept: 2494,
      rowsDropped: 25,
    });
    expect(count(report, 'non-trading-day')).toBe(25);
    const s = series[0];
    expect(s.asset).toBe('SPY');
    expect(report.assets[0]).toMatchObject({ order: 'descending', start: '2011-01-03', end: '2020-11-27' });
    // Last line of the file (no final newline): "Jan 03, 2011","127.05","126.71","127.60","125.70","138.73M".
    expect([s.close[0], s.open[0], s.high[0], s.low[0], s.volume[0]]).toEqual([
      127.05, 126.71, 127.6, 125.7, 138_730_000,
    ]);
    expect(s.dates.some((d) => d === '2020-10-11' || d === '2020-02-17')).toBe(false);
  });

  it('SPY investing.com "27-Jan-99": two-digit years with the pivot reported', () => {
    const { series, report } = load('messy/SPY_investing_com_DD-Mon-YY.csv');
    expect(report).toMatchObject({
      dateFormat: 'DD-MMM-YY',
      twoDigitYears: { count: 5559, pivot: 50 },
      rowsKept: 5559,
    });
    expect(series[0].dates[0]).toBe('1999-01-26');
    expect(series[0].dates.at(-1)).toBe('2021-02-26');
  });

  it('GSPC with reordered columns equals the ordinary GSPC file on the shared dates', () => {
    const messy = load('messy/GSPC_yfinance_reordered_columns.csv');
    const clean = load('ohlcv/GSPC.csv');
    expect(messy.report.columns.map((c) => c.use)).toEqual([
      'date',
      'high',
      'low',
      'open',
      'close',
      'volume',
      'adj close',
    ]);
    const { panel } = alignSeries([messy.series[0], { ...clean.series[0], asset: 'CLEAN' }]);
    expect(panel.dates.length).toBe(messy.series[0].dates.length);
    for (let t = 0; t < panel.dates.length; t += 97) {
      expect(panel.open[2 * t]).toBe(panel.open[2 * t + 1]);
      expect(panel.high[2 * t]).toBe(panel.high[2 * t + 1]);
      expect(panel.close[2 * t]).toBe(panel.close[2 * t + 1]);
    }
  });

  it('GSPC degenerate pre-1983 history is kept with warnings, not a crash', () => {
    const { series, report } = load('ohlcv/GSPC.csv');
    expect(report.rowsKept).toBe(24114);
    expect(report.rowsDropped).toBe(0);
    // Open = 0 from 1962 to 1982-04-19: repaired to the close and listed.
    expect(report.issues.find((i) => i.code === 'non-positive-ohl')).toMatchObject({
      column: 'Open',
      count: 5075,
    });
    // O = H = L = C with volume 0 before 1962: flagged, kept.
    expect(count(report, 'flat-no-volume')).toBeGreaterThan(5000);
    expect(series[0].open.every((o) => o > 0)).toBe(true);
  });

  it('Yahoo files: AAPL and BTC-USD (every calendar day)', () => {
    const aapl = load('ohlcv/AAPL.csv');
    expect(aapl.series[0]).toMatchObject({ asset: 'AAPL' });
    expect(aapl.report).toMatchObject({ rowsKept: 6084, rowsDropped: 0 });
    expect(aapl.report.assets[0]).toMatchObject({ start: '2000-01-03', end: '2024-03-08' });
    const btc = load('ohlcv/BTC-USD.csv');
    expect(btc.series[0].asset).toBe('BTC-USD');
    expect(btc.report).toMatchObject({ rowsKept: 2723, rowsDropped: 0 });
  });
});
