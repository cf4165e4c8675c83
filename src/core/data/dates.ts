/**
 * Date handling for the importer: calendar arithmetic on integer day numbers (days since
 * 1970-01-01, proleptic Gregorian, no time zones) and a robust per-file date parser.
 *
 * Accepted cell shapes (any of - / . space , as separators, optional trailing time which is ignored):
 *   ISO and year-first  2020-11-27, 2020/11/27, 20201127, 2020-11-27T16:00:00Z, 2020-Nov-27
 *   numeric day/month   11/27/2020, 27.11.2020, 11/27/20  (M/D/Y vs D/M/Y decided per file, see below)
 *   month names         Nov 27, 2020 · Jan 1 2000 · 27-Jan-99 · 27 January 2020 · Friday, Nov 27, 2020
 *   epoch numbers       1606435200 (seconds, 9–10 digits), 1606435200000 (milliseconds, 12–13 digits), UTC
 *
 * Two-digit years use a century pivot (default 50): 00–49 → 2000–2049, 50–99 → 1950–1999.
 * M/D/Y vs D/M/Y is one decision for the whole file: the order under which every numeric date is
 * valid; when both are (all days ≤ 12), the one whose dates run most consistently in one direction;
 * when still tied, M/D/Y. The parser reports which it picked and why.
 */

export const DEFAULT_CENTURY_PIVOT = 50;

/** Days since 1970-01-01 of y-m-d (m 1..12). Howard Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month 1..12, day] of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** 'YYYY-MM-DD' of a day number. */
export function isoFromDays(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const ys = y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
  return `${ys}-${pad2(m)}-${pad2(d)}`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Dates outside this range are treated as unparseable (they are typos or epoch confusions). */
export const MIN_YEAR = 1800;
export const MAX_YEAR = 2200;

/** Day number of a valid y-m-d inside [MIN_YEAR, MAX_YEAR], else NaN. */
export function daysFromYmd(y: number, m: number, d: number): number {
  if (!(y >= MIN_YEAR && y <= MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return NaN;
  return daysFromCivil(y, m, d);
}

/** Day number of a strict 'YYYY-MM-DD' string, else NaN. */
export function daysFromIso(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  return daysFromYmd(y, m, d);
}

function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function isWeekend(days: number): boolean {
  const w = dayOfWeek(days);
  return w === 0 || w === 6;
}

/** Adds business days (Mon–Fri); a weekend start moves to the next Monday first. */
export function nextBusinessDay(days: number): number {
  let d = days + 1;
  while (isWeekend(d)) d++;
  return d;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  sept: 9,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
// Letter runs that may sit in a date cell without meaning anything for the date itself.
const IGNORED_WORDS = new Set([
  'mon',
  'tue',
  'tues',
  'wed',
  'thu',
  'thur',
  'thurs',
  'fri',
  'sat',
  'sun',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  't',
  'z',
  'am',
  'pm',
  'utc',
  'gmt',
  'est',
  'edt',
  'et',
  'st',
  'nd',
  'rd',
  'th',
]);

/** Shape of one date cell after tokenising. */
export const DateShape = {
  Invalid: 0,
  /** Year first: y m d (numeric or month name in the middle), or compact YYYYMMDD. */
  YearFirst: 1,
  /** Month name first: MMM d y. */
  MonthNameFirst: 2,
  /** Day then month name: d MMM y. */
  DayMonthName: 3,
  /** Three numbers, year last, day/month order unknown: a b y. */
  Ambiguous: 4,
  EpochSeconds: 5,
  EpochMillis: 6,
} as const;
export type DateShape = (typeof DateShape)[keyof typeof DateShape];

/** Tokenised date cell: shape plus up to three numbers (in cell order) and the year's digit count. */
export interface DateTokens {
  shape: DateShape;
  a: number;
  b: number;
  c: number;
  /** Digits of the year token (2 → pivot applies). */
  yearDigits: number;
}

const scratch: DateTokens = { shape: DateShape.Invalid, a: 0, b: 0, c: 0, yearDigits: 0 };

/**
 * Tokenises a date cell into `out` (or a shared scratch object) without allocating per call.
 * Only the first three date components count; anything after them (a time) is ignored.
 */
export function tokenizeDate(s: string, out: DateTokens = scratch): DateTokens {
  out.shape = DateShape.Invalid;
  const n = s.length;
  let count = 0;
  let monthAt = -1;
  let v0 = 0,
    v1 = 0,
    v2 = 0;
  let d0 = 0,
    d1 = 0,
    d2 = 0;
  let i = 0;
  while (i < n && count < 3) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      let v = 0;
      const start = i;
      while (i < n) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
        i++;
      }
      const nd = i - start;
      if (count === 0) {
        v0 = v;
        d0 = nd;
      } else if (count === 1) {
        v1 = v;
        d1 = nd;
      } else {
        v2 = v;
        d2 = nd;
      }
      count++;
    } else if ((ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)) {
      const start = i;
      while (i < n) {
        const c = s.charCodeAt(i) | 32;
        if (c < 97 || c > 122) break;
        i++;
      }
      const word = s.slice(start, i).toLowerCase();
      const month = MONTHS[word];
      if (month !== undefined) {
        if (monthAt >= 0) return out;
        monthAt = count;
        if (count === 0) {
          v0 = month;
          d0 = 0;
        } else if (count === 1) {
          v1 = month;
          d1 = 0;
        } else {
          v2 = month;
          d2 = 0;
        }
        count++;
      } else if (!IGNORED_WORDS.has(word)) {
        return out;
      }
    } else {
      i++;
    }
  }
  if (count === 1 && monthAt < 0) {
    if (d0 === 8) {
      out.shape = DateShape.YearFirst;
      out.a = Math.floor(v0 / 10000);
      out.b = Math.floor(v0 / 100) % 100;
      out.c = v0 % 100;
      out.yearDigits = 4;
    } else if (d0 === 9 || d0 === 10) {
      out.shape = DateShape.EpochSeconds;
      out.a = v0;
    } else if (d0 === 12 || d0 === 13) {
      out.shape = DateShape.EpochMillis;
      out.a = v0;
    }
    return out;
  }
  if (count !== 3) return out;
  out.a = v0;
  out.b = v1;
  out.c = v2;
  if (monthAt === 0) {
    out.shape = DateShape.MonthNameFirst;
    out.yearDigits = d2;
  } else if (monthAt === 1) {
    // 27-Jan-99 is day first; 2020-Jan-27 (or 99-Jan-27 with a first number that cannot be a day) is year first.
    if (d0 === 4 || v0 > 31) {
      out.shape = DateShape.YearFirst;
      out.yearDigits = d0;
    } else {
      out.shape = DateShape.DayMonthName;
      out.yearDigits = d2;
    }
  } else if (monthAt === 2) {
    return out;
  } else if (d0 === 4) {
    out.shape = DateShape.YearFirst;
    out.yearDigits = 4;
  } else if (d2 === 4 || d2 === 2) {
    if (d0 > 2 || d1 > 2) return out;
    out.shape = DateShape.Ambiguous;
    out.yearDigits = d2;
  }
  return out;
}

function expandYear(y: number, yearDigits: number, pivot: number): number {
  if (yearDigits > 2) return y;
  return y < pivot ? 2000 + y : 1900 + y;
}

/** Day number of tokenised parts under a numeric order, else NaN. */
export function daysFromTokens(t: DateTokens, order: 'MDY' | 'DMY', pivot = DEFAULT_CENTURY_PIVOT): number {
  switch (t.shape) {
    case DateShape.YearFirst:
      return daysFromYmd(expandYear(t.a, t.yearDigits, pivot), t.b, t.c);
    case DateShape.MonthNameFirst:
      return daysFromYmd(expandYear(t.c, t.yearDigits, pivot), t.a, t.b);
    case DateShape.DayMonthName:
      return daysFromYmd(expandYear(t.c, t.yearDigits, pivot), t.b, t.a);
    case DateShape.Ambiguous:
      return order === 'MDY'
        ? daysFromYmd(expandYear(t.c, t.yearDigits, pivot), t.a, t.b)
        : daysFromYmd(expandYear(t.c, t.yearDigits, pivot), t.b, t.a);
    case DateShape.EpochSeconds:
      return epochDays(t.a * 1000);
    case DateShape.EpochMillis:
      return epochDays(t.a);
    default:
      return NaN;
  }
}

function epochDays(ms: number): number {
  const d = Math.floor(ms / 86400000);
  const y = civilFromDays(d)[0];
  return y >= MIN_YEAR && y <= MAX_YEAR ? d : NaN;
}

/** What the per-file date parser decided, for the import report. */
export interface DateFormatDecision {
  /** Pattern of the first parsed cell, e.g. 'YYYY-MM-DD', 'MMM DD, YYYY', 'DD-MMM-YY'. */
  format: string;
  /** Day/month order used for all-numeric dates, when the file has any. */
  order: 'MDY' | 'DMY' | null;
  /** How the order was chosen. */
  orderReason:
    | 'only valid order'
    | 'fewer invalid dates'
    | 'consistent direction'
    | 'shorter steps between rows'
    | 'dotted dates'
    | 'default (ambiguous)'
    | 'forced'
    | null;
  /** Cells with a two-digit year, expanded with `centuryPivot`. */
  twoDigitYears: number;
  centuryPivot: number;
  /** Human-readable decisions, one sentence each. */
  notes: string[];
}

export interface ParseDatesOptions {
  centuryPivot?: number;
  /** Force the day/month order of all-numeric dates instead of detecting it. */
  order?: 'MDY' | 'DMY' | 'auto';
}

/**
 * Parses a whole date column with one consistent interpretation (see file comment).
 * Returns day numbers (NaN where a cell is not a date) and the decision.
 */
export function parseDateColumn(
  cells: readonly string[],
  opts: ParseDatesOptions = {},
): { days: Float64Array; decision: DateFormatDecision } {
  const pivot = opts.centuryPivot ?? DEFAULT_CENTURY_PIVOT;
  const n = cells.length;
  const days = new Float64Array(n);
  const shapes = new Uint8Array(n);
  const A = new Float64Array(n); // epoch milliseconds do not fit in 32 bits
  const B = new Int32Array(n);
  const C = new Int32Array(n);
  const Y = new Uint8Array(n);
  const tok: DateTokens = { shape: DateShape.Invalid, a: 0, b: 0, c: 0, yearDigits: 0 };
  let ambiguous = 0;
  let firstDotted = -1;
  let twoDigit = 0;
  let firstValid = -1;
  for (let i = 0; i < n; i++) {
    const s = cells[i];
    const iso = daysFromIso(s);
    if (iso === iso) {
      days[i] = iso;
      shapes[i] = 255; // marker: strict ISO, already parsed
      if (firstValid < 0) firstValid = i;
      continue;
    }
    tokenizeDate(s, tok);
    shapes[i] = tok.shape;
    A[i] = tok.a;
    B[i] = tok.b;
    C[i] = tok.c;
    Y[i] = tok.yearDigits;
    if (tok.shape === DateShape.Ambiguous) {
      ambiguous++;
      if (firstDotted < 0) firstDotted = s.indexOf('.') >= 0 ? 1 : 0;
    }
    if (tok.shape !== DateShape.Invalid && tok.shape < DateShape.EpochSeconds && tok.yearDigits === 2)
      twoDigit++;
  }

  let order: 'MDY' | 'DMY' | null = null;
  let orderReason: DateFormatDecision['orderReason'] = null;
  const notes: string[] = [];
  if (ambiguous > 0) {
    if (opts.order === 'MDY' || opts.order === 'DMY') {
      order = opts.order;
      orderReason = 'forced';
    } else {
      const mdy = new Float64Array(ambiguous);
      const dmy = new Float64Array(ambiguous);
      let k = 0;
      let mdyBad = 0;
      let dmyBad = 0;
      for (let i = 0; i < n; i++) {
        if (shapes[i] !== DateShape.Ambiguous) continue;
        const y = expandYear(C[i], Y[i], pivot);
        mdy[k] = daysFromYmd(y, A[i], B[i]);
        dmy[k] = daysFromYmd(y, B[i], A[i]);
        if (mdy[k] !== mdy[k]) mdyBad++;
        if (dmy[k] !== dmy[k]) dmyBad++;
        k++;
      }
      const dotted = firstDotted === 1;
      if (mdyBad === 0 && dmyBad > 0) {
        order = 'MDY';
        orderReason = 'only valid order';
      } else if (dmyBad === 0 && mdyBad > 0) {
        order = 'DMY';
        orderReason = 'only valid order';
      } else if (mdyBad !== dmyBad) {
        order = mdyBad < dmyBad ? 'MDY' : 'DMY';
        orderReason = 'fewer invalid dates';
      } else {
        const im = directionBreaks(mdy);
        const id = directionBreaks(dmy);
        const vm = totalVariation(mdy);
        const vd = totalVariation(dmy);
        if (im !== id) {
          order = im < id ? 'MDY' : 'DMY';
          orderReason = 'consistent direction';
        } else if (vm !== vd) {
          order = vm < vd ? 'MDY' : 'DMY';
          orderReason = 'shorter steps between rows';
        } else if (dotted) {
          order = 'DMY';
          orderReason = 'dotted dates';
        } else {
          order = 'MDY';
          orderReason = 'default (ambiguous)';
        }
      }
      const word = order === 'MDY' ? 'month/day/year' : 'day/month/year';
      const why =
        orderReason === 'only valid order'
          ? `the other order gives ${order === 'MDY' ? dmyBad : mdyBad} impossible dates`
          : orderReason === 'fewer invalid dates'
            ? `it leaves fewer invalid dates (${Math.min(mdyBad, dmyBad)} vs ${Math.max(mdyBad, dmyBad)})`
            : orderReason === 'consistent direction'
              ? 'both orders are valid, and this one keeps the rows in a consistent date order'
              : orderReason === 'shorter steps between rows'
                ? 'both orders are valid and monotonic; this one gives shorter steps between consecutive rows'
                : orderReason === 'dotted dates'
                  ? 'both orders are equally plausible; dotted dates (31.12.2020) are day-first by convention'
                  : 'both orders are valid and equally plausible; assumed the US order';
      notes.push(`numeric dates read as ${word}: ${why}`);
    }
  }
  const useOrder = order ?? 'MDY';
  for (let i = 0; i < n; i++) {
    const sh = shapes[i];
    if (sh === 255) continue;
    if (sh === DateShape.Invalid) {
      days[i] = NaN;
      continue;
    }
    tok.shape = sh as DateShape;
    tok.a = A[i];
    tok.b = B[i];
    tok.c = C[i];
    tok.yearDigits = Y[i];
    days[i] = daysFromTokens(tok, useOrder, pivot);
    if (firstValid < 0 && days[i] === days[i]) firstValid = i;
  }
  if (twoDigit > 0) {
    notes.push(
      `${twoDigit} dates have two-digit years: century pivot ${pivot} (00–${pad2(pivot - 1)} → 20xx, ${pad2(pivot)}–99 → 19xx)`,
    );
  }
  const format = firstValid >= 0 ? describeFormat(cells[firstValid], useOrder) : 'unknown';
  return {
    days,
    decision: { format, order, orderReason, twoDigitYears: twoDigit, centuryPivot: pivot, notes },
  };
}

/** Sum of |steps| between consecutive valid dates: daily data read in the right order moves in small steps. */
function totalVariation(d: Float64Array): number {
  let sum = 0;
  let prev = NaN;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v) continue;
    if (prev === prev) sum += Math.abs(v - prev);
    prev = v;
  }
  return sum;
}

/** Adjacent steps that go against the majority direction (how "unsorted" a date sequence looks). */
function directionBreaks(d: Float64Array): number {
  let up = 0;
  let down = 0;
  let prev = NaN;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v) continue;
    if (prev === prev) {
      if (v > prev) up++;
      else if (v < prev) down++;
    }
    prev = v;
  }
  return Math.min(up, down);
}

/** Describes a date cell as a pattern (YYYY, MM, DD, MMM…), dropping any time part. */
export function describeFormat(cell: string, order: 'MDY' | 'DMY' = 'MDY'): string {
  const t = tokenizeDate(cell, { shape: DateShape.Invalid, a: 0, b: 0, c: 0, yearDigits: 0 });
  if (t.shape === DateShape.EpochSeconds) return 'epoch seconds';
  if (t.shape === DateShape.EpochMillis) return 'epoch milliseconds';
  if (t.shape === DateShape.Invalid) return 'unknown';
  if (t.shape === DateShape.YearFirst && /^\d{8}/.test(cell.trim())) return 'YYYYMMDD';
  const roles: ('Y' | 'M' | 'D')[] =
    t.shape === DateShape.YearFirst
      ? ['Y', 'M', 'D']
      : t.shape === DateShape.MonthNameFirst
        ? ['M', 'D', 'Y']
        : t.shape === DateShape.DayMonthName
          ? ['D', 'M', 'Y']
          : order === 'MDY'
            ? ['M', 'D', 'Y']
            : ['D', 'M', 'Y'];
  let out = '';
  let k = 0;
  let i = 0;
  const s = cell.trim();
  while (i < s.length && k < 3) {
    const ch = s[i];
    if (/[0-9]/.test(ch)) {
      let j = i;
      while (j < s.length && /[0-9]/.test(s[j])) j++;
      const len = j - i;
      const r = roles[k++];
      out +=
        r === 'Y'
          ? len === 2
            ? 'YY'
            : 'YYYY'
          : r === 'M'
            ? len === 2
              ? 'MM'
              : 'M'
            : len === 2
              ? 'DD'
              : 'D';
      i = j;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < s.length && /[A-Za-z]/.test(s[j])) j++;
      const word = s.slice(i, j).toLowerCase();
      if (MONTHS[word] !== undefined) {
        out += word.length > 3 ? 'MMMM' : 'MMM';
        k++;
      } else {
        out += s.slice(i, j);
      }
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  if (i < s.length && s.slice(i).trim() !== '') out += ' (time ignored)';
  return out;
}

/**
 * Index of the first element ≥ `x` in an ascending array (ISO date strings or day numbers), or
 * `sorted.length` when every element is smaller: binary search, O(log n).
 */
export function firstIndexOnOrAfter<T extends string | number>(sorted: ArrayLike<T>, x: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
