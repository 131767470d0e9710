import { describe, expect, it } from 'vitest';
import {
  agreementDay, earlyPurchasePrice, earlyPurchasePriceOn, maxTotalOfPayments, rentalQuote, withinPricingGuard,
  type RentalTerm,
} from '../../src/rentals/quote';

describe('rentalQuote: totals and cost of rental', () => {
  it.each([
    // cash, monthly, term, total, cost of rental
    [60_000, 8_750, 12, 105_000, 45_000],
    [60_000, 13_500, 6, 81_000, 21_000],
    [60_000, 23_000, 3, 69_000, 9_000],
    [44_900, 6_548, 12, 78_576, 33_676],
    [17_900, 6_862, 3, 20_586, 2_686],
    [0, 0, 3, 0, 0],
  ] as Array<[number, number, RentalTerm, number, number]>)('cash %i at %i × %i → total %i, cost %i', (cash, monthly, term, total, cost) => {
    const q = rentalQuote(cash, monthly, term);
    expect(q.numberOfPayments).toBe(term);
    expect(q.totalOfPaymentsCents).toBe(total);
    expect(q.costOfRentalCents).toBe(cost);
    expect(q.schedule).toHaveLength(term);
  });

  it('early purchase price after each payment of a 12-month term (30-day months: payments 1–3 in the first 90 days)', () => {
    const q = rentalQuote(60_000, 8_750, 12);
    expect(q.schedule.map((r) => [r.payment, r.day, r.earlyPurchaseCents, r.rule])).toEqual([
      [1, 1, 51_250, 'first_90_days'],
      [2, 31, 42_500, 'first_90_days'],
      [3, 61, 33_750, 'first_90_days'],
      [4, 91, 40_000, 'after_90_days'],
      [5, 121, 35_000, 'after_90_days'],
      [6, 151, 30_000, 'after_90_days'],
      [7, 181, 25_000, 'after_90_days'],
      [8, 211, 20_000, 'after_90_days'],
      [9, 241, 15_000, 'after_90_days'],
      [10, 271, 10_000, 'after_90_days'],
      [11, 301, 5_000, 'after_90_days'],
      [12, 331, 0, 'owned'],
    ]);
    expect(q.schedule.map((r) => r.paidToDateCents).at(-1)).toBe(105_000);
    expect(q.schedule[3]!.remainingPaymentsCents).toBe(8 * 8_750);
  });

  it('3-month term: every row is inside the first 90 days and the price never goes below zero', () => {
    const q = rentalQuote(30_000, 11_500, 3);
    expect(q.schedule.map((r) => [r.earlyPurchaseCents, r.rule])).toEqual([
      [18_500, 'first_90_days'],
      [7_000, 'first_90_days'],
      [0, 'owned'],
    ]);
    const low = rentalQuote(10_000, 6_000, 3);
    expect(low.schedule[1]!.earlyPurchaseCents).toBe(0);
  });

  it.each([
    // cash, term, payments made → after-90-days price (rounded to the nearest cent, halves away from zero)
    [1_003, 6, 4, 334], // 334.33
    [1_003, 6, 5, 167], // 167.17
    [99_999, 12, 5, 58_333], // 58332.75
    [99_999, 12, 7, 41_666], // 41666.25
    [3, 6, 5, 1], // 0.5 → 1
    [9, 6, 5, 2], // 1.5 → 2
  ])('rounding: cash %i, term %i, %i paid → %i', (cash, term, paid, expected) => {
    expect(earlyPurchasePrice({ cashPriceCents: cash, monthlyCents: 1, termMonths: term, paymentsMade: paid, day: 120 }).cents).toBe(expected);
  });
});

describe('90-day boundary by calendar date (start date = day 1)', () => {
  it.each([
    ['2026-01-01', '2026-01-01', 1],
    ['2026-01-01', '2026-03-30', 89],
    ['2026-01-01', '2026-03-31', 90],
    ['2026-01-01', '2026-04-01', 91],
    ['2028-02-01', '2028-04-30', 90], // leap year: February has 29 days
    ['2028-02-01', '2028-05-01', 91],
    ['2026-01-01', '2026-01-01T23:59:59Z', 1],
  ])('start %s, on %s → day %i', (start, on, day) => {
    expect(agreementDay(start, on)).toBe(day);
  });

  const terms = { cashPriceCents: 60_000, monthlyCents: 8_750, termMonths: 12, start: '2026-01-01' };
  it.each([
    ['2026-03-30', 89, 33_750, 'first_90_days'],
    ['2026-03-31', 90, 33_750, 'first_90_days'],
    ['2026-04-01', 91, 45_000, 'after_90_days'],
  ])('3 payments made, on %s (day %i) → %i by %s', (on, day, cents, rule) => {
    expect(agreementDay(terms.start, on)).toBe(day);
    expect(earlyPurchasePriceOn(terms, on, 3)).toEqual({ cents, rule });
  });

  it('adds any past-due amount', () => {
    expect(earlyPurchasePriceOn(terms, '2026-02-15', 1, 8_750)).toEqual({ cents: 51_250 + 8_750, rule: 'first_90_days' });
    expect(earlyPurchasePriceOn(terms, '2026-06-15', 4, 700)).toEqual({ cents: 40_000 + 700, rule: 'after_90_days' });
  });

  it('rejects impossible inputs', () => {
    expect(() => earlyPurchasePrice({ ...terms, paymentsMade: 13, day: 5 })).toThrow(RangeError);
    expect(() => earlyPurchasePrice({ ...terms, paymentsMade: 1, day: 0 })).toThrow(RangeError);
    expect(() => rentalQuote(100, 10, 5 as RentalTerm)).toThrow(RangeError);
    expect(() => rentalQuote(100.5, 10, 3)).toThrow(RangeError);
    expect(() => agreementDay('not a date', '2026-01-01')).toThrow(RangeError);
  });
});

describe('pricing guard: total of payments ≤ 2.25 × cash price', () => {
  it.each([
    [10_000, 1_875, 12, true], // exactly 22 500
    [10_000, 1_876, 12, false],
    [10_000, 7_500, 3, true],
    [10_000, 7_501, 3, false],
    [44_900, 6_548, 12, true],
  ])('cash %i, monthly %i × %i → %s', (cash, monthly, term, ok) => {
    expect(withinPricingGuard(cash, monthly, term)).toBe(ok);
    expect(rentalQuote(cash, monthly, term as RentalTerm).withinPricingGuard).toBe(ok);
  });

  it('the largest allowed total is rounded down to the cent', () => {
    expect(maxTotalOfPayments(10_000)).toBe(22_500);
    expect(maxTotalOfPayments(10_001)).toBe(22_502);
  });
});
