import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { enqueue } from '../../src/jobs/queue';

describe('admin settings and jobs', () => {
  let t: Shop;
  let admin: ReturnType<typeof shopper>;
  let staff: ReturnType<typeof shopper>;

  beforeAll(async () => {
    t = await startShop();
    const a = await createUser(t.db, { email: 'owner@giggatek.test', role: 'admin' });
    admin = shopper(t.app);
    await admin.login(a.email, a.password);
    const s = await createUser(t.db, { email: 'clerk@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('settings are for admins only', async () => {
    expect((await staff.agent.get('/admin/settings')).status).toBe(403);
    await staff.refreshToken('/admin');
    expect((await staff.post('/admin/settings/store', { name: 'Hijacked' })).status).toBe(403);
    expect((await admin.agent.get('/admin/settings')).status).toBe(200);
  });

  it('bank details saved here show on the next manual order at once, and the change is audited', async () => {
    await admin.refreshToken('/admin/settings');
    const res = await admin.post('/admin/settings/bank_transfer', { offered: 'on', account_name: 'GigGatek LLC', bank_name: 'Capital Bank', routing_number: '021000021', account_number: '55550000', swift: '' });
    expect(res.status).toBe(303);
    expect(await t.app.context.settings.get('bank_transfer')).toEqual({ account_name: 'GigGatek LLC', bank_name: 'Capital Bank', routing_number: '021000021', account_number: '55550000' });
    const audit = await t.db('audit_log').where({ action: 'settings.update', entity_id: 'bank_transfer' }).first();
    expect(JSON.parse(audit.after)).toMatchObject({ bank_name: 'Capital Bank' });
    expect((await admin.agent.get('/admin/settings')).text).toContain('value="Capital Bank"');
  });

  it('tax rates and shipping methods are read from their text form; bad lines are refused with the line', async () => {
    await admin.refreshToken('/admin/settings');
    expect((await admin.post('/admin/settings/tax_rates', { default_percent: '0', regions: 'CA 7.25\nny 4\nTX: 6.25%' })).status).toBe(303);
    expect(await t.app.context.settings.get('tax_rates')).toEqual({ default_bps: 0, regions: { CA: 725, NY: 400, TX: 625 }, shipping_taxable: false });
    await admin.refreshToken('/admin/settings');
    const bad = await admin.post('/admin/settings/shipping_methods', { methods: 'standard | Standard | 9.99 | 500\nexpress | Express | lots' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Line 2 (&#34;express | Express | lots&#34;)');
    expect((await t.app.context.settings.get('shipping_methods')).map((m) => m.code)).toEqual(['standard', 'express', 'pickup']);
  });

  it('rent-to-own policy numbers stay within the contract: a late fee above $5 or grace under 7 days is refused', async () => {
    await admin.refreshToken('/admin/settings');
    const res = await admin.post('/admin/settings/rental_policy', { grace_days: '5', late_fee_percent: '5', late_fee_cap: '7.50', default_after_days: '10', retry_days: '3, 7', early_purchase_discount_days: '90' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('At least 7 days: no late fee before day 8.');
    expect(res.text).toContain('At most $5.00.');
    expect(res.text).toContain('value="7.50"');
    expect((await t.app.context.settings.get('rental_policy')).grace_days).toBe(7);
    await admin.refreshToken('/admin/settings');
    expect((await admin.post('/admin/settings/rental_policy', { grace_days: '10', late_fee_percent: '4', late_fee_cap: '4.00', default_after_days: '14', retry_days: '3, 7', early_purchase_discount_days: '120' })).status).toBe(303);
    expect(await t.app.context.settings.get('rental_policy')).toEqual({ grace_days: 10, late_fee_percent: 4, late_fee_cap_cents: 400, default_after_days: 14, retry_days: [3, 7], early_purchase_discount_days: 120 });
  });

  it('jobs: failed ones show their last error and can be retried (audited)', async () => {
    const id = await enqueue(t.db, 'mail.send', { to: 'x' });
    await t.db('jobs').where({ id }).update({ failed_at: '2026-11-21 10:00:00.000', finished_at: '2026-11-21 10:00:00.000', attempts: 5, last_error: 'SMTP said 550 mailbox unavailable' });
    const page = await staff.agent.get('/admin/jobs');
    expect(page.text).toContain('SMTP said 550 mailbox unavailable');
    await staff.refreshToken('/admin/jobs');
    expect((await staff.post(`/admin/jobs/${id}/retry`)).status).toBe(303);
    expect(await t.db('jobs').where({ id }).first()).toMatchObject({ failed_at: null, attempts: 0 });
    await staff.refreshToken('/admin/jobs');
    expect((await staff.post(`/admin/jobs/${id}/retry`)).status).toBe(409);
  });
});
