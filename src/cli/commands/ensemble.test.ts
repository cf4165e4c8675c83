/** `lab ensemble backtest|dataset`, in-process: files, the lab's splits, signals, and bad input → exit 2. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDatasetBinary } from '../../core/agents/offline/binary.ts';
import { parseDatasetCsv } from '../../core/ensemble/index.ts';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-ensemble-test-');

/** 300 weekdays of a deterministic wavy Yahoo-layout series. */
const T = 300;
const dates: string[] = [];
for (let d = Date.parse('2021-01-04T00:00:00Z'); dates.length < T; d += 86_400_000) {
  const wd = new Date(d).getUTCDay();
  if (wd !== 0 && wd !== 6) dates.push(new Date(d).toISOString().slice(0, 10));
}
const closes = dates.map(
  (_, t) => Math.round((100 + 12 * Math.sin(t / 9) + 4 * Math.sin(t / 2.3) + t / 10) * 100) / 100,
);
const yahoo = path.join(dir, 'ACME.csv');
writeFileSync(
  yahoo,
  [
    'Date,Open,High,Low,Close,Adj Close,Volume',
    ...closes.map((c, t) => `${dates[t]},${c},${c + 1},${c - 1},${c},${c},${1000 + (t % 7) * 100}`),
  ].join('\n') + '\n',
);

const readCsv = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('lab ensemble backtest', () => {
  it('embedded S&P 500 on the lab’s QTMRL splits: metrics per split beside buy-and-hold, equity and votes', async () => {
    const out = path.join(dir, 'sp500');
    expect(await main(['ensemble', 'backtest', '--data', 'embedded:sp500', '--out', out])).toBe(0);
    expect(io.stdout).toMatch(/news: none \(the news analyst abstains\)/);
    expect(io.stdout).toMatch(/train 2000-01-03\.\.2010-12-31 {2}ensemble total_return -?\d/);
    const run = readJson(path.join(out, 'run.json'));
    expect(run.config.splits.valid.start).toBe('2011-01-03');
    expect(run.config.splits.test.end).toBe('2020-04-17');
    const m = readJson(path.join(out, 'metrics.json'));
    expect(Object.keys(m.splits)).toEqual(['train', 'valid', 'test']);
    for (const s of Object.values(m.splits) as Record<string, Record<string, number>>[]) {
      expect(Number.isFinite(s.ensemble.sharpe)).toBe(true);
      expect(Number.isFinite(s.buy_and_hold.total_return)).toBe(true);
      expect(s.excess_total_return as unknown as number).toBeCloseTo(
        s.ensemble.total_return - s.buy_and_hold.total_return,
        12,
      );
    }
    const [eqHeader, ...eq] = readCsv(path.join(out, 'equity.csv'));
    expect(eqHeader.slice(0, 3)).toEqual(['split', 'date', 'ensemble_equity']);
    expect(eq.length).toBe(run.data.rows);
    const [vHeader, ...votes] = readCsv(path.join(out, 'votes.csv'));
    expect(vHeader).toContain('technical_action');
    expect(vHeader).toContain('risk_regime');
    expect(votes.length).toBe(run.data.rows);
    const col = (n: string) => vHeader.indexOf(n);
    expect(new Set(votes.map((r) => r[col('news_action')]))).toEqual(new Set(['ABSTAIN']));
    expect(new Set(votes.map((r) => r[col('risk_regime')]))).toEqual(
      new Set(['unknown', 'low', 'normal', 'high']),
    );
    // Veto days hold no position.
    const vetoed = votes.filter((r) => r[col('risk_veto')] === '1');
    expect(vetoed.length).toBeGreaterThan(0);
    expect(vetoed.every((r) => Number(r[col('position')]) === 0)).toBe(true);
  });

  it('a signals file feeds the news analyst; unknown tickers are reported', async () => {
    const sig = path.join(dir, 'signals.csv');
    writeFileSync(
      sig,
      [
        'date,ticker,sentiment,confidence',
        `${dates[100]},ACME,0.9,1`,
        `${dates[101]},ACME,-0.8,0.9`,
        `${dates[102]},NOPE,1,1`,
        `${dates[103]},*,0.5,1`,
      ].join('\n'),
    );
    const out = path.join(dir, 'news');
    expect(await main(['ensemble', 'backtest', '--data', yahoo, '--signals', sig, '--out', out])).toBe(0);
    expect(io.stdout).toMatch(/news: file:signals\.csv, 3 of 4 records used .*1 for unknown assets \[NOPE\]/);
    const [h, ...votes] = readCsv(path.join(out, 'votes.csv'));
    const byDate = new Map(votes.map((r) => [r[h.indexOf('date')], r]));
    expect(byDate.get(dates[100])![h.indexOf('news_action')]).toBe('BUY');
    expect(byDate.get(dates[101])![h.indexOf('news_action')]).toBe('SELL');
    expect(byDate.get(dates[102])![h.indexOf('news_action')]).toBe('ABSTAIN');
    // 60/20/20 of the rows for a user's file.
    expect(Object.keys(readJson(path.join(out, 'metrics.json')).splits)).toEqual(['train', 'valid', 'test']);
  });

  it('bad input: exit 2 with one line naming the file, line and column, or the option', async () => {
    const bad = path.join(dir, 'bad-signals.csv');
    writeFileSync(bad, `date,asset,sentiment\n${dates[5]},ACME,2\n`);
    expect(
      await main(['ensemble', 'backtest', '--data', yahoo, '--signals', bad, '--out', path.join(dir, 'x')]),
    ).toBe(2);
    expect(io.stderr).toBe(
      `lab ensemble: ${bad}, line 2, column 'sentiment': '2' is not a number in [-1, 1]\n`,
    );
    expect(await main(['ensemble', 'frobnicate', '--data', yahoo, '--out', path.join(dir, 'x')])).toBe(2);
    expect(io.stderr).toMatch(/unknown subcommand 'frobnicate'/);
    expect(
      await main([
        'ensemble',
        'backtest',
        '--data',
        yahoo,
        '--weight',
        'oracle=2',
        '--out',
        path.join(dir, 'x'),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/--weight oracle: unknown analyst/);
    expect(
      await main([
        'ensemble',
        'backtest',
        '--data',
        yahoo,
        '--signals',
        'synthetic',
        '--out',
        path.join(dir, 'x'),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/needs a synthetic market/);
  });
});

describe('lab ensemble dataset', () => {
  it('dataset.csv with the 34 named features and labels, dataset.bin, and the action distribution printed', async () => {
    const out = path.join(dir, 'ds');
    expect(
      await main([
        'ensemble',
        'dataset',
        '--data',
        'synthetic:assets=2,days=400,signal=0.3',
        '--signals',
        'synthetic:coverage=0.5',
        '--out',
        out,
      ]),
    ).toBe(0);
    const ds = parseDatasetCsv(readFileSync(path.join(out, 'dataset.csv'), 'utf8'));
    expect(ds.size).toBe(800);
    // A plain Uint8Array copy: decodeDatasetBinary mis-reads a Node Buffer (Buffer#slice shares memory, so
    // its readArray views the whole pooled buffer) — reported to the offline-dataset owners.
    const bin = decodeDatasetBinary(
      new Uint8Array(readFileSync(path.join(out, 'dataset.bin'))),
      'dataset.bin',
    );
    expect(bin.size).toBe(800);
    expect(bin.obs).toEqual(ds.X);
    expect(Array.from(bin.actions)).toEqual(Array.from(ds.action));
    const run = readJson(path.join(out, 'run.json'));
    const counts = { HOLD: 0, BUY: 0, SELL: 0 };
    for (const a of ds.action) counts[(['HOLD', 'BUY', 'SELL'] as const)[a]]++;
    expect(run.dataset.action_distribution.counts).toEqual(counts);
    const pct = (c: number) => ((100 * c) / 800).toFixed(1);
    expect(io.stdout).toContain(
      `Action distribution:\n  HOLD: ${counts.HOLD} (${pct(counts.HOLD)}%)\n  BUY: ${counts.BUY} (${pct(counts.BUY)}%)\n  SELL: ${counts.SELL} (${pct(counts.SELL)}%)`,
    );
    // Synthetic news reaches the features.
    const news = ds.featureNames.indexOf('news_sentiment');
    let withNews = 0;
    for (let r = 0; r < ds.size; r++) if (ds.X[r * 34 + news] !== 0) withNews++;
    expect(withNews / ds.size).toBeGreaterThan(0.4);
    expect(withNews / ds.size).toBeLessThan(0.6);
  });
});
