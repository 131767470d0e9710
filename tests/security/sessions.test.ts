import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, signIn, type Agent, type TestUser } from '../helpers/auth';
import { fixedClock, MINUTE } from '../../src/lib/clock';
import { signAccessToken } from '../../src/accounts/tokens';

const SECRET = 'test-jwt-secret-0123456789abcdefghijklmnop'; // TEST_ENV.JWT_SECRET

function cookieValue(res: request.Response, name: string): string | undefined {
  const all = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const c = all.find((x) => x.startsWith(`${name}=`));
  return c ? decodeURIComponent(c.slice(name.length + 1).split(';')[0]!) : undefined;
}

async function loginTokens(app: TestApp['app'], user: TestUser): Promise<{ access: string; refresh: string }> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(303);
  return { access: cookieValue(res, 'gg_at')!, refresh: cookieValue(res, 'gg_rt')! };
}

const asGuest = async (app: TestApp['app'], cookie: string) => {
  const res = await request(app).get('/account').set('Cookie', cookie);
  return res.status === 303 && String(res.headers.location).startsWith('/login');
};

describe('sessions', () => {
  let t: TestApp;
  const clock = fixedClock(new Date());
  let user: TestUser;

  beforeAll(async () => {
    t = await testApp({ deps: { clock } });
    user = await createUser(t.db);
  });
  afterAll(() => t.destroy());

  it('sets HttpOnly SameSite=Lax cookies; the access token is HS256 and lives 15 minutes', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(303);
    const cookies = res.headers['set-cookie'] as unknown as string[];
    for (const name of ['gg_at', 'gg_rt']) {
      const c = cookies.find((x) => x.startsWith(`${name}=`))!;
      expect(c).toMatch(/HttpOnly/);
      expect(c).toMatch(/SameSite=Lax/);
      expect(c).toMatch(/Path=\//);
    }
    const access = cookieValue(res, 'gg_at')!;
    const decoded = jwt.decode(access, { complete: true })!;
    expect(decoded.header.alg).toBe('HS256');
    const p = decoded.payload as jwt.JwtPayload;
    expect(p.exp! - p.iat!).toBeLessThanOrEqual(15 * 60);
    // The refresh token is stored only as a hash.
    const refresh = cookieValue(res, 'gg_rt')!;
    expect(await t.db('auth_tokens').where({ token_hash: refresh }).first()).toBeUndefined();
    expect(await t.db('auth_tokens').where({ token_hash: crypto.createHash('sha256').update(refresh).digest('hex'), kind: 'refresh' }).first()).toBeTruthy();
    expect((await agent.get('/account').expect(200)).text).toContain('Hello, Test');
  });

  describe('forged or stale access tokens are treated as logged out', () => {
    let good: string;
    let claims: Record<string, unknown>;
    beforeAll(async () => {
      good = (await loginTokens(t.app, user)).access;
      claims = jwt.decode(good) as Record<string, unknown>;
    });

    it('a genuine token works (control)', async () => {
      expect(await asGuest(t.app, `gg_at=${good}`)).toBe(false);
    });

    it('tampered payload', async () => {
      const [h, , s] = good.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url');
      expect(await asGuest(t.app, `gg_at=${h}.${payload}.${s}`)).toBe(true);
    });

    it('alg "none"', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      expect(await asGuest(t.app, `gg_at=${header}.${payload}.`)).toBe(true);
    });

    it('RS256 (a key pair the attacker owns)', async () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = jwt.sign(claims, privateKey, { algorithm: 'RS256' });
      expect(await asGuest(t.app, `gg_at=${forged}`)).toBe(true);
    });

    it('HS256 with another secret', async () => {
      expect(await asGuest(t.app, `gg_at=${jwt.sign(claims, 'some-other-secret-of-sufficient-length!!', { algorithm: 'HS256' })}`)).toBe(true);
    });

    it('expired token (and no exp at all)', async () => {
      const expired = signAccessToken(SECRET, { userId: user.id, tokenVersion: 0, sessionId: String(claims.sid) }, new Date(clock.now().getTime() - 16 * MINUTE));
      expect(await asGuest(t.app, `gg_at=${expired}`)).toBe(true);
      const { exp: _e, iat: _i, ...noExp } = claims;
      expect(await asGuest(t.app, `gg_at=${jwt.sign(noExp, SECRET, { algorithm: 'HS256' })}`)).toBe(true);
    });

    it('garbage, and stale cookies are cleared', async () => {
      const res = await request(t.app).get('/').set('Cookie', 'gg_at=not.a.jwt; gg_rt=nope').expect(200);
      expect(res.text).toContain('href="/login"');
      const cleared = (res.headers['set-cookie'] as unknown as string[]).filter((c) => /^gg_(at|rt)=;/.test(c));
      expect(cleared).toHaveLength(2);
    });
  });

  it('an expired access token is renewed from the refresh cookie, rotating it', async () => {
    const agent = await signIn(t.app, user.email, user.password);
    clock.advance(16 * MINUTE);
    const res = await agent.get('/account').expect(200);
    const access = cookieValue(res, 'gg_at');
    const refresh = cookieValue(res, 'gg_rt');
    expect(access).toBeTruthy();
    expect(refresh).toBeTruthy();
    // Same family (session), old token used, new one live.
    const row = await t.db('auth_tokens').where({ token_hash: crypto.createHash('sha256').update(refresh!).digest('hex') }).first();
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
    expect(await asGuest(t.app, `gg_rt=${first}`)).toBe(true);
    expect(await asGuest(t.app, `gg_rt=${second}`)).toBe(true);
    const family = await t.db('auth_tokens').where({ token_hash: crypto.createHash('sha256').update(second).digest('hex') }).first();
    expect(family.revoked_at).not.toBeNull();
  });

  it('parallel requests with the same refresh cookie do not sign the user out', async () => {
    const { refresh } = await loginTokens(t.app, user);
    clock.advance(16 * MINUTE);
    expect(await asGuest(t.app, `gg_rt=${refresh}`)).toBe(false);
    clock.advance(2_000);
    expect(await asGuest(t.app, `gg_rt=${refresh}`)).toBe(false);
  });

  it('log-out revokes the session: the old cookies no longer work', async () => {
    const { access, refresh } = await loginTokens(t.app, user);
    const agent = request.agent(t.app);
    agent.jar.setCookie(`gg_at=${access}`);
    agent.jar.setCookie(`gg_rt=${refresh}`);
    const token = await csrfToken(agent, '/account');
    const out = await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
    expect(out.headers.location).toBe('/');
    expect(await asGuest(t.app, `gg_at=${access}`)).toBe(true);
    expect(await asGuest(t.app, `gg_rt=${refresh}`)).toBe(true);
  });

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

  it('after log-in the user returns to the page they asked for, never to another site', async () => {
    const page = await request(t.app).get('/account/addresses').expect(303);
    expect(page.headers.location).toBe('/login?next=%2Faccount%2Faddresses');
    for (const [next, expected] of [['/account/addresses', '/account/addresses'], ['//evil.example/x', '/account'], ['https://evil.example', '/account'], ['/\\evil.example', '/account']] as const) {
      const agent = request.agent(t.app);
      const token = await csrfToken(agent, `/login?next=${encodeURIComponent(next)}`);
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password, next }).expect(303);
      expect(res.headers.location).toBe(expected);
    }
  });
});

describe('production cookies', () => {
  it('use the __Host- prefix and Secure', async () => {
    const t = await testApp({ env: { NODE_ENV: 'production', DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/unused' } });
    try {
      const user = await createUser(t.db);
      const agent = request.agent(t.app);
      const login = await agent.get('/login').expect(200);
      const csrfCookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('__Host-gg_csrf='))!;
      expect(csrfCookie).toMatch(/Secure/);
      const token = /name="_csrf" value="([^"]+)"/.exec(login.text)![1]!;
      // supertest does not send Secure cookies over http: pass the CSRF cookie by hand.
      const res = await request(t.app)
        .post('/login')
        .set('Cookie', csrfCookie.split(';')[0]!)
        .type('form')
        .send({ _csrf: token, email: user.email, password: user.password })
        .expect(303);
      const cookies = res.headers['set-cookie'] as unknown as string[];
      for (const name of ['__Host-gg_at', '__Host-gg_rt']) {
        const c = cookies.find((x) => x.startsWith(`${name}=`))!;
        expect(c).toMatch(/; Secure/);
        expect(c).toMatch(/HttpOnly/);
        expect(c).toMatch(/Path=\//);
        expect(c).not.toMatch(/Domain=/);
      }
    } finally {
      await t.destroy();
    }
  });
});
