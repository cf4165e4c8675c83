import { describe, expect, it } from 'vitest';
import { importCsv } from './csv.ts';
import { DataSpecError, loadSources, parseSourceSpec, parseSyntheticSpec, type SourceIO } from './sources.ts';

const FILES: Record<string, string> = {
  'd/AAA.csv': 'Date,Close\n2020-01-02,1\n2020-01-03,2\n2020-01-06,3\n',
  'd/BBB.csv': 'Date,Close,Volume\n2020-01-03,5,10\n2020-01-06,6,11\n',
  'bad.csv': 'no,dates,here\n1,2,3\n',
};

const io: SourceIO = {
  async expandPath(p) {
    if (p === 'd') return ['d/AAA.csv', 'd/BBB.csv'];
    if (p in FILES) return [p];
    throw new Error('no such file or directory');
  },
  async importFile(p, options) {
    return importCsv(FILES[p], options);
  },
  async readEmbedded() {
    return 'symbol,date,price\nX,Jan 1 2000,1\nX,Feb 1 2000,2\nX,Mar 1 2000,3\nY,Jan 1 2000,1\nY,Feb 1 2000,2\nY,Mar 1 2000,3\n';
  },
};

describe('parseSourceSpec / parseSyntheticSpec', () => {
  it('recognises paths, embedded names and synthetic specs', () => {
    expect(parseSourceSpec('data/AAPL.csv')).toEqual({ kind: 'path', path: 'data/AAPL.csv' });
    expect(parseSourceSpec('embedded:sp500')).toEqual({ kind: 'embedded', name: 'sp500' });
    expect(parseSourceSpec('synthetic')).toEqual({ kind: 'synthetic', config: {} });
    expect(parseSourceSpec('synthetic:assets=8,seed=3,signal=0.1')).toEqual({
      kind: 'synthetic',
      config: { assets: 8, seed: 3, signalStrength: 0.1 },
    });
    expect(parseSourceSpec('synthetic:{"assets":2,"correlation":[[1,0.2],[0.2,1]]}')).toEqual({
      kind: 'synthetic',
      config: {
        assets: 2,
        correlation: [
          [1, 0.2],
          [0.2, 1],
        ],
      },
    });
    expect(parseSyntheticSpec('n=3;tickers=A|B|C;start=2010-01-04')).toEqual({
      assets: 3,
      tickers: ['A', 'B', 'C'],
      start: '2010-01-04',
    });
  });

  it('rejects what it cannot understand with a clear message', () => {
    expect(() => parseSourceSpec('embedded:nasdaq')).toThrow(DataSpecError);
    expect(() => parseSourceSpec('embedded:nasdaq')).toThrow(
      /unknown embedded dataset 'nasdaq' \(known: sp500, stocks\)/,
    );
    expect(() => parseSyntheticSpec('assets=two')).toThrow(/assets must be a number/);
    expect(() => parseSyntheticSpec('colour=blue')).toThrow(/unknown field 'colour'/);
    expect(() => parseSyntheticSpec('{bad json')).toThrow(/invalid JSON/);
    expect(() => parseSyntheticSpec('signal=2')).toThrow(/signalStrength/);
    expect(() => parseSourceSpec('  ')).toThrow(/empty data source/);
  });
});

describe('loadSources', () => {
  it('directory + bad file + missing file: the good files still make a panel, failures are listed', async () => {
    const data = await loadSources(['d', 'bad.csv', 'missing.csv'], io);
    expect(data.panel!.assets).toEqual(['AAA', 'BBB']);
    expect(data.panel!.dates).toEqual(['2020-01-03', '2020-01-06']);
    expect(data.results.map((r) => [r.file, r.ok])).toEqual([
      ['d/AAA.csv', true],
      ['d/BBB.csv', true],
      ['bad.csv', false],
      ['missing.csv', false],
    ]);
    expect(data.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      'bad.csv:1:1',
      'missing.csv:1:1',
    ]);
    expect(data.errors[1].message).toMatch(/cannot read: no such file/);
    expect(data.align!.assets[0].droppedDates).toBe(1);
  });

  it('union and embedded and synthetic sources mix into one panel', async () => {
    const u = await loadSources(['d'], io, { calendar: 'union' });
    expect(u.panel!.dates).toEqual(['2020-01-03', '2020-01-06']);
    const e = await loadSources(['embedded:stocks'], io);
    expect(e.panel!.assets).toEqual(['X', 'Y']);
    expect(e.annualization).toBe(12);
    const s = await loadSources(['synthetic:assets=2,days=300,start=2020-01-01', 'd'], io);
    expect(s.panel!.assets).toEqual(['AAA', 'BBB', 'SYN1', 'SYN2']);
    expect(s.panel!.dates).toEqual(['2020-01-03', '2020-01-06']);
    expect(s.synthetic[0].meta.config.assets).toBe(2);
  });

  it('no usable data → panel null with the reason; bad specs reject', async () => {
    const none = await loadSources(['bad.csv'], io);
    expect(none.panel).toBeNull();
    expect(none.panelError).toMatch(/every source failed/);
    await expect(loadSources([], io)).rejects.toThrow(/no data sources/);
    await expect(loadSources(['embedded:zzz'], io)).rejects.toThrow(DataSpecError);
    await expect(loadSources(['d'], io, { start: 'soon' })).rejects.toThrow(DataSpecError);
  });
});
