import { describe, expect, it } from 'vitest';
import { dateTime, longDate, shortDate } from '../../src/lib/dates';
import { formatCount } from '../../src/lib/locale';
import { formatMoney } from '../../src/lib/money';

describe('date formatters (store locale, UTC)', () => {
  it.each([
    // input, longDate, shortDate
    ['2026-12-04', 'December 4, 2026', 'Dec 4, 2026'],
    ['2026-01-31', 'January 31, 2026', 'Jan 31, 2026'],
    ['2026-02-01', 'February 1, 2026', 'Feb 1, 2026'],
    ['2026-12-31', 'December 31, 2026', 'Dec 31, 2026'],
    ['2027-01-01', 'January 1, 2027', 'Jan 1, 2027'],
    ['2028-02-29', 'February 29, 2028', 'Feb 29, 2028'],
    // A moment is shown on its UTC date, whatever the server's zone.
    [new Date('2026-11-30T23:59:59Z'), 'November 30, 2026', 'Nov 30, 2026'],
    [new Date('2026-12-01T00:00:00Z'), 'December 1, 2026', 'Dec 1, 2026'],
    ['2026-12-31T23:30:00.000Z', 'December 31, 2026', 'Dec 31, 2026'],
    ['2026-03-01T00:00:00+02:00', 'February 28, 2026', 'Feb 28, 2026'],
  ] as const)('%s → %s / %s', (input, long, short) => {
    expect(longDate(input)).toBe(long);
    expect(shortDate(input)).toBe(short);
  });

  it.each([
    [new Date('2026-12-04T14:05:09Z'), 'Dec 4, 2026, 14:05 UTC', 'Dec 4, 2026, 14:05:09 UTC'],
    [new Date('2026-12-04T00:00:00Z'), 'Dec 4, 2026, 00:00 UTC', 'Dec 4, 2026, 00:00:00 UTC'],
    [new Date('2026-12-31T23:59:59Z'), 'Dec 31, 2026, 23:59 UTC', 'Dec 31, 2026, 23:59:59 UTC'],
    [new Date('2028-02-29T12:00:00Z'), 'Feb 29, 2028, 12:00 UTC', 'Feb 29, 2028, 12:00:00 UTC'],
    ['2026-06-30T23:45:00-01:00', 'Jul 1, 2026, 00:45 UTC', 'Jul 1, 2026, 00:45:00 UTC'],
  ] as const)('dateTime(%s) → %s', (input, minutes, seconds) => {
    expect(dateTime(input)).toBe(minutes);
    expect(dateTime(input, { seconds: true })).toBe(seconds);
  });

  it('refuses what is not a date rather than printing "Invalid Date"', () => {
    expect(() => longDate('next week')).toThrow(RangeError);
    expect(() => dateTime('next week')).toThrow(RangeError);
    expect(() => dateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it.each([
    [0, 'USD', '$0.00'],
    [5, 'USD', '$0.05'],
    [64900, 'USD', '$649.00'],
    [129999, 'USD', '$1,299.99'],
    [-1250, 'USD', '-$12.50'],
    [64900, 'EUR', '€649.00'],
  ] as const)('%i %s → %s', (cents, currency, text) => {
    expect(formatMoney(cents, currency)).toBe(text);
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [10_000, '10,000'],
    [1_234_567, '1,234,567'],
    [-1, '-1'],
    [-1234, '-1,234'],
  ] as const)('%i → %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s rather than rounding it or printing "NaN"', (n) => {
    expect(() => formatCount(n)).toThrow(RangeError);
  });
});
