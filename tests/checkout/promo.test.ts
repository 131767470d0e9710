import { describe, expect, it } from 'vitest';
import { checkPromo, normalizeCode, type PromoCode, type PromoContext } from '../../src/checkout/promo';
import { formatMoney } from '../../src/lib/money';

const base: PromoCode = {
  id: 1, code: 'WELCOME10', kind: 'percent', value: 10, minSubtotalCents: 5_000,
  startsAt: new Date('2026-11-01T00:00:00Z'), endsAt: new Date('2026-12-01T00:00:00Z'),
  usageLimit: 100, perCustomerLimit: 1, active: true, description: null,
};
const ctx: PromoContext = { subtotalCents: 10_000, now: new Date('2026-11-21T10:00:00Z'), timesUsed: 0, timesUsedByCustomer: 0 };

describe('checkPromo', () => {
  const table: Array<[string, Partial<PromoCode>, Partial<PromoContext>, string]> = [
    ['valid', {}, {}, 'ok'],
    ['switched off', { active: false }, {}, 'inactive'],
    ['before its start', {}, { now: new Date('2026-10-31T23:59:59Z') }, 'not_started'],
    ['at its start', {}, { now: new Date('2026-11-01T00:00:00Z') }, 'ok'],
    ['at its end (end is exclusive)', {}, { now: new Date('2026-12-01T00:00:00Z') }, 'expired'],
    ['no dates at all', { startsAt: null, endsAt: null }, { now: new Date('2030-01-01') }, 'ok'],
    ['global limit reached', {}, { timesUsed: 100 }, 'used_up'],
    ['global limit not yet reached', {}, { timesUsed: 99 }, 'ok'],
    ['unlimited', { usageLimit: null, perCustomerLimit: null }, { timesUsed: 10_000, timesUsedByCustomer: 50 }, 'ok'],
    ['customer already used it', {}, { timesUsedByCustomer: 1 }, 'customer_limit'],
    ['subtotal one cent short', {}, { subtotalCents: 4_999 }, 'min_subtotal'],
    ['subtotal exactly the minimum', {}, { subtotalCents: 5_000 }, 'ok'],
  ];
  it.each(table)('%s', (_name, promo, context, want) => {
    const r = checkPromo({ ...base, ...promo }, { ...ctx, ...context }, (c) => formatMoney(c));
    expect(r.ok ? 'ok' : r.reason).toBe(want);
    if (!r.ok) expect(r.message).toMatch(/WELCOME10/);
  });

  it('gives the discount of its kind', () => {
    expect(checkPromo(base, ctx, formatMoney)).toEqual({ ok: true, discount: { kind: 'percent', value: 10 } });
    expect(checkPromo({ ...base, kind: 'fixed', value: 2_500 }, ctx, formatMoney)).toEqual({ ok: true, discount: { kind: 'fixed', value: 2_500 } });
  });

  it('explains the minimum in money', () => {
    const r = checkPromo(base, { ...ctx, subtotalCents: 100 }, formatMoney);
    expect(r.ok ? '' : r.message).toBe('The code WELCOME10 needs a subtotal of at least $50.00.');
  });

  it('normalises what shoppers type', () => {
    expect(normalizeCode('  welcome10 ')).toBe('WELCOME10');
  });
});
