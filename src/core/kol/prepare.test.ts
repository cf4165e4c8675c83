/** Joining posts to prices (after-close, weekends, unknown tickers, the last day), ticker-day averages, rewards and splits. */
import { describe, expect, it } from 'vitest';
import type { Panel } from '../data/types.ts';
import { evaluateBaseline } from './evaluate.ts';
import { parseKolSplit, prepareKol } from './prepare.ts';
import { importSignals } from './signals.ts';
import type { KolPost } from './types.ts';

// Thu 2021-03-04, Fri 03-05, Mon 03-08, Tue 03-09. A: 10, 11, 12.1, 12.1; B: 20, 19, 19, 20.
const panel: Panel = {
  dates: ['2021-03-04', '2021-03-05', '2021-03-08', '2021-03-09'],
  assets: ['A', 'B'],
  close: Float64Array.from([10, 20, 11, 19, 12.1, 19, 12.1, 20]),
  open: new Float64Array(8),
  high: new Float64Array(8),
  low: new Float64Array(8),
  volume: new Float64Array(8),
};

function posts(text: string): KolPost[] {
  const r = importSignals(text, { fileName: 'p.csv' });
  if (!r.ok) throw new Error(r.error.message);
  return r.posts;
}

const TEXT =
  'date,ticker,sentiment,confidence,id\n' + // 1
  '2021-03-04 10:00,A,0.5,0.8,p1\n' + // 2: Thursday in session → Thu
  '2021-03-04 17:00,A,-0.5,0.4,p2\n' + // 3: after the close → Fri
  '2021-03-06 12:00,A,1,1,p3\n' + // 4: Saturday → Mon
  '2021-03-05,B,0.2,0.5,p4\n' + // 5: date only → Fri
  '2021-03-05 09:00,b,0.6,0.1,p5\n' + // 6: → Fri, averaged with p4
  '2021-03-05 10:00,ZZ,0.6,0.1,p6\n' + // 7: unknown ticker
  '2021-03-09 10:00,A,0.6,0.1,p7\n' + // 8: last price date: no next close
  '2021-02-01 10:00,A,0.6,0.1,p8\n'; // 9: no trading day within 7 days

describe('prepareKol', () => {
  const prep = prepareKol(panel, posts(TEXT), { split: { kind: 'fractions', train: 0.6, valid: 0.2 } });

  it('joins posts to trading days: in session same day, after the close next day, weekends forward', () => {
    expect(prep.posts.map((p) => [p.postId, p.date])).toEqual([
      ['p1', '2021-03-04'],
      ['p2', '2021-03-05'],
      ['p4', '2021-03-05'],
      ['p5', '2021-03-05'],
      ['p3', '2021-03-08'],
    ]);
    const by = Object.fromEntries(prep.issues.map((i) => [i.code, i]));
    expect(by['unknown-ticker']).toMatchObject({ severity: 'dropped', ticker: 'ZZ', lines: [7] });
    expect(by['no-next-day']).toMatchObject({ severity: 'dropped', lines: [8] });
    expect(by['no-trading-day']).toMatchObject({ severity: 'dropped', lines: [9] });
    expect(by['after-close']).toMatchObject({ severity: 'info', lines: [3] });
    expect(by['rolled-forward']).toMatchObject({ severity: 'info', lines: [4] });
    expect(prep.counts).toEqual({
      postsIn: 8,
      postsJoined: 5,
      postsDropped: 3,
      tickerDays: 4,
      signalDays: 3,
    });
    expect(prep.tickers).toEqual(['A', 'B']);
  });

  it('averages several posts on one ticker-day; score = tanh(2·s·c); reward_1d = sign(s) × next-day return', () => {
    const td = prep.tickerDays.map((t) => ({
      date: t.date,
      ticker: t.ticker,
      n: t.posts,
      s: t.sentiment,
      c: t.confidence,
      score: t.score,
      r: t.nextReturn,
      reward: t.reward,
      ids: t.postIds,
    }));
    expect(td[0]).toMatchObject({ date: '2021-03-04', ticker: 'A', n: 1, s: 0.5, c: 0.8, ids: ['p1'] });
    expect(td[0].score).toBeCloseTo(Math.tanh(0.8), 15);
    expect(td[0].r).toBeCloseTo(0.1, 15);
    expect(td[0].reward).toBeCloseTo(0.1, 15);
    expect(td[1]).toMatchObject({ date: '2021-03-05', ticker: 'A', n: 1, s: -0.5 });
    expect(td[1].reward).toBeCloseTo(-0.1, 12); // short A into a +10% day
    expect(td[2]).toMatchObject({ date: '2021-03-05', ticker: 'B', n: 2, ids: ['p4', 'p5'] });
    expect(td[2].s).toBeCloseTo(0.4, 15);
    expect(td[2].c).toBeCloseTo(0.3, 15);
    expect(td[2].score).toBeCloseTo(Math.tanh(2 * 0.4 * 0.3), 15);
    expect(td[2].r).toBe(0);
    expect(td[3]).toMatchObject({ date: '2021-03-08', ticker: 'A', r: 0 });
  });

  it('splits by fractions of the signal days, or by end dates', () => {
    expect(prep.splits.map((s) => [s.name, s.start, s.end])).toEqual([
      ['train', '2021-03-04', '2021-03-05'],
      ['valid', '2021-03-08', '2021-03-08'],
      ['test', '', ''],
    ]);
    expect(prep.tickerDays.map((t) => t.split)).toEqual(['train', 'train', 'train', 'valid']);
    expect(evaluateBaseline(panel, prep, 'test')).toBeNull();
    const byDate = prepareKol(panel, posts(TEXT), { split: parseKolSplit('2021-03-04,2021-03-05') });
    expect(byDate.tickerDays.map((t) => t.split)).toEqual(['train', 'valid', 'valid', 'test']);
  });

  it('the late-post rule and the roll limit are settings', () => {
    const after = prepareKol(panel, posts('date,ticker,sentiment\n2021-03-04,A,1\n'), {
      dateOnly: 'after-close',
    });
    expect(after.posts[0].date).toBe('2021-03-05');
    const noon = prepareKol(panel, posts('date,ticker,sentiment\n2021-03-04 12:30,A,1\n'), {
      closeMinute: 12 * 60,
    });
    expect(noon.posts[0].date).toBe('2021-03-05');
    expect(() =>
      prepareKol(panel, posts('date,ticker,sentiment\n2021-03-06,A,1\n'), { maxRollDays: 1 }),
    ).toThrow(/no post joins the prices \(2 assets 2021-03-04\.\.2021-03-09\): 1 with no trading day/);
  });

  it('baseline on the valid split: the decision export carries positions and equity', () => {
    const ev = evaluateBaseline(
      panel,
      prepareKol(panel, posts(TEXT), { split: parseKolSplit('0.34,0.01') }),
      'train',
    )!;
    // Train = Thu only (1 of 3 signal days): A score tanh(0.8) = 0.664 → capped 0.2.
    expect(ev.days).toBe(1);
    expect(ev.decisions).toHaveLength(1);
    expect(ev.decisions[0]).toMatchObject({
      date: '2021-03-04',
      ticker: 'A',
      post_id: 'p1',
      baseline_action: 0.2,
      trained_action: 0.2,
      position_before: 0,
      position_after: 0.2,
      equity_baseline: 1,
    });
    expect(ev.baseline.fidelity).toBe(0);
    expect(ev.run.equity[1]).toBeCloseTo(1 + 0.2 * 0.1 - 0.0005 * 0.2, 15);
  });

  it('a zoned timestamp is converted to exchange time before the close rule', () => {
    // 2021-03-05T02:00:00Z = Thu 21:00 EST (after the close) → Fri; 2021-03-04T20:59:00Z = Thu 15:59 EST → Thu.
    const p = prepareKol(
      panel,
      posts('date,ticker,sentiment\n2021-03-05T02:00:00Z,A,1\n2021-03-04T20:59:00Z,B,1\n'),
    );
    expect(p.posts.map((x) => [x.ticker, x.date])).toEqual([
      ['B', '2021-03-04'],
      ['A', '2021-03-05'],
    ]);
  });

  it("gives the ticker-days as date × asset arrays (the ensemble's news shape)", async () => {
    const { sentimentGrid } = await import('./prepare.ts');
    const g = sentimentGrid(prep, 4, 2, 'file:p.csv');
    const show = (a: Float64Array) =>
      Array.from(a, (v) => (Number.isNaN(v) ? null : Math.round(v * 1e9) / 1e9));
    expect(show(g.sentiment)).toEqual([0.5, null, -0.5, 0.4, 1, null, null, null]);
    expect(show(g.confidence)).toEqual([0.8, null, 0.4, 0.3, 1, null, null, null]);
    expect(show(g.macro)).toEqual([null, null, null, null]);
    expect(g.source).toBe('file:p.csv');
    expect(() => sentimentGrid(prep, 2, 2, 'x')).toThrow(/outside 2 dates × 2 assets/);
  });

  it('parses split specs and refuses bad ones', () => {
    expect(parseKolSplit('0.7,0.15')).toEqual({ kind: 'fractions', train: 0.7, valid: 0.15 });
    expect(() => parseKolSplit('0.7')).toThrow(/two values/);
    expect(() =>
      prepareKol(panel, posts(TEXT), { split: { kind: 'fractions', train: 0.9, valid: 0.2 } }),
    ).toThrow(/train \+ valid < 1/);
    expect(() => prepareKol(panel, posts(TEXT), { maxWeight: 0 })).toThrow(
      /max_weight must be in \(0, 1\], got 0/,
    );
  });
});

describe('defaultMaxRollDays', () => {
  it('is 7 on daily calendars and the longest gap on monthly ones', async () => {
    const { defaultMaxRollDays } = await import('./prepare.ts');
    const { daysFromIso } = await import('../data/dates.ts');
    const days = (xs: string[]) => Float64Array.from(xs, daysFromIso);
    expect(defaultMaxRollDays(days(['2021-03-04', '2021-03-05', '2021-03-08', '2021-03-09']))).toBe(7);
    expect(defaultMaxRollDays(days(['2021-01-01', '2021-02-01', '2021-03-01', '2021-04-01']))).toBe(31);
    expect(defaultMaxRollDays(days(['2021-01-01']))).toBe(7);
  });
});
