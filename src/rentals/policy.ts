import { settingValue, type SettingValue } from '../settings/definitions';
import type { SettingsService } from '../settings/service';

/**
 * The policy numbers of a rent-to-own agreement (SPEC §4). Staff set them in
 * the rental_policy setting, within the bounds its schema enforces; they are
 * copied onto each agreement when it is signed (rentalPolicyColumns), and every
 * later calculation for that agreement reads them back from its row
 * (rentalPolicyFromRow), so a change of settings never alters a signed agreement.
 *
 * "Day n" after a due date counts the due date as day 0: with a 7-day grace
 * period there is no late fee through day 7 and one may be charged from day 8.
 */
export interface RentalPolicy {
  /** Days after a due date on which no late fee is charged. */
  graceDays: number;
  /** First day after the due date on which a late fee may be charged: graceDays + 1. */
  lateFeeFromDay: number;
  /** A late fee is this percent of the payment … */
  lateFeePercent: number;
  /** … and never more than this. */
  lateFeeCapCents: number;
  /** Days after the due date on which a failed payment is tried again, ascending. */
  retryDays: readonly number[];
  /** An agreement may be ended as defaulted only when a payment is more than this many days late. */
  defaultAfterDays: number;
  /**
   * Through this day of the agreement (the start date is day 1) the early
   * purchase price is the cash price less payments made; from the next day it
   * is cash price × remaining payments ÷ total payments. The setting
   * early_purchase_discount_days.
   */
  firstPeriodDays: number;
  /** The total of payments may be at most this percent of the cash price (225 = 2.25×). */
  maxTotalPercent: number;
}

/**
 * SPEC §4 pricing guard: total of payments ≤ 2.25 × cash price. A fixed rule
 * rather than a setting, but stored on each agreement with the other numbers so
 * the agreement records the limit it was priced under.
 */
export const MAX_TOTAL_PERCENT = 225;

export type RentalPolicySetting = SettingValue<'rental_policy'>;

/** The policy an agreement signed now gets, from the rental_policy setting. */
export function rentalPolicyFromSetting(s: RentalPolicySetting): RentalPolicy {
  return {
    graceDays: s.grace_days,
    lateFeeFromDay: s.grace_days + 1,
    lateFeePercent: s.late_fee_percent,
    lateFeeCapCents: s.late_fee_cap_cents,
    retryDays: [...new Set(s.retry_days)].sort((a, b) => a - b),
    defaultAfterDays: s.default_after_days,
    firstPeriodDays: s.early_purchase_discount_days,
    maxTotalPercent: MAX_TOTAL_PERCENT,
  };
}

/** The policy while staff have set none: the SPEC §4 numbers (7 grace days, retries on days 3 and 7, 5 % up to $5, default after day 10, 90 days). */
export const DEFAULT_RENTAL_POLICY: RentalPolicy = Object.freeze(rentalPolicyFromSetting(settingValue('rental_policy', undefined)));

/** The policy for an agreement about to be signed. */
export async function currentRentalPolicy(settings: Pick<SettingsService, 'get'>): Promise<RentalPolicy> {
  return rentalPolicyFromSetting(await settings.get('rental_policy'));
}

/** The rentals columns that hold an agreement's copy of its policy. */
export interface RentalPolicyColumns {
  grace_days: number;
  late_fee_percent: number;
  late_fee_cap_cents: number;
  /** JSON array of days, e.g. "[3,7]". */
  retry_days: string;
  default_after_days: number;
  early_purchase_discount_days: number;
  max_total_percent: number;
}

/** The values to write onto the agreement's row when it is signed. */
export function rentalPolicyColumns(p: RentalPolicy): RentalPolicyColumns {
  return {
    grace_days: p.graceDays,
    late_fee_percent: p.lateFeePercent,
    late_fee_cap_cents: p.lateFeeCapCents,
    retry_days: JSON.stringify(p.retryDays),
    default_after_days: p.defaultAfterDays,
    early_purchase_discount_days: p.firstPeriodDays,
    max_total_percent: p.maxTotalPercent,
  };
}

/** An agreement's policy, read back from its row. */
export function rentalPolicyFromRow(row: RentalPolicyColumns): RentalPolicy {
  const retryDays: unknown = JSON.parse(row.retry_days);
  if (!Array.isArray(retryDays) || !retryDays.every((d) => Number.isInteger(d))) {
    throw new RangeError(`retry_days is not a list of days: ${row.retry_days}`);
  }
  return {
    graceDays: row.grace_days,
    lateFeeFromDay: row.grace_days + 1,
    lateFeePercent: row.late_fee_percent,
    lateFeeCapCents: row.late_fee_cap_cents,
    retryDays: retryDays as number[],
    defaultAfterDays: row.default_after_days,
    firstPeriodDays: row.early_purchase_discount_days,
    maxTotalPercent: row.max_total_percent,
  };
}
