import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { Db } from '../src/db';
import { insertInChunks } from '../src/db/batch';
import { enqueue } from '../src/jobs/queue';
import { systemClock, toDbTime } from '../src/lib/clock';
import { rootPath } from '../src/lib/paths';
import { addMonthsClamped, dateOnly } from '../src/lib/dates';
import { collectionKey } from '../src/rentals/collection';
import { COLLECT_JOB } from '../src/rentals/jobs';
import { DEFAULT_RENTAL_POLICY, rentalPolicyColumns } from '../src/rentals/policy';

/**
 * The hourly collection of rent-to-own installments at scale: `count`
 * agreements (active, paying by a saved card, payment 1 paid, payment 2 due
 * today) are bulk-inserted into a fresh database, then the rentals.collect
 * job runs on two job workers, each in a process of its own as `npm run
 * worker` runs (bench/rentals-worker.ts), against the local Stripe stand-in of the tests
 * (tests/helpers/stripe-server.ts in a process of its own, bench/stripe-child.ts;
 * the real SDK over HTTP). It prints the seconds from the job queued to the queue
 * drained, installments/s, the PaymentIntent requests Stripe saw, their
 * distinct idempotency keys and the payments recorded, and checks every
 * installment was charged exactly once (target ≤ 60 s for 100,000).
 *
 *   benchRentals({ db, env, out, count })
 *
 * `db` is an empty migrated database; `env` points the workers at it.
 */

const TARGET_SECONDS = 60;
const WORKERS = 2;

export interface RentalsBenchOptions {
  db: Db;
  out: (s?: string) => void;
  count: number;
  /** Environment for the worker processes: the database (DATABASE_URL or SQLITE_PATH, DB_POOL_MAX) and the secrets. */
  env: Record<string, string>;
  progress?: (label: string, done: number, total: number) => void;
}

export async function benchRentals(o: RentalsBenchOptions): Promise<{ seconds: number; ok: boolean }> {
  const { db, out, count } = o;
  const today = dateOnly(systemClock.now());
  const seeded = Date.now();
  const { productId, userIds } = await seedBase(db);
  await seedAgreements(db, { count, today, productId, userIds, progress: o.progress });
  out(`Seeded ${count.toLocaleString('en-US')} agreements with payment 2 due today in ${((Date.now() - seeded) / 1000).toFixed(1)}s.`);

  const stripe = await startStripe();
  const workers = await Promise.all(Array.from({ length: WORKERS }, (_, k) => startWorker(`bench-collector-${k + 1}`, { ...o.env, ...stripe.env })));
  const started = Date.now();
  try {
    await enqueue(db, COLLECT_JOB, {});
    for (const w of workers) w.go();
    let stop = false;
    const watcher = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!stop && o.progress) o.progress('charging', (await stripe.ask<{ intents: number }>('count')).intents, count);
      }
    })();
    const ran = await Promise.all(workers.map((w) => w.done));
    stop = true;
    await watcher;
    if (o.progress) process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;

    const { intents, perKey: keyCounts } = await stripe.ask<{ intents: number; perKey: Record<string, number> }>('summary');
    const perKey = new Map(Object.entries(keyCounts));
    const due = await db('rental_installments').where({ seq: 2 }).select('id', 'rental_id', 'status');
    const expectedKeys = new Set(due.map((i) => collectionKey(Number(i.rental_id), 2, 1)));
    const payments = await db('payments').where({ purpose: 'installment', provider: 'stripe', status: 'succeeded' }).count({ n: '*' }).first();
    const doubled = await db('payments').where({ purpose: 'installment', status: 'succeeded' }).groupBy('rental_installment_id').havingRaw('count(*) > 1').select('rental_installment_id');
    const unpaid = due.filter((i) => i.status !== 'paid').length;
    const failedJobs = Number((await db('jobs').where('kind', 'like', 'rentals.%').whereNotNull('failed_at').count({ n: '*' }).first())!.n);
    const recorded = Number(payments!.n);
    const ok =
      intents === count &&
      perKey.size === count &&
      [...perKey.keys()].every((k) => expectedKeys.has(k)) &&
      [...perKey.values()].every((n) => n === 1) &&
      recorded === count &&
      doubled.length === 0 &&
      unpaid === 0 &&
      failedJobs === 0;

    out('');
    out(`Rental collection: ${count.toLocaleString('en-US')} due installments, ${WORKERS} job worker processes (rentals.collect → sweeps; jobs run: ${ran.join(' + ')}), local Stripe stand-in`);
    out(`  total                 ${seconds.toFixed(1)} s (target ≤ ${TARGET_SECONDS} s${count === 100_000 ? (seconds <= TARGET_SECONDS ? ' — met' : ' — NOT met') : ''})`);
    out(`  installments/s        ${Math.round(count / seconds).toLocaleString('en-US')}`);
    out(`  PaymentIntent requests ${intents.toLocaleString('en-US')}`);
    out(`  distinct keys         ${perKey.size.toLocaleString('en-US')} (used more than once: ${[...perKey.values()].filter((n) => n > 1).length})`);
    out(`  payments recorded     ${recorded.toLocaleString('en-US')} (installments with more than one: ${doubled.length}; unpaid: ${unpaid}; failed jobs: ${failedJobs})`);
    out(`  every installment charged exactly once: ${ok ? 'yes' : 'NO'}`);
    return { seconds, ok };
  } finally {
    stripe.close();
  }
}

/** One job worker in its own process (bench/rentals-worker.ts), started and waiting: go() sets it to work; done resolves with the jobs it ran. */
async function startWorker(id: string, env: Record<string, string>): Promise<{ go(): void; done: Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', rootPath('bench/rentals-worker.ts')], { cwd: rootPath('.'), env: { ...process.env, ...env, WORKER_ID: id }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.startsWith('{')) lines.push(JSON.parse(line));
      waiters.splice(0).forEach((w) => w());
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const next = async (key: string) => {
    while (!lines.some((l) => key in l)) {
      const code = await Promise.race([exited, new Promise<'line'>((r) => waiters.push(() => r('line')))]);
      if (code !== 'line') throw new Error(`worker ${id} exited with code ${code}`);
    }
    return lines.find((l) => key in l)!;
  };
  await next('ready');
  return {
    go: () => child.stdin!.end('go\n'),
    done: next('jobs').then(async (l) => {
      await exited;
      return Number(l.jobs);
    }),
  };
}

/** The Stripe stand-in in its own process (bench/stripe-child.ts), asked over IPC. */
async function startStripe(): Promise<{ env: Record<string, string>; ask<T>(what: 'count' | 'summary'): Promise<T>; close(): void }> {
  const child: ChildProcess = fork(rootPath('bench/stripe-child.ts'), [], { cwd: rootPath('.'), execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { type: string; env: Record<string, string> }) => resolve(m.env));
    child.once('exit', (code) => reject(new Error(`the Stripe stand-in exited with code ${code}`)));
  });
  return {
    env,
    ask: <T>(what: 'count' | 'summary') =>
      new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(what);
      }),
    close: () => child.send('close'),
  };
}

/** A product the agreements rent and the renters (1 per 100 agreements). */
async function seedBase(db: Db): Promise<{ productId: number; userIds: number[] }> {
  const now = toDbTime(new Date());
  await db('categories').insert({ slug: 'bench-laptops', name: 'Laptops', position: 1 });
  const categoryId = Number((await db('categories').where({ slug: 'bench-laptops' }).first('id')).id);
  await db('products').insert({
    category_id: categoryId,
    slug: 'bench-thinkpad-t14',
    name: 'ThinkPad T14',
    brand: 'Lenovo',
    description: 'ThinkPad T14, refurbished and tested.',
    specifications: '{}',
    search_text: '',
    condition_grade: 'A',
    price_cents: 60_000,
    unit_cost_cents: 36_000,
    rent_3_cents: 23_000,
    rent_6_cents: 13_500,
    rent_12_cents: 8_750,
    warranty_months: 12,
    images: '[]',
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  const productId = Number((await db('products').where({ slug: 'bench-thinkpad-t14' }).first('id')).id);
  const users = Array.from({ length: 1000 }, (_, k) => ({ email: `renter${k + 1}@bench.example.com`, password_hash: 'x', first_name: 'Casey', last_name: `Renter ${k + 1}`, role: 'customer', created_at: now, updated_at: now }));
  await insertInChunks(db, 'users', users);
  const userIds = (await db('users').where('email', 'like', '%@bench.example.com').orderBy('id').pluck('id')).map(Number);
  return { productId, userIds };
}

/** `count` running agreements of 3 × $87.50 paid by card: payment 1 paid a month ago, payment 2 due today, payment 3 next month. */
async function seedAgreements(db: Db, s: { count: number; today: string; productId: number; userIds: number[]; progress?: RentalsBenchOptions['progress'] }): Promise<void> {
  const now = toDbTime(new Date());
  const startOn = addMonthsClamped(s.today, -1);
  const policy = rentalPolicyColumns(DEFAULT_RENTAL_POLICY);
  const chunk = 5000;
  for (let from = 0; from < s.count; from += chunk) {
    const n = Math.min(chunk, s.count - from);
    const rentals = Array.from({ length: n }, (_, k) => {
      const i = from + k + 1;
      return {
        number: `RA-${String(1_000_000 + i)}`,
        user_id: s.userIds[i % s.userIds.length],
        product_id: s.productId,
        status: 'active',
        provider: 'stripe',
        term_months: 3,
        monthly_cents: 8_750,
        cash_price_cents: 22_500,
        total_cents: 26_250,
        ...policy,
        agreement_text: 'Bench agreement',
        signature_name: 'Casey Renter',
        signed_at: now,
        start_on: startOn,
        stripe_customer_id: `cus_bench_${i}`,
        stripe_payment_method_id: `pm_bench_${i}`,
        created_at: now,
        updated_at: now,
      };
    });
    await insertInChunks(db, 'rentals', rentals, 1000);
    const ids = (await db('rentals').whereIn('number', rentals.map((r) => r.number)).pluck('id')).map(Number);
    const installments = ids.flatMap((rentalId) => [
      { rental_id: rentalId, seq: 1, due_on: startOn, amount_cents: 8_750, status: 'paid', paid_at: now, next_attempt_on: null, created_at: now, updated_at: now },
      { rental_id: rentalId, seq: 2, due_on: s.today, amount_cents: 8_750, status: 'scheduled', paid_at: null, next_attempt_on: s.today, created_at: now, updated_at: now },
      { rental_id: rentalId, seq: 3, due_on: addMonthsClamped(startOn, 2), amount_cents: 8_750, status: 'scheduled', paid_at: null, next_attempt_on: addMonthsClamped(startOn, 2), created_at: now, updated_at: now },
    ]);
    await insertInChunks(db, 'rental_installments', installments, 1000);
    s.progress?.('seeding agreements', from + n, s.count);
  }
  if (s.progress) process.stderr.write('\n');
  if ((db.client.config.client as string) === 'mysql2') await db.raw('ANALYZE TABLE rentals, rental_installments');
}
