import type { DateOnly } from '../lib/dates';
import { earlyPurchaseOn, pastDue, rentalSchedule, type AgreementTerms, type EarlyPurchaseToday, type FirstPeriodEnd, type InstallmentState, type PastDue } from './schedule';

/**
 * Where an agreement stands on a date: what has been paid, what is left, the
 * next payment, what is past due and today's early purchase price. Pure: the
 * dashboard, receipts, reminders and staff pages all read it from here.
 */
export interface Statement {
  paymentsMade: number;
  paidCents: number;
  /** Installments still to pay (past due or not). */
  remainingCents: number;
  /** The oldest unpaid installment. */
  next: { seq: number; dueOn: DateOnly; amountCents: number } | null;
  pastDue: PastDue;
  /** Null once every installment is paid or cancelled. */
  earlyPurchase: EarlyPurchaseToday | null;
  firstPeriodEnd: FirstPeriodEnd;
}

export function statementOn(terms: AgreementTerms, installments: readonly InstallmentState[], on: Date | string): Statement {
  const paid = installments.filter((i) => i.paid);
  const unpaid = installments.filter((i) => !i.paid).sort((a, b) => a.seq - b.seq);
  const first = unpaid[0];
  return {
    paymentsMade: paid.length,
    paidCents: paid.reduce((s, i) => s + i.amountCents, 0),
    remainingCents: unpaid.reduce((s, i) => s + i.amountCents, 0),
    next: first ? { seq: first.seq, dueOn: first.dueOn, amountCents: first.amountCents } : null,
    pastDue: pastDue(installments, on),
    earlyPurchase: unpaid.length > 0 ? earlyPurchaseOn(terms, installments, on) : null,
    firstPeriodEnd: rentalSchedule(terms).firstPeriodEnd,
  };
}
