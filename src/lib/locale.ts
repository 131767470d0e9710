/**
 * The locale every date, time, amount and count is shown in (src/lib/dates.ts,
 * src/lib/money.ts, formatCount below). One store, one language: a constant,
 * not a setting, until a second locale is needed.
 */
export const STORE_LOCALE = 'en-US';

const COUNT = new Intl.NumberFormat(STORE_LOCALE, { maximumFractionDigits: 0 });

/**
 * A whole number as people read it, with the locale's grouping: 1234567 → "1,234,567".
 * For counts, stock, rows and page numbers; never for links, form values or CSV,
 * which keep plain digits. A fraction or NaN is a bug upstream, not something to round away.
 */
export function formatCount(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number: ${String(n)}`);
  return COUNT.format(n);
}
