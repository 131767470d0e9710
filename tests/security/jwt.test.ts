import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV, testApp, type TestApp } from '../helpers/app';
import { createUser, isGuest, loginTokens, setCookies, type TestUser } from '../helpers/auth';
import { fixedClock, MINUTE } from '../../src/lib/clock';
import { signAccessToken } from '../../src/accounts/tokens';

const SECRET = TEST_ENV.JWT_SECRET;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with any header, signed with HMAC-SHA-`bits` over the store's own secret (what an algorithm-confusion attack forges). */
function hmacToken(header: Record<string, unknown>, payload: Record<string, unknown>, bits: 256 | 384 | 512 = 256, secret = SECRET): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${crypto.createHmac(`sha${bits}`, secret).update(body).digest('base64url')}`;
}

/**
 * The access token (a JWT in the gg_at cookie, src/accounts/tokens.ts) is the
 * only JWT the store accepts: HS256 with the store's secret, its issuer and
 * audience, and a present, unexpired expiry at most 15 minutes away. Anything
 * else means "not signed in".
 */
describe('ASVS 9.1.1/9.1.2/9.2.1 JWT: only HS256 with our secret and a live expiry is accepted', () => {
  let t: TestApp;
  const clock = fixedClock(new Date());
  let user: TestUser;
  let good: string;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    t = await testApp({ deps: { clock } });
    user = await createUser(t.db);
    good = (await loginTokens(t.app, user)).access;
    claims = jwt.decode(good) as Record<string, unknown>;
  });
  afterAll(() => t.destroy());

  it('a genuine token works (control), and a copy made by this test’s signer works too', async () => {
    expect(jwt.decode(good, { complete: true })!.header.alg).toBe('HS256');
    expect(await isGuest(t.app, `gg_at=${good}`)).toBe(false);
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256', typ: 'JWT' }, claims)}`)).toBe(false);
  });

  it('a tampered payload is refused', async () => {
    const [h, , s] = good.split('.');
    expect(await isGuest(t.app, `gg_at=${h}.${b64({ ...claims, sub: '999' })}.${s}`)).toBe(true);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('alg "%s" (unsigned) is refused, with or without a signature part', async (alg) => {
    const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
    expect(await isGuest(t.app, `gg_at=${unsigned}.`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${unsigned}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${unsigned}.${good.split('.')[2]}`)).toBe(true);
  });

  it.each([[384], [512]] as const)('HS%i signed with the right secret is refused (not on the allow-list)', async (bits) => {
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: `HS${bits}`, typ: 'JWT' }, claims, bits)}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${jwt.sign(claims, SECRET, { algorithm: `HS${bits}` })}`)).toBe(true);
  });

  it.each(['RS256', 'ES256', 'PS256'])('a %s header over an HMAC of the secret (algorithm confusion) is refused', async (alg) => {
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg, typ: 'JWT' }, claims)}`)).toBe(true);
  });

  it('RS256 with a key pair the attacker owns, even naming it in the header (jwk, jku, kid), is refused', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    expect(await isGuest(t.app, `gg_at=${jwt.sign(claims, privateKey, { algorithm: 'RS256' })}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${jwt.sign(claims, privateKey, { algorithm: 'RS256', header: { alg: 'RS256', jwk } as jwt.JwtHeader })}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${jwt.sign(claims, privateKey, { algorithm: 'RS256', header: { alg: 'RS256', jku: 'https://evil.example/keys' } as jwt.JwtHeader })}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256', kid: '../../../../dev/null' }, claims, 256, '')}`)).toBe(true);
  });

  it('HS256 with another secret is refused', async () => {
    expect(await isGuest(t.app, `gg_at=${jwt.sign(claims, 'some-other-secret-of-sufficient-length!!', { algorithm: 'HS256' })}`)).toBe(true);
  });

  it('another issuer or audience is refused', async () => {
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256' }, { ...claims, iss: 'someone-else' })}`)).toBe(true);
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256' }, { ...claims, aud: 'giggatek-admin' })}`)).toBe(true);
  });

  it('expiry: an expired token, one without exp, and one valid for longer than 15 minutes are refused', async () => {
    const expired = signAccessToken(SECRET, { userId: user.id, tokenVersion: 0, sessionId: String(claims.sid) }, new Date(clock.now().getTime() - 16 * MINUTE));
    expect(await isGuest(t.app, `gg_at=${expired}`)).toBe(true);
    const { exp: _e, iat: _i, ...noExp } = claims;
    expect(await isGuest(t.app, `gg_at=${jwt.sign(noExp, SECRET, { algorithm: 'HS256' })}`)).toBe(true);
    const nowSec = Math.floor(clock.now().getTime() / 1000);
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256' }, { ...claims, iat: nowSec, exp: nowSec + 365 * 24 * 3600 })}`)).toBe(true);
    // The same token is accepted while it lives and refused once it has expired.
    const live = signAccessToken(SECRET, { userId: user.id, tokenVersion: 0, sessionId: String(claims.sid) }, clock.now());
    expect(await isGuest(t.app, `gg_at=${live}`)).toBe(false);
    clock.advance(15 * MINUTE + 1000);
    expect(await isGuest(t.app, `gg_at=${live}`)).toBe(true);
  });

  it('garbage and oversized tokens are refused, and the stale cookies cleared', async () => {
    const res = await request(t.app).get('/').set('Cookie', 'gg_at=not.a.jwt; gg_rt=nope').expect(200);
    expect(res.text).toContain('href="/login"');
    expect(setCookies(res).filter((c) => /^gg_(at|rt)=;/.test(c))).toHaveLength(2);
    expect(await isGuest(t.app, `gg_at=${hmacToken({ alg: 'HS256' }, { ...claims, pad: 'x'.repeat(3000) })}`)).toBe(true);
  });
});
