/** Signals import: header synonyms, cells, the report's line numbers, errors with file/line/column, time rules. */
import { describe, expect, it } from 'vitest';
import { daysFromIso, isoFromDays } from '../data/dates.ts';
import { formatSignalReport } from './issues.ts';
import { scoreText } from './scorer.ts';
import { importSignals, parseSentimentCell, splitTickers } from './signals.ts';
import { easternOffsetMinutes, effectiveDay, parsePostTimes, rollToTradingDay } from './time.ts';

const ok = (text: string, fileName = 'posts.csv') => {
  const r = importSignals(text, { fileName });
  if (!r.ok) throw new Error(`expected ok, got ${r.error.message}`);
  return r;
};
const fail = (text: string, fileName = 'posts.csv') => {
  const r = importSignals(text, { fileName });
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

describe('importSignals', () => {
  it('finds columns by header in any order and case, with synonyms', () => {
    const r = ok(
      'Conf,POLARITY,Symbol,Published_At,Video ID,Channel,Link,Extra\n' +
        '0.5,0.8,aapl,2021-03-04,v1,Everything Money,https://x/1,zzz\n' +
        '0.9,-0.4,$MSFT,2021-03-05,v2,Everything Money,https://x/2,zzz\n',
    );
    expect(r.report.columns.map((c) => c.use)).toEqual([
      'confidence',
      'sentiment',
      'ticker',
      'date',
      'post id',
      'author',
      'url',
      'ignored',
    ]);
    expect(r.posts).toHaveLength(2);
    const [a, m] = r.posts;
    expect(a).toMatchObject({
      ticker: 'AAPL',
      sentiment: 0.8,
      confidence: 0.5,
      postId: 'v1',
      author: 'Everything Money',
      url: 'https://x/1',
      line: 2,
      sentimentSource: 'file',
    });
    expect(isoFromDays(a.day)).toBe('2021-03-04');
    expect(a.minute).toBeNull();
    expect(m.ticker).toBe('MSFT');
    expect(r.report.rowsDropped).toBe(0);
    expect(r.report.dateOnly).toBe(2);
  });

  it('scores text without a sentiment (confidence = |score| unless given) and joins several text columns', () => {
    const r = ok(
      'date,ticker,title,content,confidence\n' +
        '2021-03-04,AAPL,Record quarter,Strong growth and a huge earnings beat,\n' +
        '2021-03-04,TSLA,Bankruptcy fears,,0.3\n' +
        '2021-03-05,NVDA,hmm,,\n',
    );
    const [aapl, tsla, nvda] = r.posts;
    expect(aapl.sentimentSource).toBe('text');
    expect(aapl.text).toBe('Record quarter. Strong growth and a huge earnings beat');
    expect(aapl.sentiment).toBeGreaterThan(0.5);
    expect(aapl.confidence).toBeCloseTo(Math.abs(aapl.sentiment), 12);
    expect(tsla.sentiment).toBeLessThan(0);
    expect(tsla.confidence).toBe(0.3);
    expect(nvda.sentiment).toBe(0);
    expect(r.report.scoredFromText).toBe(3);
    const noWord = r.report.issues.find((i) => i.code === 'no-lexicon-word')!;
    expect(noWord).toMatchObject({ severity: 'suspicious', count: 1, lines: [4] });
    expect(r.report.notes.join(' ')).toMatch(/'title' \+ 'content', joined/);
  });

  it('scores with VADER when asked, and says so in the report', () => {
    const r = importSignals('date,ticker,text\n2021-03-04,AAPL,This is a great company\n', {
      fileName: 'v.csv',
      scorer: 'vader',
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.report.scorer).toBe('vader');
    expect(r.posts[0].sentiment).toBe(scoreText('This is a great company', 'vader').score);
    expect(r.posts[0].sentiment).not.toBe(scoreText('This is a great company', 'afinn-fin').score);
  });

  it('reads labels and percent, gives confidence 1 to a sentiment without one, and splits several tickers', () => {
    const r = ok('date,ticker,sentiment\n2021-03-04,"AAPL, $msft",bullish\n2021-03-04,TSLA,-50%\n');
    expect(r.posts.map((p) => [p.ticker, p.sentiment, p.confidence])).toEqual([
      ['AAPL', 1, 1],
      ['MSFT', 1, 1],
      ['TSLA', -0.5, 1],
    ]);
    expect(r.report.issues.find((i) => i.code === 'several-tickers')).toMatchObject({ count: 1, lines: [2] });
    expect(r.report.notes.join(' ')).toMatch(/no confidence column/);
  });

  it('drops bad rows with their line and column and keeps the rest; line numbers count breaks inside quotes', () => {
    const text =
      'date,ticker,sentiment,confidence,text\n' + // 1
      '2021-03-04,AAPL,0.5,0.5,"two\nlines"\n' + // 2-3
      'not a date,AAPL,0.5,0.5,x\n' + // 4
      '2021-03-04,,0.5,0.5,x\n' + // 5
      '2021-03-04,AAPL,1.5,0.5,x\n' + // 6
      '2021-03-04,AAPL,great,0.5,x\n' + // 7
      '2021-03-04,AAPL,0.5,2,x\n' + // 8
      '2021-03-04,AAPL,,,\n' + // 9
      '\n' + // 10
      '2021-03-05,MSFT,-0.2,,\n'; // 11
    const r = ok(text);
    expect(r.posts.map((p) => p.line)).toEqual([2, 11]);
    const by = Object.fromEntries(r.report.issues.map((i) => [i.code, i]));
    expect(by['bad-date']).toMatchObject({ severity: 'dropped', lines: [4], column: 'date' });
    expect(by['missing-ticker']).toMatchObject({ lines: [5], column: 'ticker' });
    expect(by['sentiment-out-of-range']).toMatchObject({ lines: [6], column: 'sentiment' });
    expect(by['invalid-sentiment']).toMatchObject({ lines: [7] });
    expect(by['confidence-out-of-range']).toMatchObject({ lines: [8], column: 'confidence' });
    expect(by['no-sentiment']).toMatchObject({ lines: [9] });
    expect(by['default-confidence']).toMatchObject({ severity: 'repaired', lines: [11] });
    expect(r.report.rowsRead).toBe(8);
    expect(r.report.rowsDropped).toBe(6);
    expect(r.report.rowsRead).toBe(r.report.postsKept + r.report.rowsDropped);
    expect(formatSignalReport(r)).toMatch(
      /dropped: 1 row with a sentiment outside −1\.\.1 \[sentiment\] line 6/,
    );
  });

  it('keeps the last of duplicate post ids per ticker, and counts it', () => {
    const r = ok(
      'date,ticker,sentiment,id\n2021-03-04,AAPL,0.5,p1\n2021-03-04,AAPL,-0.5,p1\n2021-03-04,MSFT,0.5,p1\n',
    );
    expect(r.posts.map((p) => [p.ticker, p.sentiment])).toEqual([
      ['AAPL', -0.5],
      ['MSFT', 0.5],
    ]);
    expect(r.report.issues.find((i) => i.code === 'duplicate-post')).toMatchObject({ count: 1, lines: [2] });
  });

  it.each([
    ['', /posts\.csv:1:1 the file is empty/],
    ['a\u0000b', /binary/],
    [
      'when,ticker,sentiment\n2021-01-04,A,1\n',
      /posts\.csv:1:1 no date column: expected one of date, published_at/,
    ],
    ['date,who,sentiment\n2021-01-04,A,1\n', /posts\.csv:1:1 no ticker column/],
    ['date,ticker,author\n2021-01-04,A,x\n', /posts\.csv:1:1 no sentiment or text column/],
    ['date,ticker,sentiment\n', /posts\.csv:2:1 no data rows after the header/],
    [
      'date,ticker,sentiment\n2021-01-04,A,x\n2021-01-05,A,y\n',
      /posts\.csv:2:3 no usable rows: all 2 data rows were dropped \(e\.g\. 2 with a sentiment that is not a number/,
    ],
  ])('unusable file → one error with file, line and column (%#)', (text, message) => {
    const e = fail(text);
    expect(`${e.file}:${e.line}:${e.column} ${e.message}`).toMatch(message);
  });

  it('reads a semicolon file with a BOM and CRLF', () => {
    const r = ok('\uFEFFDatum;Ticker;Score\r\n2021-03-04;AAPL;0,5\r\n2021-03-05;AAPL;0.25\r\n');
    expect(r.report).toMatchObject({ bom: true, newline: 'CRLF', delimiter: ';' });
    // A decimal comma is not a number here: counted, not guessed.
    expect(r.posts.map((p) => p.sentiment)).toEqual([0.25]);
    expect(r.report.issues[0]).toMatchObject({ code: 'invalid-sentiment', lines: [2] });
  });
});

describe('cells', () => {
  it('parses labels and numbers', () => {
    expect(['Bullish', 'bearish', 'neutral', '0.3', '-1', '25%', 'x', ''].map(parseSentimentCell)).toEqual([
      1,
      -1,
      0,
      0.3,
      -1,
      0.25,
      NaN,
      NaN,
    ]);
  });
  it('splits ticker lists', () => {
    expect(splitTickers(' $aapl, MSFT;brk.b | aapl ')).toEqual(['AAPL', 'MSFT', 'BRK.B']);
  });
});

describe('publication times', () => {
  it('US/Eastern offsets follow the DST rules of 2007+ and before', () => {
    const at = (iso: string, h: number) => easternOffsetMinutes(daysFromIso(iso) * 1440 + h * 60);
    expect(at('2021-03-14', 6)).toBe(-300); // before 02:00 EST on the second Sunday of March
    expect(at('2021-03-14', 8)).toBe(-240);
    expect(at('2021-11-07', 5)).toBe(-240);
    expect(at('2021-11-07', 7)).toBe(-300);
    expect(at('2006-04-02', 8)).toBe(-240); // first Sunday of April
    expect(at('2006-03-20', 12)).toBe(-300);
    expect(at('2006-10-29', 7)).toBe(-300); // last Sunday of October
  });

  it('reads local times, zones and epochs into exchange time', () => {
    const { times } = parsePostTimes([
      '2021-03-04',
      '2021-03-04 16:30',
      'Mar 4, 2021 4:30 PM',
      '2021-03-04T21:30:00Z', // 16:30 EST
      '2021-07-04T21:30:00Z', // 17:30 EDT
      '2021-03-05T05:00:00+08:00', // 2021-03-04 21:00 UTC = 16:00 EST
      '1614893400', // 2021-03-04T21:30:00Z
      '1614893400000',
    ]);
    const show = times.map(
      (t) =>
        `${isoFromDays(t.day)} ${t.minute === null ? '-' : `${Math.floor(t.minute / 60)}:${String(t.minute % 60).padStart(2, '0')}`}`,
    );
    expect(show).toEqual([
      '2021-03-04 -',
      '2021-03-04 16:30',
      '2021-03-04 16:30',
      '2021-03-04 16:30',
      '2021-07-04 17:30',
      '2021-03-04 16:00',
      '2021-03-04 16:30',
      '2021-03-04 16:30',
    ]);
  });

  it('after the close counts for the next day; date-only counts on its day unless told otherwise', () => {
    const d = daysFromIso('2021-03-04');
    expect(effectiveDay({ day: d, minute: 15 * 60 + 59 })).toBe(d);
    expect(effectiveDay({ day: d, minute: 16 * 60 })).toBe(d + 1);
    expect(effectiveDay({ day: d, minute: null })).toBe(d);
    expect(effectiveDay({ day: d, minute: null }, 960, 'after-close')).toBe(d + 1);
  });

  it('rolls weekends and holidays forward to the next trading day, within a limit', () => {
    const cal = Float64Array.from(['2021-03-04', '2021-03-05', '2021-03-08', '2021-03-30'].map(daysFromIso));
    expect(rollToTradingDay(cal, daysFromIso('2021-03-06'), 7)).toBe(2); // Saturday → Monday
    expect(rollToTradingDay(cal, daysFromIso('2021-03-04'), 7)).toBe(0);
    expect(rollToTradingDay(cal, daysFromIso('2021-03-09'), 7)).toBe(-1); // 21 days to the next price
    expect(rollToTradingDay(cal, daysFromIso('2021-03-31'), 7)).toBe(-1);
  });
});
