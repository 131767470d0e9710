import { STORE_LOCALE } from './locale';

/** Money is integer cents everywhere; this is the one place it becomes text, in the store's locale. */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(cents: number, currency = 'USD'): string {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(STORE_LOCALE, { style: 'currency', currency });
    formatters.set(currency, f);
  }
  return f.format(cents / 100);
}

/** An amount as a form field or a CSV cell holds it: "649.00", no currency sign or thousands separator. */
export function decimalAmount(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Parses a user-typed amount ("12", "12.5", "1,299.99") into cents; null when it is not an amount. */
export function parseMoney(text: string): number | null {
  const cleaned = text.trim().replace(/[$,\s]/g, '');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, frac = ''] = cleaned.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Rounds a fractional cent amount half away from zero (the store's rounding rule). */
export function roundCents(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
