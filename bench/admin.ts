import type { Db } from '../src/db';
import { orderNumberFor } from '../src/orders/repo';
import { benchAccount, signIn } from './accounts';
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

export async function benchAdmin(o: { baseUrl: string; db: Db; out: (line: string) => void; requests?: number; warmup?: number }): Promise<AdminRow[]> {
  const requests = o.requests ?? 200;
  const warmup = o.warmup ?? 20;
  const browser = await signIn(o.baseUrl, await benchAccount(o.db, STAFF_EMAIL, 'staff'), '/admin');
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
