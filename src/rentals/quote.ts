import { roundCents } from '../lib/money';
import { daysFrom } from '../lib/dates';
import { DEFAULT_RENTAL_POLICY, MAX_TOTAL_PERCENT } from './policy';

/**
 * Rent-to-own arithmetic of SPEC §4, pure and in integer cents.
 *
 * Rounding: the monthly payment is the product's stored price for the term
 * (already whole cents) and every payment is the same, so the total of payments
 * is exactly monthly × number of payments. The only division is the
 * after-90-days early purchase price, cash × remaining ÷ total payments, which is
 * rounded to the nearest cent, halves away from zero (the store rule, roundCents).
 *
 * Days: the agreement's start date is day 1. "The first 90 days" are days 1–90;
 * from day 91 the second formula applies. Quotes made before an agreement exists
 * (the calculator) count a month as 30 days, so month k covers days
 * 30(k−1)+1 … 30k, payment k is made on day 30(k−1)+1, and the first 90 days are
 * exactly the first three months.
 */

export const RENTAL_TERMS = [3, 6, 12] as const;
export type RentalTerm = (typeof RENTAL_TERMS)[number];

/**
 * The policy quotes are made under before an agreement exists: the store's
 * default numbers (policy.ts), with a month counted as 30 days. A signed
 * agreement uses the copy of the policy stored on it and real calendar dates
 * (schedule.ts).
 */
export const RENTAL_POLICY = {
  ...DEFAULT_RENTAL_POLICY,
  quoteMonthDays: 30,
} as const;

export function isRentalTerm(n: unknown): n is RentalTerm {
  return RENTAL_TERMS.includes(n as RentalTerm);
}

/** Largest total of payments the pricing guard allows for a cash price (rounded down to the cent). */
export function maxTotalOfPayments(cashPriceCents: number, maxTotalPercent = MAX_TOTAL_PERCENT): number {
  return Math.floor((cashPriceCents * maxTotalPercent) / 100);
}

/** total of payments ≤ 2.25 × cash price (in integers: total × 100 ≤ cash × 225) */
export function withinPricingGuard(cashPriceCents: number, monthlyCents: number, termMonths: number, maxTotalPercent = MAX_TOTAL_PERCENT): boolean {
  return monthlyCents * termMonths * 100 <= cashPriceCents * maxTotalPercent;
}

/** Day number of `on` within an agreement that started on `start` (the start date is day 1). Dates are UTC. */
export function agreementDay(start: Date | string, on: Date | string): number {
  return daysFrom(start, on) + 1;
}

export type EarlyPurchaseRule = 'first_90_days' | 'after_90_days' | 'owned';

export interface EarlyPurchaseInput {
  cashPriceCents: number;
  monthlyCents: number;
  termMonths: number;
  /** Payments made so far (0 … termMonths). */
  paymentsMade: number;
  /** Day of the agreement (start date = day 1). */
  day: number;
  /** Any past-due amount, added on top. */
  pastDueCents?: number;
  /** Last day of the "cash price − payments made" period; a signed agreement passes its own (policy.firstPeriodDays). */
  firstPeriodDays?: number;
}

export interface EarlyPurchase {
  cents: number;
  rule: EarlyPurchaseRule;
}

/**
 * SPEC §4 early purchase price: through day 90 (or the agreement's own
 * firstPeriodDays), cash price − payments made (never below zero); afterwards,
 * cash price × remaining payments ÷ total payments; plus any past-due amount.
 * Nothing is owed once every payment is made.
 */
export function earlyPurchasePrice(input: EarlyPurchaseInput): EarlyPurchase {
  const { cashPriceCents, monthlyCents, termMonths, paymentsMade, day } = input;
  if (!Number.isInteger(paymentsMade) || paymentsMade < 0 || paymentsMade > termMonths) {
    throw new RangeError(`paymentsMade must be between 0 and ${termMonths}`);
  }
  if (!Number.isInteger(day) || day < 1) throw new RangeError('day must be 1 or more');
  const pastDue = input.pastDueCents ?? 0;
  if (paymentsMade === termMonths) return { cents: pastDue, rule: 'owned' };
  if (day <= (input.firstPeriodDays ?? RENTAL_POLICY.firstPeriodDays)) {
    return { cents: Math.max(0, cashPriceCents - paymentsMade * monthlyCents) + pastDue, rule: 'first_90_days' };
  }
  const remaining = termMonths - paymentsMade;
  return { cents: roundCents((cashPriceCents * remaining) / termMonths) + pastDue, rule: 'after_90_days' };
}

/** The early purchase price on a calendar date of an agreement started on `start`. */
export function earlyPurchasePriceOn(
  terms: { cashPriceCents: number; monthlyCents: number; termMonths: number; start: Date | string; firstPeriodDays?: number },
  on: Date | string,
  paymentsMade: number,
  pastDueCents = 0,
): EarlyPurchase {
  return earlyPurchasePrice({ ...terms, paymentsMade, day: agreementDay(terms.start, on), pastDueCents });
}

export interface QuoteRow {
  /** Payments made, 1 … term: the row shows the position right after payment k. */
  payment: number;
  /** Day of the agreement payment k is made on, counting 30-day months. */
  day: number;
  paidToDateCents: number;
  remainingPaymentsCents: number;
  earlyPurchaseCents: number;
  rule: EarlyPurchaseRule;
}

export interface RentalQuote {
  termMonths: RentalTerm;
  cashPriceCents: number;
  monthlyCents: number;
  numberOfPayments: number;
  totalOfPaymentsCents: number;
  /** total of payments − cash price */
  costOfRentalCents: number;
  maxTotalOfPaymentsCents: number;
  withinPricingGuard: boolean;
  schedule: QuoteRow[];
}

/** Everything the calculator and the agreement disclose for one term. */
export function rentalQuote(cashPriceCents: number, monthlyCents: number, termMonths: RentalTerm): RentalQuote {
  for (const [name, v] of [['cashPriceCents', cashPriceCents], ['monthlyCents', monthlyCents]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number of cents`);
  }
  if (!isRentalTerm(termMonths)) throw new RangeError('termMonths must be 3, 6 or 12');
  const total = monthlyCents * termMonths;
  const schedule: QuoteRow[] = [];
  for (let k = 1; k <= termMonths; k++) {
    const day = (k - 1) * RENTAL_POLICY.quoteMonthDays + 1;
    const price = earlyPurchasePrice({ cashPriceCents, monthlyCents, termMonths, paymentsMade: k, day });
    schedule.push({
      payment: k,
      day,
      paidToDateCents: k * monthlyCents,
      remainingPaymentsCents: (termMonths - k) * monthlyCents,
      earlyPurchaseCents: price.cents,
      rule: price.rule,
    });
  }
  return {
    termMonths,
    cashPriceCents,
    monthlyCents,
    numberOfPayments: termMonths,
    totalOfPaymentsCents: total,
    costOfRentalCents: total - cashPriceCents,
    maxTotalOfPaymentsCents: maxTotalOfPayments(cashPriceCents),
    withinPricingGuard: withinPricingGuard(cashPriceCents, monthlyCents, termMonths),
    schedule,
  };
}

/** The stored monthly price of a product for a term. */
export function monthlyFor(p: { rent3Cents: number; rent6Cents: number; rent12Cents: number }, term: RentalTerm): number {
  return term === 3 ? p.rent3Cents : term === 6 ? p.rent6Cents : p.rent12Cents;
}
