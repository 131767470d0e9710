import type { Knex } from 'knex';
import type { Conn, Db } from '../db';
import { countRows, isMysql } from '../db';
import { insertInChunks } from '../db/batch';
import { type Clock, fromDbTime, systemClock, toDbTime } from '../lib/clock';

/** A row of the `jobs` table. */
export interface JobRow {
  id: number;
  kind: string;
  payload: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: string | null;
  finished_at: string | null;
  failed_at: string | null;
  unique_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface EnqueueOptions {
  /** When the job becomes due (default: now by `clock`). */
  runAt?: Date;
  /** Runs before giving up (default 5). */
  maxAttempts?: number;
  /** At most one job per key is ever queued; enqueueing it again returns the existing job's id. */
  uniqueKey?: string;
  /** Whose "now" the job is due at; pass your service's injected clock. */
  clock?: Clock;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_ERROR_LENGTH = 4000;

/**
 * Adds a job to the durable queue. Pass the transaction that makes the change
 * the job reports, so both commit or neither does (outbox).
 */
export async function enqueue(conn: Conn, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<number> {
  const now = (options.clock ?? systemClock).now();
  const row = {
    kind,
    payload: JSON.stringify(payload ?? {}),
    run_at: toDbTime(options.runAt ?? now),
    max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    unique_key: options.uniqueKey ?? null,
    created_at: toDbTime(now),
    updated_at: toDbTime(now),
  };
  if (!options.uniqueKey) {
    const [id] = await conn('jobs').insert(row);
    return Number(id);
  }
  await conn('jobs').insert(row).onConflict('unique_key').ignore();
  const byKey = () => conn('jobs').where({ unique_key: options.uniqueKey });
  // MySQL/MariaDB: a job another transaction committed after this one's snapshot (it was inserting the same key at
  // the same moment) is invisible to a plain read; a locking read sees it.
  const existing = (await byKey().first('id')) ?? (isMysql(conn) ? await byKey().forShare().first('id') : undefined);
  if (!existing) throw new Error(`enqueue: job "${options.uniqueKey}" neither inserted nor found`);
  return Number(existing.id);
}

/**
 * Adds several jobs of one kind in one statement per chunk (no unique keys:
 * for work recorded in bulk, such as the receipts of a collection batch).
 */
export async function enqueueMany(conn: Conn, kind: string, payloads: readonly unknown[], options: Omit<EnqueueOptions, 'uniqueKey'> = {}): Promise<void> {
  const now = (options.clock ?? systemClock).now();
  await insertInChunks(
    conn,
    'jobs',
    payloads.map((payload) => ({
      kind,
      payload: JSON.stringify(payload ?? {}),
      run_at: toDbTime(options.runAt ?? now),
      max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    })),
  );
}

export interface ClaimOptions {
  kinds: string[];
  limit: number;
  lockMs: number;
  /** Written to locked_by; unique per claim so results are only recorded by the claimant. */
  token: string;
  now: Date;
}

/**
 * Claims up to `limit` due jobs: unfinished, run_at reached, not locked (or
 * lock expired — a crashed worker's jobs come back). Increments attempts.
 * MySQL/MariaDB: SELECT … FOR UPDATE SKIP LOCKED in a short transaction, so
 * concurrent workers never pick the same row. SQLite: one atomic UPDATE
 * (SQLite has a single writer).
 */
export async function claimJobs(db: Db, o: ClaimOptions): Promise<JobRow[]> {
  if (o.kinds.length === 0 || o.limit <= 0) return [];
  const now = toDbTime(o.now);
  const lockedUntil = toDbTime(new Date(o.now.getTime() + o.lockMs));
  const due = (q: Knex.QueryBuilder) =>
    q
      .whereNull('finished_at')
      .where('run_at', '<=', now)
      .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', now))
      .whereIn('kind', o.kinds);
  const claim = { locked_by: o.token, locked_until: lockedUntil, attempts: db.raw('attempts + 1'), updated_at: now };

  if (isMysql(db)) {
    return db.transaction(async (trx) => {
      const rows: Array<{ id: number }> = await due(trx('jobs').select('id'))
        .orderBy('run_at')
        .orderBy('id')
        .limit(o.limit)
        .forUpdate()
        .skipLocked();
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      await trx('jobs').whereIn('id', ids).update(claim);
      return trx('jobs').whereIn('id', ids).orderBy('id').select<JobRow[]>('*');
    });
  }
  const picked = due(db('jobs').select('id')).orderBy('run_at').orderBy('id').limit(o.limit);
  await db('jobs').whereIn('id', picked).update(claim);
  return db('jobs').where({ locked_by: o.token }).whereNull('finished_at').orderBy('id').select<JobRow[]>('*');
}

/** Renews this claim's hold on jobs it is still running (JobWorker, every third of its lock time). */
export async function extendLocks(db: Conn, ids: readonly number[], token: string, until: Date): Promise<void> {
  if (ids.length) await db('jobs').whereIn('id', ids).where({ locked_by: token }).whereNull('finished_at').update({ locked_until: toDbTime(until) });
}

/** Records success; returns false when the lock was lost to another worker meanwhile. */
export async function completeJob(db: Conn, job: JobRow, token: string, now: Date, payload?: unknown): Promise<boolean> {
  const changes: Record<string, unknown> = { finished_at: toDbTime(now), locked_by: null, locked_until: null, updated_at: toDbTime(now) };
  if (payload !== undefined) changes.payload = JSON.stringify(payload);
  const n = await db('jobs').where({ id: job.id, locked_by: token }).update(changes);
  return n === 1;
}

/** Records a failed run: schedules a retry at `retryAt`, or gives up (failed_at) when retryAt is null. */
export async function failJob(db: Conn, job: JobRow, token: string, now: Date, error: string, retryAt: Date | null): Promise<boolean> {
  const at = toDbTime(now);
  const changes: Record<string, unknown> = {
    last_error: error.slice(0, MAX_ERROR_LENGTH),
    locked_by: null,
    locked_until: null,
    updated_at: at,
    ...(retryAt ? { run_at: toDbTime(retryAt) } : { failed_at: at, finished_at: at }),
  };
  const n = await db('jobs').where({ id: job.id, locked_by: token }).update(changes);
  return n === 1;
}

/** Puts a failed job back in the queue (admin "retry"). */
export async function retryJob(db: Conn, id: number, clock: Clock = systemClock): Promise<boolean> {
  const now = toDbTime(clock.now());
  const n = await db('jobs')
    .where({ id })
    .whereNotNull('failed_at')
    .update({ failed_at: null, finished_at: null, attempts: 0, run_at: now, locked_by: null, locked_until: null, updated_at: now });
  return n === 1;
}

/** Deletes successfully finished jobs older than `before` (failed ones stay visible). */
export async function pruneFinishedJobs(db: Conn, before: Date): Promise<number> {
  return db('jobs').whereNotNull('finished_at').whereNull('failed_at').where('finished_at', '<', toDbTime(before)).delete();
}

/** How many jobs gave up (failed_at set): shown to staff until retried. */
export function countFailedJobs(db: Conn): Promise<number> {
  return countRows(db('jobs').whereNotNull('failed_at'));
}

export interface JobSummary {
  id: number;
  kind: string;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  failedAt: Date | null;
  lockedBy: string | null;
}

/** For staff: jobs waiting or running, or the ones that gave up, oldest due first. */
export async function listJobs(db: Conn, which: 'queued' | 'failed', limit = 200): Promise<JobSummary[]> {
  const qb = db('jobs').orderBy(which === 'failed' ? 'failed_at' : 'run_at', which === 'failed' ? 'desc' : 'asc').orderBy('id').limit(limit);
  if (which === 'failed') qb.whereNotNull('failed_at');
  else qb.whereNull('finished_at');
  const rows: JobRow[] = await qb;
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, runAt: fromDbTime(r.run_at)!, attempts: r.attempts, maxAttempts: r.max_attempts, lastError: r.last_error, failedAt: fromDbTime(r.failed_at), lockedBy: r.locked_by }));
}
