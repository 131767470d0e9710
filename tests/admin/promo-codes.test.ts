import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

describe('admin promo codes', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let laptop: number;

  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'EliteBook 840', priceCents: 40_000, units: 5 });
    const s = await createUser(t.db, { email: 'marketing@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('creates a code that shoppers can use at once, lists its use, and switches it off', async () => {
    await staff.refreshToken('/admin/promo-codes/new');
    const created = await staff.post('/admin/promo-codes', { code: 'spring-15', kind: 'percent', value: '15', min_subtotal: '100', usage_limit: '50', per_customer_limit: '1', active: 'on', description: 'Spring mailing' });
    expect(created.status).toBe(303);
    const row = await t.db('promo_codes').where({ code: 'SPRING-15' }).first();
    expect(row).toMatchObject({ kind: 'percent', value: 15, min_subtotal_cents: 10_000, usage_limit: 50, per_customer_limit: 1 });
    expect(Boolean(row.active)).toBe(true);

    const buyer = shopper(t.app);
    await buyer.add(laptop, 1);
    await buyer.refreshToken('/cart');
    const applied = await buyer.post('/cart/promo', { code: 'SPRING-15' });
    expect(applied.status).toBe(303);
    expect((await buyer.agent.get('/cart')).text).toContain('−$60.00');

    await staff.refreshToken(`/admin/promo-codes/${row.id}`);
    expect((await staff.post(`/admin/promo-codes/${row.id}`, { code: 'SPRING-15', kind: 'percent', value: '15', min_subtotal: '100', usage_limit: '50', per_customer_limit: '1', description: 'Spring mailing' })).status).toBe(303);
    expect(Boolean((await t.db('promo_codes').where({ id: row.id }).first()).active)).toBe(false);
    expect((await staff.agent.get('/admin/promo-codes')).text).toMatch(/SPRING-15[\s\S]*?Off/);
    expect((await t.db('audit_log').where({ entity: 'promo_code', entity_id: 'SPRING-15' }).pluck('action'))).toEqual(['promo.create', 'promo.update']);
  });

  it.each([
    [{ code: 'X', kind: 'percent', value: '10' }, 'Codes are at least 3 characters.'],
    [{ code: 'BIG', kind: 'percent', value: '150' }, 'A percentage is from 1 to 100.'],
    [{ code: 'DATES', kind: 'fixed', value: '5', starts_at: '2026-12-10', ends_at: '2026-12-01' }, 'The code must end after it starts.'],
    [{ code: 'SPRING-15', kind: 'fixed', value: '5' }, 'There is already a code SPRING-15.'],
  ])('refuses %j with a clear message, writing nothing', async (fields, message) => {
    const before = await t.db('promo_codes').count({ n: '*' }).first();
    await staff.refreshToken('/admin/promo-codes/new');
    const res = await staff.post('/admin/promo-codes', fields as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await t.db('promo_codes').count({ n: '*' }).first()).toEqual(before);
  });
});
