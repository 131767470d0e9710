import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth';
import { databaseFingerprint } from '../helpers/db';
import { appRoutes, sampleUrl, STATE_CHANGING, type Endpoint } from '../helpers/routes';

const CSRF_PAGE = 'This form has expired or did not come from our site.';

/** The refusal is the CSRF check's own (not a role guard's or a validator's that happens to say 403). */
function isCsrfRefusal(res: request.Response): boolean {
  return res.status === 403 && (res.text.includes(CSRF_PAGE) || res.body?.error?.code === 'csrf_invalid');
}

describe('ASVS 3.5.1 CSRF: every state-changing route refuses a request without a valid token', () => {
  let t: TestApp;
  let routes: Endpoint[];
  let member: Agent;
  let admin: Agent;

  beforeAll(async () => {
    t = await testApp();
    const user = await createUser(t.db);
    const boss = await createUser(t.db, { role: 'admin' });
    member = await signIn(t.app, user.email, user.password);
    admin = await signIn(t.app, boss.email, boss.password);
    routes = appRoutes(t.app).filter((r) => STATE_CHANGING.includes(r.method) && !r.path.startsWith('/webhooks/'));
  });
  afterAll(() => t.destroy());

  it('finds the routes (the walker sees sub-routers, the admin panel included)', () => {
    const listed = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    for (const known of [
      'POST /register', 'POST /login', 'POST /logout', 'POST /forgot-password', 'POST /reset-password', 'POST /account/profile', 'POST /account/password',
      'POST /account/addresses/:id/delete', 'POST /cart/items', 'POST /checkout', 'POST /rentals', 'POST /account/rentals/:number/buyout',
      'POST /account/disputes', 'POST /account/notifications/read-all', 'POST /admin/products/import', 'POST /admin/orders/:number/refunds', 'POST /admin/settings/:key',
    ]) {
      expect(listed).toContain(known);
    }
    expect(routes.length).toBeGreaterThan(60);
  });

  it('every one answers the CSRF 403 without a token, with a wrong token, and with a token from another session — and nothing in the database changes', async () => {
    const guest = request.agent(t.app);
    const guestToken = await csrfToken(guest, '/login');
    const memberToken = await csrfToken(member, '/account');
    const adminToken = await csrfToken(admin, '/admin');
    const before = await databaseFingerprint(t.db);
    const failures: string[] = [];
    for (const r of routes) {
      const url = sampleUrl(r.path);
      const method = r.method as 'post';
      const attempts: Array<[string, () => request.Test]> = [
        ['guest, no token', () => request(t.app)[method](url).type('form').send({ a: '1' })],
        ['member, no token', () => member[method](url).type('form').send({ a: '1' })],
        ['admin, no token', () => admin[method](url).type('form').send({ a: '1' })],
        ['admin, wrong token', () => admin[method](url).type('form').send({ _csrf: `${adminToken.slice(0, -4)}abcd` })],
        ['admin, guest session token', () => admin[method](url).type('form').send({ _csrf: guestToken })],
        ['admin, member session token in the header', () => admin[method](url).set('X-CSRF-Token', memberToken).send({})],
        ['admin, JSON body with a wrong token', () => admin[method](url).send({ _csrf: adminToken.replace(/.$/, '0') })],
        ['admin, multipart with the token in the body, not the address', () => admin[method](url).field('_csrf', adminToken).attach('file', Buffer.from('x'), 'x.csv')],
        ['admin, multipart with a wrong token in the address', () => admin[method](`${url}?_csrf=${encodeURIComponent(guestToken)}`).attach('images', Buffer.from('x'), 'x.png')],
      ];
      for (const [label, send] of attempts) {
        const res = await send();
        if (!isCsrfRefusal(res)) failures.push(`${r.method.toUpperCase()} ${url} (${label}) → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await databaseFingerprint(t.db)).toEqual(before);
  }, 180_000);

  it('the 403 is a clear page (and JSON under /api)', async () => {
    const page = await request(t.app).post('/login').type('form').send({ email: 'x@example.test', password: 'whatever1234' }).expect(403);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(CSRF_PAGE);
    const api = await request(t.app).post('/api/anything').send({}).expect(403);
    expect(api.body.error.code).toBe('csrf_invalid');
  });

  it('a valid token passes, as a form field or an X-CSRF-Token header', async () => {
    const token = await csrfToken(member, '/account');
    const res = await member.post('/account/addresses/999/default').type('form').send({ _csrf: token });
    expect(res.status).toBe(404);
    const viaHeader = await member.post('/account/addresses/999/default').set('X-CSRF-Token', token).send();
    expect(viaHeader.status).toBe(404);
  });

  it('webhooks are exempt (they verify their own signatures)', async () => {
    const res = await request(t.app).post('/webhooks/csrf-probe').send({});
    expect(res.status).not.toBe(403);
  });
});
