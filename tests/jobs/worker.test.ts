import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { captureTransport } from '../helpers/mail';
import { createDb, type Db } from '../../src/db';
import { createLogger } from '../../src/lib/log';
import { fixedClock, HOUR, MINUTE, toDbTime, fromDbTime } from '../../src/lib/clock';
import { JobRegistry } from '../../src/jobs/registry';
import { JobWorker } from '../../src/jobs/worker';
import { claimJobs, enqueue, retryJob } from '../../src/jobs/queue';
import { Mailer, enqueueMail, MAIL_JOB } from '../../src/mail/service';
import type { MailTransport } from '../../src/mail/transports';

const logger = createLogger('silent');
const globals = { storeName: 'GigGatek', baseUrl: 'http://store.test', currency: 'USD' };

function mailRegistry(transport: MailTransport): JobRegistry {
  const registry = new JobRegistry();
  new Mailer({ transport, from: 'GigGatek <orders@store.test>', globals, logger }).registerJobs(registry);
  return registry;
}

const count = async (db: Db, where: (q: ReturnType<Db>) => unknown = () => undefined) => {
  const q = db('jobs');
  where(q);
  return Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
};

describe('job worker', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
  });
  afterAll(() => t.destroy());
  beforeEach(async () => {
    await t.db('jobs').delete();
  });

  it('two workers, 200 queued e-mails: each delivered exactly once', async () => {
    await t.db.transaction(async (trx) => {
      for (let i = 0; i < 200; i++) {
        await enqueueMail(trx, { to: `customer${i}@example.test`, template: 'password-changed', data: { firstName: `C${i}`, when: '2026-11-21 12:00', forgotUrl: 'http://store.test/forgot-password' } });
      }
    });
    const delivered: Array<{ to: string; worker: string }> = [];
    const slowTransport = (worker: string): MailTransport => ({
      async sendMail(m) {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        delivered.push({ to: m.to, worker });
        return { messageId: m.messageId };
      },
    });
    // Two independent connection pools, like two processes.
    const secondDb = createDb(t.dbConfig);
    const w1 = new JobWorker({ db: t.db, registry: mailRegistry(slowTransport('w1')), logger, id: 'w1', batchSize: 7, pollMs: 10 });
    const w2 = new JobWorker({ db: secondDb, registry: mailRegistry(slowTransport('w2')), logger, id: 'w2', batchSize: 7, pollMs: 10 });
    try {
      w1.start();
      w2.start();
      const deadline = Date.now() + 60_000;
      while ((await count(t.db, (q) => q.where({ kind: MAIL_JOB }).whereNull('finished_at'))) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
      await secondDb.destroy();
    }
    expect(delivered).toHaveLength(200);
    expect(new Set(delivered.map((d) => d.to)).size).toBe(200);
    expect(delivered.some((d) => d.worker === 'w1')).toBe(true);
    expect(delivered.some((d) => d.worker === 'w2')).toBe(true);
    const rows = await t.db('jobs').where({ kind: MAIL_JOB });
    expect(rows.every((r) => r.finished_at && !r.failed_at && r.attempts === 1 && r.locked_by === null)).toBe(true);
    // Sent mail jobs keep who/what, not the data (which may hold one-time links).
    const payload = JSON.parse(rows[0].payload);
    expect(payload).toMatchObject({ template: 'password-changed', subject: 'Your GigGatek password was changed' });
    expect(payload.data).toBeUndefined();
  });

  it('a failing transport is retried with growing backoff, then marked failed with its error', async () => {
    const clock = fixedClock('2026-11-21T10:00:00Z');
    const transport = captureTransport();
    transport.failWith = new Error('550 5.1.1 mailbox unavailable');
    const worker = new JobWorker({ db: t.db, registry: mailRegistry(transport), logger, clock });
    const id = await enqueueMail(t.db, { to: 'bounce@example.test', template: 'account-exists', data: { loginUrl: 'x', forgotUrl: 'y' } }, { clock, maxAttempts: 3 });

    expect(await worker.runOnce()).toBe(1);
    let job = await t.db('jobs').where({ id }).first();
    expect(job).toMatchObject({ attempts: 1, finished_at: null, failed_at: null, locked_by: null });
    expect(job.last_error).toContain('550 5.1.1 mailbox unavailable');
    const firstDelay = fromDbTime(job.run_at)!.getTime() - clock.now().getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(27_000);
    expect(firstDelay).toBeLessThanOrEqual(33_000);
    expect(await worker.runOnce()).toBe(0); // not due yet

    clock.advance(firstDelay);
    expect(await worker.runOnce()).toBe(1);
    job = await t.db('jobs').where({ id }).first();
    expect(job.attempts).toBe(2);
    const secondDelay = fromDbTime(job.run_at)!.getTime() - clock.now().getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(54_000);
    expect(secondDelay).toBeLessThanOrEqual(66_000);

    clock.advance(HOUR);
    expect(await worker.runOnce()).toBe(1);
    job = await t.db('jobs').where({ id }).first();
    expect(job.attempts).toBe(3);
    expect(job.failed_at).not.toBeNull();
    expect(job.finished_at).not.toBeNull();
    expect(job.last_error).toBe('Error: 550 5.1.1 mailbox unavailable');
    expect(transport.attempts).toBe(3);
    expect(transport.sent).toHaveLength(0);
    clock.advance(HOUR);
    expect(await worker.runOnce()).toBe(0); // given up: never run again

    // Staff can put it back in the queue once the cause is fixed.
    transport.failWith = null;
    expect(await retryJob(t.db, id, clock)).toBe(true);
    expect(await worker.runOnce()).toBe(1);
    expect(transport.to('bounce@example.test')).toHaveLength(1);
    expect((await t.db('jobs').where({ id }).first()).failed_at).toBeNull();
  });

  it('a job whose worker died is picked up again once its lock expires', async () => {
    const clock = fixedClock('2026-11-21T10:00:00Z');
    const transport = captureTransport();
    const registry = mailRegistry(transport);
    const id = await enqueueMail(t.db, { to: 'late@example.test', template: 'account-exists', data: { loginUrl: 'x', forgotUrl: 'y' } }, { clock, maxAttempts: 2 });
    // "Crashed" worker: claims, never reports.
    const claimed = await claimJobs(t.db, { kinds: registry.kinds(), limit: 10, lockMs: 5 * MINUTE, token: 'dead-worker#1', now: clock.now() });
    expect(claimed.map((j) => j.id)).toEqual([id]);
    const worker = new JobWorker({ db: t.db, registry, logger, clock, lockMs: 5 * MINUTE });
    expect(await worker.runOnce()).toBe(0);
    clock.advance(5 * MINUTE + 1);
    expect(await worker.runOnce()).toBe(1);
    expect(transport.to('late@example.test')).toHaveLength(1);
    const job = await t.db('jobs').where({ id }).first();
    expect(job.attempts).toBe(2);
    expect(job.finished_at).not.toBeNull();

    // Dying on the last attempt: given up with a clear error instead of running forever.
    const id2 = await enqueueMail(t.db, { to: 'poison@example.test', template: 'account-exists', data: { loginUrl: 'x', forgotUrl: 'y' } }, { clock, maxAttempts: 1 });
    await claimJobs(t.db, { kinds: registry.kinds(), limit: 10, lockMs: MINUTE, token: 'dead-worker#2', now: clock.now() });
    clock.advance(MINUTE + 1);
    await worker.runOnce();
    const poisoned = await t.db('jobs').where({ id: id2 }).first();
    expect(poisoned.failed_at).not.toBeNull();
    expect(poisoned.last_error).toMatch(/lock expired/);
    expect(transport.to('poison@example.test')).toHaveLength(0);
  });

  it('a job running longer than the lock time stays its worker\'s: the claim is renewed while it runs, and lapses once the worker is gone', async () => {
    const LOCK_MS = 2000; // renewed every 667 ms; lock times are stored to the second
    const registry = new JobRegistry();
    const runs: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    registry.register('slow.report', async () => {
      runs.push('started');
      await released;
    });
    await enqueue(t.db, 'slow.report', {});
    const worker = new JobWorker({ db: t.db, registry, logger, lockMs: LOCK_MS, id: 'busy' });
    const other = new JobWorker({ db: t.db, registry, logger, lockMs: LOCK_MS, id: 'other' });
    const running = worker.runOnce();
    await new Promise((r) => setTimeout(r, 100));
    // Past its lock time the running job is still held by its worker: the other one finds nothing.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      expect(await other.runOnce()).toBe(0);
    }
    const held = await t.db('jobs').where({ kind: 'slow.report' }).first('locked_by', 'locked_until');
    expect(held.locked_by).toMatch(/^busy#/);
    expect(fromDbTime(held.locked_until)!.getTime()).toBeGreaterThan(Date.now());
    release();
    expect(await running).toBe(1);
    expect(runs).toEqual(['started']);
    expect(await t.db('jobs').where({ kind: 'slow.report' }).first('finished_at', 'locked_by')).toMatchObject({ locked_by: null });

    // A worker that died holding a job (claimed, never renewed): the job is back within one lock time.
    await enqueue(t.db, 'slow.report', {});
    await claimJobs(t.db, { kinds: ['slow.report'], limit: 1, lockMs: LOCK_MS, token: 'dead#1', now: new Date() });
    expect(await other.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, LOCK_MS + 1100));
    const second = other.runOnce();
    release();
    expect(await second).toBe(1);
    expect(runs).toEqual(['started', 'started']);
  }, 15_000);

  it('only kinds the worker knows are claimed; handlers get payload and job info', async () => {
    const registry = new JobRegistry();
    const seen: unknown[] = [];
    registry.register<{ orderId: number }>('order.expire', async (payload, { job }) => {
      seen.push({ payload, attempt: job.attempt, kind: job.kind });
    });
    await enqueue(t.db, 'order.expire', { orderId: 42 });
    await enqueue(t.db, 'someone.elses.kind', { x: 1 });
    const worker = new JobWorker({ db: t.db, registry, logger });
    expect(await worker.drain()).toBe(1);
    expect(seen).toEqual([{ payload: { orderId: 42 }, attempt: 1, kind: 'order.expire' }]);
    expect(await count(t.db, (q) => q.where({ kind: 'someone.elses.kind' }).whereNull('finished_at'))).toBe(1);
    expect(() => registry.register('order.expire', async () => undefined)).toThrow(/already registered/);
  });

  it('runAt delays a job; uniqueKey de-duplicates', async () => {
    const clock = fixedClock('2026-11-21T10:00:00Z');
    const registry = new JobRegistry();
    let runs = 0;
    registry.register('reminder', async () => {
      runs++;
    });
    const a = await enqueue(t.db, 'reminder', {}, { uniqueKey: 'reminder:rental:7:3', runAt: new Date(clock.now().getTime() + HOUR), clock });
    const b = await enqueue(t.db, 'reminder', {}, { uniqueKey: 'reminder:rental:7:3', clock });
    expect(b).toBe(a);
    expect(await count(t.db, (q) => q.where({ kind: 'reminder' }))).toBe(1);
    const worker = new JobWorker({ db: t.db, registry, logger, clock });
    expect(await worker.drain()).toBe(0);
    clock.advance(HOUR);
    expect(await worker.drain()).toBe(1);
    expect(runs).toBe(1);
  });

  it('the outbox: mail enqueued in a rolled-back transaction is never sent', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await enqueueMail(trx, { to: 'ghost@example.test', template: 'account-exists', data: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await count(t.db)).toBe(0);
    await expect(enqueueMail(t.db, { to: 'x@example.test', template: 'no-such-template' })).rejects.toThrow(/missing/);
    await expect(enqueueMail(t.db, { to: 'not an address', template: 'account-exists' })).rejects.toThrow(/not an e-mail address/);
    await expect(enqueueMail(t.db, { to: 'x@example.test', template: '../layouts/main' })).rejects.toThrow(/Invalid/);
  });

  it('recurring jobs are queued once per slot, however many workers schedule them', async () => {
    const clock = fixedClock('2026-11-21T10:00:00Z');
    const registry = new JobRegistry();
    let runs = 0;
    registry.register('tick', async () => {
      runs++;
    });
    registry.every('tick', HOUR);
    const w1 = new JobWorker({ db: t.db, registry, logger, clock });
    const w2 = new JobWorker({ db: t.db, registry, logger, clock });
    await Promise.all([w1.scheduleRecurring(), w2.scheduleRecurring(), w1.scheduleRecurring()]);
    expect(await count(t.db, (q) => q.where({ kind: 'tick' }))).toBe(1);
    expect(await count(t.db, (q) => q.where({ kind: 'jobs.prune' }))).toBe(1);
    await w1.drain();
    expect(runs).toBe(1);
    clock.advance(HOUR);
    await w2.scheduleRecurring();
    await w2.drain();
    expect(runs).toBe(2);
  });

  it('finished jobs are pruned after 30 days; failed ones stay visible', async () => {
    const clock = fixedClock('2026-11-21T10:00:00Z');
    const old = toDbTime(new Date('2026-10-01T00:00:00Z'));
    const recent = toDbTime(new Date('2026-11-20T00:00:00Z'));
    const base = { kind: 'x', payload: '{}', run_at: old, created_at: old, updated_at: old };
    await t.db('jobs').insert([
      { ...base, finished_at: old },
      { ...base, finished_at: recent },
      { ...base, finished_at: old, failed_at: old, last_error: 'boom' },
      { ...base },
    ]);
    const registry = new JobRegistry();
    const worker = new JobWorker({ db: t.db, registry, logger, clock });
    await worker.scheduleRecurring();
    await worker.drain();
    const left = await t.db('jobs').where({ kind: 'x' }).orderBy('id');
    expect(left.map((j) => [j.finished_at === null ? 'pending' : j.failed_at ? 'failed' : 'done'])).toEqual([['done'], ['failed'], ['pending']]);
  });

  it('start() polls for new work and stop() waits for it to finish', async () => {
    const registry = new JobRegistry();
    const done: number[] = [];
    registry.register<{ n: number }>('slow', async ({ n }) => {
      await new Promise((r) => setTimeout(r, 50));
      done.push(n);
    });
    const worker = new JobWorker({ db: t.db, registry, logger, pollMs: 10 });
    worker.start();
    await enqueue(t.db, 'slow', { n: 1 });
    const deadline = Date.now() + 5000;
    while ((await count(t.db, (q) => q.where({ kind: 'slow' }).whereNotNull('locked_by'))) === 0 && done.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await worker.stop();
    expect(done).toEqual([1]);
    expect(await count(t.db, (q) => q.where({ kind: 'slow' }).whereNotNull('finished_at'))).toBe(1);
  });
});
