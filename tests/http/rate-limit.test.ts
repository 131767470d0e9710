import net from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, type TestUser } from '../helpers/auth';
import { captureTransport } from '../helpers/mail';
import { freshDb, type TestDb } from '../helpers/db';
import { growingDelayMs, RateLimits } from '../../src/http/rate-limit';
import { errorHandler } from '../../src/http/error-handler';
import { createDb } from '../../src/db';
import { createLogger } from '../../src/lib/log';

const SECOND_MS = 1000;
const logger = createLogger('silent');

/** Moves the wall clock the limit stores read (Date.now) forward. */
function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

describe('rate limits', () => {
  let t: TestApp;
  let user: TestUser;
  const mail = captureTransport();

  beforeAll(async () => {
    t = await testApp({ deps: { mailTransport: mail } });
    user = await createUser(t.db);
  });
  afterAll(() => t.destroy());
  afterEach(() => vi.useRealTimers());

  it('log-in per account: after 5 failures each attempt waits longer, even with the right password', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
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

    advance(15 * SECOND_MS);
    expect((await attempt('wrong password!')).status).toBe(401);
    // The next wait doubles.
    advance(15 * SECOND_MS);
    expect((await attempt(user.password)).status).toBe(429);
    advance(15 * SECOND_MS);
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

describe('RateLimits for other features', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await freshDb();
  });
  afterAll(() => tdb.destroy());

  function appWith(limits: RateLimits) {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.post('/checkout', limits.limit({ name: 'try-checkout', windowMs: 60_000, limit: 2, message: 'Too many checkout attempts.' }), (_req, res) => {
      res.json({ ok: true });
    });
    app.post('/api/thing', limits.limit({ name: 'try-thing', windowMs: 60_000, limit: 1, key: (req) => String(req.headers['x-user'] ?? '') || undefined }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler(logger));
    return app;
  }

  it('limits any route and renders the 429 through the error chain', async () => {
    const app = appWith(new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger }));
    const first = await request(app).post('/checkout').expect(200);
    expect(first.headers['ratelimit']).toMatch(/^limit=2, remaining=1, reset=\d+$/);
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

  it('processes on one database count together, in its rate_limits table', async () => {
    // Two processes of the store: separate RateLimits, separate apps, one database.
    const one = appWith(new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger }));
    const two = appWith(new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger }));
    await request(one).post('/api/thing').set('X-User', 'shared').expect(200);
    await request(two).post('/api/thing').set('X-User', 'shared').expect(429);
    const row = await tdb.db('rate_limits').where({ key: 'try-thing:shared' }).first();
    expect(Number(row.points)).toBe(2);
  });

  it('the database unreachable: each process keeps counting in memory', async () => {
    // Nothing listens on port 1: every store call fails.
    const gone = { client: 'mysql' as const, url: 'mysql://root@127.0.0.1:1/gone', poolMax: 1 };
    const db = createDb(gone);
    try {
      const app = appWith(new RateLimits({ config: { db: gone }, db, logger }));
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(app).post('/checkout')).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await db.destroy();
    }
  });

  it('expired counters are removed by the clean-up job', async () => {
    const limits = new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger });
    await tdb.db('rate_limits').insert([
      { key: 'old:1', points: 3, expire: Date.now() - 2 * 3_600_000 },
      { key: 'live:1', points: 1, expire: Date.now() + 60_000 },
    ]);
    expect(await limits.removeExpired()).toBeGreaterThanOrEqual(1);
    expect(await tdb.db('rate_limits').where({ key: 'old:1' }).first()).toBeUndefined();
    expect(await tdb.db('rate_limits').where({ key: 'live:1' }).first()).toBeDefined();
  });

  it('the same names twice in one process is a programming error', () => {
    const limits = new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger, store: 'memory' });
    limits.limit({ name: 'once', windowMs: 1000, limit: 1 });
    expect(() => limits.limit({ name: 'once', windowMs: 1000, limit: 1 })).toThrow(/defined twice/);
  });

  it('a growing delay is shared too, and a success clears it', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    const one = new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger }).growingDelay({ name: 'try-delay', freeAttempts: 2, baseMs: 1000, maxMs: 4000 });
    const two = new RateLimits({ config: { db: tdb.dbConfig }, db: tdb.db, logger }).growingDelay({ name: 'try-delay', freeAttempts: 2, baseMs: 1000, maxMs: 4000 });
    await one.fail('k');
    expect(await two.waitSeconds('k')).toBe(0);
    await two.fail('k');
    expect(await one.waitSeconds('k')).toBe(1);
    advance(1000);
    expect(await one.waitSeconds('k')).toBe(0);
    await one.fail('k');
    expect(await two.waitSeconds('k')).toBe(2);
    await two.succeed('k');
    expect(await one.waitSeconds('k')).toBe(0);
  });
});

describe('growingDelayMs', () => {
  const policy = { freeAttempts: 2, baseMs: 1000, maxMs: 4000 };
  it.each([
    [0, 0],
    [1, 0],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 4000],
    [50, 4000],
  ])('after %i failures in a row: %i ms', (failures, ms) => {
    expect(growingDelayMs(failures, policy)).toBe(ms);
  });
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RateLimits with REDIS_URL', async () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await freshDb();
  });
  afterAll(() => tdb.destroy());
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  // Redis is optional for the store; where none runs, this part cannot be shown.
  it.skipIf(!reachable)('counts in Redis, shared by processes, and never in the database', async () => {
    const name = `try-redis-${process.pid}-${Date.now()}`;
    const config = { db: tdb.dbConfig, redisUrl: REDIS_URL };
    const one = new RateLimits({ config, db: tdb.db, logger });
    const two = new RateLimits({ config, db: tdb.db, logger });
    try {
      expect(one.store).toBe('redis');
      await Promise.all([one.ready(), two.ready()]);
      const make = (limits: RateLimits) => {
        const app = express();
        app.post('/x', limits.limit({ name, windowMs: 60_000, limit: 2 }), (_req, res) => res.json({ ok: true }));
        app.use(errorHandler(logger));
        return app;
      };
      const [a, b] = [make(one), make(two)];
      await request(a).post('/x').expect(200);
      await request(b).post('/x').expect(200);
      await request(a).post('/x').expect(429);
      expect(await tdb.db('rate_limits').count({ n: '*' }).then((r) => Number(r[0]!.n))).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('Redis unreachable: limits still hold, counted in memory', async () => {
    const limits = new RateLimits({ config: { db: tdb.dbConfig, redisUrl: 'redis://127.0.0.1:1' }, db: tdb.db, logger });
    try {
      const app = express();
      app.post('/x', limits.limit({ name: 'try-no-redis', windowMs: 60_000, limit: 1 }), (_req, res) => res.json({ ok: true }));
      app.use(errorHandler(logger));
      await request(app).post('/x').expect(200);
      await request(app).post('/x').expect(429);
    } finally {
      await limits.close();
    }
  });
});
