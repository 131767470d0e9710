import { z } from 'zod';
import type { Conn } from '../db';

/**
 * Shipping methods and tax rates live in the settings table (JSON values,
 * seeded with the defaults below and edited in admin). A missing or malformed
 * value falls back to the default so checkout never breaks on settings.
 */
const ShippingMethodSchema = z.object({
  code: z.string().min(1).max(40),
  name: z.string().min(1).max(120),
  price_cents: z.number().int().min(0),
  free_over_cents: z.number().int().min(0).nullable().optional(),
});
const ShippingMethodsSchema = z.array(ShippingMethodSchema).min(1);

const TaxRatesSchema = z.object({
  default_bps: z.number().int().min(0).max(10_000),
  regions: z.record(z.string(), z.number().int().min(0).max(10_000)).default({}),
  shipping_taxable: z.boolean().optional(),
});

export interface ShippingMethod {
  code: string;
  name: string;
  priceCents: number;
  freeOverCents: number | null;
}

export interface TaxRates {
  defaultBps: number;
  regions: Record<string, number>;
  shippingTaxable: boolean;
}

/** The stored (settings table) form of the defaults; seeds write exactly these. */
export const DEFAULT_CHECKOUT_SETTINGS = {
  shipping_methods: [
    { code: 'standard', name: 'Standard (3–5 business days)', price_cents: 999, free_over_cents: 50_000 },
    { code: 'express', name: 'Express (1–2 business days)', price_cents: 2499 },
    { code: 'pickup', name: 'Pick up at our warehouse', price_cents: 0 },
  ],
  tax_rates: { default_bps: 0, regions: { CA: 725, NY: 400, TX: 625, WA: 650 } },
};

function toShippingMethods(stored: z.infer<typeof ShippingMethodsSchema>): ShippingMethod[] {
  return stored.map((m) => ({ code: m.code, name: m.name, priceCents: m.price_cents, freeOverCents: m.free_over_cents ?? null }));
}

function toTaxRates(stored: z.infer<typeof TaxRatesSchema>): TaxRates {
  return {
    defaultBps: stored.default_bps,
    regions: Object.fromEntries(Object.entries(stored.regions).map(([k, v]) => [k.trim().toUpperCase(), v])),
    shippingTaxable: stored.shipping_taxable ?? false,
  };
}

export const DEFAULT_SHIPPING_METHODS: ShippingMethod[] = toShippingMethods(DEFAULT_CHECKOUT_SETTINGS.shipping_methods);
export const DEFAULT_TAX_RATES: TaxRates = toTaxRates(TaxRatesSchema.parse(DEFAULT_CHECKOUT_SETTINGS.tax_rates));

export interface CheckoutSettings {
  shippingMethods: ShippingMethod[];
  taxRates: TaxRates;
}

export async function loadCheckoutSettings(conn: Conn): Promise<CheckoutSettings> {
  const rows = await conn('settings').whereIn('key', ['shipping_methods', 'tax_rates']).select('key', 'value');
  const value = (key: string): unknown => {
    const row = rows.find((r) => r.key === key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value);
    } catch {
      return undefined;
    }
  };
  const methods = ShippingMethodsSchema.safeParse(value('shipping_methods'));
  const rates = TaxRatesSchema.safeParse(value('tax_rates'));
  return {
    shippingMethods: methods.success ? toShippingMethods(methods.data) : DEFAULT_SHIPPING_METHODS,
    taxRates: rates.success ? toTaxRates(rates.data) : DEFAULT_TAX_RATES,
  };
}

/** Tax rate for a region code ("ca", " CA " → CA), else the default rate. */
export function taxBpsFor(rates: TaxRates, region: string | null | undefined): number {
  const key = (region ?? '').trim().toUpperCase();
  return rates.regions[key] ?? rates.defaultBps;
}

/** "7.25%" for a rate in basis points. */
export function formatRate(bps: number): string {
  return `${(bps / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}
