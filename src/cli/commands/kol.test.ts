/** `lab kol`, in-process: prepare on a hand example and on synthetic posts, its files, and its errors. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-kol-test-');
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const csv = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

// Thu 2021-03-04 … Wed 2021-03-10; A rises 10% a day, B falls 10% a day.
const prices = file(
  'prices.csv',
  'date,A,B\n2021-03-04,10,20\n2021-03-05,11,18\n2021-03-08,12.1,16.2\n2021-03-09,13.31,14.58\n2021-03-10,14.641,13.122\n',
);
const signals = file(
  'posts.csv',
  'published_at,symbol,polarity,conf,video_id,channel,url\n' +
    '2021-03-04 10:00,A,0.5,0.8,v1,k,https://x/1\n' +
    '2021-03-04 17:00,B,-0.5,0.4,v2,k,https://x/2\n' + // after the close → Fri
    '2021-03-06 12:00,A,1,1,v3,k,\n' + // Saturday → Mon
    '2021-03-09 10:00,B,-1,1,v4,k,\n' +
    '2021-03-09 11:00,ZZZ,1,1,v5,k,\n', // not in the prices
);

describe('lab kol prepare', () => {
  it('joins the posts, writes ticker-days, decisions, equity, metrics and meta', async () => {
    const out = path.join(dir, 'hand');
    const code = await main([
      'kol',
      'prepare',
      '--prices',
      prices,
      '--signals',
      signals,
      '--out',
      out,
      '--split',
      '2021-03-04,2021-03-05',
      '--hold-decay',
      '0.5',
    ]);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(
      /join: 5 posts → 4 joined to 2 tickers, 4 ticker-days on 4 trading days \(1 dropped\)/,
    );
    expect(io.stdout).toMatch(/dropped: 1 post on a ticker that is not in the prices \[ZZZ\] line 6/);
    const train = csv(path.join(out, 'train.csv'));
    expect(train[0]).toEqual([
      'date',
      'ticker',
      'sentiment',
      'confidence',
      'baseline_raw_score',
      'reward_1d',
      'next_date',
      'next_return',
      'n_posts',
      'post_ids',
      'last_position',
      'baseline_weight',
    ]);
    expect(train[1].slice(0, 4)).toEqual(['2021-03-04', 'A', '0.5', '0.8']);
    expect(Number(train[1][5])).toBeCloseTo(0.1, 12);
    expect(csv(path.join(out, 'valid.csv'))[1].slice(0, 2)).toEqual(['2021-03-05', 'B']);
    // Test = Mon and Tue: A (Sat post) on Mon, B on Tue.
    const test = csv(path.join(out, 'test.csv'));
    expect(test.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ['2021-03-08', 'A'],
      ['2021-03-09', 'B'],
    ]);
    // Tue: A not mentioned → yesterday's 0.2 × 0.5 = 0.1; B mentioned −tanh(2) → −0.2.
    const decisions = csv(path.join(out, 'signal_decisions_test.csv'));
    expect(decisions[0]).toEqual([
      'date',
      'ticker',
      'post_id',
      'published',
      'author',
      'sentiment',
      'confidence',
      'baseline_raw_score',
      'baseline_action',
      'trained_action',
      'position_before',
      'position_after',
      'equity_baseline',
      'equity_trained',
      'url',
    ]);
    expect(decisions[1].slice(0, 3)).toEqual(['2021-03-08', 'A', 'v3']);
    expect(Number(decisions[1][8])).toBe(0.2);
    expect(decisions[2].slice(0, 3)).toEqual(['2021-03-09', 'B', 'v4']);
    expect(Number(decisions[2][8])).toBe(-0.2);
    expect(Number(decisions[2][10])).toBe(0);
    // Day 1 equity: 1 + 0.2·10% − 5 bps · 0.2.
    const e1 = 1 + 0.2 * 0.1 - 0.0005 * 0.2;
    expect(Number(decisions[2][12])).toBeCloseTo(e1, 12);
    const equity = csv(path.join(out, 'equity_test.csv'));
    expect(equity.map((r) => r[0])).toEqual(['date', '2021-03-08', '2021-03-09', '2021-03-10']);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics_test.json'), 'utf8'));
    for (const k of ['total_return', 'sharpe', 'max_drawdown', 'turnover', 'fidelity'])
      expect(metrics.baseline, k).toHaveProperty(k);
    expect(metrics.baseline.fidelity).toBe(0);
    expect(metrics.buy_and_hold.total_return).toBeCloseTo(((1.1 * 1.1 + 0.9 * 0.9) / 2) * 0.9995 - 1, 12);
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(meta.settings).toEqual({ max_weight: 0.2, hold_decay: 0.5, fee: 0.0005 });
    expect(meta.splits.map((s: { name: string; start: string }) => [s.name, s.start])).toEqual([
      ['train', '2021-03-04'],
      ['valid', '2021-03-05'],
      ['test', '2021-03-08'],
    ]);
    expect(meta.prices.fingerprint).toMatch(/^sha256:/);
    expect(meta.signals.reports[0].columns.map((c: { use: string }) => c.use)).toEqual([
      'date',
      'ticker',
      'sentiment',
      'confidence',
      'post id',
      'author',
      'url',
    ]);
    expect(readFileSync(path.join(out, 'report.txt'), 'utf8')).toMatch(/unknown|not in the prices/);
  });

  it('runs with no files on synthetic posts and prices', async () => {
    const out = path.join(dir, 'syn');
    expect(
      await main(['kol', 'prepare', '--synthetic', 'seed=2,accuracy=0.65,postsPerDay=4', '--out', out]),
    ).toBe(0);
    expect(existsSync(path.join(out, 'signals.csv'))).toBe(true);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics_test.json'), 'utf8'));
    expect(metrics.edge.claimed).toBe(true);
    expect(metrics.baseline.sharpe).toBeGreaterThan(metrics.buy_and_hold.sharpe);
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(meta.synthetic.config).toMatchObject({ seed: 2, accuracy: 0.65, postsPerDay: 4 });
    expect(meta.prices.source).toBe('synthetic:assets=8,days=1260,seed=2');
  });

  it.each([
    [['--signals', 'X', '--synthetic', 'default'], /give exactly one of --signals FILE or --synthetic SPEC/],
    [[], /give exactly one of/],
    [['--synthetic', 'acc=1'], /--synthetic: kol synthetic: unknown field 'acc'/],
    [['--synthetic', 'default', '--split', '0.9'], /--split: split: expected two values/],
    [['--synthetic', 'default', '--close', '4pm'], /--close expects HH:MM/],
    [
      ['--signals', '/nonexistent/posts.csv'],
      /\/nonexistent\/posts\.csv:1:1 cannot read the file \(no such file\)/,
    ],
  ])('bad input → exit 2 and one line (%#)', async (args, message) => {
    expect(
      await main([
        'kol',
        'prepare',
        '--prices',
        prices,
        '--out',
        path.join(dir, 'bad'),
        ...(args as string[]),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a signals file that cannot be used → exit 2 with file, line and column', async () => {
    const bad = file('bad.csv', 'date,who,sentiment\n2021-03-04,A,1\n');
    expect(
      await main(['kol', 'prepare', '--prices', prices, '--signals', bad, '--out', path.join(dir, 'bad2')]),
    ).toBe(2);
    expect(io.stderr).toMatch(/bad\.csv:1:1 no ticker column/);
    const none = file('none.csv', 'date,ticker,sentiment\n2020-01-02,A,1\n');
    expect(
      await main(['kol', 'prepare', '--prices', prices, '--signals', none, '--out', path.join(dir, 'bad3')]),
    ).toBe(2);
    expect(io.stderr).toMatch(/none\.csv: no post joins the prices .*1 with no trading day/);
  });

  it('several signals files: a bad one is reported and skipped, the others load; join lines name their file', async () => {
    const bad = file('broken.csv', 'date,who\n2021-03-04,A\n');
    const more = file(
      'more.csv',
      'date,ticker,sentiment\n2021-03-05 10:00,A,0.5\n2021-03-05 10:00,QQQ,0.5\n',
    );
    const out = path.join(dir, 'several');
    expect(
      await main([
        'kol',
        'prepare',
        '--prices',
        prices,
        '--signals',
        signals,
        '--signals',
        bad,
        '--signals',
        more,
        '--out',
        out,
      ]),
    ).toBe(0);
    expect(io.stderr).toMatch(/lab kol: warning: skipped .*broken\.csv:1:1 no ticker column/);
    expect(io.stdout).toMatch(/join: 7 posts → 5 joined/);
    expect(io.stdout).toMatch(/\[.*more\.csv \/ QQQ\] line 3/);
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(meta.signals.files).toHaveLength(3);
    expect(meta.signals.reports).toHaveLength(2);
    expect(meta.signals.errors[0]).toMatchObject({ line: 1, column: 1 });
  });

  it('kol score prints scores; train needs a prepared folder', async () => {
    expect(await main(['kol', 'score', 'Huge earnings beat', 'bankruptcy'])).toBe(0);
    const lines = io.stdout.trim().split('\n');
    expect(Number(lines[0].split('\t')[0])).toBeGreaterThan(0);
    expect(Number(lines[1].split('\t')[0])).toBeLessThan(0);
    expect(await main(['kol', 'train', path.join(dir, 'nowhere'), '--out', path.join(dir, 'x')])).toBe(2);
    expect(io.stderr).toMatch(/meta\.json: .*run lab kol prepare first/);
  });
});

describe('lab kol train / evaluate / export (residual IQL)', () => {
  const prep = path.join(dir, 'rl-prep');
  const records = (p: string) => {
    const [head, ...rows] = csv(p);
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  };
  beforeAll(async () => {
    const args = ['--synthetic', 'seed=3', '--prices', 'synthetic:assets=4,days=400', '--out', prep];
    expect(await main(['kol', 'prepare', ...args])).toBe(0);
  });

  it('round trip: train writes learning.csv, checkpoint/ and run.json; evaluate and export read them back', async () => {
    const run = path.join(dir, 'rl-run');
    const code = await main(['kol', 'train', prep, '--out', run, '--steps', '60', '--seed', '1']);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(io.stdout).toMatch(
      /kol train: residual IQL on \d+ train ticker-days \(\d+ transitions\), 60 steps/,
    );
    for (const f of ['learning.csv', 'run.json', 'checkpoint/model.json', 'checkpoint/weights.bin'])
      expect(existsSync(path.join(run, f)), f).toBe(true);
    const rec = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'));
    expect(rec.settings).toEqual({ max_weight: 0.2, hold_decay: 1, fee: 0.0005, residual_scale: 0.2 });
    expect(rec.config).toMatchObject({ fidelityLambda: 0.3, bcWarmStartEpochs: 1, totalSteps: 60 });
    expect(records(path.join(run, 'learning.csv')).length).toBeGreaterThan(0);

    expect(await main(['kol', 'evaluate', run])).toBe(0);
    const m = JSON.parse(readFileSync(path.join(run, 'metrics_test.json'), 'utf8'));
    for (const k of ['total_return', 'sharpe', 'max_drawdown', 'turnover', 'fidelity']) {
      expect(typeof m.baseline[k], k).toBe('number');
      expect(typeof m.trained[k], k).toBe('number');
    }
    expect(m.baseline.fidelity).toBe(0);
    // Multipliers in 1 ± 0.2, then back to the baseline's gross exposure: never flipped, and
    // |trained| ≤ (1.2 / 0.8)·|baseline| (the cap can only shrink it).
    const pos = records(path.join(run, 'positions_test.csv'));
    expect(pos.length).toBeGreaterThan(0);
    for (const r of pos) {
      const [t, b] = [Number(r.trained_weight), Number(r.baseline_weight)];
      expect(t * b).toBeGreaterThanOrEqual(0);
      expect(Math.abs(t)).toBeLessThanOrEqual((1.2 / 0.8) * Math.abs(b) + 1e-9);
    }
    // The baseline of the evaluation is prepare's own test book.
    const prepared = JSON.parse(readFileSync(path.join(prep, 'metrics_test.json'), 'utf8'));
    expect(m.baseline.total_return).toBeCloseTo(prepared.baseline.total_return, 12);

    expect(await main(['kol', 'export', run])).toBe(0);
    const dec = records(path.join(run, 'signal_decisions_test.csv'));
    const base = records(path.join(prep, 'signal_decisions_test.csv'));
    expect(dec.length).toBe(base.length);
    expect(dec.map((d) => d.baseline_action)).toEqual(base.map((d) => d.baseline_action));
    expect(dec.some((d) => d.trained_action !== d.baseline_action)).toBe(true);
  }, 60_000);

  it('with a very tight fidelity λ the trained book is the baseline to 1e-6', async () => {
    const run = path.join(dir, 'rl-tight');
    const args = ['--out', run, '--steps', '600', '--fidelity-lambda', '1e6', '--bc-epochs', '0'];
    expect(await main(['kol', 'train', prep, ...args])).toBe(0);
    expect(await main(['kol', 'evaluate', run])).toBe(0);
    let max = 0;
    for (const r of records(path.join(run, 'positions_test.csv')))
      max = Math.max(max, Math.abs(Number(r.trained_weight) - Number(r.baseline_weight)));
    console.log(`[kol] λ 1e6, 600 steps: max |trained − baseline| weight ${max.toExponential(2)}`);
    expect(max).toBeLessThan(1e-6);
  }, 60_000);

  it('a settings mismatch between buffer, checkpoint and evaluation is an error naming both values', async () => {
    expect(await main(['kol', 'train', prep, '--out', path.join(dir, 'rl-bad'), '--max-weight', '0.1'])).toBe(
      2,
    );
    expect(io.stderr).toMatch(/max_weight is 0\.1 in replay buffer but 0\.2 in .*rl-prep.meta\.json/);
    const run = path.join(dir, 'rl-run');
    expect(await main(['kol', 'evaluate', run, '--hold-decay', '0.5'])).toBe(2);
    expect(io.stderr).toMatch(
      /hold_decay is 1 in checkpoint \(.*config\.json\) but 0\.5 in evaluation \(flags\)/,
    );
    // A folder prepared with other settings than the checkpoint's.
    const other = path.join(dir, 'rl-prep-other');
    const args = ['--synthetic', 'seed=3', '--prices', 'synthetic:assets=4,days=400', '--max-weight', '0.3'];
    expect(await main(['kol', 'prepare', ...args, '--out', other])).toBe(0);
    expect(await main(['kol', 'export', run, '--prepared', other])).toBe(2);
    expect(io.stderr).toMatch(/max_weight is 0\.2 in checkpoint \(.*\) but 0\.3 in evaluation/);
  }, 60_000);
});

const SHARED = path.resolve(import.meta.dirname, '../../../../shared/data/market/ohlcv');
describe.skipIf(!existsSync(path.join(SHARED, 'AAPL.csv')))(
  'lab kol prepare on real prices (../shared/data, skipped when absent)',
  () => {
    it('synthetic informative posts over AAPL, MSFT, JNJ: an edge on test; uninformative: none', async () => {
      const px = ['AAPL', 'MSFT', 'JNJ'].flatMap((t) => ['--prices', path.join(SHARED, `${t}.csv`)]);
      const info = path.join(dir, 'real-info');
      expect(await main(['kol', 'prepare', ...px, '--synthetic', 'seed=1,accuracy=0.6', '--out', info])).toBe(
        0,
      );
      expect(JSON.parse(readFileSync(path.join(info, 'metrics_test.json'), 'utf8')).edge.claimed).toBe(true);
      const noise = path.join(dir, 'real-noise');
      expect(
        await main(['kol', 'prepare', ...px, '--synthetic', 'seed=1,accuracy=0.5', '--out', noise]),
      ).toBe(0);
      expect(JSON.parse(readFileSync(path.join(noise, 'metrics_test.json'), 'utf8')).edge.claimed).toBe(
        false,
      );
    });
  },
);

describe('meta.json of a prepared folder', () => {
  it('reads back its settings, and a mismatching later step is an error naming both values', async () => {
    const { parseKolMeta } = await import('../../core/kol/meta.ts');
    const { checkKolSettings, kolSettings } = await import('../../core/kol/settings.ts');
    const out = path.join(dir, 'meta');
    expect(
      await main(['kol', 'prepare', '--synthetic', 'default', '--max-weight', '0.15', '--out', out]),
    ).toBe(0);
    const metaFile = path.join(out, 'meta.json');
    const meta = parseKolMeta(JSON.parse(readFileSync(metaFile, 'utf8')), metaFile);
    expect(meta.settings).toEqual({ max_weight: 0.15, hold_decay: 1, fee: 0.0005 });
    expect(meta.tickers).toHaveLength(8);
    expect(() =>
      checkKolSettings(
        { name: metaFile, settings: meta.settings },
        { name: 'evaluation', settings: kolSettings({ maxWeight: 0.15, holdDecay: 1, feeRate: 0.0005 }) },
      ),
    ).not.toThrow();
    expect(() =>
      checkKolSettings(
        { name: metaFile, settings: meta.settings },
        { name: 'evaluation', settings: kolSettings({ maxWeight: 0.2, holdDecay: 1, feeRate: 0.0005 }) },
      ),
    ).toThrow(`settings differ: max_weight is 0.15 in ${metaFile} but 0.2 in evaluation`);
    expect(() =>
      parseKolMeta({ kind: 'kol-prepared', version: 1, settings: { max_weight: 2 } }, 'x/meta.json'),
    ).toThrow(/x\/meta\.json: not a prepared kol folder's meta\.json: settings\.max_weight: /);
    expect(() => parseKolMeta({ kind: 'other' }, 'y')).toThrow(
      /y: not a prepared kol folder's meta\.json: kind/,
    );
  });
});
