import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  firstIndexOnOrAfter,
  civilFromDays,
  dayOfWeek,
  daysFromCivil,
  daysFromIso,
  describeFormat,
  isoFromDays,
  nextBusinessDay,
  parseDateColumn,
} from './dates.ts';

const iso = (cells: string[], opts = {}) => {
  const { days, decision } = parseDateColumn(cells, opts);
  return { dates: Array.from(days, (d) => (Number.isNaN(d) ? null : isoFromDays(d))), decision };
};

describe('calendar arithmetic', () => {
  it('matches Date.UTC and round-trips for any day in 1800..2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: daysFromCivil(1800, 1, 1), max: daysFromCivil(2200, 12, 31) }), (d) => {
        const [y, m, day] = civilFromDays(d);
        expect(daysFromCivil(y, m, day)).toBe(d);
        expect(isoFromDays(d)).toBe(new Date(d * 86400000).toISOString().slice(0, 10));
        expect(daysFromIso(isoFromDays(d))).toBe(d);
      }),
    );
  });

  it('knows weekdays and business days', () => {
    expect(dayOfWeek(daysFromIso('2020-11-27'))).toBe(5); // Friday
    expect(isoFromDays(nextBusinessDay(daysFromIso('2020-11-27')))).toBe('2020-11-30');
  });

  it('rejects impossible ISO dates', () => {
    expect(daysFromIso('2021-02-29')).toBeNaN();
    expect(daysFromIso('2020-02-29')).toBe(daysFromCivil(2020, 2, 29));
    expect(daysFromIso('2020-13-01')).toBeNaN();
    expect(daysFromIso('20-01-2001')).toBeNaN();
  });
});

describe('parseDateColumn', () => {
  it('reads every supported shape', () => {
    const cells = [
      '2020-11-27',
      '2020/11/27',
      '20201127',
      '2020-11-27T16:00:00Z',
      '2020-11-27 16:00:00',
      'Nov 27, 2020',
      'November 27, 2020',
      'Friday, Nov 27, 2020',
      '27-Nov-20',
      '27 Nov 2020',
      '2020-Nov-27',
      '1606435200',
      '1606435200000',
    ];
    const { dates } = iso(cells);
    expect(dates).toEqual(cells.map(() => '2020-11-27'));
  });

  it('reads Jan 1 2000 (vega stocks) and 27-Jan-99 with the documented pivot', () => {
    expect(iso(['Jan 1 2000', 'Feb 1 2000']).dates).toEqual(['2000-01-01', '2000-02-01']);
    const r = iso(['26-Feb-21', '27-Jan-99', '01-Jan-49', '01-Jan-50']);
    expect(r.dates).toEqual(['2021-02-26', '1999-01-27', '2049-01-01', '1950-01-01']);
    expect(r.decision.twoDigitYears).toBe(4);
    expect(r.decision.centuryPivot).toBe(50);
    expect(r.decision.notes.join(' ')).toMatch(/pivot 50/);
    expect(iso(['01-Jan-49'], { centuryPivot: 30 }).dates).toEqual(['1949-01-01']);
  });

  it('picks D/M/Y when only that order is valid for the whole file, and says so', () => {
    const r = iso(['05/01/2020', '06/01/2020', '25/01/2020']);
    expect(r.dates).toEqual(['2020-01-05', '2020-01-06', '2020-01-25']);
    expect(r.decision.order).toBe('DMY');
    expect(r.decision.orderReason).toBe('only valid order');
  });

  it('picks M/D/Y when only that order is valid', () => {
    const r = iso(['01/05/2020', '01/25/2020']);
    expect(r.dates).toEqual(['2020-01-05', '2020-01-25']);
    expect(r.decision.order).toBe('MDY');
  });

  it('breaks a tie by the order that keeps the dates running one way', () => {
    // All day and month numbers ≤ 12, so both orders are valid. D/M/Y: Feb 3, Feb 4, Feb 5, Mar 1
    // (ascending); M/D/Y: Mar 2, Apr 2, May 2, Jan 3 (one step backwards).
    const probe = iso(['03/02/2020', '04/02/2020', '05/02/2020', '01/03/2020']);
    expect(probe.decision.order).toBe('DMY');
    expect(probe.decision.orderReason).toBe('consistent direction');
    expect(probe.dates).toEqual(['2020-02-03', '2020-02-04', '2020-02-05', '2020-03-01']);
    expect(probe.decision.notes[0]).toMatch(/day\/month\/year/);
  });

  it('then prefers the order with shorter steps between rows (daily data moves by days, not months)', () => {
    // Newest first; as M/D/Y Jul 1 … Feb 1 (monthly steps), as D/M/Y Jan 7 … Jan 2 (daily steps).
    const r = iso(['07/01/2020', '06/01/2020', '05/01/2020', '04/01/2020', '03/01/2020', '02/01/2020']);
    expect(r.decision.order).toBe('DMY');
    expect(r.decision.orderReason).toBe('shorter steps between rows');
  });

  it('falls back to D/M/Y for dotted dates and M/D/Y otherwise when nothing decides, and reports it', () => {
    const dotted = iso(['01.02.2020']);
    expect(dotted.decision).toMatchObject({ order: 'DMY', orderReason: 'dotted dates' });
    expect(dotted.dates).toEqual(['2020-02-01']);
    const slash = iso(['01/02/2020']);
    expect(slash.decision).toMatchObject({ order: 'MDY', orderReason: 'default (ambiguous)' });
    expect(slash.decision.notes[0]).toMatch(/assumed the US order/);
  });

  it('can be forced', () => {
    expect(iso(['01/02/2020'], { order: 'DMY' }).dates).toEqual(['2020-02-01']);
    expect(iso(['01/02/2020'], { order: 'MDY' }).dates).toEqual(['2020-01-02']);
  });

  it('marks junk as NaN instead of guessing', () => {
    expect(iso(['', 'N/A', 'hello', '2020-02-30', '13/13/2020', '123.45', '32 Jan 2020']).dates).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('describes formats for the report', () => {
    expect(describeFormat('Nov 27, 2020')).toBe('MMM DD, YYYY');
    expect(describeFormat('27-Jan-99')).toBe('DD-MMM-YY');
    expect(describeFormat('Jan 1 2000')).toBe('MMM D YYYY');
    expect(describeFormat('27/01/1999', 'DMY')).toBe('DD/MM/YYYY');
    expect(describeFormat('20201127')).toBe('YYYYMMDD');
    expect(describeFormat('2020-11-27 16:00')).toBe('YYYY-MM-DD (time ignored)');
  });
});

describe('firstIndexOnOrAfter', () => {
  it('finds the first element ≥ x in ascending dates and day numbers', () => {
    const dates = ['2020-01-02', '2020-01-03', '2020-01-06'];
    expect(firstIndexOnOrAfter(dates, '2020-01-01')).toBe(0);
    expect(firstIndexOnOrAfter(dates, '2020-01-03')).toBe(1);
    expect(firstIndexOnOrAfter(dates, '2020-01-04')).toBe(2);
    expect(firstIndexOnOrAfter(dates, '2020-01-07')).toBe(3);
    expect(firstIndexOnOrAfter(Float64Array.of(1, 3, 3, 7), 3)).toBe(1);
    expect(firstIndexOnOrAfter([], 'x')).toBe(0);
  });
});
