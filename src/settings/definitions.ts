import { z } from 'zod';

/**
 * Every store setting the settings table holds: its key, the shape of its
 * JSON value and the value used while none is stored (or the stored one is
 * malformed, so a bad edit never breaks checkout). Staff edit them in admin.
 */

const text = (max: number) => z.string().trim().min(1).max(max);

export const StoreInfoSchema = z.object({
  name: text(120),
  email: z.email(),
  phone: text(40),
  address: text(300),
});

export const ShippingMethodsSchema = z
  .array(
    z.object({
      code: text(40),
      name: text(120),
      price_cents: z.number().int().min(0),
      free_over_cents: z.number().int().min(0).nullable().optional(),
    }),
  )
  .min(1);

export const TaxRatesSchema = z.object({
  default_bps: z.number().int().min(0).max(10_000),
  regions: z.record(z.string(), z.number().int().min(0).max(10_000)).default({}),
  shipping_taxable: z.boolean().optional(),
});

/** Where a customer paying by bank transfer sends the money; null until the store sets it. */
export const BankTransferSchema = z
  .object({
    account_name: text(120),
    bank_name: text(120),
    routing_number: text(40),
    account_number: text(40),
    /** SWIFT/BIC for transfers from abroad. */
    swift: z.string().trim().max(20).optional(),
  })
  .nullable();

/** Where orders can be collected and paid on pickup; null when the store offers no pickup. */
export const PickupSchema = z
  .object({
    address: text(300),
    hours: text(200),
  })
  .nullable();

/**
 * Rent-to-own policy numbers, kept within SPEC §4: no late fee before day 8
 * (grace ≥ 7 days), a late fee of at most 5 % and $5, default only after
 * day 10, payment retries within the grace period, and the early purchase
 * price of "cash price − payments made" for at least the first 90 days.
 */
export const RentalPolicySchema = z.object({
  grace_days: z.number().int().min(7, 'At least 7 days: no late fee before day 8.').max(30, 'At most 30 days.'),
  late_fee_percent: z.number().int().min(0).max(5, 'At most 5 % of the payment.'),
  late_fee_cap_cents: z.number().int().min(0).max(500, 'At most $5.00.'),
  default_after_days: z.number().int().min(10, 'Not before day 10.').max(90, 'At most 90 days.'),
  retry_days: z.array(z.number().int().min(1).max(30)).max(5, 'At most 5 retries.'),
  early_purchase_discount_days: z.number().int().min(90, 'At least the first 90 days.').max(365, 'At most 365 days.'),
});

export const SETTINGS = {
  store: {
    schema: StoreInfoSchema,
    fallback: { name: 'GigGatek', email: 'support@giggatek.local', phone: '+1 (512) 555-0142', address: '4100 Industrial Blvd, Suite 200, Austin, TX 78744, USA' },
  },
  shipping_methods: {
    schema: ShippingMethodsSchema,
    fallback: [
      { code: 'standard', name: 'Standard (3–5 business days)', price_cents: 999, free_over_cents: 50_000 },
      { code: 'express', name: 'Express (1–2 business days)', price_cents: 2499 },
      { code: 'pickup', name: 'Pick up at our warehouse', price_cents: 0 },
    ],
  },
  tax_rates: {
    schema: TaxRatesSchema,
    fallback: { default_bps: 0, regions: { CA: 725, NY: 400, TX: 625, WA: 650 } },
  },
  bank_transfer: { schema: BankTransferSchema, fallback: null },
  pickup: { schema: PickupSchema, fallback: null },
  rental_policy: {
    schema: RentalPolicySchema,
    fallback: { grace_days: 7, late_fee_percent: 5, late_fee_cap_cents: 500, default_after_days: 10, retry_days: [3, 7], early_purchase_discount_days: 90 },
  },
} satisfies Record<string, { schema: z.ZodType; fallback: unknown }>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.output<(typeof SETTINGS)[K]['schema']>;

/** The stored value if it is well-formed, else the fallback. */
export function settingValue<K extends SettingKey>(key: K, stored: unknown): SettingValue<K> {
  const parsed = SETTINGS[key].schema.safeParse(stored);
  return (parsed.success ? parsed.data : SETTINGS[key].schema.parse(SETTINGS[key].fallback)) as SettingValue<K>;
}
