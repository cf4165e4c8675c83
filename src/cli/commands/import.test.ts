import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lab-import-'));
  writeFileSync(
    path.join(dir, 'AAA.csv'),
    'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.4,10\n2020-01-03,1.5,2,1,1.8,1.7,12\n',
  );
  writeFileSync(
    path.join(dir, 'BBB.csv'),
    '\uFEFF"Date","Price","Vol."\r\n"Jan 03, 2020","5","1.2K"\r\n"Jan 02, 2020","4","-"\r\n',
  );
  writeFileSync(path.join(dir, 'bad.csv'), 'Open,Close\n1,2\n');
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (s: string | Uint8Array) => ((out += String(s)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (s: string | Uint8Array) => ((err += String(s)), true),
  );
  const code = await main(['import', ...argv]);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('lab import', () => {
  it('prints the report of every file and the panel; exit 0', async () => {
    const r = await run(path.join(dir, 'AAA.csv'), path.join(dir, 'BBB.csv'));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/✓ .*AAA\.csv {2}ohlcv layout/);
    expect(r.out).toMatch(/BBB\.csv .*CRLF, BOM, dates MMM DD, YYYY/);
    expect(r.out).toMatch(/repaired: 1 row with missing volume/);
    expect(r.out).toMatch(/panel: 2 assets × 2 dates 2020-01-02..2020-01-03 \(intersection\)/);
  });

  it('a failing file is reported as file:line:column while the others still are; exit 1', async () => {
    const bad = path.join(dir, 'bad.csv');
    const r = await run(path.join(dir, 'AAA.csv'), bad, path.join(dir, 'missing.csv'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:1:1 no date column`);
    expect(r.err).toMatch(/missing\.csv:1:1 cannot read: no such file or directory/);
    expect(r.out).toMatch(/✓ .*AAA\.csv/);
    expect(r.out).toMatch(/panel: 1 asset × 2 dates/);
  });

  it('--json --union --adjust: machine-readable report', async () => {
    const r = await run(
      '--json',
      '--union',
      '--adjust',
      path.join(dir, 'AAA.csv'),
      'synthetic:assets=1,days=3,start=2020-01-02',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.files[0]).toMatchObject({ ok: true, report: { layout: 'ohlcv', rowsKept: 2 } });
    expect(j.synthetic[0].config.assets).toBe(1);
    expect(j.align).toMatchObject({ calendar: 'union', adjusted: true });
    expect(j.panel).toMatchObject({ assets: ['AAA', 'SYN1'], dates: 2 });
    expect(j.errors).toEqual([]);
  });

  it('embedded sources work without any file', async () => {
    const r = await run('embedded:stocks', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).annualization).toBe(12);
  });

  it('bad arguments: exit 2 with one line', async () => {
    for (const argv of [[], ['--nope', 'x.csv'], ['embedded:nasdaq'], ['synthetic:assets=0']]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^lab import: /);
    }
  });
});
