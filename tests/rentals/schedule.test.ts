import { describe, expect, it } from 'vitest';
import { addDays, addMonthsClamped } from '../../src/lib/dates';
import { DEFAULT_RENTAL_POLICY, rentalPolicyFromSetting } from '../../src/rentals/policy';
import {
  attemptsDueBy, collectionAttemptOn, collectionDates, defaultAllowedFrom, earlyPurchaseOn, installmentDueDates, lateFeeCents, lateFeeDue,
  lateFeeFromOn, mayDefault, pastDue, reinstatement, rentalSchedule, type AgreementTerms, type InstallmentState,
} from '../../src/rentals/schedule';
import { rentalMachine } from '../../src/rentals/transitions';

const policy = DEFAULT_RENTAL_POLICY;

/** A 12-month agreement: $600 cash, $87.50 a month. */
const terms = (startOn: string, over: Partial<AgreementTerms> = {}): AgreementTerms => ({
  cashPriceCents: 60_000, monthlyCents: 8_750, termMonths: 12, startOn, policy, ...over,
});

/** Its installments with the first `paid` of them paid; `fees` maps seq → unpaid late fee charged. */
function installments(t: AgreementTerms, paid: number, fees: Record<number, number> = {}): InstallmentState[] {
  return installmentDueDates(t.startOn, t.termMonths).map((dueOn, i) => ({
    seq: i + 1, dueOn, amountCents: t.monthlyCents, paid: i < paid, lateFeeCharged: (i + 1) in fees, lateFeeOwedCents: fees[i + 1] ?? 0,
  }));
}

const unpaid = (dueOn: string, over: Partial<InstallmentState> = {}): InstallmentState => ({
  seq: 1, dueOn, amountCents: 8_750, paid: false, lateFeeCharged: false, lateFeeOwedCents: 0, ...over,
});

describe('due dates: the start date’s day of the month, clamped at month end', () => {
  it.each([
    ['2026-01-31', 12, ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31']],
    ['2028-01-31', 3, ['2028-01-31', '2028-02-29', '2028-03-31']], // leap year
    ['2028-02-29', 12, ['2028-02-29', '2028-03-29', '2028-04-29', '2028-05-29', '2028-06-29', '2028-07-29', '2028-08-29', '2028-09-29', '2028-10-29', '2028-11-29', '2028-12-29', '2029-01-29']],
    ['2026-12-31', 3, ['2026-12-31', '2027-01-31', '2027-02-28']], // across the new year
    ['2026-03-15', 6, ['2026-03-15', '2026-04-15', '2026-05-15', '2026-06-15', '2026-07-15', '2026-08-15']],
  ])('start %s, %i months', (start, term, dates) => {
    expect(installmentDueDates(start, term)).toEqual(dates);
  });

  it.each([
    ['2028-02-29', 12, '2029-02-28'], // a year after Feb 29
    ['2028-02-29', 48, '2032-02-29'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-05-31', -1, '2026-04-30'],
  ])('%s + %i months → %s', (date, months, expected) => {
    expect(addMonthsClamped(date, months)).toBe(expected);
  });
});

describe('schedule: early purchase price after each payment, and the first-period boundary', () => {
  it('start Jan 31: payment 4 (Apr 30) is still day 90; from May 1 the price follows the second formula', () => {
    const s = rentalSchedule(terms('2026-01-31'));
    expect(s.totalOfPaymentsCents).toBe(105_000);
    expect(s.costOfRentalCents).toBe(45_000);
    expect(s.rows.map((r) => [r.seq, r.dueOn, r.day, r.paidToDateCents, r.remainingPaymentsCents, r.earlyPurchaseCents, r.rule])).toEqual([
      [1, '2026-01-31', 1, 8_750, 96_250, 51_250, 'first_90_days'],
      [2, '2026-02-28', 29, 17_500, 87_500, 42_500, 'first_90_days'],
      [3, '2026-03-31', 60, 26_250, 78_750, 33_750, 'first_90_days'],
      [4, '2026-04-30', 90, 35_000, 70_000, 25_000, 'first_90_days'],
      [5, '2026-05-31', 121, 43_750, 61_250, 35_000, 'after_90_days'],
      [6, '2026-06-30', 151, 52_500, 52_500, 30_000, 'after_90_days'],
      [7, '2026-07-31', 182, 61_250, 43_750, 25_000, 'after_90_days'],
      [8, '2026-08-31', 213, 70_000, 35_000, 20_000, 'after_90_days'],
      [9, '2026-09-30', 243, 78_750, 26_250, 15_000, 'after_90_days'],
      [10, '2026-10-31', 274, 87_500, 17_500, 10_000, 'after_90_days'],
      [11, '2026-11-30', 304, 96_250, 8_750, 5_000, 'after_90_days'],
      [12, '2026-12-31', 335, 105_000, 0, 0, 'owned'],
    ]);
    expect(s.firstPeriodEnd).toEqual({
      lastDayOn: '2026-04-30',
      changesOn: '2026-05-01',
      reminderOn: '2026-04-24',
      paymentsByThen: 4,
      ownedBefore: false,
      lastPriceCents: 25_000, // 60 000 − 4 × 8 750
      nextPriceCents: 40_000, // 60 000 × 8 ÷ 12: higher than the day before
      reason: expect.stringMatching(/^Through day 90 of the agreement .* From day 91 .* can be more than the day before\.$/),
    });
  });

  it('start Feb 29 in a leap year: the first period ends on May 28', () => {
    const s = rentalSchedule(terms('2028-02-29', { termMonths: 6, monthlyCents: 13_500 }));
    expect(s.rows.map((r) => [r.dueOn, r.earlyPurchaseCents, r.rule])).toEqual([
      ['2028-02-29', 46_500, 'first_90_days'],
      ['2028-03-29', 33_000, 'first_90_days'],
      ['2028-04-29', 19_500, 'first_90_days'],
      ['2028-05-29', 20_000, 'after_90_days'], // day 91, after payment 4: 60 000 × 2 ÷ 6
      ['2028-06-29', 10_000, 'after_90_days'],
      ['2028-07-29', 0, 'owned'],
    ]);
    expect(s.firstPeriodEnd).toMatchObject({ lastDayOn: '2028-05-28', changesOn: '2028-05-29', paymentsByThen: 3, lastPriceCents: 19_500, nextPriceCents: 30_000 });
  });

  it('a 3-month term paid on time is owned before the first period ends', () => {
    const s = rentalSchedule(terms('2026-01-01', { termMonths: 3, monthlyCents: 23_000 }));
    expect(s.rows.map((r) => [r.dueOn, r.earlyPurchaseCents, r.rule])).toEqual([
      ['2026-01-01', 37_000, 'first_90_days'],
      ['2026-02-01', 14_000, 'first_90_days'],
      ['2026-03-01', 0, 'owned'],
    ]);
    expect(s.firstPeriodEnd).toMatchObject({ lastDayOn: '2026-03-31', changesOn: '2026-04-01', paymentsByThen: 3, ownedBefore: true });
  });

  it('uses the first period copied onto the agreement (here 120 days)', () => {
    const longer = rentalPolicyFromSetting({ grace_days: 7, late_fee_percent: 5, late_fee_cap_cents: 500, default_after_days: 10, retry_days: [3, 7], early_purchase_discount_days: 120 });
    const s = rentalSchedule(terms('2026-01-01', { policy: longer }));
    expect(s.rows.slice(3, 6).map((r) => [r.dueOn, r.day, r.earlyPurchaseCents, r.rule])).toEqual([
      ['2026-04-01', 91, 25_000, 'first_90_days'],
      ['2026-05-01', 121, 35_000, 'after_90_days'],
      ['2026-06-01', 152, 30_000, 'after_90_days'],
    ]);
    expect(s.firstPeriodEnd).toMatchObject({ lastDayOn: '2026-04-30', changesOn: '2026-05-01' });
  });
});

describe('early purchase price on a date (start Jan 1, payments on time)', () => {
  const t = terms('2026-01-01');
  it.each([
    // days after the start, date, payments made, price, rule
    [0, '2026-01-01', 0, 60_000, 'first_90_days'], // signed, first payment not yet made
    [0, '2026-01-01', 1, 51_250, 'first_90_days'],
    [89, '2026-03-31', 3, 33_750, 'first_90_days'], // day 90 of the agreement: last day of the first period
    [90, '2026-04-01', 3, 45_000, 'after_90_days'], // day 91: 60 000 × 9 ÷ 12, before that day's payment
    [90, '2026-04-01', 4, 40_000, 'after_90_days'], // … and after it
    [91, '2026-04-02', 4, 40_000, 'after_90_days'],
  ] as const)('%i days after the start (%s), %i paid → %i by %s', (days, on, paid, cents, rule) => {
    expect(addDays(t.startOn, days)).toBe(on);
    const price = earlyPurchaseOn(t, installments(t, paid), on);
    expect(price).toMatchObject({ cents, rule, paymentsMade: paid, pastDueCents: 0 });
    expect(price.firstPeriodPriceUntil).toBe(rule === 'first_90_days' ? '2026-03-31' : null);
  });

  it('after each payment, on its due date, it matches the schedule', () => {
    const rows = rentalSchedule(t).rows;
    for (const row of rows) {
      expect(earlyPurchaseOn(t, installments(t, row.seq), row.dueOn), `after payment ${row.seq}`).toMatchObject({ cents: row.earlyPurchaseCents, rule: row.rule });
    }
    expect(rows.map((r) => r.earlyPurchaseCents)).toEqual([51_250, 42_500, 33_750, 40_000, 35_000, 30_000, 25_000, 20_000, 15_000, 10_000, 5_000, 0]);
  });

  it('adds what is past due, unpaid late fees included', () => {
    // Payment 2 (Feb 1) missed, its late fee charged; on Feb 20 it is past due.
    const late = installments(t, 1, { 2: 438 });
    expect(earlyPurchaseOn(t, late, '2026-02-20')).toMatchObject({ cents: 51_250 + 8_750 + 438, pastDueCents: 9_188, paymentsMade: 1 });
    // Due that very day is not yet past due.
    expect(earlyPurchaseOn(t, installments(t, 1), '2026-02-01')).toMatchObject({ cents: 51_250, pastDueCents: 0 });
  });
});

describe('late fees: none through day 7, one from day 8 = min(5 % of the payment, $5)', () => {
  it.each([
    // payment → fee (5 % rounded half away from zero, at most 500)
    [8_750, 438], // 437.5
    [6_548, 327], // 327.4
    [9_989, 499], // 499.45
    [9_990, 500], // 499.5
    [10_000, 500], // exactly the cap
    [10_010, 500], // 500.5: the cap wins
    [23_000, 500], // 1 150: the cap wins
    [0, 0],
  ])('payment %i → fee %i', (payment, fee) => {
    expect(lateFeeCents(policy, payment)).toBe(fee);
  });

  it('with the numbers copied onto the agreement (4 %, $4 cap)', () => {
    const p = rentalPolicyFromSetting({ grace_days: 10, late_fee_percent: 4, late_fee_cap_cents: 400, default_after_days: 14, retry_days: [3, 7], early_purchase_discount_days: 90 });
    expect([lateFeeCents(p, 8_750), lateFeeCents(p, 12_000)]).toEqual([350, 400]);
    expect([lateFeeDue(p, unpaid('2026-03-01'), '2026-03-11'), lateFeeDue(p, unpaid('2026-03-01'), '2026-03-12')]).toEqual([0, 350]);
  });

  it.each([
    // due, on, days past due, fee
    ['2026-03-01', '2026-03-01', 0, 0],
    ['2026-03-01', '2026-03-08', 7, 0],
    ['2026-03-01', '2026-03-09', 8, 438],
    ['2026-03-01', '2026-04-15', 45, 438],
    ['2026-02-28', '2026-03-07', 7, 0], // across the end of February
    ['2026-02-28', '2026-03-08', 8, 438],
  ])('due %s, on %s (day %i) → %i', (due, on, day, fee) => {
    expect(addDays(due, day)).toBe(on);
    expect(lateFeeDue(policy, unpaid(due), on)).toBe(fee);
  });

  it('one per installment, and none on a paid one', () => {
    expect(lateFeeFromOn(policy, '2026-03-01')).toBe('2026-03-09');
    expect(lateFeeDue(policy, unpaid('2026-03-01', { lateFeeCharged: true, lateFeeOwedCents: 438 }), '2026-03-20')).toBe(0);
    expect(lateFeeDue(policy, unpaid('2026-03-01', { lateFeeCharged: true }), '2026-03-20')).toBe(0); // waived: still charged once
    expect(lateFeeDue(policy, unpaid('2026-03-01', { paid: true }), '2026-03-20')).toBe(0);
  });
});

describe('collection: charged on the due date, retried on days 3 and 7', () => {
  it('the collection dates', () => {
    expect(collectionDates(policy, '2026-02-27')).toEqual(['2026-02-27', '2026-03-02', '2026-03-06']);
  });

  it.each([
    // days after due → attempt on that day, attempts due by then
    [-1, null, 0],
    [0, 1, 1],
    [1, null, 1],
    [2, null, 1],
    [3, 2, 2],
    [4, null, 2],
    [6, null, 2],
    [7, 3, 3],
    [8, null, 3],
    [30, null, 3],
  ])('day %i: attempt %s, %i due by then', (day, attempt, due) => {
    const on = addDays('2026-03-01', day);
    expect(collectionAttemptOn(policy, '2026-03-01', on)).toBe(attempt);
    expect(attemptsDueBy(policy, '2026-03-01', on)).toBe(due);
  });
});

describe('default: only after day 10', () => {
  it.each([
    ['2026-03-01', '2026-03-10', false], // day 9
    ['2026-03-01', '2026-03-11', false], // day 10
    ['2026-03-01', '2026-03-12', true], // day 11
    ['2026-02-28', '2026-03-10', false], // day 10, across February's end
    ['2026-02-28', '2026-03-11', true],
  ])('oldest unpaid due %s, on %s → %s', (due, on, allowed) => {
    expect(mayDefault(policy, due, on)).toBe(allowed);
  });

  it('counts from the oldest unpaid installment, and never without one', () => {
    const t = terms('2026-01-01');
    const behind = installments(t, 2); // Mar 1 and Apr 1 unpaid
    const oldest = pastDue(behind, '2026-04-05').oldestDueOn;
    expect(oldest).toBe('2026-03-01');
    expect(mayDefault(policy, oldest, '2026-04-05')).toBe(true);
    expect(defaultAllowedFrom(policy, '2026-03-01')).toBe('2026-03-12');
    expect(mayDefault(policy, null, '2027-01-01')).toBe(false);
  });
});

describe('reinstatement: pay what is past due, holding the device or within a year of returning it', () => {
  const t = terms('2026-01-01');
  // Payments 1–3 made; 4 (Apr 1) missed with a late fee charged; 5 (May 1) missed.
  const behind = installments(t, 3, { 4: 438 });

  it.each([
    // status, on, installments past due, amount
    ['past_due', '2026-05-05', 2, 2 * 8_750 + 438],
    ['defaulted', '2026-05-12', 2, 2 * 8_750 + 438],
    ['defaulted', '2028-01-01', 9, 9 * 8_750 + 438], // still holding the device: every payment since has fallen due
  ] as const)('%s, holding the device, on %s: pays the %i installments past due and the fee, 3 payments credited', (status, on, count, amount) => {
    const r = reinstatement({ status, returnedOn: null, installments: behind }, on);
    expect(r).toMatchObject({ allowed: true, amountCents: amount, paymentsCredited: 3, creditedCents: 26_250, until: null });
    if (r.allowed) expect(r.pastDue).toMatchObject({ installments: count, lateFeesCents: 438, oldestDueOn: '2026-04-01' });
    expect(rentalMachine.can(status, 'active')).toBe(true);
  });

  it.each([
    // returned on, on, allowed
    ['2026-05-05', '2026-05-05', true],
    ['2026-05-05', '2027-05-05', true], // a year later to the day
    ['2026-05-05', '2027-05-06', false],
    ['2028-02-29', '2029-02-28', true], // returned on Feb 29: a year is Feb 28
    ['2028-02-29', '2029-03-01', false],
  ])('returned on %s, on %s → %s', (returnedOn, on, ok) => {
    const r = reinstatement({ status: 'returned', returnedOn, installments: behind }, on);
    expect(r.allowed).toBe(ok);
    if (r.allowed) expect(r.until).toBe(addMonthsClamped(returnedOn, 12));
    else expect(r.reason).toMatch(/more than a year/i);
  });

  it('after a return, owes only what had fallen due before it, with earlier payments credited', () => {
    const r = reinstatement({ status: 'returned', returnedOn: '2026-05-05', installments: behind }, '2027-01-15');
    expect(r).toMatchObject({ allowed: true, amountCents: 2 * 8_750 + 438, paymentsCredited: 3, creditedCents: 26_250, until: '2027-05-05' });
    expect(rentalMachine.can('returned', 'active')).toBe(true);
    // Returned in good standing: nothing to pay, payments still credited.
    expect(reinstatement({ status: 'returned', returnedOn: '2026-03-20', installments: installments(t, 3) }, '2026-09-01')).toMatchObject({ allowed: true, amountCents: 0, paymentsCredited: 3 });
  });

  it('a defaulted agreement whose device came back follows the one-year rule', () => {
    expect(reinstatement({ status: 'defaulted', returnedOn: '2026-06-01', installments: behind }, '2027-06-01').allowed).toBe(true);
    expect(reinstatement({ status: 'defaulted', returnedOn: '2026-06-01', installments: behind }, '2027-06-02').allowed).toBe(false);
  });

  it.each(['active', 'owned', 'cancelled', 'returning', 'pending_signature', 'pending_payment'] as const)('refused while %s', (status) => {
    const r = reinstatement({ status, returnedOn: null, installments: behind }, '2026-05-05');
    expect(r.allowed).toBe(false);
  });
});
