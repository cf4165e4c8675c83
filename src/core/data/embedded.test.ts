import { describe, expect, it } from 'vitest';
import { EMBEDDED_DATASETS, EMBEDDED_FILE_NAMES, isEmbeddedName, loadEmbedded } from './embedded.ts';
import { loadEmbeddedNode, readEmbeddedText } from './embedded.node.ts';

describe('embedded datasets (Node loader)', () => {
  it('sp500: S&P 500 daily OHLCV 2000-01-03..2020-04-17', async () => {
    const d = await loadEmbeddedNode('sp500');
    expect(d.panel.assets).toEqual(['SP500']);
    expect(d.panel.dates.length).toBe(5105);
    expect(d.panel.dates[0]).toBe('2000-01-03');
    expect(d.panel.dates.at(-1)).toBe('2020-04-17');
    // First row of the file: 2000-01-03,1469.25,1478,1438.359985,1455.219971,1455.219971,931800000
    expect([d.panel.open[0], d.panel.high[0], d.panel.low[0], d.panel.close[0], d.panel.volume[0]]).toEqual([
      1469.25, 1478, 1438.359985, 1455.219971, 931800000,
    ]);
    expect(d.report).toMatchObject({ layout: 'ohlcv', rowsDropped: 0 });
    expect(d.series[0].adjClose).not.toBeNull();
    expect(d.dataset.annualization).toBe(252);
  });

  it('stocks: five symbols, monthly, intersection starts with GOOG', async () => {
    const d = await loadEmbeddedNode('stocks');
    expect(d.series.map((s) => s.asset).sort()).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    expect(d.report.layout).toBe('long');
    expect(d.series.find((s) => s.asset === 'MSFT')!.dates.length).toBe(123);
    expect(d.panel.dates[0]).toBe('2004-08-01');
    expect(d.panel.dates.at(-1)).toBe('2010-03-01');
    expect(d.dataset.annualization).toBe(12);
  });

  it('registry: every entry names a shipped file, a layout, an annualization and the license', async () => {
    for (const ds of Object.values(EMBEDDED_DATASETS)) {
      expect(EMBEDDED_FILE_NAMES).toContain(ds.fileName);
      expect(ds.license).toMatch(/BSD-3-Clause/);
      expect([252, 12]).toContain(ds.annualization);
      expect((await readEmbeddedText(ds.fileName)).length).toBeGreaterThan(1000);
    }
    expect(isEmbeddedName('sp500')).toBe(true);
    expect(isEmbeddedName('toString')).toBe(false);
  });

  it('loadEmbedded takes any reader (as a browser fetch would be) and rejects unknown names', async () => {
    const asked: string[] = [];
    const d = await loadEmbedded('stocks', async (f) => {
      asked.push(f);
      return 'symbol,date,price\nAAA,Jan 1 2000,1\nAAA,Feb 1 2000,2\n';
    });
    expect(asked).toEqual(['stocks.csv']);
    expect(d.panel.dates).toEqual(['2000-01-01', '2000-02-01']);
    await expect(loadEmbedded('nope', readEmbeddedText)).rejects.toThrow(/unknown embedded dataset 'nope'/);
    await expect(loadEmbedded('sp500', async () => '')).rejects.toThrow(
      /failed to import: embedded:sp500:1:1 empty file/,
    );
  });
});
