/** `lab replay`, in-process: the hand-computed seed-003 example through the CLI, and its errors. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUY, HOLD, SELL } from '../../core/envs/trading.ts';
import { main } from '../main.ts';
import { captureCliOutput, testDir, writeOhlcvFiles } from '../testing.ts';
import { parseActionsCsv } from './replay.ts';

const io = captureCliOutput();

const dir = testDir('lab-replay-test-');
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const csv = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.split(','));

// A 10 → 11 → 12, B 20 → 20 → 25, as in trading.test.ts.
const prices = file('prices.csv', 'date,A,B\n2020-01-02,10,20\n2020-01-03,11,20\n2020-01-06,12,25\n');

describe('lab replay', () => {
  it('writes equity, positions, metrics and run record with the hand-computed numbers', async () => {
    const actions = file(
      'actions.csv',
      'date,asset,action\n2020-01-02,A,buy\n2020-01-03,a,SELL\n2020-01-03,B,Buy\n',
    );
    const out = path.join(dir, 'out');
    expect(
      await main([
        'replay',
        '--data',
        prices,
        '--actions',
        actions,
        '--out',
        out,
        '--initial-cash',
        '1000.5',
      ]),
    ).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toMatch(/replay of 3 action rows on 2 assets, 2020-01-02\.\.2020-01-06/);

    const equity = csv(readFileSync(path.join(out, 'equity.csv'), 'utf8'));
    expect(equity[0].slice(0, 4)).toEqual(['date', 'value', 'cash', 'return']);
    expect(equity.map((r) => r[0]).slice(1)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    const value = equity.slice(1).map((r) => Number(r[1]));
    expect(value[0]).toBeCloseTo(1000.4, 9);
    expect(value[1]).toBeCloseTo(1020.2540109945027, 9);
    expect(value[2]).toBeCloseTo(1075.7485137431283, 9);
    expect(Number(equity[2][2])).toBeCloseTo(728.276, 9);

    const positions = csv(readFileSync(path.join(out, 'positions.csv'), 'utf8'));
    expect(positions[0].slice(0, 4)).toEqual(['date', 'asset', 'shares', 'value']);
    const day2B = positions.find((r) => r[0] === '2020-01-03' && r[1] === 'B')!;
    expect(Number(day2B[2])).toBeCloseTo(9.098900549725137, 12);
    expect(Number(day2B[3])).toBeCloseTo(181.97801099450274, 9);

    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.splits.all.total_return).toBeCloseTo(1075.7485137431283 / 1000.5 - 1, 12);
    expect(metrics.splits.all.total_fees).toBeCloseTo(0.24598900549725136, 12);
    expect(metrics.splits.all.trades).toBe(3);
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.command).toBe('replay');
    expect(run.config.feeRate).toBe(0.0005);
    expect(run.data.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.unused_action_dates).toEqual([]);
  });

  it('--data A.csv B.csv: two files after one flag', async () => {
    const files = writeOhlcvFiles(dir, ['AAA', 'BBB'], 10);
    const actions = file('two.csv', 'date,asset,action\n2021-01-04,AAA,buy\n2021-01-05,BBB,buy\n');
    expect(
      await main(['replay', '--data', ...files, '--actions', actions, '--out', path.join(dir, 'two')]),
    ).toBe(0);
    expect(io.stdout).toMatch(/replay of 2 action rows on 2 assets/);
  });

  it('warns about action dates it could not apply, and lists them in run.json', async () => {
    const actions = file('late.csv', 'date,asset,action\n2020-01-06,A,buy\n2019-12-31,B,buy\n');
    const out = path.join(dir, 'late');
    expect(await main(['replay', '--data', prices, '--actions', actions, '--out', out])).toBe(0);
    expect(io.stderr).toMatch(/actions on 2 date\(s\) not applied.*2019-12-31, 2020-01-06/);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).unused_action_dates).toEqual([
      '2019-12-31',
      '2020-01-06',
    ]);
  });

  it.each([
    [
      'date,asset,action\n2020-01-02,A,buy\n2020-01-03,ZZ,sell\n',
      /x\.csv:3: column 'asset': 'ZZ' is not an asset of the data \(A, B\)/,
    ],
    ['date,asset,action\n2020-01-02,A,long\n', /x\.csv:2: column 'action': 'long' is not buy, sell or hold/],
    ['date,asset,action\n2020-13-45,A,buy\n', /x\.csv:2: column 'date': '2020-13-45' is not a date/],
    [
      'date,asset,action\n2020-01-02,A,buy\n2020-01-02,A,sell\n',
      /x\.csv:3: A on 2020-01-02 already has a different action \(line 2\)/,
    ],
    ['day,ticker\n2020-01-02,A\n', /x\.csv:1: no 'action' column/],
    ['', /x\.csv: the file is empty/],
  ])('bad actions file → exit 2 and one line naming file, line and column (%#)', async (text, message) => {
    expect(
      await main([
        'replay',
        '--data',
        prices,
        '--actions',
        file('x.csv', text),
        '--out',
        path.join(dir, 'bad'),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad options → exit 2 naming the flag', async () => {
    const actions = file('ok.csv', 'date,asset,action\n2020-01-02,A,buy\n');
    expect(
      await main([
        'replay',
        '--data',
        prices,
        '--actions',
        actions,
        '--out',
        path.join(dir, 'o'),
        '--sell-pct',
        '0',
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/^lab replay: --sell-pct: .*sellPct = 0: must be in \(0, 1\]\n$/);
    io.stderr = '';
    expect(await main(['replay', '--actions', actions, '--out', path.join(dir, 'o')])).toBe(2);
    expect(io.stderr).toBe('lab replay: missing required option --data\n');
  });
});

describe('parseActionsCsv', () => {
  it('maps rows to per-date action vectors; unlisted assets hold; any date format', () => {
    const { actions, rows } = parseActionsCsv(
      '\ufeffDate,Ticker,Side\r\nJan 3 2020,B,sell\r\n2020-01-03,A,buy\r\n"Jan 2, 2020",A,hold\r\n',
      'f.csv',
      ['A', 'B', 'C'],
    );
    expect(rows).toBe(3);
    expect(Array.from(actions.get('2020-01-03')!)).toEqual([BUY, SELL, HOLD]);
    expect(Array.from(actions.get('2020-01-02')!)).toEqual([HOLD, HOLD, HOLD]);
  });
});
