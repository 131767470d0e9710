import type { SettingsService } from '../settings/service';
import type { SettingValue } from '../settings/definitions';

/**
 * Shipping methods and tax rates as checkout uses them, from the settings
 * table (src/settings/definitions.ts: shipping_methods, tax_rates).
 */
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

function toShippingMethods(stored: SettingValue<'shipping_methods'>): ShippingMethod[] {
  return stored.map((m) => ({ code: m.code, name: m.name, priceCents: m.price_cents, freeOverCents: m.free_over_cents ?? null }));
}

function toTaxRates(stored: SettingValue<'tax_rates'>): TaxRates {
  return {
    defaultBps: stored.default_bps,
    regions: Object.fromEntries(Object.entries(stored.regions).map(([k, v]) => [k.trim().toUpperCase(), v])),
    shippingTaxable: stored.shipping_taxable ?? false,
  };
}

export interface CheckoutSettings {
  shippingMethods: ShippingMethod[];
  taxRates: TaxRates;
}

export async function loadCheckoutSettings(settings: SettingsService): Promise<CheckoutSettings> {
  const [methods, rates] = await Promise.all([settings.get('shipping_methods'), settings.get('tax_rates')]);
  return { shippingMethods: toShippingMethods(methods), taxRates: toTaxRates(rates) };
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
