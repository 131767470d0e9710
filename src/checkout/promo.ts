import type { Discount } from './totals';

/** A promo code as the rules see it (mapped from promo_codes). */
export interface PromoCode {
  id: number;
  code: string;
  kind: 'percent' | 'fixed';
  value: number;
  minSubtotalCents: number;
  startsAt: Date | null;
  endsAt: Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  active: boolean;
  description: string | null;
}

export interface PromoContext {
  subtotalCents: number;
  now: Date;
  /** Redemptions so far, all customers. */
  timesUsed: number;
  /** Redemptions so far by this customer (user id or email); 0 when unknown. */
  timesUsedByCustomer: number;
}

export type PromoRejection = 'inactive' | 'not_started' | 'expired' | 'min_subtotal' | 'used_up' | 'customer_limit';

export type PromoCheck =
  | { ok: true; discount: Discount }
  | { ok: false; reason: PromoRejection; message: string };

/** Codes are case-insensitive and stored upper-cased. */
export function normalizeCode(input: string): string {
  return input.trim().toUpperCase();
}

/** Whether a promo applies, and the discount it gives; pure. */
export function checkPromo(promo: PromoCode, ctx: PromoContext, formatMoney: (cents: number) => string): PromoCheck {
  const name = promo.code;
  if (!promo.active) return { ok: false, reason: 'inactive', message: `The code ${name} is no longer valid.` };
  if (promo.startsAt && ctx.now < promo.startsAt) return { ok: false, reason: 'not_started', message: `The code ${name} is not valid yet.` };
  if (promo.endsAt && ctx.now >= promo.endsAt) return { ok: false, reason: 'expired', message: `The code ${name} has expired.` };
  if (promo.usageLimit !== null && ctx.timesUsed >= promo.usageLimit) {
    return { ok: false, reason: 'used_up', message: `The code ${name} has been fully used.` };
  }
  if (promo.perCustomerLimit !== null && ctx.timesUsedByCustomer >= promo.perCustomerLimit) {
    return { ok: false, reason: 'customer_limit', message: `You have already used the code ${name}.` };
  }
  if (ctx.subtotalCents < promo.minSubtotalCents) {
    return {
      ok: false,
      reason: 'min_subtotal',
      message: `The code ${name} needs a subtotal of at least ${formatMoney(promo.minSubtotalCents)}.`,
    };
  }
  return { ok: true, discount: { kind: promo.kind, value: promo.value } };
}

/** What the code gives, in words, for the cart and the order pages. */
export function describePromo(promo: Pick<PromoCode, 'kind' | 'value'>, formatMoney: (cents: number) => string): string {
  return promo.kind === 'percent' ? `${promo.value}% off` : `${formatMoney(promo.value)} off`;
}
