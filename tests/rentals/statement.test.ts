import { describe, expect, it } from 'vitest';
import { owedNow } from '../../src/rentals/billing';
import type { Installment } from '../../src/rentals/installments';
import { installmentStates, lateFeeOwed } from '../../src/rentals/installments';
import { DEFAULT_RENTAL_POLICY } from '../../src/rentals/policy';
import { statementOn } from '../../src/rentals/statement';

/** A 12-month agreement started 2026-11-21: $600 cash, $87.50 a month. */
const terms = { cashPriceCents: 60_000, monthlyCents: 8_750, termMonths: 12, startOn: '2026-11-21', policy: DEFAULT_RENTAL_POLICY };

const row = (seq: number, dueOn: string, over: Partial<Installment> = {}): Installment => ({
  id: seq, rentalId: 1, seq, dueOn, amountCents: 8_750, status: 'scheduled', attempts: 0, nextAttemptOn: dueOn, lastFailureCode: null,
  lateFeeCents: 0, lateFeeAt: null, lateFeePaidAt: null, lateFeeWaivedAt: null, lateFeeWaiverReason: null, paidAt: null, ...over,
});
const fee = (cents: number, over: Partial<Installment> = {}): Partial<Installment> => ({ lateFeeCents: cents, lateFeeAt: new Date('2026-12-29T06:00:00Z'), ...over });
const dues = ['2026-11-21', '2026-12-21', '2027-01-21', '2027-02-21'];

describe('a late fee is owed until paid or waived', () => {
  it.each([
    ['none charged', {}, 0],
    ['charged', fee(438), 438],
    ['charged and paid', fee(438, { lateFeePaidAt: new Date() }), 0],
    ['charged and waived', fee(438, { lateFeeWaivedAt: new Date(), lateFeeWaiverReason: 'Bank error' }), 0],
  ] as const)('%s', (_label, over, owed) => {
    expect(lateFeeOwed(row(2, '2026-12-21', over))).toBe(owed);
  });

  it('cancelled installments are left out of the calendar', () => {
    expect(installmentStates([row(1, dues[0]!, { status: 'paid' }), row(2, dues[1]!, { status: 'cancelled' })]).map((i) => i.seq)).toEqual([1]);
  });
});

describe('owedNow: unpaid installments due up to today, with every late fee owed', () => {
  const list = (secondOver: Partial<Installment> = {}) => [row(1, dues[0]!, { status: 'paid' }), row(2, dues[1]!, secondOver), row(3, dues[2]!), row(4, dues[3]!)];
  it.each([
    ['the day before payment 2 is due', '2026-12-20', list(), 0, []],
    ['on its due date', '2026-12-21', list(), 8_750, [2]],
    ['failed, with its late fee', '2026-12-29', list({ status: 'failed', ...fee(438) }), 9_188, [2]],
    ['two months behind', '2027-01-21', list({ status: 'failed', ...fee(438) }), 17_938, [2, 3]],
    ['fee waived', '2026-12-29', list({ status: 'failed', ...fee(438, { lateFeeWaivedAt: new Date() }) }), 8_750, [2]],
    ['paid late, fee still owed', '2027-01-05', list({ status: 'paid', ...fee(438) }), 438, []],
  ] as const)('%s', (_label, today, installments, cents, seqs) => {
    const owed = owedNow(installments, today);
    expect(owed.cents).toBe(cents);
    expect(owed.installments.map((i) => i.seq)).toEqual(seqs);
  });
});

describe('statementOn: where an agreement stands on a date', () => {
  const paid = (n: number) => dues.map((d, i) => row(i + 1, d, i < n ? { status: 'paid' } : {}));
  const all = (n: number) => [...paid(n), ...Array.from({ length: 8 }, (_, i) => row(i + 5, `2027-${String(i + 3).padStart(2, '0')}-21`))];

  it.each([
    // on, payments made, next due, remaining, early purchase, price holds until
    ['2026-11-21', 1, '2026-12-21', 11 * 8_750, 60_000 - 8_750, '2027-02-18'],
    ['2027-02-18', 3, '2027-02-21', 9 * 8_750, 60_000 - 3 * 8_750, '2027-02-18'],
    ['2027-02-19', 3, '2027-02-21', 9 * 8_750, 45_000, null], // day 91: cash × 9 ÷ 12
    ['2027-02-21', 4, '2027-03-21', 8 * 8_750, 40_000, null],
  ] as const)('on %s after %i payments', (on, made, next, remaining, epo, until) => {
    const st = statementOn(terms, installmentStates(all(made)), on);
    expect(st.paymentsMade).toBe(made);
    expect(st.paidCents).toBe(made * 8_750);
    expect(st.next?.dueOn).toBe(next);
    expect(st.remainingCents).toBe(remaining);
    expect(st.earlyPurchase?.cents).toBe(epo);
    expect(st.earlyPurchase?.firstPeriodPriceUntil).toBe(until);
    expect(st.firstPeriodEnd).toMatchObject({ lastDayOn: '2027-02-18', changesOn: '2027-02-19', reminderOn: '2027-02-12' });
  });

  it('a past-due payment and its fee are added to the early purchase price', () => {
    const list = [row(1, dues[0]!, { status: 'paid' }), row(2, dues[1]!, { status: 'failed', ...fee(438) }), ...all(0).slice(2)];
    const st = statementOn(terms, installmentStates(list), '2026-12-29');
    expect(st.pastDue).toMatchObject({ installments: 1, installmentsCents: 8_750, lateFeesCents: 438, totalCents: 9_188, oldestDueOn: '2026-12-21' });
    expect(st.earlyPurchase?.cents).toBe(60_000 - 8_750 + 9_188);
  });

  it('once every installment is paid there is nothing to buy out', () => {
    const list = Array.from({ length: 12 }, (_, i) => row(i + 1, '2026-11-21', { status: 'paid' }));
    const st = statementOn(terms, installmentStates(list), '2027-10-21');
    expect(st.earlyPurchase).toBeNull();
    expect(st.next).toBeNull();
    expect(st.remainingCents).toBe(0);
  });
});
