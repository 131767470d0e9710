import { DAY, toDateOnly } from './clock';
import { STORE_LOCALE } from './locale';

/**
 * Calendar dates without a time of day, as 'YYYY-MM-DD' in UTC: the form DATE
 * columns (start_on, due_on) are written and read in. Arithmetic is done on
 * UTC midnights, so no time zone or daylight-saving change can shift a day.
 */
export type DateOnly = string;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** UTC midnight, in milliseconds, of a Date, an ISO timestamp or a 'YYYY-MM-DD'. */
export function utcMidnight(v: Date | string): number {
  const d = typeof v === 'string' ? new Date(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v) : v;
  if (Number.isNaN(d.getTime())) throw new RangeError(`Not a date: ${String(v)}`);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** The UTC calendar date of a moment or date. */
export function dateOnly(v: Date | string): DateOnly {
  return toDateOnly(new Date(utcMidnight(v)));
}

/** Whole calendar days from `from` to `to`: 0 on the same date, negative when `to` is earlier. */
export function daysFrom(from: Date | string, to: Date | string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY);
}

export function addDays(date: Date | string, days: number): DateOnly {
  return toDateOnly(new Date(utcMidnight(date) + days * DAY));
}

/**
 * The same day of the month `months` later, or the last day of that month when
 * it is shorter: Jan 31 + 1 → Feb 28 (Feb 29 in a leap year), Jan 31 + 2 → Mar 31.
 * Always counted from `date` itself, so a clamped month never shifts later ones.
 */
export function addMonthsClamped(date: Date | string, months: number): DateOnly {
  const start = new Date(utcMidnight(date));
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return toDateOnly(new Date(Date.UTC(year, month, Math.min(start.getUTCDate(), lastDay))));
}

const dateFormat = (month: 'long' | 'short') =>
  new Intl.DateTimeFormat(STORE_LOCALE, { timeZone: 'UTC', year: 'numeric', month, day: 'numeric' });
const LONG_DATE = dateFormat('long');
const SHORT_DATE = dateFormat('short');
const timeFormat = (second?: '2-digit') =>
  new Intl.DateTimeFormat(STORE_LOCALE, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second, hourCycle: 'h23' });
const DATE_TIME = timeFormat();
const DATE_TIME_SECONDS = timeFormat('2-digit');

/**
 * How dates and times are shown to people, everywhere (pages, e-mails, the cached
 * catalog): in the store's locale and in UTC, the zone every stored time is in.
 * Machine-readable places (<time datetime>, CSV, forms) keep ISO text instead.
 */

/** "2026-11-27" → "November 27, 2026". Also takes a Date or an ISO timestamp (its UTC date). */
export function longDate(d: Date | string): string {
  return LONG_DATE.format(utcMidnight(d));
}

/** "2026-11-27" → "Nov 27, 2026", for tables and short notes. */
export function shortDate(d: Date | string): string {
  return SHORT_DATE.format(utcMidnight(d));
}

/** A moment → "Nov 27, 2026, 14:05 UTC" (with `{ seconds: true }`, "…, 14:05:09 UTC", for audit trails). */
export function dateTime(d: Date | string, opts: { seconds?: boolean } = {}): string {
  const at = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(at.getTime())) throw new RangeError(`Not a date: ${String(d)}`);
  return `${(opts.seconds ? DATE_TIME_SECONDS : DATE_TIME).format(at)} UTC`;
}
