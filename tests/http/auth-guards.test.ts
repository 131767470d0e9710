import express from 'express';
import cookieParser from 'cookie-parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, signIn } from '../helpers/auth';
import { requireAuth, requireRole, requireVerifiedEmail, safeNext } from '../../src/http/auth';
import { errorHandler } from '../../src/http/error-handler';
import { createLogger } from '../../src/lib/log';
import type { CurrentUser } from '../../src/http/current-user';

/** A bare app where a header says who is signed in, to test the guards alone. */
function guarded() {
  const app = express();
  app.use(cookieParser('x'.repeat(32)));
  app.use((req, _res, next) => {
    const h = req.get('x-test-user');
    if (h) req.user = JSON.parse(h) as CurrentUser;
    next();
  });
  const ok = (_req: express.Request, res: express.Response) => res.json({ ok: true });
  app.get('/account/thing', requireAuth, ok);
  app.get('/api/me', requireAuth, ok);
  app.get('/staff', requireRole('staff'), ok);
  app.get('/owner', requireRole('admin'), ok);
  app.get('/rent', requireVerifiedEmail, ok);
  app.use(errorHandler(createLogger('silent')));
  return app;
}

const as = (role: CurrentUser['role'], emailVerified = true) =>
  JSON.stringify({ id: 1, email: 'u@example.test', role, firstName: 'U', lastName: 'S', emailVerified } satisfies CurrentUser);

describe('requireAuth / requireRole / requireVerifiedEmail', () => {
  const app = guarded();

  it('pages redirect guests to /login?next=…; /api answers 401 JSON', async () => {
    expect((await request(app).get('/account/thing?x=1').expect(303)).headers.location).toBe('/login?next=%2Faccount%2Fthing%3Fx%3D1');
    const api = await request(app).get('/api/me').expect(401);
    expect(api.body.error.code).toBe('unauthorized');
    await request(app).get('/account/thing').set('x-test-user', as('customer')).expect(200);
  });

  it('staff areas admit staff and admins; admin-only areas only admins', async () => {
    expect((await request(app).get('/staff').expect(303)).headers.location).toBe('/login?next=%2Fstaff');
    await request(app).get('/staff').set('x-test-user', as('customer')).expect(403);
    await request(app).get('/staff').set('x-test-user', as('staff')).expect(200);
    await request(app).get('/staff').set('x-test-user', as('admin')).expect(200);
    await request(app).get('/owner').set('x-test-user', as('staff')).expect(403);
    await request(app).get('/owner').set('x-test-user', as('admin')).expect(200);
  });

  it('unconfirmed e-mail addresses are sent to the account page to confirm first', async () => {
    const res = await request(app).get('/rent').set('x-test-user', as('customer', false)).expect(303);
    expect(res.headers.location).toBe('/account');
    await request(app).get('/rent').set('x-test-user', as('customer', true)).expect(200);
  });

  it('safeNext only allows same-site paths', () => {
    expect(safeNext('/products?q=x')).toBe('/products?q=x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a b', undefined, 42]) {
      expect(safeNext(bad)).toBe('/account');
    }
  });
});

describe('area guards in the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.destroy());

  it('/admin: guests → log in, customers → 403, staff get through', async () => {
    expect((await request(t.app).get('/admin').expect(303)).headers.location).toBe('/login?next=%2Fadmin');
    const customer = await createUser(t.db);
    const c = await signIn(t.app, customer.email, customer.password);
    const denied = await c.get('/admin').expect(403);
    expect(denied.text).toContain('Your account does not have access to this area.');
    const staff = await createUser(t.db, { role: 'staff' });
    const s = await signIn(t.app, staff.email, staff.password);
    expect((await s.get('/admin')).status).not.toBe(403);
  });

  it('the header shows who is signed in, with a log-out button', async () => {
    const user = await createUser(t.db);
    const agent = await signIn(t.app, user.email, user.password);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('href="/account"');
    expect(home.text).toMatch(/<form method="post" action="\/logout"/);
    expect(home.text).not.toContain('href="/admin"');
    const staff = await createUser(t.db, { role: 'staff' });
    const staffAgent = await signIn(t.app, staff.email, staff.password);
    expect((await staffAgent.get('/').expect(200)).text).toContain('<a href="/admin">Admin</a>');
  });
});
