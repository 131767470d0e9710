import { addDays, addMonthsClamped, daysFrom, longDate, type DateOnly } from '../lib/dates';
import { roundCents } from '../lib/money';
import type { RentalPolicy } from './policy';
import { agreementDay, earlyPurchasePrice, earlyPurchasePriceOn, type EarlyPurchase, type EarlyPurchaseRule } from './quote';
import type { RentalStatus } from './transitions';

/**
 * The calendar of a signed agreement (SPEC §4): due dates, the early purchase
 * price on any date, late fees, retries, default and reinstatement. Pure
 * functions of the agreement, its installments and a date passed in; none
 * reads the clock. Quotes before signing stay in quote.ts (30-day months).
 *
 * Counting days:
 * - The agreement's start date, the day of the first payment, is day 1 of the
 *   agreement (agreementDay). With a 90-day first period, days 1–90 use "cash
 *   price − payments made"; from day 91 the second formula applies.
 * - Days after a due date count the due date itself as day 0: "day 8" is eight
 *   days after it (daysPastDue).
 */

/** What the calendar of a signed agreement is computed from: the figures and the policy copied onto it. */
export interface AgreementTerms {
  cashPriceCents: number;
  monthlyCents: number;
  termMonths: number;
  /** The date of the first payment; installment n is due n − 1 months later. */
  startOn: DateOnly;
  policy: RentalPolicy;
}

/**
 * One installment as these functions need it. The caller maps its rows:
 * installments cancelled (after a buyout) are left out.
 */
export interface InstallmentState {
  /** 1-based number. */
  seq: number;
  dueOn: DateOnly;
  amountCents: number;
  paid: boolean;
  /** A late fee has been charged on it (once charged, never again, even if waived). */
  lateFeeCharged: boolean;
  /** The part of that fee still unpaid (0 once paid or waived). */
  lateFeeOwedCents: number;
}

/** Whole days from the due date to `on`: 0 on the due date, negative before it. */
export function daysPastDue(dueOn: DateOnly, on: Date | string): number {
  return daysFrom(dueOn, on);
}

// ---------------------------------------------------------------- schedule

/**
 * Due dates of every installment: the start date's day of the month, or the
 * month's last day when it is shorter (start Jan 31 → Feb 28 or 29, Mar 31, Apr 30 …).
 */
export function installmentDueDates(startOn: DateOnly, termMonths: number): DateOnly[] {
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError('termMonths must be 1 or more');
  return Array.from({ length: termMonths }, (_, i) => addMonthsClamped(startOn, i));
}

export interface ScheduleRow {
  seq: number;
  dueOn: DateOnly;
  amountCents: number;
  /** Day of the agreement the payment falls on (start date = day 1). */
  day: number;
  paidToDateCents: number;
  remainingPaymentsCents: number;
  /** The early purchase price right after this payment, made on its due date. */
  earlyPurchaseCents: number;
  rule: EarlyPurchaseRule;
}

/** Days before the first period ends on which the renter is reminded (SPEC §4: e-mailed 7 days before). */
export const FIRST_PERIOD_REMINDER_DAYS = 7;

/**
 * Where the early purchase price changes formula. Because the price from
 * `changesOn` can be higher than on `lastDayOn`, every schedule shows this
 * boundary with its date and reason.
 */
export interface FirstPeriodEnd {
  /** Last date of "cash price − payments made". */
  lastDayOn: DateOnly;
  /** First date of "cash price × remaining payments ÷ total payments". */
  changesOn: DateOnly;
  /** When the renter is reminded, so a full week of the lower price is left. */
  reminderOn: DateOnly;
  /** Payments made by lastDayOn when each is paid on its due date. */
  paymentsByThen: number;
  /** True when, paid on time, the device is owned before the change. */
  ownedBefore: boolean;
  /** The early purchase price on lastDayOn and on changesOn (before any payment due that day), paid on time. */
  lastPriceCents: number;
  nextPriceCents: number;
  /** Why the price changes there, in plain words. */
  reason: string;
}

export interface RentalSchedule {
  rows: ScheduleRow[];
  totalOfPaymentsCents: number;
  /** total of payments − cash price */
  costOfRentalCents: number;
  firstPeriodEnd: FirstPeriodEnd;
}

/** The full payment schedule of an agreement with the early purchase price after each payment. */
export function rentalSchedule(terms: AgreementTerms): RentalSchedule {
  const { cashPriceCents, monthlyCents, termMonths, startOn } = terms;
  const rows = installmentDueDates(startOn, termMonths).map((dueOn, i): ScheduleRow => {
    const seq = i + 1;
    const day = agreementDay(startOn, dueOn);
    const price = priceOnDay(terms, seq, day);
    return {
      seq,
      dueOn,
      amountCents: monthlyCents,
      day,
      paidToDateCents: seq * monthlyCents,
      remainingPaymentsCents: (termMonths - seq) * monthlyCents,
      earlyPurchaseCents: price.cents,
      rule: price.rule,
    };
  });
  const total = monthlyCents * termMonths;
  return { rows, totalOfPaymentsCents: total, costOfRentalCents: total - cashPriceCents, firstPeriodEnd: firstPeriodEnd(terms, rows) };
}

function firstPeriodEnd(terms: AgreementTerms, rows: readonly ScheduleRow[]): FirstPeriodEnd {
  const { startOn, termMonths, policy } = terms;
  const lastDayOn = addDays(startOn, policy.firstPeriodDays - 1);
  const changesOn = addDays(startOn, policy.firstPeriodDays);
  const paymentsByThen = rows.filter((r) => r.dueOn <= lastDayOn).length;
  return {
    lastDayOn,
    changesOn,
    reminderOn: addDays(changesOn, -FIRST_PERIOD_REMINDER_DAYS),
    paymentsByThen,
    ownedBefore: paymentsByThen === termMonths,
    lastPriceCents: priceOnDay(terms, paymentsByThen, policy.firstPeriodDays).cents,
    nextPriceCents: priceOnDay(terms, paymentsByThen, policy.firstPeriodDays + 1).cents,
    reason: firstPeriodReason(policy),
  };
}

/** Why the early purchase price changes at the end of the first period, in plain words. */
export function firstPeriodReason(policy: RentalPolicy): string {
  const n = policy.firstPeriodDays;
  return (
    `Through day ${n} of the agreement the early purchase price is the cash price minus the payments you have made. ` +
    `From day ${n + 1} it is the cash price × the payments still to make ÷ the number of payments, which can be more than the day before.`
  );
}

function priceOnDay(terms: AgreementTerms, paymentsMade: number, day: number, pastDueCents = 0): EarlyPurchase {
  const { cashPriceCents, monthlyCents, termMonths, policy } = terms;
  return earlyPurchasePrice({ cashPriceCents, monthlyCents, termMonths, paymentsMade, day, pastDueCents, firstPeriodDays: policy.firstPeriodDays });
}

// ---------------------------------------------------------------- what is owed

export interface PastDue {
  /** Unpaid installments due before the date. */
  installments: number;
  installmentsCents: number;
  /** Late fees charged and not yet paid or waived. */
  lateFeesCents: number;
  totalCents: number;
  /** Due date of the oldest unpaid installment, or null when none is past due. */
  oldestDueOn: DateOnly | null;
}

/** What is past due on `on`: unpaid installments due before that date, and unpaid late fees. One due that day is not yet late. */
export function pastDue(installments: readonly InstallmentState[], on: Date | string): PastDue {
  const late = installments.filter((i) => !i.paid && daysPastDue(i.dueOn, on) > 0).sort((a, b) => a.seq - b.seq);
  const installmentsCents = late.reduce((sum, i) => sum + i.amountCents, 0);
  const lateFeesCents = installments.reduce((sum, i) => sum + i.lateFeeOwedCents, 0);
  return {
    installments: late.length,
    installmentsCents,
    lateFeesCents,
    totalCents: installmentsCents + lateFeesCents,
    oldestDueOn: late[0]?.dueOn ?? null,
  };
}

export interface EarlyPurchaseToday extends EarlyPurchase {
  paymentsMade: number;
  /** Included in `cents`. */
  pastDueCents: number;
  /** While in the first period: the last date of its lower price (a payment made lowers it further). Null afterwards. */
  firstPeriodPriceUntil: DateOnly | null;
}

/**
 * The SPEC §4 early purchase price on a date: the agreement's first-period
 * rule on real calendar days, payments made so far, plus what is past due
 * (including unpaid late fees).
 */
export function earlyPurchaseOn(terms: AgreementTerms, installments: readonly InstallmentState[], on: Date | string): EarlyPurchaseToday {
  const { cashPriceCents, monthlyCents, termMonths, startOn, policy } = terms;
  const paymentsMade = installments.filter((i) => i.paid).length;
  const owed = pastDue(installments, on).totalCents;
  const price = earlyPurchasePriceOn({ cashPriceCents, monthlyCents, termMonths, start: startOn, firstPeriodDays: policy.firstPeriodDays }, on, paymentsMade, owed);
  return {
    ...price,
    paymentsMade,
    pastDueCents: owed,
    firstPeriodPriceUntil: price.rule === 'first_90_days' ? addDays(startOn, policy.firstPeriodDays - 1) : null,
  };
}

// ---------------------------------------------------------------- late payments

/** One late fee: the policy's percent of the payment, rounded the store's way (roundCents), at most the cap. */
export function lateFeeCents(policy: RentalPolicy, paymentCents: number): number {
  return Math.min(roundCents((paymentCents * policy.lateFeePercent) / 100), policy.lateFeeCapCents);
}

/** First date a late fee may be charged on an installment due on `dueOn` (day 8 with a 7-day grace period). */
export function lateFeeFromOn(policy: RentalPolicy, dueOn: DateOnly): DateOnly {
  return addDays(dueOn, policy.lateFeeFromDay);
}

/** The late fee to charge on `on`: none while paid, within the grace period, or once one has been charged. */
export function lateFeeDue(policy: RentalPolicy, installment: InstallmentState, on: Date | string): number {
  if (installment.paid || installment.lateFeeCharged) return 0;
  if (daysPastDue(installment.dueOn, on) < policy.lateFeeFromDay) return 0;
  return lateFeeCents(policy, installment.amountCents);
}

/** The days an unpaid installment is charged: its due date (attempt 1), then each retry day. */
export function collectionDates(policy: RentalPolicy, dueOn: DateOnly): DateOnly[] {
  return [0, ...policy.retryDays].map((d) => addDays(dueOn, d));
}

/** The attempt (1 = the due date, 2 = the first retry …) that falls on `on`, or null on other days. */
export function collectionAttemptOn(policy: RentalPolicy, dueOn: DateOnly, on: Date | string): number | null {
  const i = [0, ...policy.retryDays].indexOf(daysPastDue(dueOn, on));
  return i === -1 ? null : i + 1;
}

/**
 * How many attempts should have been made by `on`: 0 before the due date, 1
 * from it, one more from each retry day. A collector that finds fewer made
 * charges once now, so a missed day is caught up but never charged twice.
 */
export function attemptsDueBy(policy: RentalPolicy, dueOn: DateOnly, on: Date | string): number {
  const days = daysPastDue(dueOn, on);
  return [0, ...policy.retryDays].filter((d) => d <= days).length;
}

/** First date an agreement behind on this installment may be defaulted (after day 10: day 11). */
export function defaultAllowedFrom(policy: RentalPolicy, dueOn: DateOnly): DateOnly {
  return addDays(dueOn, policy.defaultAfterDays + 1);
}

/** Whether the agreement may be defaulted on `on`, given its oldest unpaid installment (pastDue().oldestDueOn). */
export function mayDefault(policy: RentalPolicy, oldestUnpaidDueOn: DateOnly | null, on: Date | string): boolean {
  return oldestUnpaidDueOn !== null && daysPastDue(oldestUnpaidDueOn, on) > policy.defaultAfterDays;
}

// ---------------------------------------------------------------- reinstatement

export interface ReinstatementInput {
  status: RentalStatus;
  /** The date the device came back to the store, once it has; null while the renter holds it. */
  returnedOn: DateOnly | null;
  installments: readonly InstallmentState[];
}

export type Reinstatement =
  | {
      allowed: true;
      /** What the renter pays to reinstate: everything past due. */
      amountCents: number;
      pastDue: PastDue;
      /** Earlier payments, which keep counting towards ownership. */
      paymentsCredited: number;
      creditedCents: number;
      /** Last date it can be done; null while the renter holds the device. */
      until: DateOnly | null;
    }
  | { allowed: false; reason: string };

/** How long after returning the device an agreement can still be reinstated. */
export const REINSTATE_AFTER_RETURN_MONTHS = 12;

/**
 * SPEC §4 reinstatement: by paying what is past due, while holding the device
 * (past due or defaulted) or within a year after returning it, with earlier
 * payments credited. After a return, what is past due is what had fallen due
 * before the return date. The move itself is status → active (transitions.ts).
 */
export function reinstatement(input: ReinstatementInput, on: Date | string): Reinstatement {
  const { status, returnedOn, installments } = input;
  const paid = installments.filter((i) => i.paid);
  const allow = (owedOn: Date | string, until: DateOnly | null): Reinstatement => {
    const owed = pastDue(installments, owedOn);
    return {
      allowed: true,
      amountCents: owed.totalCents,
      pastDue: owed,
      paymentsCredited: paid.length,
      creditedCents: paid.reduce((sum, i) => sum + i.amountCents, 0),
      until,
    };
  };

  if (returnedOn !== null && (status === 'returned' || status === 'defaulted')) {
    const until = addMonthsClamped(returnedOn, REINSTATE_AFTER_RETURN_MONTHS);
    if (daysFrom(until, on) > 0) return { allowed: false, reason: `More than a year has passed since the device came back on ${longDate(returnedOn)}.` };
    return allow(returnedOn, until);
  }
  if (returnedOn === null && (status === 'past_due' || status === 'defaulted')) return allow(on, null);
  if (status === 'active') return { allowed: false, reason: 'The agreement is up to date; there is nothing to reinstate.' };
  return { allowed: false, reason: 'Only an agreement that is behind, defaulted or returned can be reinstated.' };
}
