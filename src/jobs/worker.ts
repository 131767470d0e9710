import os from 'node:os';
import crypto from 'node:crypto';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { type Clock, systemClock, fromDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { claimJobs, completeJob, enqueue, extendLocks, failJob, type JobRow } from './queue';
import { DEFAULT_JOB_TIMEOUT_MS, defaultBackoffMs, type JobRegistry } from './registry';

export interface WorkerOptions {
  db: Db;
  registry: JobRegistry;
  logger: Logger;
  clock?: Clock;
  /** Shown in locked_by (default host:pid:random). */
  id?: string;
  /** Jobs claimed and run together per round (default 5). */
  batchSize?: number;
  /** Sleep between polls when the queue is empty (default 1 s). */
  pollMs?: number;
  /**
   * How long a claim holds a job without news from its worker (default 1 min):
   * while a job runs, its worker renews the claim every third of that, so a
   * job of any length stays its own, and the jobs of a worker that died
   * (killed, its machine gone) return to the queue within this time.
   */
  lockMs?: number;
}

/**
 * Claims due jobs, runs the registered handler, records success or failure
 * (retry with backoff, give up after max_attempts keeping last_error).
 * Any number of workers — in the web process or `npm run worker` — may run
 * against one database.
 */
export class JobWorker {
  readonly id: string;
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly lockMs: number;
  private claims = 0;
  private loopPromise: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private lastScheduled = 0;

  constructor(private readonly o: WorkerOptions) {
    this.id = o.id ?? `${os.hostname().slice(0, 60)}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.clock = o.clock ?? systemClock;
    this.batchSize = o.batchSize ?? 5;
    this.pollMs = o.pollMs ?? 1000;
    this.lockMs = o.lockMs ?? 60_000;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.loopPromise) return;
    this.stopping = false;
    this.o.logger.info({ worker: this.id, kinds: this.o.registry.kinds() }, 'job worker started');
    this.loopPromise = this.loop();
  }

  /** Stops polling and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loopPromise;
    this.loopPromise = null;
  }

  /** Claims one batch of due jobs and runs them; returns how many ran. */
  async runOnce(): Promise<number> {
    const token = `${this.id}#${++this.claims}`.slice(0, 100);
    const jobs = await claimJobs(this.o.db, {
      kinds: this.o.registry.kinds(),
      limit: this.batchSize,
      lockMs: this.lockMs,
      token,
      now: this.clock.now(),
    });
    if (!jobs.length) return 0;
    const running = new Set(jobs.map((j) => j.id));
    const renewal = setInterval(() => {
      extendLocks(this.o.db, [...running], token, new Date(this.clock.now().getTime() + this.lockMs)).catch((err: unknown) =>
        this.o.logger.warn({ err, worker: this.id }, 'could not renew the claim on running jobs'),
      );
    }, Math.max(1, Math.floor(this.lockMs / 3)));
    try {
      await Promise.all(jobs.map((job) => this.run(job, token).finally(() => running.delete(job.id))));
    } finally {
      clearInterval(renewal);
    }
    return jobs.length;
  }

  /** Runs rounds until nothing is due (tests, one-shot runs). */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  /** Queues this slot's run of every recurring kind (unique per slot, so many workers schedule it once). */
  async scheduleRecurring(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const r of this.o.registry.recurring()) {
      const slot = Math.floor(now / r.everyMs);
      try {
        await enqueue(this.o.db, r.kind, r.payload, {
          runAt: new Date(slot * r.everyMs),
          maxAttempts: 1,
          uniqueKey: `every:${r.kind}:${slot}`,
          clock: this.clock,
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
  }

  private async run(job: JobRow, token: string): Promise<void> {
    const registered = this.o.registry.get(job.kind)!;
    const now = () => this.clock.now();
    const log = this.o.logger.child({ job: job.id, kind: job.kind, attempt: job.attempts });
    // attempts was incremented by the claim; a job past its limit was left by a crashed run.
    if (job.attempts > job.max_attempts) {
      await failJob(this.o.db, job, token, now(), job.last_error ?? 'Gave up: the worker stopped while running this job (lock expired).', null);
      log.error('job failed permanently: lock expired on its last attempt');
      return;
    }
    try {
      const payload = JSON.parse(job.payload) as never;
      const info = { id: job.id, kind: job.kind, attempt: job.attempts, maxAttempts: job.max_attempts, runAt: fromDbTime(job.run_at)! };
      const result = await withTimeout(
        registered.handler(payload, { job: info, db: this.o.db, clock: this.clock, logger: log }),
        registered.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
      );
      const recorded = await completeJob(this.o.db, job, token, now(), result ? result.payload : undefined);
      if (!recorded) log.warn('job finished after its lock was taken over');
      else log.debug('job done');
    } catch (err) {
      const message = errorText(err);
      const giveUp = job.attempts >= job.max_attempts;
      const backoff = registered.backoffMs ?? defaultBackoffMs;
      const retryAt = giveUp ? null : new Date(now().getTime() + backoff(job.attempts));
      await failJob(this.o.db, job, token, now(), message, retryAt).catch((e) => log.error({ err: e }, 'could not record job failure'));
      if (giveUp) log.error({ error: message }, 'job failed permanently');
      else log.warn({ error: message, retryAt }, 'job failed; will retry');
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let ran = 0;
      try {
        const now = this.clock.now().getTime();
        if (Math.abs(now - this.lastScheduled) >= 30_000) {
          this.lastScheduled = now;
          await this.scheduleRecurring();
        }
        ran = await this.runOnce();
      } catch (err) {
        this.o.logger.error({ err, worker: this.id }, 'job worker round failed');
      }
      if (ran === 0 && !this.stopping) await this.sleep(this.pollMs);
    }
    this.o.logger.info({ worker: this.id }, 'job worker stopped');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Builds and starts a worker on an app context (the web process with RUN_WORKER, or `npm run worker`). */
export function startWorker(ctx: { db: Db; jobs: JobRegistry; clock: Clock; logger: Logger }, options: Partial<WorkerOptions> = {}): JobWorker {
  const worker = new JobWorker({ db: ctx.db, registry: ctx.jobs, clock: ctx.clock, logger: ctx.logger, ...options });
  worker.start();
  return worker;
}
