import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_RENTAL_POLICY, currentRentalPolicy, rentalPolicyColumns, rentalPolicyFromRow, rentalPolicyFromSetting, type RentalPolicy,
} from '../../src/rentals/policy';
import { RENTAL_POLICY, maxTotalOfPayments, withinPricingGuard } from '../../src/rentals/quote';
import { agreementPolicy } from '../../src/rentals/repo';
import { SettingsService } from '../../src/settings/service';
import { fixedClock } from '../../src/lib/clock';
import { insertProduct } from '../helpers/fixtures';
import { freshDb, type TestDb } from '../helpers/db';

const SPEC_POLICY: RentalPolicy = {
  graceDays: 7,
  lateFeeFromDay: 8,
  lateFeePercent: 5,
  lateFeeCapCents: 500,
  retryDays: [3, 7],
  defaultAfterDays: 10,
  firstPeriodDays: 90,
  maxTotalPercent: 225,
};

const STRICTER = { grace_days: 10, late_fee_percent: 4, late_fee_cap_cents: 400, default_after_days: 14, retry_days: [7, 3, 7], early_purchase_discount_days: 120 };

describe('rental policy', () => {
  it('defaults to the SPEC §4 numbers, which the pre-signing quotes use too', () => {
    expect(DEFAULT_RENTAL_POLICY).toEqual(SPEC_POLICY);
    expect(RENTAL_POLICY).toMatchObject({ ...SPEC_POLICY, quoteMonthDays: 30 });
  });

  it('is built from the rental_policy setting: late fees from the day after the grace period, retry days in order and once each', () => {
    expect(rentalPolicyFromSetting(STRICTER)).toEqual({
      graceDays: 10, lateFeeFromDay: 11, lateFeePercent: 4, lateFeeCapCents: 400, retryDays: [3, 7], defaultAfterDays: 14, firstPeriodDays: 120, maxTotalPercent: 225,
    });
  });

  it('survives being written onto an agreement row and read back', () => {
    const p = rentalPolicyFromSetting(STRICTER);
    expect(rentalPolicyColumns(p)).toEqual({
      grace_days: 10, late_fee_percent: 4, late_fee_cap_cents: 400, retry_days: '[3,7]', default_after_days: 14, early_purchase_discount_days: 120, max_total_percent: 225,
    });
    expect(rentalPolicyFromRow(rentalPolicyColumns(p))).toEqual(p);
    expect(() => rentalPolicyFromRow({ ...rentalPolicyColumns(p), retry_days: '{"a":1}' })).toThrow(RangeError);
  });

  it.each([
    // cash, monthly, term → within 225 % of cash
    [10_000, 1_875, 12, true],
    [10_000, 1_876, 12, false],
  ])('pricing guard at the policy limit: cash %i, %i × %i → %s', (cash, monthly, term, ok) => {
    expect(withinPricingGuard(cash, monthly, term, DEFAULT_RENTAL_POLICY.maxTotalPercent)).toBe(ok);
    expect(maxTotalOfPayments(cash, DEFAULT_RENTAL_POLICY.maxTotalPercent)).toBe(22_500);
  });

  describe('copied onto each agreement when signed', () => {
    let t: TestDb;
    let settings: SettingsService;
    let insertRental: (columns: object) => Promise<number>;
    beforeAll(async () => {
      t = await freshDb();
      settings = new SettingsService({ db: t.db, clock: fixedClock('2026-01-01T00:00:00Z') });
      const [categoryId] = await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
      const productId = await insertProduct(t.db, { categoryId: Number(categoryId), name: 'ThinkPad T14' });
      const [userId] = await t.db('users').insert({ email: 'renter@example.com', password_hash: 'x' });
      insertRental = async (columns) => {
        const [id] = await t.db('rentals').insert({
          user_id: Number(userId), product_id: productId, status: 'pending_payment', term_months: 12, monthly_cents: 8_750, cash_price_cents: 60_000, total_cents: 105_000, ...columns,
        });
        return Number(id);
      };
    });
    afterAll(() => t.destroy());

    it('a later change of settings never alters a signed agreement', async () => {
      expect(await currentRentalPolicy(settings)).toEqual(SPEC_POLICY);
      await settings.set('rental_policy', STRICTER);
      const signedUnder = await currentRentalPolicy(settings);
      const id = await insertRental(rentalPolicyColumns(signedUnder));

      await settings.set('rental_policy', { ...STRICTER, grace_days: 7, late_fee_cap_cents: 500, retry_days: [2] });
      expect((await currentRentalPolicy(settings)).retryDays).toEqual([2]);
      expect(await agreementPolicy(t.db, id)).toEqual(signedUnder);
    });

    it('an agreement stored without a copy holds the SPEC §4 numbers (the column defaults)', async () => {
      expect(await agreementPolicy(t.db, await insertRental({}))).toEqual(SPEC_POLICY);
    });

    it('no agreement, no policy', async () => {
      expect(await agreementPolicy(t.db, 999_999)).toBeNull();
    });
  });
});
