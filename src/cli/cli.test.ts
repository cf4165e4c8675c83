/** The command line, in-process: exit codes, one-line errors, and `lab metrics` output. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { captureCliOutput, testDir, writeOhlcvFiles } from './testing.ts';

const io = captureCliOutput();

const dir = testDir('lab-cli-test-');

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** empyrical's mixed_returns fixture (tests/test_stats.py) with daily dates from 2000-01-30. */
const mixedCsv = [
  'date,returns',
  '2000-01-30,',
  '2000-01-31,1%',
  '2000-02-01,0.10',
  '2000-02-02,-0.04',
  '2000-02-03,0.02',
  '2000-02-04,0.03',
  '2000-02-05,0.02',
  '2000-02-06,0.01',
  '2000-02-07,-0.10',
].join('\n');

describe('lab', () => {
  it('--help lists the commands and the workflows of the registry', async () => {
    expect(await main(['--help'])).toBe(0);
    const out = io.stdout + io.stderr;
    expect(out).toMatch(/^ {2}train$/m);
    expect(out).toMatch(/market +seed 003 +Market RL \(QTMRL\): lab train/);
  });

  it('unknown command → exit 2 and one line', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(io.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad option → exit 2, one line, no stack trace', async () => {
    expect(await main(['metrics', file('a.csv', mixedCsv), '--bogus'])).toBe(2);
    expect(io.stderr).toBe('lab metrics: unknown option --bogus\n');
    expect(io.stderr).not.toMatch(/\bat\b.*\.ts:\d+/);
  });

  it('metrics --json prints empyrical’s values for mixed_returns', async () => {
    expect(await main(['metrics', file('mixed.csv', mixedCsv), '--json'])).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.column).toBe('returns');
    // empyrical/tests/test_stats.py: sharpe 1.7238613961706866, sortino 2.605531251673693,
    // annual_return 1.9135925373194231, calmar 19.135925373194233, max_drawdown −0.1, vol 0.9136465399704637.
    expect(out.metrics.sharpe).toBeCloseTo(1.7238613961706866, 8);
    expect(out.metrics.sortino).toBeCloseTo(2.605531251673693, 8);
    expect(out.metrics.cagr).toBeCloseTo(1.9135925373194231, 8);
    expect(out.metrics.calmar).toBeCloseTo(19.135925373194233, 8);
    expect(out.metrics.max_drawdown).toBeCloseTo(-0.1, 12);
    expect(out.metrics.annual_volatility).toBeCloseTo(0.9136465399704637, 8);
    expect(out.metrics.periods).toBe(9);
    expect(out.metrics.observations).toBe(8);
    expect(out.metrics.max_drawdown_peak).toBe('2000-02-06');
    expect(out.monthly_returns['2000'][0]).toBeCloseTo(0.01, 12);
    expect(out.monthly_returns['2000'][2]).toBeNull();
  });

  // empyrical/tests/test_stats.py: sharpe_ratio(flat_line_1) = inf, sortino_ratio(positive_returns)
  // = sortino_ratio(simple_benchmark) = inf. JSON has no Infinity: written as the string.
  it.each([
    ['flat_line_1', [1, 1, 1, 1, 1, 1, 1, 1, 1], 'sharpe'],
    ['positive_returns', [1, 2, 1, 1, 1, 1, 1, 1, 1], 'sortino'],
    ['simple_benchmark', [0, 1, 0, 1, 0, 1, 0, 1, 0], 'sortino'],
    ['1,000 × 1% (flat_line_1_tz)', Array.from({ length: 1000 }, () => 1), 'sharpe'],
  ])('metrics --json: %s has %s "Infinity", as empyrical', async (name, pcts, metric) => {
    const csv = ['returns', ...pcts.map((p) => `${p}%`)].join('\n');
    expect(await main(['metrics', file(`${name}.csv`, csv), '--json'])).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.metrics[metric]).toBe('Infinity');
    expect(out.metrics.calmar).toBeNull(); // no drawdown: undefined (NaN → null), as empyrical
  });

  it('metrics --annualization and --risk-free change Sharpe as documented', async () => {
    expect(
      await main([
        'metrics',
        file('m2.csv', mixedCsv),
        '--json',
        '--annualization',
        '365',
        '--risk-free',
        '0.001',
      ]),
    ).toBe(0);
    const m = JSON.parse(io.stdout).metrics;
    expect(m.annualization).toBe(365);
    expect(m.risk_free).toBe(0.001);
    expect(m.sharpe).toBeLessThan(1.7238613961706866 * Math.sqrt(365 / 252));
  });

  it.each([
    [
      'bad.csv',
      'date,returns\n2000-01-03,0.01\n2000-01-04,abc\n',
      /bad\.csv:3: column 'returns': 'abc' is not a number/,
    ],
    ['prices.csv', 'date,returns\n2000-01-03,0.01\n2000-01-04,-3\n', /prices\.csv:3: .*below −100%/],
    [
      'dates.csv',
      'date,returns\n2000-01-03,0.01\nnot-a-date,0.02\n',
      /dates\.csv:3: column 'date': 'not-a-date' is not a date/,
    ],
    ['order.csv', 'date,returns\n2000-01-04,0.01\n2000-01-03,0.02\n', /order\.csv:3: .*ascending/],
    ['two.csv', 'a,b\n0.01,0.02\n', /cannot tell which column holds the returns/],
    ['empty.csv', '\n\n', /empty/],
  ])('bad input %s → exit 2 naming the file, line and column', async (name, text, message) => {
    expect(await main(['metrics', file(name, text)])).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads ;-delimited files with decimal commas', async () => {
    const text = 'Date;Returns\n2000-01-03;0,01\n2000-01-04;-0,02\n2000-01-05;0,015\n';
    expect(await main(['metrics', file('semi.csv', text), '--json'])).toBe(0);
    expect(JSON.parse(io.stdout).metrics.best_period).toBeCloseTo(0.015, 12);
  });

  it('a headerless single column of returns works; a missing file is a usage error', async () => {
    expect(await main(['metrics', file('plain.csv', '0.01\n-0.02\n0.03\n'), '--json'])).toBe(0);
    expect(JSON.parse(io.stdout).metrics.periods).toBe(3);
    expect(await main(['metrics', path.join(dir, 'nope.csv')])).toBe(2);
    expect(io.stderr).toMatch(/no such file/);
  });
});

describe('lab backtest', () => {
  const synthetic = 'synthetic:assets=3,days=300,seed=5';
  const read = (out: string, name: string) => readFileSync(path.join(out, name), 'utf8');

  it('buy-and-hold with no fee: total return is the average of the assets’ growth; files and run record written', async () => {
    const out = path.join(dir, 'bh');
    expect(
      await main([
        'backtest',
        '--data',
        synthetic,
        '--strategy',
        'buy-and-hold',
        '--split',
        'all',
        '--fee',
        '0',
        '--out',
        out,
      ]),
    ).toBe(0);
    const metrics = JSON.parse(read(out, 'metrics.json'));
    const all = metrics.splits.all;
    for (const key of [
      'total_return',
      'cagr',
      'annual_volatility',
      'sharpe',
      'sortino',
      'calmar',
      'max_drawdown',
      'turnover',
    ]) {
      expect(typeof all[key]).toBe('number');
    }
    // positions.csv: split,date,asset,shares,weight,close → first and last close of each asset.
    const rows = read(out, 'positions.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const first = new Map<string, number>();
    const last = new Map<string, number>();
    for (const r of rows) {
      if (!first.has(r[2])) first.set(r[2], Number(r[5]));
      last.set(r[2], Number(r[5]));
    }
    const growth = [...first.keys()].map((a) => last.get(a)! / first.get(a)!);
    expect(all.total_return).toBeCloseTo(growth.reduce((s, g) => s + g, 0) / growth.length - 1, 10);
    expect(read(out, 'equity.csv').split('\n')[0]).toBe(
      'split,date,equity,return,drawdown,cash,fees,turnover',
    );
    const run = JSON.parse(read(out, 'run.json'));
    expect(run.data.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.versions.lab).toBe(
      JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version,
    );
    expect(run.config.splits.all.rows).toEqual([0, 300]);
    expect(typeof run.timings_ms.total).toBe('number');
  });

  it('--data A.csv B.csv: two files after one flag (as the usage line says), same as repeating --data', async () => {
    const files = writeOhlcvFiles(dir, ['AAA', 'BBB'], 60);
    const out = path.join(dir, 'two-files');
    expect(
      await main([
        'backtest',
        '--data',
        ...files,
        '--strategy',
        'equal-weight',
        '--split',
        'all',
        '--out',
        out,
      ]),
    ).toBe(0);
    const assets = new Set(
      read(out, 'positions.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[2]),
    );
    expect(assets).toEqual(new Set(['AAA', 'BBB']));
    const repeated = path.join(dir, 'two-files-repeated');
    expect(
      await main([
        'backtest',
        '--data',
        files[0],
        '--data',
        files[1],
        '--strategy',
        'equal-weight',
        '--split',
        'all',
        '--out',
        repeated,
      ]),
    ).toBe(0);
    expect(read(repeated, 'metrics.json')).toBe(read(out, 'metrics.json'));
  });

  it('the data fingerprint depends on the data only', async () => {
    const fp = async (spec: string, strategy: string) => {
      const out = path.join(dir, `fp-${spec}-${strategy}`.replace(/[^\w-]/g, '_'));
      expect(
        await main(['backtest', '--data', spec, '--strategy', strategy, '--split', 'all', '--out', out]),
      ).toBe(0);
      return JSON.parse(read(out, 'run.json')).data.fingerprint as string;
    };
    const a = await fp(synthetic, 'ma:10');
    expect(await fp(synthetic, 'random')).toBe(a);
    expect(await fp('synthetic:assets=3,days=300,seed=6', 'ma:10')).not.toBe(a);
  });

  it.each([
    [['--strategy', 'momentum'], /unknown strategy 'momentum'/],
    [['--strategy', 'ma:10', '--split', '2030-01-01:2031-01-01'], /has 0 row/],
    [['--strategy', 'ma:10', '--split', 'sometimes'], /unknown split/],
    [['--strategy', 'ma:10', '--fee', 'lots'], /--fee expects a number/],
  ])('bad arguments %j → exit 2 with one line', async (args, message) => {
    expect(await main(['backtest', '--data', synthetic, ...args, '--out', path.join(dir, 'bad')])).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });
});
