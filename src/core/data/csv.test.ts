import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CsvImporter,
  detectDelimiter,
  importCsv,
  importCsvStream,
  importMany,
  tickerFromFileName,
} from './csv.ts';
import type { AssetSeries, FileImportReport, ImportResult, RowIssue } from './report.ts';
import { formatFileReport } from './report.ts';

function ok(r: ImportResult): { series: AssetSeries[]; report: FileImportReport } {
  if (!r.ok)
    throw new Error(
      `expected success, got ${r.error.file}:${r.error.line}:${r.error.column} ${r.error.message}`,
    );
  return r;
}

function issue(report: FileImportReport, code: RowIssue['code'], asset?: string): RowIssue | undefined {
  return report.issues.find((i) => i.code === code && (asset === undefined || i.asset === asset));
}

const YAHOO = `Date,Open,High,Low,Close,Adj Close,Volume
2020-01-02,10,11,9.5,10.5,10.4,1000
2020-01-03,10.5,11.5,10,11,10.9,1200
2020-01-06,11,12,10.5,11.5,11.4,900
`;

describe('layouts', () => {
  it('Yahoo layout: ticker from the file name, every column mapped', () => {
    const { series, report } = ok(importCsv(YAHOO, { fileName: 'data/BTC-USD.csv' }));
    expect(series).toHaveLength(1);
    const s = series[0];
    expect(s.asset).toBe('BTC-USD');
    expect(s.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(Array.from(s.open)).toEqual([10, 10.5, 11]);
    expect(Array.from(s.high)).toEqual([11, 11.5, 12]);
    expect(Array.from(s.low)).toEqual([9.5, 10, 10.5]);
    expect(Array.from(s.close)).toEqual([10.5, 11, 11.5]);
    expect(Array.from(s.adjClose!)).toEqual([10.4, 10.9, 11.4]);
    expect(Array.from(s.volume)).toEqual([1000, 1200, 900]);
    expect(report).toMatchObject({
      layout: 'ohlcv',
      delimiter: ',',
      newline: 'LF',
      bom: false,
      dateFormat: 'YYYY-MM-DD',
      rowsRead: 3,
      rowsKept: 3,
      rowsDropped: 0,
      headerLine: 1,
      assetSource: 'file name',
    });
    expect(report.assets[0]).toMatchObject({
      asset: 'BTC-USD',
      rows: 3,
      start: '2020-01-02',
      end: '2020-01-06',
      order: 'ascending',
      hasAdjClose: true,
    });
    expect(report.issues).toEqual([]);
  });

  it('maps headers in any order, any case, with synonyms', () => {
    const text = `adjclose;VOL.;last;TIMESTAMP;Hi;lo;OPEN\n10,4;1,5K;10,5;2020-01-02;11;9,5;10\n`;
    const { series, report } = ok(importCsv(text, { fileName: 'x.csv', asset: 'XYZ' }));
    expect(report.delimiter).toBe(';');
    expect(report.decimalComma).toBe(true);
    expect(report.assetSource).toBe('option');
    const s = series[0];
    expect(s.asset).toBe('XYZ');
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.adjClose![0], s.volume[0]]).toEqual([
      10, 11, 9.5, 10.5, 10.4, 1500,
    ]);
    expect(report.columns.map((c) => c.use)).toEqual([
      'adj close',
      'volume',
      'close',
      'date',
      'high',
      'low',
      'open',
    ]);
  });

  it('long layout: one series per symbol, each sorted on its own', () => {
    const text = `date,ticker,open,high,low,close,volume
2020-01-03,AAA,2,2,2,2,10
2020-01-02,AAA,1,1,1,1,10
2020-01-02,BBB,5,6,4,5.5,20
2020-01-03,BBB,5.5,6,5,6,30
`;
    const { series, report } = ok(importCsv(text, { fileName: 'long.csv' }));
    expect(report.layout).toBe('long');
    expect(report.assetSource).toBe('symbol column');
    expect(series.map((s) => s.asset)).toEqual(['AAA', 'BBB']);
    expect(series[0].dates).toEqual(['2020-01-02', '2020-01-03']);
    expect(Array.from(series[0].close)).toEqual([1, 2]);
    expect(report.assets.find((a) => a.asset === 'AAA')!.order).toBe('descending');
    expect(report.notes.join('\n')).toMatch(/AAA: rows were newest-first/);
  });

  it('wide close-only layout: unknown numeric columns are tickers, known ones are not', () => {
    const text = `Date,AAPL,MSFT,Change %,Notes
2020-01-02,300,160,1%,x
2020-01-03,301,,0.5%,y
2020-01-06,302,161,0.2%,z
`;
    const { series, report } = ok(importCsv(text, { fileName: 'wide.csv' }));
    expect(report.layout).toBe('wide');
    expect(series.map((s) => s.asset)).toEqual(['AAPL', 'MSFT']);
    expect(series[1].dates).toEqual(['2020-01-02', '2020-01-06']);
    expect(Array.from(series[0].open)).toEqual([300, 301, 302]);
    expect(Array.from(series[0].volume)).toEqual([0, 0, 0]);
    expect(issue(report, 'empty-cell', 'MSFT')).toMatchObject({ severity: 'info', count: 1, lines: [3] });
    expect(report.columns.map((c) => c.use)).toEqual([
      'date',
      'ticker:AAPL',
      'ticker:MSFT',
      'ignored',
      'ignored',
    ]);
  });

  it('long close-only layout like vega stocks.csv', () => {
    const text = 'symbol,date,price\nMSFT,Jan 1 2000,39.81\nMSFT,Feb 1 2000,36.35\nAAPL,Jan 1 2000,25.94\n';
    const { series, report } = ok(importCsv(text, { fileName: 'stocks.csv' }));
    expect(report.dateFormat).toBe('MMM D YYYY');
    expect(series.map((s) => [s.asset, s.dates.length])).toEqual([
      ['MSFT', 2],
      ['AAPL', 1],
    ]);
    expect(report.notes).toContain('no volume column: volume is 0');
  });

  it('derives tickers from common export file names', () => {
    expect(tickerFromFileName('AAPL.csv')).toBe('AAPL');
    expect(tickerFromFileName('/x/y/BTC-USD.csv')).toBe('BTC-USD');
    expect(tickerFromFileName('C:\\data\\SPY_investing_com_MonDD_YYYY.csv')).toBe('SPY');
    expect(tickerFromFileName('SPY Historical Data.csv')).toBe('SPY');
    expect(tickerFromFileName('^GSPC.csv')).toBe('^GSPC');
  });
});

describe('messy exports (inline fixtures of every quirk)', () => {
  it('investing.com: BOM, CRLF, quotes, Mon DD, YYYY, newest first, M volumes, %, bogus non-trading rows', () => {
    const text =
      '\uFEFF"Date","Price","Open","High","Low","Vol.","Change %"\r\n' +
      '"Oct 12, 2020","352.43","349.59","354.02","349.06","80.39M","1.64%"\r\n' +
      '"Oct 11, 2020","346.85","346.85","346.85","346.85","-","0.00%"\r\n' +
      '"Oct 09, 2020","346.85","343.72","347.35","343.43","59.53M","0.91%"\r\n' +
      '"Feb 17, 2020","337.60","337.60","337.60","337.60","-","0.00%"\r\n' +
      '"Feb 14, 2020","337.60","337.51","337.73","336.20","64.47M","0.19%"';
    const { series, report } = ok(importCsv(text, { fileName: 'SPY_investing_com.csv' }));
    expect(report).toMatchObject({
      bom: true,
      newline: 'CRLF',
      dateFormat: 'MMM DD, YYYY',
      rowsRead: 5,
      rowsKept: 3,
      rowsDropped: 2,
    });
    const s = series[0];
    expect(s.asset).toBe('SPY');
    expect(s.dates).toEqual(['2020-02-14', '2020-10-09', '2020-10-12']);
    expect(Array.from(s.close)).toEqual([337.6, 346.85, 352.43]);
    expect(Array.from(s.volume)).toEqual([64_470_000, 59_530_000, 80_390_000]);
    // Sunday Oct 11 and Presidents' Day Feb 17: flat prices, volume '-'.
    expect(issue(report, 'non-trading-day')).toMatchObject({ severity: 'dropped', count: 2, lines: [3, 5] });
    expect(report.assets[0].order).toBe('descending');
    expect(report.columns.find((c) => c.header === 'Change %')!.use).toBe('ignored');
    expect(report.notes.join('\n')).toMatch(/newest-first; re-sorted oldest-first/);
  });

  it('two-digit years DD-MMM-YY with the century pivot reported', () => {
    const text =
      'Date,Price,Open,High,Low,Vol.,Change %\r\n26-Feb-21,383.52,384.27,384.81,378.35,67.95M,0.31%\r\n27-Jan-99,124.59,126.38,126.62,124.16,7.40M,-1.17%\r\n';
    const { series, report } = ok(importCsv(text, { fileName: 'SPY.csv' }));
    expect(series[0].dates).toEqual(['1999-01-27', '2021-02-26']);
    expect(report.dateFormat).toBe('DD-MMM-YY');
    expect(report.twoDigitYears).toEqual({ count: 2, pivot: 50 });
    expect(report.notes.join(' ')).toMatch(/century pivot 50/);
  });

  it('semicolons with decimal commas and thousands dots', () => {
    const text =
      'Datum;Eröffnung;Hoch;Tief;Schluss;Volumen\n02.01.2020;1.234,50;1.240,00;1.230,25;1.238,75;1.000\n03.01.2020;1.238,75;1.250,00;1.235,00;1.249,00;2.500\n';
    const { series, report } = ok(importCsv(text, { fileName: 'DAX.csv' }));
    expect(report).toMatchObject({
      layout: 'ohlcv',
      delimiter: ';',
      decimalComma: true,
      dateFormat: 'DD.MM.YYYY',
      dateOrder: 'DMY',
    });
    const s = series[0];
    expect(s.asset).toBe('DAX');
    expect(s.dates).toEqual(['2020-01-02', '2020-01-03']);
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([
      1234.5, 1240, 1230.25, 1238.75, 1000,
    ]);
    expect(s.volume[1]).toBe(2500);
  });

  it('D/M/Y numeric dates are detected for the whole file', () => {
    const text = 'Date;Close\n30/12/2019;1,5\n02/01/2020;2,5\n03/01/2020;3\n';
    const { series, report } = ok(importCsv(text, { fileName: 'EU.csv' }));
    expect(series[0].dates).toEqual(['2019-12-30', '2020-01-02', '2020-01-03']);
    expect(report.dateOrder).toBe('DMY');
    expect(Array.from(series[0].close)).toEqual([1.5, 2.5, 3]);
    expect(report.notes.join(' ')).toMatch(/day\/month\/year/);
  });

  it('skips preamble lines before the header and keeps line numbers right', () => {
    const text =
      'Downloaded from somewhere\nTicker: XYZ\n\nDate,Close\n2020-01-02,1\nbad-date,2\n2020-01-06,3\n';
    const { series, report } = ok(importCsv(text, { fileName: 'XYZ.csv' }));
    expect(report.headerLine).toBe(4);
    expect(report.notes[0]).toMatch(/skipped 2 line/);
    expect(series[0].dates).toEqual(['2020-01-02', '2020-01-06']);
    expect(issue(report, 'bad-date')).toMatchObject({
      severity: 'dropped',
      count: 1,
      lines: [6],
      column: 'Date',
    });
  });

  it('duplicates keep the last row; unsorted rows are sorted; both reported', () => {
    const text = 'Date,Close\n2020-01-03,3\n2020-01-02,2\n2020-01-03,30\n2020-01-06,6\n';
    const { series, report } = ok(importCsv(text, { fileName: 'D.csv' }));
    expect(series[0].dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(Array.from(series[0].close)).toEqual([2, 30, 6]);
    expect(issue(report, 'duplicate-date')).toMatchObject({ severity: 'dropped', count: 1, lines: [2] });
    expect(report.assets[0].order).toBe('unsorted');
    expect(report.notes.join(' ')).toMatch(/not in date order; sorted/);
  });

  it('duplicates in a newest-first file also keep the last row in file order', () => {
    const text = 'Date,Close\n2020-01-06,6\n2020-01-03,3\n2020-01-03,33\n2020-01-02,2\n';
    const { series, report } = ok(importCsv(text, { fileName: 'D.csv' }));
    expect(Array.from(series[0].close)).toEqual([2, 33, 6]);
    expect(issue(report, 'duplicate-date')!.lines).toEqual([3]);
  });

  it('suspicious and repaired rows: High < Low, non-positive prices, missing cells, junk numbers', () => {
    const text = `Date,Open,High,Low,Close,Volume
2020-01-02,10,9,11,10,100
2020-01-03,0,11,9,10,100
2020-01-06,10,11,9,-1,100
2020-01-07,,11,9,10,abc
2020-01-08,10,10.5,9,12,-5
2020-01-09,10,11,9,,100
`;
    const { series, report } = ok(importCsv(text, { fileName: 'Q.csv' }));
    const s = series[0];
    expect(s.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-07', '2020-01-08']);
    expect(issue(report, 'high-below-low')).toMatchObject({ severity: 'suspicious', lines: [2] });
    expect([s.low[0], s.high[0]]).toEqual([9, 11]);
    expect(issue(report, 'non-positive-ohl')).toMatchObject({ column: 'Open', lines: [3] });
    expect(s.open[1]).toBe(10);
    expect(issue(report, 'non-positive-close')).toMatchObject({ severity: 'dropped', lines: [4] });
    expect(issue(report, 'filled-ohl')).toMatchObject({ column: 'Open', lines: [5] });
    expect(issue(report, 'invalid-number')).toMatchObject({ column: 'Volume', lines: [5] });
    expect(issue(report, 'missing-volume')).toMatchObject({ lines: [5] });
    expect(issue(report, 'negative-volume')).toMatchObject({ lines: [6] });
    expect(issue(report, 'ohlc-outside-range')).toMatchObject({ lines: [6] });
    expect(s.high[3]).toBe(12);
    expect(issue(report, 'missing-close')).toMatchObject({ severity: 'dropped', lines: [7] });
    expect(report.rowsDropped).toBe(2);
    for (let t = 0; t < s.dates.length; t++) {
      expect(s.low[t]).toBeLessThanOrEqual(Math.min(s.open[t], s.close[t]));
      expect(s.high[t]).toBeGreaterThanOrEqual(Math.max(s.open[t], s.close[t]));
    }
    expect(formatFileReport({ ok: true, file: 'Q.csv', series, report })).toMatch(
      /dropped: 1 row with close ≤ 0 \[Close\] line 4/,
    );
  });

  it('GSPC-like degenerate history: Open=0 and flat zero-volume weekdays are kept, repaired and flagged', () => {
    const text = `Date,Open,High,Low,Close,Adj Close,Volume
1928-01-03,17.76,17.76,17.76,17.76,17.76,0
1928-01-04,17.72,17.72,17.72,17.72,17.72,0
1962-01-02,0.0,71.96,70.71,70.96,70.96,3120000
`;
    const { series, report } = ok(importCsv(text, { fileName: 'GSPC.csv' }));
    expect(series[0].dates).toHaveLength(3);
    expect(series[0].open[2]).toBe(70.96);
    expect(issue(report, 'flat-no-volume')).toMatchObject({ severity: 'suspicious', count: 2 });
    expect(issue(report, 'non-positive-ohl')).toMatchObject({ count: 1, lines: [4] });
  });

  it('flat no-volume weekend rows are kept when dropNonTradingDays is off', () => {
    const text = 'Date,Open,High,Low,Close,Volume\n2020-10-10,5,5,5,5,0\n2020-10-12,5,6,4,5.5,10\n';
    expect(ok(importCsv(text, { fileName: 'A.csv' })).series[0].dates).toEqual(['2020-10-12']);
    expect(
      ok(importCsv(text, { fileName: 'A.csv', dropNonTradingDays: false })).series[0].dates,
    ).toHaveLength(2);
  });

  it('finds an unnamed date column by its content (pandas index export)', () => {
    const text = ',AAPL,MSFT\n2020-01-02,1,2\n2020-01-03,1.5,2.5\n';
    const { series, report } = ok(importCsv(text, { fileName: 'prices.csv' }));
    expect(series.map((s) => s.asset)).toEqual(['AAPL', 'MSFT']);
    expect(report.notes.join(' ')).toMatch(/date column found by its content/);
  });

  it('CR-only line endings and tab delimiters', () => {
    const text = 'Date\tClose\r2020-01-02\t1\r2020-01-03\t2\r';
    const { series, report } = ok(importCsv(text, { fileName: 'T.tsv' }));
    expect(report).toMatchObject({ newline: 'CR', delimiter: '\t' });
    expect(series[0].dates).toHaveLength(2);
  });
});

describe('unusable input → one structured error naming file, line and column', () => {
  const cases: [string, string, { line: number; column: number; message: RegExp }][] = [
    ['empty', '', { line: 1, column: 1, message: /empty file/ }],
    ['blank lines', '\n\n  \n', { line: 1, column: 1, message: /empty file/ }],
    [
      'binary junk',
      '\u0000\u0001\u0002PK\u0003\u0004\uFFFD\uFFFD\uFFFD',
      { line: 1, column: 1, message: /not a text CSV/ },
    ],
    [
      'no date column',
      'Open,High,Low,Close\n1,2,0.5,1.5\n',
      { line: 1, column: 1, message: /no date column/ },
    ],
    [
      'no header',
      '2020-01-02,1,2,0.5,1.5\n2020-01-03,1,2,0.5,1.5\n',
      { line: 1, column: 1, message: /no header row/ },
    ],
    [
      'no price column',
      'Date,Comment\n2020-01-02,hello\n',
      { line: 1, column: 1, message: /no price column/ },
    ],
    ['header only', 'Date,Close\n', { line: 2, column: 1, message: /no data rows/ }],
    [
      'every date bad',
      'x\nDate,Close\nfoo,1\nbar,2\n',
      { line: 3, column: 1, message: /no usable rows.*date not recognised: 'foo'/ },
    ],
    [
      'every close bad',
      'Date,Open,Close\n2020-01-02,1,abc\n2020-01-03,1,\n',
      { line: 2, column: 3, message: /no usable rows/ },
    ],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      const r = importCsv(text, { fileName: `${name}.csv` });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.file).toBe(`${name}.csv`);
      expect(r.error.line).toBe(want.line);
      expect(r.error.column).toBe(want.column);
      expect(r.error.message).toMatch(want.message);
    });
  }

  it('importMany keeps the good files when one is bad', () => {
    const results = importMany([
      { name: 'A.csv', text: YAHOO },
      { name: 'junk.csv', text: '\u0000\u0000\u0000' },
      { name: 'B.csv', text: YAHOO },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[0].ok && results[0].series[0].asset).toBe('A');
    expect(results[2].ok && results[2].series[0].dates).toHaveLength(3);
  });

  it('importMany renames clashing tickers and says so', () => {
    const results = importMany([
      { name: 'x/AAA.csv', text: YAHOO },
      { name: 'y/AAA.csv', text: YAHOO },
    ]);
    const second = results[1];
    expect(second.ok && second.series[0].asset).toBe('AAA_2');
    expect(second.ok && second.report.notes.join(' ')).toMatch(/renamed AAA_2/);
  });
});

describe('streaming', () => {
  const big = (() => {
    const rows = ['"Date","Symbol","Close","Volume"'];
    let d = Date.UTC(2000, 0, 3);
    for (let i = 0; i < 600; i++) {
      const iso = new Date(d).toISOString().slice(0, 10);
      rows.push(
        `"${iso}","A","${(100 + i / 7).toFixed(2)}","1,234"`,
        `"${iso}","B, Inc","${(50 + i / 3).toFixed(2)}","2.5K"`,
      );
      d += 86400000;
    }
    return rows.join('\r\n') + '\r\n';
  })();

  it('gives the same result whatever the chunk boundaries (quotes and CRLF cut anywhere)', () => {
    const whole = ok(importCsv(big, { fileName: 'big.csv' }));
    expect(whole.series.map((s) => s.asset)).toEqual(['A', 'B, Inc']);
    expect(whole.series[1].volume[0]).toBe(2500);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: big.length - 1 }), { maxLength: 12 }),
        fc.integer({ min: 256, max: 20000 }),
        (cuts, chunkSize) => {
          const at = [0, ...new Set(cuts)].sort((a, b) => a - b).concat(big.length);
          const imp = new CsvImporter({ fileName: 'big.csv', chunkSize });
          for (let i = 0; i + 1 < at.length; i++) imp.push(big.slice(at[i], at[i + 1]));
          const r = ok(imp.end());
          expect(r.series).toEqual(whole.series);
          expect(r.report.issues).toEqual(whole.report.issues);
          expect(r.report.rowsRead).toBe(1200);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('reports progress and reads async iterables', async () => {
    const seen: number[] = [];
    async function* chunks() {
      for (let i = 0; i < big.length; i += 2000) yield big.slice(i, i + 2000);
    }
    const r = ok(
      await importCsvStream(chunks(), {
        fileName: 'big.csv',
        chunkSize: 4096,
        totalBytes: big.length,
        onProgress: (p) => seen.push(p.bytesRead),
      }),
    );
    expect(r.report.rowsKept).toBe(1200);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.every((b, i) => i === 0 || b >= seen[i - 1])).toBe(true);
    expect(seen[seen.length - 1]).toBe(big.length);
  });

  it('line numbers in issues are exact across chunk boundaries', () => {
    const rows = ['Date,Close'];
    for (let i = 0; i < 500; i++)
      rows.push(i === 377 ? 'not-a-date,1' : `2001-01-${String((i % 28) + 1).padStart(2, '0')},1`);
    const r = ok(importCsv(rows.join('\n'), { fileName: 'L.csv', chunkSize: 100 }));
    expect(issue(r.report, 'bad-date')!.lines).toEqual([379]);
  });

  it('a reader that throws ends as an error, not an exception', async () => {
    async function* broken(): AsyncGenerator<string> {
      yield 'Date,Close\n';
      throw new Error('disk on fire');
    }
    const r = await importCsvStream(broken(), { fileName: 'B.csv' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/disk on fire/);
  });
});

describe('detectDelimiter', () => {
  it('prefers the delimiter with a consistent field count', () => {
    expect(detectDelimiter('Date;Close\n2020-01-02;1,5\n2020-01-03;2,5\n')).toBe(';');
    expect(detectDelimiter('Date,Close\n2020-01-02,"1,5"\n')).toBe(',');
    expect(detectDelimiter('Date\tClose\tVolume\n2020-01-02\t1,5\t3\n')).toBe('\t');
    expect(detectDelimiter('Date|Close\n2020-01-02|1\n')).toBe('|');
  });
});
