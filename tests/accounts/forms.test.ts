import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, signIn } from '../helpers/auth';
import { captureTransport, linkTo, runJobs } from '../helpers/mail';
import { fixedClock, HOUR } from '../../src/lib/clock';

describe('account forms and links', () => {
  let t: TestApp;
  const mail = captureTransport();
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    t = await testApp({ deps: { mailTransport: mail, clock } });
  });
  afterAll(() => t.destroy());

  it('pages render with labelled fields and a CSRF field', async () => {
    for (const path of ['/register', '/login', '/forgot-password']) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.text).toMatch(/<input type="hidden" name="_csrf" value="[^"]+"/);
      for (const [, id] of res.text.matchAll(/<input id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${id}"`);
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    }
  });

  it('register: invalid input → same form, field messages, input kept but never the password', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/register');
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ email: 'not-an-email', password: 'a fine long passphrase', first_name: 'Ann', last_name: 'Lee' }, ['Enter a valid e-mail address']],
      [{ email: 'ann@example.test', password: 'short', first_name: '', last_name: 'Lee' }, ['Enter your first name.']],
      [{ email: 'ann@example.test', password: 'short', first_name: 'Ann', last_name: 'Lee' }, ['Use at least 10 characters.']],
      [{ email: 'ann@example.test', password: 'qwertyuiop', first_name: 'Ann', last_name: 'Lee' }, ['one of the most commonly used']],
      [{ email: 'ann@example.test', password: 'ann@example.test', first_name: 'Ann', last_name: 'Lee' }, ['must not be your email']],
      [{ email: 'ann@example.test', password: 'x'.repeat(129), first_name: 'Ann', last_name: 'Lee' }, ['Use at most 128 characters.']],
    ];
    for (const [fields, messages] of cases) {
      const res = await agent.post('/register').type('form').send({ _csrf: token, ...fields });
      expect(res.status).toBe(422);
      for (const m of messages) expect(res.text).toContain(m);
      expect(res.text).toContain('<h1 id="page-title">Create your account</h1>');
      if (fields.email) expect(res.text).toContain(`value="${fields.email}"`);
      if (fields.last_name) expect(res.text).toContain(`value="${fields.last_name}"`);
      expect(res.text).not.toMatch(/name="password"[^>]*value=/);
    }
    expect(await t.db('users').where({ email: 'ann@example.test' }).first()).toBeUndefined();
    expect(await t.db('jobs').count({ n: '*' }).then((r) => Number(r[0]!.n))).toBe(0);
  });

  it('log-in: missing fields re-render with messages', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'someone@example.test', password: '' }).expect(422);
    expect(res.text).toContain('Enter your password.');
    expect(res.text).toContain('value="someone@example.test"');
  });

  it('forgot-password: an invalid address is a form error, not a silent success', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/forgot-password');
    const res = await agent.post('/forgot-password').type('form').send({ _csrf: token, email: 'nope' }).expect(422);
    expect(res.text).toContain('Enter a valid e-mail address');
  });

  it('verification links: forged or expired → clear page; logged-in users get a resend button', async () => {
    const forged = await request(t.app).get('/verify-email?token=forged').expect(400);
    expect(forged.text).toContain('This confirmation link does not work');
    expect(forged.text).toContain('Log in to get a new confirmation link');

    const user = await createUser(t.db, { verified: false });
    const agent = await signIn(t.app, user.email, user.password);
    const token = await csrfToken(agent, '/account');
    await agent.post('/account/verify-email').type('form').send({ _csrf: token }).expect(303);
    await runJobs(t.app.context);
    const link = linkTo(mail.to(user.email).at(-1)!.text, '/verify-email');
    clock.advance(24 * HOUR + 1000);
    const expired = await agent.get(link).expect(400);
    expect(expired.text).toContain('Send me a new confirmation link');
    expect((await t.db('users').where({ id: user.id }).first()).email_verified_at).toBeNull();
  });
});
