import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

describe('admin customers', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let staffId: number;
  let casey: { id: number; email: string; password: string };

  beforeAll(async () => {
    t = await startShop();
    const s = await createUser(t.db, { email: 'desk@giggatek.test', role: 'staff' });
    staffId = s.id;
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
    casey = await createUser(t.db, { email: 'casey.jones@example.com', firstName: 'Casey', lastName: 'Jones' });
    await createUser(t.db, { email: 'other.person@example.com', firstName: 'Other', lastName: 'Person' });
  });
  afterAll(() => t.destroy());

  it('finds customers by e-mail or name', async () => {
    expect((await staff.agent.get('/admin/customers?q=casey')).text).toContain('casey.jones@example.com');
    expect((await staff.agent.get('/admin/customers?q=jon')).text).toContain('casey.jones@example.com');
    const other = await staff.agent.get('/admin/customers?q=other');
    expect(other.text).toContain('other.person@example.com');
    expect(other.text).not.toContain('casey.jones@example.com');
    expect((await staff.agent.get('/admin/customers/999999')).status).toBe(404);
  });

  it('adjusts store credit with a reason; never below zero', async () => {
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    expect((await staff.post(`/admin/customers/${casey.id}/credit`, { amount: '25', reason: 'Late delivery' })).status).toBe(303);
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    const tooMuch = await staff.post(`/admin/customers/${casey.id}/credit`, { amount: '-30', reason: 'Mistake' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('The balance is $25.00');
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    const noReason = await staff.post(`/admin/customers/${casey.id}/credit`, { amount: '-5', reason: '' });
    expect(noReason.status).toBe(422);
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    expect((await staff.post(`/admin/customers/${casey.id}/credit`, { amount: '-10.50', reason: 'Returned voucher' })).status).toBe(303);
    expect(await t.db('store_credit_entries').where({ user_id: casey.id }).orderBy('id').select('amount_cents', 'kind', 'reason', 'actor_user_id')).toEqual([
      { amount_cents: 2500, kind: 'goodwill', reason: 'Late delivery', actor_user_id: staffId },
      { amount_cents: -1050, kind: 'adjustment', reason: 'Returned voucher', actor_user_id: staffId },
    ]);
    const page = await staff.agent.get(`/admin/customers/${casey.id}`);
    expect(page.text).toContain('Store credit: $14.50');
    expect((await t.db('audit_log').where({ action: 'customer.credit', entity_id: String(casey.id) }).count({ n: '*' }).first())).toEqual({ n: 2 });
  });

  it('notes are kept with their author', async () => {
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    expect((await staff.post(`/admin/customers/${casey.id}/notes`, { body: 'Prefers pickup on Fridays.' })).status).toBe(303);
    const page = await staff.agent.get(`/admin/customers/${casey.id}`);
    expect(page.text).toContain('Prefers pickup on Fridays.');
    expect(page.text).toContain('desk@giggatek.test');
  });

  it('disabling signs the customer out everywhere and stops log-in; enabling lets them back', async () => {
    const c = shopper(t.app);
    await c.login(casey.email, casey.password);
    expect((await c.agent.get('/account')).status).toBe(200);
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    expect((await staff.post(`/admin/customers/${casey.id}/disable`)).status).toBe(303);
    expect((await c.agent.get('/account')).status).toBe(303);
    const again = shopper(t.app);
    await again.refreshToken('/login');
    expect((await again.post('/login', { email: casey.email, password: casey.password })).status).toBe(401);
    await staff.refreshToken(`/admin/customers/${casey.id}`);
    expect((await staff.post(`/admin/customers/${casey.id}/enable`)).status).toBe(303);
    await again.refreshToken('/login');
    expect((await again.post('/login', { email: casey.email, password: casey.password })).status).toBe(303);
  });

  it('staff cannot disable themselves or an admin', async () => {
    const admin = await createUser(t.db, { email: 'owner@giggatek.test', role: 'admin' });
    await staff.refreshToken(`/admin/customers/${staffId}`);
    const self = await staff.post(`/admin/customers/${staffId}/disable`);
    expect(self.status).toBe(409);
    expect(self.text).toContain('You cannot disable your own account.');
    await staff.refreshToken(`/admin/customers/${admin.id}`);
    const boss = await staff.post(`/admin/customers/${admin.id}/disable`);
    expect(boss.status).toBe(403);
    expect(await t.db('users').where({ id: admin.id }).first('disabled_at')).toEqual({ disabled_at: null });
  });
});
