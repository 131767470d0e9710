import type { Request, RequestHandler } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { type Clock, systemClock } from '../lib/clock';
import { TooManyRequestsError } from './errors';

export interface LimitOptions {
  windowMs: number;
  /** Requests allowed per key per window. */
  limit: number;
  /** Shown on the 429 page. */
  message?: string;
  /** What is counted (default: the client IP). Return undefined to not count this request. */
  key?: (req: Request) => string | undefined;
  /** Which requests count: all (default), only failures (status ≥ 400, e.g. failed log-ins) or only successes. */
  count?: 'all' | 'failures' | 'successes';
}

const DEFAULT_MESSAGE = 'Too many attempts. Please wait a little and try again.';

/**
 * Fixed-window rate limit (express-rate-limit, in-process memory). Over the
 * limit → the 429 page (or JSON under /api) with Retry-After. Create one per
 * route inside your routes factory, e.g.
 *   router.post('/checkout', rateLimit({ windowMs: 10 * MINUTE, limit: 20 }), handler)
 */
export function rateLimit(o: LimitOptions): RequestHandler {
  const message = o.message ?? DEFAULT_MESSAGE;
  return expressRateLimit({
    windowMs: o.windowMs,
    limit: o.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: o.count === 'failures',
    skipFailedRequests: o.count === 'successes',
    ...(o.key
      ? {
          keyGenerator: (req: Request) => o.key!(req) ?? '',
          skip: (req: Request) => o.key!(req) === undefined,
        }
      : {}),
    handler: (req, _res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(o.windowMs / 1000);
      next(new TooManyRequestsError(`${message} You can try again in ${describeWait(seconds)}.`, seconds));
    },
  });
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

/**
 * Per-account throttle with a growing delay: after `freeAttempts` failures in a
 * row, each further attempt must wait baseMs, then twice that, … up to maxMs.
 * A success clears the record. Keys are whatever identifies the account
 * (e.g. the normalised e-mail), known or not, so it reveals nothing.
 */
export class GrowingDelay {
  private readonly failures = new Map<string, { count: number; last: number }>();
  private readonly freeAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly clock: Clock;
  private readonly maxKeys: number;

  constructor(o: { freeAttempts?: number; baseMs?: number; maxMs?: number; clock?: Clock; maxKeys?: number } = {}) {
    this.freeAttempts = o.freeAttempts ?? 5;
    this.baseMs = o.baseMs ?? 15_000;
    this.maxMs = o.maxMs ?? 15 * 60_000;
    this.clock = o.clock ?? systemClock;
    this.maxKeys = o.maxKeys ?? 50_000;
  }

  private delayFor(count: number): number {
    if (count < this.freeAttempts) return 0;
    return Math.min(this.baseMs * 2 ** (count - this.freeAttempts), this.maxMs);
  }

  /** Seconds to wait before this key may try again (0 = go ahead). */
  waitSeconds(key: string): number {
    const f = this.failures.get(key);
    if (!f) return 0;
    const remaining = f.last + this.delayFor(f.count) - this.clock.now().getTime();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.clock.now().getTime();
    const f = this.failures.get(key);
    // Forget streaks that ended long ago.
    const count = f && now - f.last < this.maxMs * 2 ? f.count + 1 : 1;
    this.failures.delete(key);
    this.failures.set(key, { count, last: now });
    if (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
