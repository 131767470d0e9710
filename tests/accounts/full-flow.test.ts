import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { csrfFrom, csrfToken, signIn } from '../helpers/auth';
import { linkTo, runJobs, startSmtpServer } from '../helpers/mail';

/**
 * The whole account life cycle through HTTP, with e-mail delivered by the
 * job worker over SMTP to a real local SMTP server.
 */
describe('account flow with a real SMTP server', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const email = 'Ada.Lovelace@Example.test';
  const normalized = 'ada.lovelace@example.test';
  const firstPassword = 'analytical engine 1843';
  const secondPassword = 'difference engine no 2';
  const thirdPassword = 'bernoulli numbers note g';

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await testApp({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.destroy();
    await smtp.close();
  });

  const mailFor = (subject: RegExp) => smtp.received.filter((m) => m.to.includes(normalized) && subject.test(m.subject));

  it('register → verify → log in → change password → other session out → reset → old link refused', async () => {
    // Register
    const browser = request.agent(t.app);
    const form = await browser.get('/register').expect(200);
    expect(form.text).toContain('name="first_name"');
    const reg = await browser
      .post('/register')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email, password: firstPassword, first_name: 'Ada', last_name: 'Lovelace' })
      .expect(303);
    expect(reg.headers.location).toBe('/register/done');
    const user = await t.db('users').where({ email: normalized }).first();
    expect(user).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', role: 'customer', email_verified_at: null });
    expect(user.password_hash).toMatch(/^\$2[aby]\$04\$/);

    // Nothing is sent until the worker runs: the e-mail is an outbox job.
    expect(smtp.received).toHaveLength(0);
    expect(await runJobs(t.app.context)).toBe(1);
    const welcome = mailFor(/Welcome/);
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.raw).toMatch(/Content-Type: text\/html/);
    expect(welcome[0]!.raw).toMatch(/Content-Type: text\/plain/);

    // Verify
    const verifyLink = linkTo(welcome[0]!.text, '/verify-email');
    const verified = await request(t.app).get(verifyLink).expect(200);
    expect(verified.text).toContain('your e-mail address is confirmed');
    expect((await t.db('users').where({ id: user.id }).first()).email_verified_at).not.toBeNull();
    // A second visit (mail scanners, double clicks) is harmless.
    expect((await request(t.app).get(verifyLink).expect(200)).text).toContain('already confirmed');

    // Log in twice: a laptop and a phone
    const laptop = await signIn(t.app, email, firstPassword);
    const phone = await signIn(t.app, normalized, firstPassword);
    expect((await phone.get('/account').expect(200)).text).toContain('Hello, Ada');

    // Change the password on the laptop
    // (Fetch the token before building the request: an agent attaches its cookies when the request is created.)
    const laptopToken = await csrfToken(laptop, '/account/password');
    const changed = await laptop
      .post('/account/password')
      .type('form')
      .send({ _csrf: laptopToken, current_password: firstPassword, password: secondPassword })
      .expect(303);
    expect(changed.headers.location).toBe('/account/password');
    // The laptop stays signed in, the phone is signed out at once.
    expect((await laptop.get('/account').expect(200)).text).toContain('Hello, Ada');
    const phoneAfter = await phone.get('/account').expect(303);
    expect(phoneAfter.headers.location).toBe('/login?next=%2Faccount');
    await runJobs(t.app.context);
    expect(mailFor(/password was changed/)).toHaveLength(1);

    // Forgot → reset
    const anon = request.agent(t.app);
    const anonToken = await csrfToken(anon, '/forgot-password');
    await anon.post('/forgot-password').type('form').send({ _csrf: anonToken, email: normalized }).expect(303);
    await runJobs(t.app.context);
    const resetMail = mailFor(/Reset your/);
    expect(resetMail).toHaveLength(1);
    const resetLink = linkTo(resetMail[0]!.text, '/reset-password');
    const resetForm = await anon.get(resetLink).expect(200);
    expect(resetForm.text).toContain('Choose a new password');
    const reset = await anon.post(resetLink).type('form').send({ _csrf: csrfFrom(resetForm.text), password: thirdPassword }).expect(303);
    expect(reset.headers.location).toBe('/login');

    // The reset signed out the laptop too, and the new password works, the old ones not.
    expect((await laptop.get('/account').expect(303)).headers.location).toMatch(/^\/login/);
    await signIn(t.app, email, thirdPassword);
    await expect(signIn(t.app, email, secondPassword)).rejects.toThrow(/401/);

    // The reset link cannot be used again.
    const again = await anon.get(resetLink).expect(400);
    expect(again.text).toContain('This reset link does not work');
    expect(again.text).toContain('href="/forgot-password"');
    const replay = await anon.post(resetLink).type('form').send({ _csrf: anonToken, password: 'yet another passphrase' }).expect(400);
    expect(replay.text).toContain('This reset link does not work');
    await signIn(t.app, email, thirdPassword);

    await runJobs(t.app.context);
    expect(mailFor(/password was changed/)).toHaveLength(2);
    // Tokens are stored hashed: no raw link token appears in the database.
    const rawToken = new URL(resetLink, 'http://x').searchParams.get('token')!;
    const tokenRows = await t.db('auth_tokens').select('token_hash');
    expect(tokenRows.some((r: { token_hash: string }) => r.token_hash === rawToken)).toBe(false);
    const jobs = await t.db('jobs').select('payload');
    expect(jobs.some((j: { payload: string }) => j.payload.includes(rawToken))).toBe(false);
  });
});
