import { describe, expect, it } from 'vitest';
import { agreementFor, agreementSections, agreementSha256, agreementText, marksFirstPeriodEndAfter, signatureMatches, type AgreementInput } from '../../src/rentals/agreement';
import { DEFAULT_RENTAL_POLICY } from '../../src/rentals/policy';

const BASE: AgreementInput = {
  storeName: 'GigGatek',
  currency: 'USD',
  product: { name: 'ThinkPad T14', description: 'Tested and cleaned.', grade: 'B', warrantyMonths: 12 },
  termMonths: 12,
  cashPriceCents: 60_000,
  monthlyCents: 8_750,
  policy: DEFAULT_RENTAL_POLICY,
  startOn: '2026-11-21',
  customerName: 'Casey Renter',
};

describe('signatureMatches', () => {
  it.each([
    ['Casey Renter', true],
    ['casey renter', true],
    ['  CASEY   Renter ', true],
    ['CaseyRenter', true],
    ['Casey R.', false],
    ['Casey', false],
    ['', false],
    ['   ', false],
  ])('%j → %s', (typed, ok) => expect(signatureMatches(typed, 'Casey Renter')).toBe(ok));
});

describe('agreementText', () => {
  it('is a pure function of its input: the same input gives the same text and SHA-256', () => {
    const a = agreementText(agreementFor(BASE));
    expect(agreementText(agreementFor({ ...BASE }))).toBe(a);
    expect(agreementSha256(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(agreementSha256(agreementText(agreementFor({ ...BASE, customerName: 'Other Person' })))).not.toBe(agreementSha256(a));
  });

  it('holds every clause the page shows, in the same words, and the dated schedule with the day-90 mark', () => {
    const agreement = agreementFor(BASE);
    const text = agreementText(agreement);
    for (const s of agreementSections(agreement)) {
      expect(text).toContain(s.heading.toUpperCase());
      for (const p of s.paragraphs) expect(text).toContain(p);
    }
    expect(text).toContain('Its condition is grade B (Excellent)');
    expect(text).toContain('1 of 12, due November 21, 2026 (day 1): $87.50. Paid to date $87.50. Early purchase price after it: $512.50.');
    expect(text).toMatch(/3 of 12, due January 21, 2027 \(day 62\)[^\n]*\$337\.50\.\n-- Day 90 ends on February 18, 2027\. From February 19, 2027 the early purchase price is the cash price × payments left ÷ 12, which can be more than the day before\. --\n4 of 12, due February 21, 2027 \(day 93\)[^\n]*\$400\.00\./);
    expect(text).toContain('12 of 12, due October 21, 2027 (day 335): $87.50. Paid to date $1,050.00. Early purchase price after it: nothing: the device is yours.');
  });

  it('a 3-month agreement is owned before day 90: no mark, and it says so', () => {
    const agreement = agreementFor({ ...BASE, termMonths: 3, monthlyCents: 23_000 });
    expect(agreement.schedule.rows.some((r) => marksFirstPeriodEndAfter(agreement.schedule, r))).toBe(false);
    expect(agreementText(agreement)).toContain('Paid on time, the device is yours before then');
  });

  it('uses the policy it is given: a longer first period and other late-fee numbers', () => {
    const policy = { ...DEFAULT_RENTAL_POLICY, firstPeriodDays: 120, graceDays: 10, lateFeeFromDay: 11, lateFeePercent: 4, lateFeeCapCents: 300 };
    const text = agreementText(agreementFor({ ...BASE, policy }));
    expect(text).toContain('Through day 120 of the agreement (the start date is day 1, so through March 20, 2027)');
    expect(text).toContain('There is no late fee through day 10 after a due date (the grace period). From day 11 we may charge one late fee per payment: 4% of the payment, at most $3.00. On this agreement that is $3.00.');
  });
});
