/** `lab features`, in-process: CSV columns and values, warm-up rows, and bad input → exit 2. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir, writeOhlcvFiles } from '../testing.ts';

const io = captureCliOutput();

const dir = testDir('lab-features-test-');

/** 120 weekdays of a smooth, deterministic Yahoo-layout series. */
const T = 120;
const closes = Array.from(
  { length: T },
  (_, t) => Math.round((100 + 10 * Math.sin(t / 7) + t / 5) * 100) / 100,
);
const dates: string[] = [];
for (let d = Date.parse('2021-01-04T00:00:00Z'); dates.length < T; d += 86_400_000) {
  const wd = new Date(d).getUTCDay();
  if (wd !== 0 && wd !== 6) dates.push(new Date(d).toISOString().slice(0, 10));
}
const yahoo = path.join(dir, 'ACME.csv');
writeFileSync(
  yahoo,
  [
    'Date,Open,High,Low,Close,Adj Close,Volume',
    ...closes.map((c, t) => `${dates[t]},${c},${c + 1},${c - 1},${c},${c},${1000 + t}`),
  ].join('\n') + '\n',
);

const readCsv = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('lab features', () => {
  it('writes date, asset and the documented raw columns from the first row where all are defined', async () => {
    const out = path.join(dir, 'all.csv');
    expect(await main(['features', '--data', yahoo, '--out', out])).toBe(0);
    const [header, ...rows] = readCsv(out);
    expect(header.slice(0, 8)).toEqual(['date', 'asset', 'open', 'high', 'low', 'close', 'volume', 'sma_10']);
    expect(header).toContain('ichimoku_span_b');
    expect(header).not.toContain('ichimoku_chikou');
    expect(header.length).toBe(2 + 28);
    expect(rows.length).toBe(T - 77);
    expect(rows[0].slice(0, 2)).toEqual([dates[77], 'ACME']);
    const col = (name: string) => header.indexOf(name);
    // Raw, untransformed values: sma_10 is the plain mean of the last ten closes.
    const sma10 = closes.slice(68, 78).reduce((a, c) => a + c, 0) / 10;
    expect(Number(rows[0][col('sma_10')])).toBeCloseTo(sma10, 9);
    expect(Number(rows[0][col('close')])).toBe(closes[77]);
    expect(rows.every((r) => r.every((cell) => cell !== ''))).toBe(true);
    expect(io.stdout).toMatch(/1 assets × 43 dates × 28 features \(preset all\)/);
    expect(io.stdout).toMatch(new RegExp(`first full window of 20 rows ends ${dates[77 + 19]}`));
  });

  it('--preset ohlcv, --keep-warmup, positional sources', async () => {
    const out = path.join(dir, 'ohlcv.csv');
    expect(
      await main(['features', '--data', yahoo, '--preset', 'ohlcv', '--keep-warmup', '--out', out]),
    ).toBe(0);
    const [header, ...rows] = readCsv(out);
    expect(header).toEqual(['date', 'asset', 'open', 'high', 'low', 'close', 'volume']);
    expect(rows.length).toBe(T);
    const out2 = path.join(dir, 'kept.csv');
    expect(await main(['features', '--data', yahoo, '--keep-warmup', '--out', out2])).toBe(0);
    const kept = readCsv(out2);
    expect(kept[1][kept[0].indexOf('sma_10')]).toBe(''); // warm-up: empty cell
    expect(await main(['features', '--data', yahoo, yahoo, '--out', path.join(dir, 'dup.csv')])).toBe(0);
  });

  it('--data A.csv B.csv: two files after one flag', async () => {
    const files = writeOhlcvFiles(dir, ['AAA', 'BBB'], T);
    const out = path.join(dir, 'two.csv');
    expect(await main(['features', '--data', ...files, '--preset', 'ohlcv', '--out', out])).toBe(0);
    expect(
      new Set(
        readCsv(out)
          .slice(1)
          .map((r) => r[1]),
      ),
    ).toEqual(new Set(['AAA', 'BBB']));
  });

  it('bad arguments and unusable data: exit 2 with one line', async () => {
    expect(await main(['features', '--out', path.join(dir, 'x.csv')])).toBe(2);
    expect(io.stderr).toMatch(/missing required option --data/);
    io.stderr = '';
    expect(
      await main(['features', '--data', yahoo, '--preset', 'fancy', '--out', path.join(dir, 'x.csv')]),
    ).toBe(2);
    expect(io.stderr).toMatch(/--preset must be one of all, ohlcv/);
    io.stderr = '';
    expect(await main(['features', '--data', yahoo, '--window', '0', '--out', path.join(dir, 'x.csv')])).toBe(
      2,
    );
    io.stderr = '';
    const short = path.join(dir, 'SHORT.csv');
    writeFileSync(short, readFileSync(yahoo, 'utf8').split('\n').slice(0, 41).join('\n') + '\n');
    expect(await main(['features', '--data', short, '--out', path.join(dir, 'x.csv')])).toBe(2);
    expect(io.stderr).toMatch(/no row has every feature defined: .* undefined on all 40 rows/);
    expect(io.stderr.trim().split('\n').length).toBe(1);
  });
});
