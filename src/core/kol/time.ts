/**
 * When a post was published, in exchange time (US/Eastern, the NYSE/Nasdaq clock), and which
 * trading day it counts for.
 *
 * A post cell may hold a date only (`2021-03-04`, `Mar 4, 2021`, `04/03/2021`…: any format the
 * price importer reads, one M/D/Y-vs-D/M/Y decision per file), a date with a time of day
 * (`2021-03-04 16:30`, `Mar 4, 2021 4:30 PM`), an ISO instant with a zone (`2021-03-04T21:30:00Z`,
 * `…+08:00`) or an epoch number (seconds 9–10 digits, milliseconds 12–13 digits, UTC).
 *
 * Rules:
 *   - a time without a zone is exchange time (as a KOL export in US/Eastern would write it);
 *   - an instant with a zone (Z, UTC, GMT, ±hh:mm) or an epoch number is converted to US/Eastern
 *     with the US daylight-saving rules (2007 on: second Sunday of March to first Sunday of
 *     November; before 2007: first Sunday of April to last Sunday of October), 02:00 local;
 *   - a post at or after the close (16:00 by default) counts for the next trading day; a post
 *     dated a weekend or holiday rolls forward to the next trading day of the price calendar;
 *   - a date without a time counts on its own date (as if published before that day's close) —
 *     the report counts such posts; `dateOnly: 'after-close'` moves them to the next trading day.
 */
import { daysFromCivil, firstIndexOnOrAfter, parseDateColumn } from '../data/dates.ts';

/** 16:00, the NYSE close, in minutes after midnight. */
export const DEFAULT_CLOSE_MINUTE = 16 * 60;

export interface PostTime {
  /** Exchange-local calendar day (days since 1970-01-01), NaN when unreadable. */
  day: number;
  /** Minutes after local midnight, null when the cell had no time of day. */
  minute: number | null;
  /** The cell carried a zone or was an epoch number (converted from UTC). */
  converted: boolean;
}

function nthSundayOfMonth(y: number, m: number, n: number): number {
  const first = daysFromCivil(y, m, 1);
  const dow = (((first + 4) % 7) + 7) % 7; // 0 = Sunday
  return first + ((7 - dow) % 7) + 7 * (n - 1);
}

function lastSundayOfMonth(y: number, m: number): number {
  const next = m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1);
  const last = next - 1;
  const dow = (((last + 4) % 7) + 7) % 7;
  return last - dow;
}

/** Offset of US/Eastern from UTC, in minutes (−240 in daylight-saving time, −300 otherwise), at a UTC instant in minutes. */
export function easternOffsetMinutes(utcMinutes: number): number {
  const utcDay = Math.floor(utcMinutes / 1440);
  // The year of the instant (close enough: DST never switches around New Year).
  const y = new Date(utcDay * 86400000).getUTCFullYear();
  let start: number;
  let end: number;
  if (y >= 2007) {
    start = nthSundayOfMonth(y, 3, 2);
    end = nthSundayOfMonth(y, 11, 1);
  } else {
    start = nthSundayOfMonth(y, 4, 1);
    end = lastSundayOfMonth(y, 10);
  }
  // 02:00 EST = 07:00 UTC starts DST; 02:00 EDT = 06:00 UTC ends it.
  const startUtc = start * 1440 + 7 * 60;
  const endUtc = end * 1440 + 6 * 60;
  return utcMinutes >= startUtc && utcMinutes < endUtc ? -240 : -300;
}

const EPOCH = /^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$/;
const TIME = /(?:^|[\sT])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?/;
const ZONE = /(?:\d)\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})\s*$/i;

function zoneOffset(z: string): number {
  const u = z.toUpperCase();
  if (u === 'Z' || u === 'UTC' || u === 'GMT') return 0;
  const sign = u[0] === '-' ? -1 : 1;
  const digits = u.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function fromUtc(utcMinutes: number): PostTime {
  const local = utcMinutes + easternOffsetMinutes(utcMinutes);
  const day = Math.floor(local / 1440);
  return { day, minute: local - day * 1440, converted: true };
}

/**
 * Parses a column of publication cells (one date-format decision for the column, as the price
 * importer makes). Returns one PostTime per cell and the importer's notes on the date format.
 */
export function parsePostTimes(cells: readonly string[]): { times: PostTime[]; notes: string[] } {
  const { days, decision } = parseDateColumn(cells.map((c) => c.trim()));
  const times: PostTime[] = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i].trim();
    const epoch = EPOCH.exec(cell);
    if (epoch) {
      const v = Number(epoch[1]);
      const ms = epoch[1].length >= 12 ? v : v * 1000;
      times[i] = fromUtc(Math.floor(ms / 60000));
      continue;
    }
    const day = days[i];
    const t = TIME.exec(cell);
    if (day !== day || !t) {
      times[i] = { day, minute: null, converted: false };
      continue;
    }
    let h = Number(t[1]);
    const m = Number(t[2]);
    const ampm = t[4]?.toLowerCase().replace(/\./g, '');
    if (ampm === 'pm' && h < 12) h += 12;
    if (ampm === 'am' && h === 12) h = 0;
    if (h > 23 || m > 59) {
      times[i] = { day: NaN, minute: null, converted: false };
      continue;
    }
    const minute = h * 60 + m;
    const zone = ZONE.exec(cell);
    if (zone) times[i] = fromUtc(day * 1440 + minute - zoneOffset(zone[1]));
    else times[i] = { day, minute, converted: false };
  }
  return { times, notes: decision.notes };
}

/** The calendar day a post counts for before rolling to a trading day: its day, or the next one when published at or after the close. */
export function effectiveDay(
  t: Pick<PostTime, 'day' | 'minute'>,
  closeMinute = DEFAULT_CLOSE_MINUTE,
  dateOnly: 'before-close' | 'after-close' = 'before-close',
): number {
  if (t.minute === null) return dateOnly === 'after-close' ? t.day + 1 : t.day;
  return t.minute >= closeMinute ? t.day + 1 : t.day;
}

/**
 * Index of the first trading day ≥ `day` in ascending `tradingDays`, or −1 when there is none
 * within `maxRollDays` calendar days (a gap in the prices, or a post after the last price).
 */
export function rollToTradingDay(tradingDays: Float64Array, day: number, maxRollDays: number): number {
  const lo = firstIndexOnOrAfter(tradingDays as ArrayLike<number>, day);
  if (lo >= tradingDays.length || tradingDays[lo] - day > maxRollDays) return -1;
  return lo;
}
