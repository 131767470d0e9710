import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

describe('admin staff rights', () => {
  let t: Shop;
  let admin: ReturnType<typeof shopper>;
  let adminId: number;

  beforeAll(async () => {
    t = await startShop();
    const a = await createUser(t.db, { email: 'owner@giggatek.test', role: 'admin' });
    adminId = a.id;
    admin = shopper(t.app);
    await admin.login(a.email, a.password);
  });
  afterAll(() => t.destroy());

  it('grants staff rights to a registered account, which is signed out and gets them at its next log-in', async () => {
    const pat = await createUser(t.db, { email: 'pat@example.com' });
    const patAgent = shopper(t.app);
    await patAgent.login(pat.email, pat.password);
    expect((await patAgent.agent.get('/admin')).status).toBe(403);
    await admin.refreshToken('/admin/staff');
    expect((await admin.post('/admin/staff', { email: 'PAT@example.com', role: 'staff' })).status).toBe(303);
    expect(await t.db('users').where({ id: pat.id }).first('role')).toEqual({ role: 'staff' });
    expect((await patAgent.agent.get('/account')).status).toBe(303); // signed out
    await patAgent.login(pat.email, pat.password);
    expect((await patAgent.agent.get('/admin')).status).toBe(200);
    expect((await patAgent.agent.get('/admin/staff')).status).toBe(403);
    const audit = await t.db('audit_log').where({ action: 'staff.role', entity_id: String(pat.id) }).first();
    expect(JSON.parse(audit.before)).toEqual({ email: 'pat@example.com', role: 'customer' });
    expect(JSON.parse(audit.after)).toEqual({ email: 'pat@example.com', role: 'staff' });
  });

  it('refuses an unknown e-mail address, and never demotes the last admin', async () => {
    await admin.refreshToken('/admin/staff');
    const unknown = await admin.post('/admin/staff', { email: 'nobody@example.com', role: 'staff' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('No account has this e-mail address.');
    await admin.refreshToken('/admin/staff');
    const last = await admin.post('/admin/staff', { email: 'owner@giggatek.test', role: 'staff' });
    expect(last.status).toBe(409);
    expect(last.text).toContain('This is the last admin');
    expect(await t.db('users').where({ id: adminId }).first('role')).toEqual({ role: 'admin' });
  });
});
