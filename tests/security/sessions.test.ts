import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/lib/log';
import { testApp, type TestApp } from '../helpers/app';
import { cookieValue, createUser, csrfFrom, csrfToken, isGuest, loginTokens, postForm, signIn, type Agent, type TestUser } from '../helpers/auth';
import { seedCatalogFixture } from '../catalog/fixture';
import { fixedClock, MINUTE } from '../../src/lib/clock';

const sha256 = (raw: string) => crypto.createHash('sha256').update(raw).digest('hex');

describe('session tokens', () => {
  let t: TestApp;
  const clock = fixedClock(new Date());
  let user: TestUser;

  beforeAll(async () => {
    t = await testApp({ deps: { clock } });
    await seedCatalogFixture(t.db);
    user = await createUser(t.db);
  });
  afterAll(() => t.destroy());

  describe('ASVS 7.2.4 a new session token at every log-in, none kept from before', () => {
    it('the access token is HS256 and lives 15 minutes; the refresh token is stored only as a hash', async () => {
      const { access, refresh } = await loginTokens(t.app, user);
      const decoded = jwt.decode(access, { complete: true })!;
      expect(decoded.header.alg).toBe('HS256');
      const p = decoded.payload as jwt.JwtPayload;
      expect(p.exp! - p.iat!).toBeLessThanOrEqual(15 * 60);
      expect(await t.db('auth_tokens').where({ token_hash: refresh }).first()).toBeUndefined();
      expect(await t.db('auth_tokens').where({ token_hash: sha256(refresh), kind: 'refresh' }).first()).toBeTruthy();
    });

    it('logging in again in the same browser issues new tokens of a new session; cookies planted before log-in are replaced, and the CSRF token changes', async () => {
      const browser = request.agent(t.app);
      // An attacker plants session cookies of their choosing (fixation), then the victim logs in.
      browser.jar.setCookie('gg_rt=attacker-chosen-refresh-token');
      browser.jar.setCookie('gg_at=attacker.chosen.token');
      const form = await browser.get('/login');
      const guestToken = csrfFrom(form.text);
      const first = await browser.post('/login').type('form').send({ _csrf: guestToken, email: user.email, password: user.password }).expect(303);
      const a1 = cookieValue(first, 'gg_at')!;
      const r1 = cookieValue(first, 'gg_rt')!;
      expect(r1).not.toBe('attacker-chosen-refresh-token');
      expect(await t.db('auth_tokens').where({ token_hash: sha256('attacker-chosen-refresh-token') }).first()).toBeUndefined();
      // The form token of the guest session is no good any more.
      const memberToken = await csrfToken(browser, '/account');
      expect(memberToken).not.toBe(guestToken);
      expect((await browser.post('/account/notifications/read-all').type('form').send({ _csrf: guestToken })).status).toBe(403);

      const again = await browser.post('/login').type('form').send({ _csrf: memberToken, email: user.email, password: user.password });
      expect(again.status).toBe(303);
      const a2 = cookieValue(again, 'gg_at')!;
      const r2 = cookieValue(again, 'gg_rt')!;
      expect(a2).not.toBe(a1);
      expect(r2).not.toBe(r1);
      expect((jwt.decode(a2) as jwt.JwtPayload).sid).not.toBe((jwt.decode(a1) as jwt.JwtPayload).sid);
      const families = await t.db('auth_tokens').whereIn('token_hash', [sha256(r1), sha256(r2)]).pluck('family_id');
      expect(new Set(families).size).toBe(2);
    });

  });

  describe('ASVS 7.2 refresh tokens rotate; a replayed one ends the session', () => {
    it('an expired access token is renewed from the refresh cookie, rotating it', async () => {
      const agent = await signIn(t.app, user.email, user.password);
      clock.advance(16 * MINUTE);
      const res = await agent.get('/account').expect(200);
      const access = cookieValue(res, 'gg_at');
      const refresh = cookieValue(res, 'gg_rt');
      expect(access).toBeTruthy();
      expect(refresh).toBeTruthy();
      // Same family (session), old token used, new one live.
      const row = await t.db('auth_tokens').where({ token_hash: sha256(refresh!) }).first();
      const family = await t.db('auth_tokens').where({ family_id: row.family_id }).orderBy('id');
      expect(family).toHaveLength(2);
      expect(family[0].used_at).not.toBeNull();
      expect(family[1].used_at).toBeNull();
      expect((await agent.get('/account').expect(200)).text).toContain('Hello');
    });

    it('presenting a used refresh token again revokes the whole family', async () => {
      const { refresh: first } = await loginTokens(t.app, user);
      clock.advance(16 * MINUTE);
      const rotated = await request(t.app).get('/account').set('Cookie', `gg_rt=${first}`).expect(200);
      const second = cookieValue(rotated, 'gg_rt')!;
      clock.advance(1 * MINUTE);
      // A thief replays the first token: refused, and the session dies for everyone.
      expect(await isGuest(t.app, `gg_rt=${first}`)).toBe(true);
      expect(await isGuest(t.app, `gg_rt=${second}`)).toBe(true);
      const family = await t.db('auth_tokens').where({ token_hash: sha256(second) }).first();
      expect(family.revoked_at).not.toBeNull();
    });

    it('parallel requests with the same refresh cookie do not sign the user out', async () => {
      const { refresh } = await loginTokens(t.app, user);
      clock.advance(16 * MINUTE);
      expect(await isGuest(t.app, `gg_rt=${refresh}`)).toBe(false);
      clock.advance(2_000);
      expect(await isGuest(t.app, `gg_rt=${refresh}`)).toBe(false);
    });
  });

  describe('ASVS 7.4.1 log-out revokes the session on the server', () => {
    it('log-out revokes the session: the old cookies no longer work', async () => {
      const { access, refresh } = await loginTokens(t.app, user);
      const agent = request.agent(t.app);
      agent.jar.setCookie(`gg_at=${access}`);
      agent.jar.setCookie(`gg_rt=${refresh}`);
      const token = await csrfToken(agent, '/account');
      const out = await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
      expect(out.headers.location).toBe('/');
      expect(await isGuest(t.app, `gg_at=${access}`)).toBe(true);
      expect(await isGuest(t.app, `gg_rt=${refresh}`)).toBe(true);
    });
  });

  describe('ASVS 7.4.3 the user can end every other session; staff disabling an account ends them too', () => {
    it('"sign out everywhere" ends every session, this one included', async () => {
      const a = await signIn(t.app, user.email, user.password);
      const b = await signIn(t.app, user.email, user.password);
      const token = await csrfToken(a, '/account/password');
      expect((await a.post('/account/sign-out-everywhere').type('form').send({ _csrf: token }).expect(303)).headers.location).toBe('/login');
      expect((await a.get('/account').expect(303)).headers.location).toMatch(/^\/login/);
      expect((await b.get('/account').expect(303)).headers.location).toMatch(/^\/login/);
      const live = await t.db('auth_tokens').where({ user_id: user.id, kind: 'refresh' }).whereNull('revoked_at').whereNull('used_at');
      expect(live).toHaveLength(0);
    });

    it('disabling a user ends their sessions at once', async () => {
      const other = await createUser(t.db);
      const agent: Agent = await signIn(t.app, other.email, other.password);
      await agent.get('/account').expect(200);
      await t.db('users').where({ id: other.id }).update({ disabled_at: '2026-01-01 00:00:00.000' });
      expect((await agent.get('/account').expect(303)).headers.location).toMatch(/^\/login/);
    });
  });

  describe('ASVS 7.4.1 / 7.4.3 catalog pages kept for signed-in shoppers stop answering an ended session', () => {
    const PAGE = '/products?sort=name';
    /** Whether a catalog page answers this access cookie as signed in; asked twice, so the second answer comes from the kept page. */
    const signedIn = async (app: TestApp['app'], access: string) => {
      await request(app).get(PAGE).set('Cookie', `gg_at=${access}`);
      return (await request(app).get(PAGE).set('Cookie', `gg_at=${access}`)).text.includes('href="/account">My account');
    };

    it("the shopper's own log-out at once on that process; on another process, and when staff disable them, within two seconds", async () => {
      const other = createApp({ config: t.config, db: t.db, logger: createLogger('silent'), uploadsDir: t.uploadsDir, clock });
      const shopper = await createUser(t.db);
      const { access, refresh } = await loginTokens(t.app, shopper);
      await Promise.all([t.app, other].map((app) => app.context.sessions.pageChanges.look()));
      expect([await signedIn(t.app, access), await signedIn(other, access)]).toEqual([true, true]);
      // Both processes now answer this session from what they keep, without reading it.
      const queries: string[] = [];
      const note = (q: { sql: string }) => queries.push(q.sql);
      t.db.on('query', note);
      const kept = [await signedIn(t.app, access), await signedIn(other, access)];
      t.db.off('query', note);
      expect(kept).toEqual([true, true]);
      expect(queries.filter((sql) => /from [`"]users[`"]/i.test(sql))).toEqual([]);

      const agent = request.agent(t.app);
      agent.jar.setCookie(`gg_at=${access}`);
      agent.jar.setCookie(`gg_rt=${refresh}`);
      const token = await csrfToken(agent, '/account');
      await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
      expect(await signedIn(t.app, access)).toBe(false);
      await vi.waitFor(async () => expect(await signedIn(other, access)).toBe(false), { timeout: 2500, interval: 50 });

      const again = await loginTokens(t.app, shopper);
      expect([await signedIn(t.app, again.access), await signedIn(other, again.access)]).toEqual([true, true]);
      const staff = await createUser(t.db, { role: 'admin' });
      const admin = await signIn(t.app, staff.email, staff.password);
      expect((await postForm(admin, `/admin/customers/${shopper.id}/disable`, {}, `/admin/customers/${shopper.id}`)).status).toBe(303);
      await vi.waitFor(async () => expect([await signedIn(t.app, again.access), await signedIn(other, again.access)]).toEqual([false, false]), { timeout: 2500, interval: 50 });
    });
  });
});
