import crypto from 'node:crypto';
import { hashPassword } from '../src/accounts/passwords';
import type { Db } from '../src/db';
import { toDbTime } from '../src/lib/clock';
import { orderNumberFor } from '../src/orders/repo';
import { Browser } from './storm';
import { percentile } from './stats';

/**
 * The admin panel under a long order history: a staff member signs in over
 * HTTP, then each page is requested one at a time (after a warm-up) and its
 * latency recorded, as one person working through the panel sees it.
 *
 *   benchAdmin({ baseUrl, db, out }) → the bench section: p50/p95/p99 per page against p95 ≤ 50 ms
 *
 * `baseUrl` is a running app; `db` is a connection to the same database (to
 * create the staff member and pick an existing order and customer to search for).
 */

const STAFF_EMAIL = 'bench.staff@example.com';
const TARGET_P95_MS = 50;

export interface AdminRow {
  name: string;
  /** Orders the page reports matching ("200,000 orders", "More than 10,000 orders"), when it is a list. */
  matches: string | null;
  ms: number[];
  errors: number;
}

/** A staff account with a new password each run; its old sessions do not matter to the bench. */
async function staffMember(db: Db): Promise<{ email: string; password: string }> {
  const password = crypto.randomBytes(18).toString('base64url');
  const now = toDbTime(new Date());
  const fields = { password_hash: await hashPassword(password, 4), role: 'staff', disabled_at: null, email_verified_at: now, updated_at: now };
  const updated = await db('users').where({ email: STAFF_EMAIL }).update(fields);
  if (!updated) await db('users').insert({ email: STAFF_EMAIL, first_name: 'Bench', last_name: 'Staff', created_at: now, ...fields });
  return { email: STAFF_EMAIL, password };
}

/** The pages, with an order number and a registered customer's e-mail from the middle of the history. */
async function adminPages(db: Db): Promise<Array<[name: string, path: string]>> {
  const last = Number((await db('orders').max({ id: 'id' }).first())?.id ?? 0);
  const middle = Math.max(1, Math.floor(last / 2));
  const customer = await db('orders').whereNotNull('user_id').where('id', '>=', middle).orderBy('id').first('email');
  const email = String(customer?.email ?? 'nobody@example.com');
  return [
    ['GET /admin (dashboard)', '/admin'],
    ['GET /admin/orders', '/admin/orders'],
    ['GET /admin/orders?page=50', '/admin/orders?page=50'],
    ['GET /admin/orders?status=shipped', '/admin/orders?status=shipped'],
    ['GET /admin/orders?status=delivered', '/admin/orders?status=delivered'],
    ['GET /admin/orders?q=<number>', `/admin/orders?q=${orderNumberFor(middle)}`],
    ['GET /admin/orders?q=<e-mail>', `/admin/orders?q=${encodeURIComponent(email)}`],
  ];
}

async function signIn(baseUrl: string, staff: { email: string; password: string }): Promise<Browser> {
  const browser = new Browser(baseUrl);
  await browser.request('GET', '/login');
  const res = await browser.request('POST', '/login', { email: staff.email, password: staff.password, next: '/admin' });
  if (res.status !== 303) throw new Error(`staff sign-in answered ${res.status}`);
  const admin = await browser.request('GET', '/admin');
  if (admin.status !== 200) throw new Error(`/admin answered ${admin.status} after signing in`);
  return browser;
}

export async function benchAdmin(o: { baseUrl: string; db: Db; out: (line: string) => void; requests?: number; warmup?: number }): Promise<AdminRow[]> {
  const requests = o.requests ?? 200;
  const warmup = o.warmup ?? 20;
  const browser = await signIn(o.baseUrl, await staffMember(o.db));
  const rows: AdminRow[] = [];
  for (const [name, path] of await adminPages(o.db)) {
    const row: AdminRow = { name, matches: null, ms: [], errors: 0 };
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      const res = await browser.request('GET', path);
      const ms = performance.now() - t0;
      if (res.status !== 200) row.errors++;
      if (i < warmup) continue;
      row.ms.push(ms);
      const found = /<p>(More than )?([\d,]+) orders?[,.]/.exec(res.text);
      if (found) row.matches = `${found[1] ? '> ' : ''}${found[2]}`;
    }
    rows.push(row);
  }

  o.out(`Admin panel, one staff member signed in, ${requests} sequential requests per page after ${warmup} to warm up:`);
  o.out('| page | matching orders | p50 ms | p95 ms | p99 ms | target |');
  o.out('|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const p95 = percentile(r.ms, 95);
    const verdict = `p95 ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS && r.errors === 0 ? 'met' : 'MISSED'}${r.errors ? ` (${r.errors} non-200!)` : ''}`;
    o.out(`| ${r.name} | ${r.matches ?? ''} | ${percentile(r.ms, 50).toFixed(1)} | ${p95.toFixed(1)} | ${percentile(r.ms, 99).toFixed(1)} | ${verdict} |`);
  }
  o.out('');
  return rows;
}
