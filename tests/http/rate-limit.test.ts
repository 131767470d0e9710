import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, type TestUser } from '../helpers/auth';
import { captureTransport } from '../helpers/mail';
import { fixedClock } from '../../src/lib/clock';

const SECOND_MS = 1000;
import { GrowingDelay, rateLimit } from '../../src/http/rate-limit';
import { errorHandler } from '../../src/http/error-handler';
import { createLogger } from '../../src/lib/log';

describe('rate limits', () => {
  let t: TestApp;
  let user: TestUser;
  const clock = fixedClock(new Date());
  const mail = captureTransport();

  beforeAll(async () => {
    t = await testApp({ deps: { clock, mailTransport: mail } });
    user = await createUser(t.db);
  });
  afterAll(() => t.destroy());

  it('log-in per account: after 5 failures each attempt waits longer, even with the right password', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const attempt = (password: string, ip = '10.0.0.1') =>
      agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, email: user.email, password });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong password!')).status).toBe(401);
    // Locked for 15 s — from any address, and the right password does not help.
    const locked = await attempt(user.password, '10.0.0.2');
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('15');
    expect(locked.text).toContain('Too many failed log-in attempts for this account');
    expect(locked.text).toContain('15 seconds');

    clock.advance(15 * SECOND_MS);
    expect((await attempt('wrong password!')).status).toBe(401);
    // The next wait doubles.
    clock.advance(15 * SECOND_MS);
    expect((await attempt(user.password)).status).toBe(429);
    clock.advance(15 * SECOND_MS);
    expect((await attempt(user.password)).status).toBe(303);
    // Success clears the record (a fresh browser: the signed-in one has a new CSRF session).
    const fresh = request.agent(t.app);
    const freshToken = await csrfToken(fresh, '/login');
    for (let i = 0; i < 5; i++) {
      const res = await fresh.post('/login').type('form').send({ _csrf: freshToken, email: user.email, password: 'wrong password!' });
      expect(res.status).toBe(401);
    }
  });

  it('an unknown address is throttled exactly like a known one (no enumeration)', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await agent.post('/login').set('X-Forwarded-For', '10.0.1.1').type('form').send({ _csrf: token, email: 'ghost@example.test', password: 'whatever it is' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('log-in per IP: 20 failures in 15 minutes → 429 page for that address only', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await agent.post('/login').set('X-Forwarded-For', '10.0.2.1').type('form').send({ _csrf: token, email: `spray${i}@example.test`, password: 'Password2024!' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    const page = await agent.post('/login').set('X-Forwarded-For', '10.0.2.1').type('form').send({ _csrf: token, email: 'anyone@example.test', password: 'any password at all' });
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Slow down');
    expect(page.text).toContain('Too many failed log-in attempts from your network.');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is unaffected.
    const someone = await createUser(t.db);
    const other = await agent.post('/login').set('X-Forwarded-For', '10.0.2.2').type('form').send({ _csrf: token, email: someone.email, password: someone.password });
    expect(other.status).toBe(303);
  });

  it('registration: 10 per hour per IP', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/register');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await agent
        .post('/register')
        .set('X-Forwarded-For', '10.0.3.1')
        .type('form')
        .send({ _csrf: token, email: `new${i}@example.test`, password: 'a fine long passphrase', first_name: 'N', last_name: 'U' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(303), 429]);
  });

  it('registration: an address can be signed up at most 3 times an hour (its owner is e-mailed each time)', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/register');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await agent
        .post('/register')
        .set('X-Forwarded-For', `10.0.6.${i + 1}`)
        .type('form')
        .send({ _csrf: token, email: user.email, password: 'a fine long passphrase', first_name: 'N', last_name: 'U' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
  });

  it('password reset: 3 per hour per address, 5 per 15 minutes per IP', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/forgot-password');
    const ask = (email: string, ip: string) => agent.post('/forgot-password').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, email });
    const perEmail = [];
    for (let i = 0; i < 4; i++) perEmail.push((await ask(user.email, `10.0.4.${i + 1}`)).status);
    expect(perEmail).toEqual([303, 303, 303, 429]);
    const perIp = [];
    for (let i = 0; i < 6; i++) perIp.push((await ask(`someone${i}@example.test`, '10.0.5.1')).status);
    expect(perIp).toEqual([303, 303, 303, 303, 303, 429]);
    const mails = mail.to(user.email);
    expect(mails.length).toBe(0); // not delivered yet: outbox jobs
    expect(await t.db('jobs').where('payload', 'like', `%${user.email}%`).where('payload', 'like', '%password-reset%').count({ n: '*' }).then((r) => Number(r[0]!.n))).toBe(3);
  });
});

describe('rateLimit() factory for other features', () => {
  it('limits any route and renders the 429 through the error chain', async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.post('/checkout', rateLimit({ windowMs: 60_000, limit: 2, message: 'Too many checkout attempts.' }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/api', (_req, _res, next) => next());
    app.post('/api/thing', rateLimit({ windowMs: 60_000, limit: 1, key: (req) => String(req.headers['x-user'] ?? '') || undefined }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler(createLogger('silent')));
    await request(app).post('/checkout').expect(200);
    await request(app).post('/checkout').expect(200);
    const res = await request(app).post('/checkout');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Keyed limits; requests without a key are not counted.
    await request(app).post('/api/thing').set('X-User', 'a').expect(200);
    const limited = await request(app).post('/api/thing').set('X-User', 'a').expect(429);
    expect(limited.body.error.code).toBe('too_many_requests');
    await request(app).post('/api/thing').set('X-User', 'b').expect(200);
    await request(app).post('/api/thing').expect(200);
    await request(app).post('/api/thing').expect(200);
  });

  it('GrowingDelay doubles the wait and caps it', () => {
    const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
    const d = new GrowingDelay({ freeAttempts: 2, baseMs: 1000, maxMs: 4000, clock });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      d.fail('k');
      waits.push(d.waitSeconds('k'));
    }
    expect(waits).toEqual([0, 1, 2, 4, 4, 4]);
    d.succeed('k');
    expect(d.waitSeconds('k')).toBe(0);
  });
});
