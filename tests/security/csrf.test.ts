import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth';
import { appRoutes, sampleUrl, STATE_CHANGING, type Endpoint } from '../helpers/routes';

describe('CSRF protection on every state-changing route', () => {
  let t: TestApp;
  let routes: Endpoint[];
  let member: Agent;

  beforeAll(async () => {
    t = await testApp();
    const user = await createUser(t.db);
    member = await signIn(t.app, user.email, user.password);
    routes = appRoutes(t.app).filter((r) => STATE_CHANGING.includes(r.method) && !r.path.startsWith('/webhooks/'));
  });
  afterAll(() => t.destroy());

  it('finds the routes (the walker sees sub-routers)', () => {
    const listed = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    for (const known of ['POST /register', 'POST /login', 'POST /logout', 'POST /forgot-password', 'POST /reset-password', 'POST /account/profile', 'POST /account/password', 'POST /account/addresses/:id/delete']) {
      expect(listed).toContain(known);
    }
  });

  it('every one answers 403 without a token, with a wrong token, and with a token from another session', async () => {
    const guest = request.agent(t.app);
    const guestToken = await csrfToken(guest, '/login');
    const memberToken = await csrfToken(member, '/account');
    const failures: string[] = [];
    for (const r of routes) {
      const url = sampleUrl(r.path);
      const attempts: Array<[string, () => request.Test]> = [
        ['guest, no token', () => request(t.app)[r.method as 'post'](url).type('form').send({ a: '1' })],
        ['member, no token', () => member[r.method as 'post'](url).type('form').send({ a: '1' })],
        ['member, wrong token', () => member[r.method as 'post'](url).type('form').send({ _csrf: `${memberToken.slice(0, -4)}abcd` })],
        ['member, guest session token', () => member[r.method as 'post'](url).type('form').send({ _csrf: guestToken })],
        ['member, token header from another session', () => member[r.method as 'post'](url).set('X-CSRF-Token', guestToken).send({})],
        ['json body without header', () => member[r.method as 'post'](url).send({ _csrf: memberToken.replace(/.$/, '0') })],
      ];
      for (const [label, send] of attempts) {
        const res = await send();
        if (res.status !== 403) failures.push(`${r.method.toUpperCase()} ${url} (${label}) → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the 403 is a clear page (and JSON under /api)', async () => {
    const page = await request(t.app).post('/login').type('form').send({ email: 'x@example.test', password: 'whatever1234' }).expect(403);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('This form has expired or did not come from our site.');
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
