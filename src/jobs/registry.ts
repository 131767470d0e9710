import type { Db } from '../db';
import type { Clock } from '../lib/clock';
import { DAY } from '../lib/clock';
import type { Logger } from '../lib/log';
import { pruneFinishedJobs } from './queue';

/** What a handler knows about the job it is running. */
export interface JobInfo {
  id: number;
  kind: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  maxAttempts: number;
  runAt: Date;
}

export interface JobContext {
  job: JobInfo;
  db: Db;
  clock: Clock;
  logger: Logger;
}

/** Returning `{ payload }` replaces the stored payload on success (e.g. to drop secrets such as reset links). */
export interface JobResult {
  payload?: unknown;
}

export type JobHandler<P = unknown> = (payload: P, ctx: JobContext) => Promise<JobResult | void>;

/** How long a job may run unless its kind says otherwise. */
export const DEFAULT_JOB_TIMEOUT_MS = 4.5 * 60_000;

export interface HandlerOptions {
  /** Delay before retry number `attempt` (1-based count of failed runs so far). */
  backoffMs?: (attempt: number) => number;
  /** A run taking longer than this counts as failed (default 4½ minutes: DEFAULT_JOB_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface RegisteredHandler extends HandlerOptions {
  kind: string;
  handler: JobHandler<never>;
}

export const PRUNE_JOBS_KIND = 'jobs.prune';

export interface RecurringJob {
  kind: string;
  everyMs: number;
  payload: unknown;
}

/** Exponential backoff: 30 s, 1 min, 2 min, … capped at one hour, with ±10 % jitter. */
export function defaultBackoffMs(attempt: number): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/**
 * Job kinds and their handlers. Each feature registers its kinds on the
 * app context's registry (ctx.jobs) in buildContext; any worker built from
 * that context runs them.
 */
export class JobRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();
  private readonly recurringJobs = new Map<string, RecurringJob>();

  /** Every registry carries the queue's own housekeeping: finished jobs are pruned daily after `keepFinishedDays`. */
  constructor(options: { keepFinishedDays?: number } = {}) {
    const keepMs = (options.keepFinishedDays ?? 30) * DAY;
    this.register(PRUNE_JOBS_KIND, async (_payload, { db, clock }) => {
      await pruneFinishedJobs(db, new Date(clock.now().getTime() - keepMs));
    });
    this.every(PRUNE_JOBS_KIND, DAY);
  }

  register<P>(kind: string, handler: JobHandler<P>, options: HandlerOptions = {}): this {
    if (!/^[a-z][a-z0-9_.-]{0,59}$/.test(kind)) throw new Error(`Invalid job kind "${kind}"`);
    if (this.handlers.has(kind)) throw new Error(`Job kind "${kind}" is already registered`);
    this.handlers.set(kind, { kind, handler: handler as JobHandler<never>, ...options });
    return this;
  }

  /** Runs `kind` once per interval (scheduled by whichever worker gets there first; never twice per slot). */
  every(kind: string, everyMs: number, payload: unknown = {}): this {
    if (!this.handlers.has(kind)) throw new Error(`Register a handler for "${kind}" before scheduling it`);
    if (everyMs < 1000) throw new Error('Recurring jobs run at most once a second');
    this.recurringJobs.set(kind, { kind, everyMs, payload });
    return this;
  }

  get(kind: string): RegisteredHandler | undefined {
    return this.handlers.get(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()];
  }

  recurring(): RecurringJob[] {
    return [...this.recurringJobs.values()];
  }
}
