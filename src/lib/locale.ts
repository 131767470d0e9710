/**
 * The locale every date, time and amount is shown in (src/lib/dates.ts, src/lib/money.ts).
 * One store, one language: a constant, not a setting, until a second locale is needed.
 */
export const STORE_LOCALE = 'en-US';
