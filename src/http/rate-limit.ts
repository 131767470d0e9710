import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import type { Config } from '../config';
import type { Db } from '../db';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../lib/log';
import { TooManyRequestsError } from './errors';

/**
 * Rate limits shared by every process of the store (SPEC §2 "instances"):
 * counters live in Redis when REDIS_URL is set, else in the store's own
 * database (table rate_limits, MySQL/MariaDB or SQLite), through
 * rate-limiter-flexible's stores. When the store does not answer within a
 * second (database or Redis down) each process counts in its own memory
 * until it does, so a limit is never lifted by an outage.
 *
 * One RateLimits per process (ctx.rateLimits); each limit has a name that is
 * the same in every process, so they count together:
 *   router.post('/checkout', ctx.rateLimits.limit({ name: 'checkout', windowMs: 10 * MINUTE, limit: 20 }), handler)
 */

export interface LimitOptions {
  /** Names the counter, the same in every process (letters, digits, dashes). */
  name: string;
  windowMs: number;
  /** Requests allowed per key per window. */
  limit: number;
  /** Shown on the 429 page. */
  message?: string;
  /** What is counted (default: the client's address). Return undefined to not count this request. */
  key?: (req: Request) => string | undefined;
  /** Which requests count: all (default), only failures (status ≥ 400, e.g. failed log-ins) or only successes. */
  count?: 'all' | 'failures' | 'successes';
}

export interface GrowingDelayOptions {
  name: string;
  /** Failures in a row before any wait. */
  freeAttempts?: number;
  /** The first wait; each further failure doubles it… */
  baseMs?: number;
  /** …up to this. */
  maxMs?: number;
}

export type RateLimitStore = 'redis' | 'database' | 'memory';

/** What the limits use of a rate-limiter-flexible limiter (a store's, or the timeout wrapper around it). */
type Limiter = Pick<RateLimiterMemory, 'consume' | 'penalty' | 'reward' | 'get' | 'block' | 'delete'>;

const DEFAULT_MESSAGE = 'Too many attempts. Please wait a little and try again.';
const NAME = /^[a-z][a-z0-9-]{0,40}$/;
/** Longer keys (e.g. long e-mail addresses) are stored by their hash, within the table's 255 characters. */
const MAX_KEY_LENGTH = 160;
const STORE_TIMEOUT_MS = 1000;
export const RATE_LIMITS_CLEANUP_JOB = 'rate-limits.cleanup';
const TABLE = 'rate_limits';

export class RateLimits {
  private readonly names = new Set<string>();
  private readonly redis: Redis | null;

  constructor(
    private readonly deps: { config: Pick<Config, 'db' | 'redisUrl'>; db: Db; logger: Logger; store?: RateLimitStore },
  ) {
    this.redis =
      this.store === 'redis'
        ? new Redis(deps.config.redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
        : null;
    this.redis?.on('error', (err) => deps.logger.warn({ err }, 'rate limits: Redis unavailable, counting in memory meanwhile'));
  }

  get store(): RateLimitStore {
    return this.deps.store ?? (this.deps.config.redisUrl ? 'redis' : 'database');
  }

  /** Over the limit → the 429 page (or JSON under /api) with Retry-After. */
  limit(o: LimitOptions): RequestHandler {
    const limiter = this.limiter(o.name, o.limit, o.windowMs);
    const message = o.message ?? DEFAULT_MESSAGE;
    return async (req, res, next) => {
      const raw = o.key ? o.key(req) : clientAddress(req);
      if (raw === undefined) return next();
      const key = storedKey(raw);
      let state: RateLimiterRes;
      try {
        state = await limiter.consume(key);
      } catch (rejected) {
        if (!(rejected instanceof RateLimiterRes)) return next(rejected);
        const seconds = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
        setLimitHeaders(res, o, rejected);
        return next(new TooManyRequestsError(`${message} You can try again in ${describeWait(seconds)}.`, seconds));
      }
      setLimitHeaders(res, o, state);
      if (o.count === 'failures' || o.count === 'successes') {
        // Counted on the way in (so concurrent requests cannot slip past), given back once the outcome shows it should not count.
        res.once('finish', () => {
          if ((res.statusCode >= 400) !== (o.count === 'failures')) {
            limiter.reward(key, 1).catch((err: Error) => this.deps.logger.warn({ err, limit: o.name }, 'rate limit: could not give back a point'));
          }
        });
      }
      next();
    };
  }

  /** A per-account throttle whose wait grows with each failure in a row (see GrowingDelay). */
  growingDelay(o: GrowingDelayOptions): GrowingDelay {
    const policy = { freeAttempts: o.freeAttempts ?? 5, baseMs: o.baseMs ?? 15_000, maxMs: o.maxMs ?? 15 * 60_000 };
    // A streak is remembered for four times the longest wait after its first failure.
    const streak = this.limiter(`${o.name}-streak`, Number.MAX_SAFE_INTEGER, policy.maxMs * 4);
    const wait = this.limiter(`${o.name}-wait`, 1, policy.maxMs);
    return new GrowingDelay(policy, streak, wait);
  }

  /** Removes counters whose window ended over an hour ago (Redis expires its own). */
  async removeExpired(now = Date.now()): Promise<number> {
    if (this.store !== 'database') return 0;
    return this.deps.db(TABLE).where('expire', '<', now - 3_600_000).delete();
  }

  registerJobs(jobs: JobRegistry): void {
    jobs.register(RATE_LIMITS_CLEANUP_JOB, async (_payload, { logger }) => {
      const removed = await this.removeExpired();
      if (removed) logger.info({ removed }, 'expired rate-limit counters deleted');
    });
    jobs.every(RATE_LIMITS_CLEANUP_JOB, 3_600_000);
  }

  /** Resolves once the shared store can be used (Redis connected); until then limits count in memory. */
  async ready(): Promise<void> {
    if (this.redis && this.redis.status !== 'ready') await new Promise((resolve) => this.redis!.once('ready', resolve));
  }

  async close(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis!.disconnect());
  }

  private limiter(name: string, points: number, windowMs: number): Limiter {
    if (!NAME.test(name)) throw new Error(`Invalid rate limit name "${name}"`);
    if (this.names.has(name)) throw new Error(`Rate limit "${name}" is defined twice`);
    this.names.add(name);
    const options = { keyPrefix: name, points, duration: Math.ceil(windowMs / 1000) };
    const memory = new RateLimiterMemory(options);
    const shared = this.sharedLimiter(options, memory);
    if (!shared) return memory;
    return new RLWrapperTimeouts({ limiter: shared, timeoutMs: STORE_TIMEOUT_MS, insuranceLimiter: memory });
  }

  private sharedLimiter(options: { keyPrefix: string; points: number; duration: number }, insuranceLimiter: RateLimiterMemory): RateLimiterRedis | RateLimiterMySQL | RateLimiterSQLite | null {
    const { db, config } = this.deps;
    const stored = { ...options, insuranceLimiter, tableName: TABLE, tableCreated: true, clearExpiredByTimeout: false };
    switch (this.store) {
      case 'memory':
        return null;
      case 'redis':
        return new RateLimiterRedis({ ...options, insuranceLimiter, storeClient: this.redis!, rejectIfRedisNotReady: true });
      case 'database':
        return config.db.client === 'mysql'
          ? new RateLimiterMySQL({ ...stored, storeClient: db, storeType: 'knex', dbName: decodeURIComponent(new URL(config.db.url).pathname.slice(1)) })
          : new RateLimiterSQLite({ ...stored, storeClient: db, storeType: 'knex' });
    }
  }
}

/**
 * Per-account throttle with a growing delay: after `freeAttempts` failures in
 * a row, each further attempt must wait baseMs, then twice that, … up to
 * maxMs (growingDelayMs). A success clears the record. Keys are whatever
 * identifies the account (e.g. the normalised e-mail), known or not, so it
 * reveals nothing. Counted in the shared store, like the other limits.
 */
export class GrowingDelay {
  constructor(
    private readonly policy: { freeAttempts: number; baseMs: number; maxMs: number },
    private readonly streak: Limiter,
    private readonly wait: Limiter,
  ) {}

  /** Seconds to wait before this key may try again (0 = go ahead). */
  async waitSeconds(key: string): Promise<number> {
    const blocked = await this.wait.get(storedKey(key));
    return blocked && blocked.consumedPoints > 1 ? Math.max(1, Math.ceil(blocked.msBeforeNext / 1000)) : 0;
  }

  async fail(key: string): Promise<void> {
    const k = storedKey(key);
    const { consumedPoints } = await this.streak.penalty(k, 1);
    const ms = growingDelayMs(consumedPoints, this.policy);
    if (ms > 0) await this.wait.block(k, ms / 1000);
  }

  async succeed(key: string): Promise<void> {
    const k = storedKey(key);
    await Promise.all([this.streak.delete(k), this.wait.delete(k)]);
  }
}

/** The wait after `failures` failures in a row: none for the free attempts, then baseMs doubling up to maxMs. */
export function growingDelayMs(failures: number, p: { freeAttempts: number; baseMs: number; maxMs: number }): number {
  if (failures < p.freeAttempts) return 0;
  return Math.min(p.baseMs * 2 ** (failures - p.freeAttempts), p.maxMs);
}

/** The client's address as a rate-limit key; IPv6 addresses by their /56 network (one household or server). */
function clientAddress(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', 56)}`;
}

function storedKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${crypto.createHash('sha256').update(key).digest('base64url')}`;
}

/** The IETF RateLimit headers (draft 7), as express-rate-limit sent them. */
function setLimitHeaders(res: Response, o: LimitOptions, state: RateLimiterRes): void {
  if (res.headersSent) return;
  const windowSeconds = Math.ceil(o.windowMs / 1000);
  res.setHeader('RateLimit-Policy', `${o.limit};w=${windowSeconds}`);
  res.setHeader('RateLimit', `limit=${o.limit}, remaining=${Math.max(0, state.remainingPoints)}, reset=${Math.max(0, Math.ceil(state.msBeforeNext / 1000))}`);
}

/** The e-mail field of a form body, normalised, as a rate-limit key. */
export function emailKey(req: Request): string | undefined {
  const email = (req.body as Record<string, unknown> | undefined)?.email;
  if (typeof email !== 'string' || !email.trim()) return undefined;
  return `email:${email.trim().toLowerCase().slice(0, 254)}`;
}

export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
