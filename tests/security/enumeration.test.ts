import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, type TestUser } from '../helpers/auth';
import { captureTransport, runJobs } from '../helpers/mail';

/** Login, register and forgot-password must not reveal whether an address has an account. */
describe('ASVS 6.3.8 no account enumeration: log-in, register and forgot-password answer alike', () => {
  let t: TestApp;
  let known: TestUser;
  const mail = captureTransport();
  const unknown = 'nobody-here@example.test';

  beforeAll(async () => {
    t = await testApp({ deps: { mailTransport: mail } });
    known = await createUser(t.db, { email: 'known@example.test' });
  });
  afterAll(() => t.destroy());

  const same = (text: string, email: string) => text.split(email).join('EMAIL');

  it('log-in: unknown e-mail and wrong password get the same status and page', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const a = await agent.post('/login').type('form').send({ _csrf: token, email: known.email, password: 'not the right password' });
    const b = await agent.post('/login').type('form').send({ _csrf: token, email: unknown, password: 'not the right password' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.text).toContain('The e-mail address or password is not correct.');
    expect(same(a.text, known.email)).toBe(same(b.text, unknown));
    expect(((a.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((c) => c.startsWith('gg_at='))).toBe(false);
  });

  it('a disabled account gets the same answer as a wrong password', async () => {
    const disabled = await createUser(t.db, { email: 'disabled@example.test' });
    await t.db('users').where({ id: disabled.id }).update({ disabled_at: '2026-01-01 00:00:00.000' });
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const a = await agent.post('/login').type('form').send({ _csrf: token, email: disabled.email, password: disabled.password });
    const b = await agent.post('/login').type('form').send({ _csrf: token, email: unknown, password: disabled.password });
    expect(a.status).toBe(401);
    expect(same(a.text, disabled.email)).toBe(same(b.text, unknown));
  });

  it('register: an existing address gets the same answer as a new one; its owner is told by e-mail', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/register');
    const fields = { _csrf: token, password: 'a perfectly fine passphrase', first_name: 'Grace', last_name: 'Hopper' };
    const a = await agent.post('/register').type('form').send({ ...fields, email: known.email });
    const b = await agent.post('/register').type('form').send({ ...fields, email: 'grace@example.test' });
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(a.headers.location).toBe(b.headers.location);
    expect(a.text).toBe(b.text);
    expect(Object.keys(a.headers).sort()).toEqual(Object.keys(b.headers).sort());

    // The existing account is untouched; the new one exists.
    expect(await t.db('users').where({ email: known.email }).count({ n: '*' }).then((r) => Number(r[0]!.n))).toBe(1);
    expect(await t.db('users').where({ email: 'grace@example.test' }).first()).toBeTruthy();
    await runJobs(t.app.context);
    expect(mail.to(known.email).map((m) => m.subject)).toEqual(['You already have a GigGatek account']);
    expect(mail.to('grace@example.test').map((m) => m.subject)).toEqual([expect.stringContaining('Welcome')]);
  });

  it('forgot-password: same answer for known and unknown addresses; e-mail only to the known one', async () => {
    mail.sent.length = 0;
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/forgot-password');
    const a = await agent.post('/forgot-password').type('form').send({ _csrf: token, email: known.email });
    const b = await agent.post('/forgot-password').type('form').send({ _csrf: token, email: unknown });
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(a.headers.location).toBe('/forgot-password/sent');
    expect(a.headers.location).toBe(b.headers.location);
    expect(a.text).toBe(b.text);
    const page = await agent.get('/forgot-password/sent').expect(200);
    expect(page.text).toContain('If an account exists for the address you entered');
    await runJobs(t.app.context);
    expect(mail.to(known.email)).toHaveLength(1);
    expect(mail.to(unknown)).toHaveLength(0);
  });
});
