import { DAY, toDateOnly } from './clock';

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

/** "2026-11-27" → "November 27, 2026": calendar dates, UTC. Also takes an ISO timestamp (its UTC date). */
export function longDate(d: Date | string): string {
  return new Date(utcMidnight(d)).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
}

/** "2026-11-27" → "Nov 27, 2026", for tables on narrow screens. */
export function shortDate(d: Date | string): string {
  return new Date(utcMidnight(d)).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}
