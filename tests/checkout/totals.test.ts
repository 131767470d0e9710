import { describe, expect, it } from 'vitest';
import { computeTotals, mulDivRound, type TotalsInput } from '../../src/checkout/totals';

const STANDARD = { priceCents: 999, freeOverCents: 50_000 };
const EXPRESS = { priceCents: 2499, freeOverCents: null };

describe('computeTotals: promo × shipping × tax × credit', () => {
  // Each row: the input and the expected money, worked out by hand.
  const table: Array<[string, TotalsInput, { subtotal: number; discount: number; shipping: number; tax: number; total: number; credit: number; due: number }]> = [
    ['no promo, standard shipping, no tax',
      { lines: [{ unitPriceCents: 10_000, quantity: 1 }], shipping: STANDARD, taxBps: 0 },
      { subtotal: 10_000, discount: 0, shipping: 999, tax: 0, total: 10_999, credit: 0, due: 10_999 }],
    ['free standard shipping at the threshold exactly',
      { lines: [{ unitPriceCents: 25_000, quantity: 2 }], shipping: STANDARD, taxBps: 0 },
      { subtotal: 50_000, discount: 0, shipping: 0, tax: 0, total: 50_000, credit: 0, due: 50_000 }],
    ['a discount that drops the subtotal under the threshold brings shipping back',
      { lines: [{ unitPriceCents: 50_000, quantity: 1 }], discount: { kind: 'percent', value: 10 }, shipping: STANDARD, taxBps: 0 },
      { subtotal: 50_000, discount: 5_000, shipping: 999, tax: 0, total: 45_999, credit: 0, due: 45_999 }],
    ['express is never free',
      { lines: [{ unitPriceCents: 90_000, quantity: 1 }], shipping: EXPRESS, taxBps: 0 },
      { subtotal: 90_000, discount: 0, shipping: 2499, tax: 0, total: 92_499, credit: 0, due: 92_499 }],
    ['TX 6.25 %: tax per line, rounded half up (2806.25 → 2806)',
      { lines: [{ unitPriceCents: 44_900, quantity: 1 }], shipping: STANDARD, taxBps: 625 },
      { subtotal: 44_900, discount: 0, shipping: 999, tax: 2806, total: 48_705, credit: 0, due: 48_705 }],
    ['per-line rounding: 3 lines of 0.50 tax each at 12.5 % of 4.00 (0.5 cent rounds up per line)',
      { lines: [{ unitPriceCents: 4, quantity: 1 }, { unitPriceCents: 4, quantity: 1 }, { unitPriceCents: 4, quantity: 1 }], shipping: { priceCents: 0 }, taxBps: 1250 },
      { subtotal: 12, discount: 0, shipping: 0, tax: 3, total: 15, credit: 0, due: 15 }],
    ['percent promo per line, then tax on the discounted line (CA 7.25 %)',
      { lines: [{ unitPriceCents: 32_900, quantity: 2 }, { unitPriceCents: 1_999, quantity: 1 }], discount: { kind: 'percent', value: 10 }, shipping: STANDARD, taxBps: 725 },
      // discounts 6580 + 199.9→200 = 6780; taxes (65800−6580)=59220×7.25%=4293.45→4293, (1999−200)=1799×7.25%=130.4→130
      { subtotal: 67_799, discount: 6_780, shipping: 0, tax: 4_423, total: 65_442, credit: 0, due: 65_442 }],
    ['fixed promo spread by line share, leftover cent to the largest remainder',
      { lines: [{ unitPriceCents: 10_000, quantity: 1 }, { unitPriceCents: 20_000, quantity: 1 }], discount: { kind: 'fixed', value: 1_000 }, shipping: EXPRESS, taxBps: 1000 },
      // shares 333.33→333 and 666.67→666, +1 cent to line 2 (remainder .67) → 333 + 667; tax 966.7→967 + 1933.3→1933
      { subtotal: 30_000, discount: 1_000, shipping: 2499, tax: 2_900, total: 34_399, credit: 0, due: 34_399 }],
    ['fixed promo larger than the subtotal is capped at the subtotal',
      { lines: [{ unitPriceCents: 1_500, quantity: 1 }], discount: { kind: 'fixed', value: 2_500 }, shipping: STANDARD, taxBps: 625 },
      { subtotal: 1_500, discount: 1_500, shipping: 999, tax: 0, total: 999, credit: 0, due: 999 }],
    ['shipping taxed when the region says so',
      { lines: [{ unitPriceCents: 10_000, quantity: 1 }], shipping: STANDARD, taxBps: 800, taxShipping: true },
      // 800 + 79.92→80
      { subtotal: 10_000, discount: 0, shipping: 999, tax: 880, total: 11_879, credit: 0, due: 11_879 }],
    ['store credit smaller than the total: applied after tax',
      { lines: [{ unitPriceCents: 44_900, quantity: 1 }], shipping: STANDARD, taxBps: 625, storeCreditCents: 5_000 },
      { subtotal: 44_900, discount: 0, shipping: 999, tax: 2806, total: 48_705, credit: 5_000, due: 43_705 }],
    ['store credit larger than the total covers it all, the rest stays',
      { lines: [{ unitPriceCents: 2_000, quantity: 1 }], shipping: STANDARD, taxBps: 625, storeCreditCents: 100_000 },
      { subtotal: 2_000, discount: 0, shipping: 999, tax: 125, total: 3_124, credit: 3_124, due: 0 }],
    ['promo + express + tax + credit together',
      { lines: [{ unitPriceCents: 69_900, quantity: 1 }], discount: { kind: 'fixed', value: 2_500 }, shipping: EXPRESS, taxBps: 400, storeCreditCents: 1_234 },
      // 67400 × 4 % = 2696
      { subtotal: 69_900, discount: 2_500, shipping: 2499, tax: 2_696, total: 72_595, credit: 1_234, due: 71_361 }],
    ['100 % off leaves shipping and no tax on the goods',
      { lines: [{ unitPriceCents: 12_345, quantity: 3 }], discount: { kind: 'percent', value: 100 }, shipping: STANDARD, taxBps: 725 },
      { subtotal: 37_035, discount: 37_035, shipping: 999, tax: 0, total: 999, credit: 0, due: 999 }],
    ['an empty cart costs nothing, not even shipping',
      { lines: [], shipping: STANDARD, taxBps: 725, storeCreditCents: 500 },
      { subtotal: 0, discount: 0, shipping: 0, tax: 0, total: 0, credit: 0, due: 0 }],
  ];

  it.each(table)('%s', (_name, input, want) => {
    const t = computeTotals(input);
    expect({
      subtotal: t.subtotalCents, discount: t.discountCents, shipping: t.shippingCents, tax: t.taxCents,
      total: t.totalCents, credit: t.storeCreditCents, due: t.amountDueCents,
    }).toEqual(want);
    // Invariants on every row.
    expect(t.lines.reduce((a, l) => a + l.discountCents, 0)).toBe(t.discountCents);
    expect(t.totalCents).toBe(t.subtotalCents - t.discountCents + t.shippingCents + t.taxCents);
    for (const l of t.lines) expect(l.discountCents).toBeLessThanOrEqual(l.lineTotalCents);
  });

  it('fixed discounts always add up exactly, whatever the split', () => {
    for (let seed = 1; seed < 200; seed++) {
      const lines = Array.from({ length: 1 + (seed % 5) }, (_, i) => ({ unitPriceCents: ((seed * 7919 + i * 104_729) % 50_000) + 1, quantity: 1 + ((seed + i) % 3) }));
      const value = (seed * 313) % 20_000;
      const t = computeTotals({ lines, discount: { kind: 'fixed', value }, shipping: { priceCents: 0 }, taxBps: 0 });
      expect(t.discountCents).toBe(Math.min(value, t.subtotalCents));
    }
  });

  it('rounds half away from zero on exact integers', () => {
    expect(mulDivRound(1, 1, 2)).toBe(1);
    expect(mulDivRound(2806_25, 1, 100)).toBe(2806);
    expect(mulDivRound(44_900, 625, 10_000)).toBe(2806); // 2806.25
    expect(mulDivRound(1_999, 725, 10_000)).toBe(145); // 144.93
    expect(mulDivRound(200, 725, 10_000)).toBe(15); // 14.5
  });

  it('refuses negative or fractional money', () => {
    expect(() => computeTotals({ lines: [{ unitPriceCents: -1, quantity: 1 }], shipping: STANDARD, taxBps: 0 })).toThrow(RangeError);
    expect(() => computeTotals({ lines: [{ unitPriceCents: 1.5, quantity: 1 }], shipping: STANDARD, taxBps: 0 })).toThrow(RangeError);
  });
});
