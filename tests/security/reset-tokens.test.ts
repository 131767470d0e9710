import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, postForm, setCookies, signIn, type TestUser } from '../helpers/auth';
import { captureTransport, linkTo, runJobs } from '../helpers/mail';
import { fixedClock, HOUR } from '../../src/lib/clock';
import { hashToken } from '../../src/accounts/tokens';

describe('password reset links', () => {
  let t: TestApp;
  const mail = captureTransport();
  const clock = fixedClock(new Date());

  beforeAll(async () => {
    t = await testApp({ deps: { mailTransport: mail, clock } });
  });
  afterAll(() => t.destroy());

  /** Asks for a reset link as a guest would (each from an address of its own: requests are rate limited) and returns the link e-mailed. */
  let asked = 0;
  async function resetLink(user: TestUser): Promise<string> {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/forgot-password');
    await agent.post('/forgot-password').set('X-Forwarded-For', `10.64.0.${++asked}`).type('form').send({ _csrf: token, email: user.email }).expect(303);
    await runJobs(t.app.context);
    return linkTo(mail.to(user.email).at(-1)!.text, '/reset-password');
  }

  async function useLink(link: string, password: string): Promise<request.Response> {
    const agent = request.agent(t.app);
    const form = await agent.get(link);
    if (form.status !== 200) return form;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    return agent.post(link).type('form').send({ _csrf: token, password });
  }

  const rawToken = (link: string) => new URL(link, 'http://x').searchParams.get('token')!;

  describe('ASVS 6.4.1 reset links (codes the store generates) are random, stored hashed, short-lived and single-use', () => {
    it('each link carries 256 random bits, different every time, and only its hash is stored', async () => {
      const user = await createUser(t.db);
      const tokens = [rawToken(await resetLink(user)), rawToken(await resetLink(user))];
      for (const raw of tokens) {
        expect(raw).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(await t.db('auth_tokens').where({ token_hash: raw }).first()).toBeUndefined();
        expect(await t.db('auth_tokens').where({ token_hash: hashToken(raw), kind: 'password_reset', user_id: user.id }).first()).toBeTruthy();
      }
      expect(tokens[0]).not.toBe(tokens[1]);
    });

    it('forged and expired links get a clear page with a way to ask again; a weak new password keeps the link usable', async () => {
      const user = await createUser(t.db);
      for (const link of ['/reset-password', '/reset-password?token=forged', `/reset-password?token=${'x'.repeat(500)}`]) {
        const res = await request(t.app).get(link).expect(400);
        expect(res.text).toContain('This reset link does not work');
        expect(res.text).toContain('href="/forgot-password"');
      }
      const agent = request.agent(t.app);
      const token = await csrfToken(agent, '/forgot-password');
      await agent.post('/forgot-password').type('form').send({ _csrf: token, email: user.email }).expect(303);
      await runJobs(t.app.context);
      const link = linkTo(mail.to(user.email).at(-1)!.text, '/reset-password');
      await request(t.app).get(link).expect(200);

      // Invalid new password: the form comes back with the token, the link still works.
      const weak = await agent.post(link).type('form').send({ _csrf: token, password: 'password123' }).expect(422);
      expect(weak.text).toContain('one of the most commonly used');
      expect(weak.text).toContain('name="token"');

      clock.advance(1 * HOUR + 1000);
      const expired = await request(t.app).get(link).expect(400);
      expect(expired.text).toContain('expired');
      const post = await agent.post(link).type('form').send({ _csrf: token, password: 'a new strong passphrase' }).expect(400);
      expect(post.text).toContain('This reset link does not work');
      await signIn(t.app, user.email, user.password);
    });

    it('a link works once; using it kills every other link of the account', async () => {
      const user = await createUser(t.db);
      const first = await resetLink(user);
      const second = await resetLink(user);
      expect((await useLink(second, 'a brand new passphrase')).status).toBe(303);
      expect((await useLink(second, 'yet another passphrase')).status).toBe(400);
      expect((await useLink(first, 'yet another passphrase')).status).toBe(400);
      await signIn(t.app, user.email, 'a brand new passphrase');
    });

    it('changing the password, or the e-mail address, kills the links already sent', async () => {
      const user = await createUser(t.db);
      const beforeChange = await resetLink(user);
      const agent = await signIn(t.app, user.email, user.password);
      expect((await postForm(agent, '/account/password', { current_password: user.password, password: 'changed passphrase one' }, '/account/password')).status).toBe(303);
      expect((await request(t.app).get(beforeChange)).status).toBe(400);

      const beforeMove = await resetLink(user);
      expect((await postForm(agent, '/account/profile', { first_name: 'M', last_name: 'V', phone: '', email: `moved-${user.email}`, current_password: 'changed passphrase one' }, '/account/profile')).status).toBe(303);
      expect((await useLink(beforeMove, 'an attackers passphrase')).status).toBe(400);
      await signIn(t.app, `moved-${user.email}`, 'changed passphrase one');
    });
  });

  describe('ASVS 6.4.3 a reset signs nobody in and ends every session', () => {
    it('after the reset the visitor is sent to log in, gets no session, and every browser of the account is signed out', async () => {
      const user = await createUser(t.db);
      const laptop = await signIn(t.app, user.email, user.password);
      const phone = await signIn(t.app, user.email, user.password);
      const res = await useLink(await resetLink(user), 'a fresh start passphrase');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(setCookies(res).filter((c) => /^gg_(at|rt)=[^;]/.test(c))).toEqual([]);
      for (const browser of [laptop, phone]) expect((await browser.get('/account')).headers.location).toMatch(/^\/login/);
      expect(await t.db('auth_tokens').where({ user_id: user.id, kind: 'refresh' }).whereNull('revoked_at').whereNull('used_at')).toEqual([]);
    });
  });
});
