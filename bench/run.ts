import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import knex from 'knex';
import { createDb, ensureMysqlDatabase, migrateLatest, type Db } from '../src/db';
import type { Config } from '../src/config';
import { rootPath } from '../src/lib/paths';
import { SERVER_NODE_FLAGS } from '../src/lib/heap';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { facetCombos, inStockProductIds, pageOfFamilies, productsByIds, searchIndexRows, type ListFilter } from '../src/catalog/repo';
import { emptySelection } from '../src/catalog/filters';
import { searchWords } from '../src/catalog/search';
import { buildSearchIndex } from '../src/catalog/search-index';
import { generateProducts } from '../seeds/generate';
import { generateOrders } from '../seeds/generate-orders';
import { benchAccount, signIn } from './accounts';
import { benchAdmin } from './admin';
import { percentile } from './stats';
import { benchStorm } from './storm';
import { benchImport } from './import';
import { benchRentals } from './rentals';
import { benchWeight } from './weight';
import { seedDemo } from '../seeds';

/**
 * npm run bench — one run measures:
 *  1. a bare Express hello-world (the baseline, before and after the pages),
 *  2. GET /products, /products?q=…, /products/:slug and /api/products on a
 *     catalog of 10,000 generated products (autocannon, 50 connections), the
 *     two pages also as a registered customer signed in (their own header
 *     and wishlist hearts, never the guest page cache), then the web
 *     process's resident memory (/proc) under a mixed load over 100,000
 *     products with the search index built,
 *  3. the checkout storm (bench/storm.ts): 200 concurrent checkouts of 10
 *     units (oversell must be 0), then orders/s with the manual provider,
 *  4. CSV import of the 10,000-product catalog (bench/import.ts): every row a
 *     create, then every row an update, with the import's progress shown,
 *  5. search over 100,000 products: the in-memory search index's build
 *     (time, memory, longest event-loop stall) and latency (p50/p95/p99) of
 *     a results page with facet counts as CatalogService answers a search,
 *     then the same through the database's full-text index (the fallback
 *     while the index builds), and browsing without words (the whole
 *     catalog, one category) from the index and from the database, with the
 *     catalog cache out of the way,
 *  5. the admin panel over 200,000 generated orders (bench/admin.ts): the
 *     dashboard and the order list (unfiltered, page 50, by status, by
 *     number, by e-mail), p50/p95/p99 of sequential requests by signed-in staff,
 *  6. rent-to-own collection (bench/rentals.ts): 100,000 due installments
 *     charged by two job workers against the local Stripe stand-in, each
 *     exactly once (database gg_bench_rentals, rebuilt every run),
 *  7. page weight (bench/weight.ts): the bytes Chromium transfers for the
 *     home page and a product page of the demo store on a first visit,
 *     against 60 KB and 40 KB (SQLite file var/bench/weight.sqlite, rebuilt
 *     every run, whatever the database of the other parts).
 * MariaDB/MySQL at BENCH_DATABASE_URL (default mysql://root@127.0.0.1:3306/gg_bench)
 * when reachable, SQLite under var/bench otherwise (or when BENCH_DATABASE_URL=sqlite). Generated catalogs
 * (gg_bench, gg_bench_100000) and the order history (gg_bench_orders, on its own catalog of BENCH_SMALL
 * products) are kept and reused; pass --fresh to rebuild them.
 *
 * Options (environment): BENCH_DURATION seconds per endpoint (10),
 * BENCH_CONNECTIONS (50), BENCH_SMALL (10000), BENCH_LARGE (100000),
 * BENCH_ORDERS (200000), BENCH_ADMIN_REQUESTS (200 per page), BENCH_RENTALS (100000),
 * BENCH_PARTS (pages,storm,import,search,admin,rentals,weight: which measurements to run;
 * memory: only the memory row of pages).
 */

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SMALL = Number(process.env.BENCH_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200_000);
const RENTALS = Number(process.env.BENCH_RENTALS ?? 100_000);
const FRESH = process.argv.includes('--fresh');
const PARTS = new Set((process.env.BENCH_PARTS ?? 'pages,storm,import,search,admin,rentals,weight').split(',').map((p) => p.trim()));
/** What shoppers type: models, product lines, specs, and two whole brands (the broadest searches). */
const SEARCH_QUERIES = [
  'thinkpad t490', 'latitude 7420', 'elitebook 840', 'optiplex', 'macbook air', 'proliant dl380', 'zbook fury', 'vivobook',
  'thinkpad', 'xeon', 'ryzen 7', 'i7 16gb', '512gb ssd', 'ddr4 32gb', 'unifi switch', 'rtx', 'hp', 'dell',
];
const TARGETS: Record<string, { ratio: number; p99?: number }> = {
  'GET /products': { ratio: 0.35, p99: 50 },
  'GET /products/:slug': { ratio: 0.4 },
  'GET /products, signed in': { ratio: 0.3 },
  'GET /products/:slug, signed in': { ratio: 0.3 },
  'GET /api/products': { ratio: 0.5 },
};
/** Resident memory of the web process under load with the large catalog's search index built. */
const RSS_TARGET_MB = 200;

const out = (s = '') => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const target = await chooseDatabase();
  out(`GigGatek bench — ${target.label}, ${CONNECTIONS} connections, ${DURATION}s per endpoint, node ${process.version}`);

  if (PARTS.has('pages') || PARTS.has('storm')) await benchPages(target);
  // The pages part ends with the memory row; `memory` alone runs just that row.
  if (PARTS.has('memory') && !PARTS.has('pages')) printTable([await memoryUnderLoad(target)]);
  if (PARTS.has('import')) {
    const small = await prepareCatalog(target, SMALL);
    try {
      await benchImport({ db: small.db, out, progress });
    } finally {
      await small.db.destroy();
    }
  }
  if (PARTS.has('search')) {
    const large = await prepareCatalog(target, LARGE);
    try {
      await searchLatency(large.db, large.count);
    } finally {
      await large.db.destroy();
    }
  }
  if (PARTS.has('admin')) await benchAdminPart(target);
  if (PARTS.has('rentals')) await benchRentalsPart(target);
  if (PARTS.has('weight')) await benchWeightPart();
}

/** Targets for a first visit's transferred bytes (HTML + CSS + JS + images). */
const WEIGHT_BUDGETS = { home: 60 * 1024, product: 40 * 1024 };

/**
 * Page weight of the demo store (real product photos, not the generated
 * catalog's placeholders) on a SQLite file of its own. The product page is
 * the demo product with the most photos, the heaviest gallery.
 */
async function benchWeightPart(): Promise<void> {
  const dir = rootPath('var/bench');
  fs.mkdirSync(dir, { recursive: true });
  const config: Config['db'] = { client: 'sqlite', filename: path.join(dir, 'weight.sqlite') };
  await dropDatabase(config);
  const db = createDb(config);
  let slug: string;
  try {
    await migrateLatest(db);
    await seedDemo(db);
    const products = await db('products').where({ status: 'active' }).orderBy('id').select('slug', 'images');
    slug = products.reduce((best, p) => ((JSON.parse(p.images) as string[]).length > (JSON.parse(best.images) as string[]).length ? p : best)).slug;
  } finally {
    await db.destroy();
  }
  const env = {
    NODE_ENV: 'test', SQLITE_PATH: config.filename, DATABASE_URL: '', RUN_WORKER: 'false', SEED_DEMO: 'false', LOG_LEVEL: 'silent',
    JWT_SECRET: crypto.randomBytes(32).toString('hex'), COOKIE_SECRET: crypto.randomBytes(32).toString('hex'),
  };
  const app = await startChild('bench/server.ts', env);
  try {
    await benchWeight({
      baseUrl: `http://127.0.0.1:${app.port}`,
      targets: [
        { name: 'home `/`', path: '/', budget: WEIGHT_BUDGETS.home },
        { name: 'product `/products/:slug`', path: `/products/${slug}`, budget: WEIGHT_BUDGETS.product },
      ],
      out,
    });
  } finally {
    stopChild(app.child);
  }
}

async function benchPages(target: Target): Promise<void> {
  const small = await prepareCatalog(target, SMALL);
  const slug = await sampleSlug(small.db, Math.floor(SMALL / 2));
  const customer = await benchAccount(small.db, CUSTOMER_EMAIL, 'customer');
  await small.db.destroy();

  const app = await startChild('bench/server.ts', target.env(small.config));
  try {
    const base = `http://127.0.0.1:${app.port}`;
    if (PARTS.has('pages')) {
      const signedIn = { cookie: await signedInShopper(base, customer, slug) };
      const results: Row[] = [];
      // The baseline is measured before and after the pages; the faster of the two counts, so a slow moment of a
      // shared machine can only make the pages' ratios look worse, never better.
      const hello = await startChild('bench/hello.ts', {});
      try {
        results.push(await measure('hello world (before)', `http://127.0.0.1:${hello.port}/`));
        for (const [name, url, headers] of [
          ['GET /products', `${base}/products`],
          ['GET /products?q=…', `${base}/products?q=thinkpad`],
          ['GET /products/:slug', `${base}/products/${slug}`],
          ['GET /products, signed in', `${base}/products`, signedIn],
          ['GET /products/:slug, signed in', `${base}/products/${slug}`, signedIn],
          ['GET /api/products', `${base}/api/products`],
          ['GET /rent-to-own (floor)', `${base}/rent-to-own`],
        ] as const) {
          results.push(await measure(name, url, headers));
        }
        results.push(await measure('hello world (after)', `http://127.0.0.1:${hello.port}/`));
      } finally {
        stopChild(hello.child);
      }
      results.push(await memoryUnderLoad(target));
      printTable(results);
    }
    if (PARTS.has('storm')) {
      // Checkout storm against the same running app: contention on 10 units, then throughput.
      const stormDb = createDb(small.config);
      try {
        await benchStorm({ baseUrl: base, db: stormDb, out });
      } finally {
        await stormDb.destroy();
      }
    }
  } finally {
    stopChild(app.child);
  }
}

const CUSTOMER_EMAIL = 'bench.customer@example.com';

/**
 * The Cookie header of a registered customer signed in over HTTP, who saved
 * the product `slug` to their wishlist. Checks that the store answers them
 * with their own pages (their account links, the product's "Saved" heart),
 * not the guest page cache's, and returns the header for autocannon to send.
 */
async function signedInShopper(base: string, customer: { email: string; password: string }, slug: string): Promise<string> {
  const shopper = await signIn(base, customer, '/account');
  const page = await shopper.request('GET', `/products/${slug}`);
  // The page's first heart is the product's own; saved on an earlier run, its form already removes it.
  const heart = /action="\/wishlist\/(\d+)(\/delete)?"/.exec(page.text);
  if (!heart) throw new Error(`/products/${slug} (${page.status}) has no wishlist button`);
  if (!heart[2]) await shopper.request('POST', `/wishlist/${heart[1]}`, { next: `/products/${slug}` });
  const cookie = shopper.cookieHeader();
  for (const path of ['/products', `/products/${slug}`]) {
    const [guest, theirs] = await Promise.all([fetch(base + path).then((r) => r.text()), fetch(base + path, { headers: { cookie } }).then((r) => r.text())]);
    const own = (html: string) => html.includes('href="/account">My account') && (path === '/products' || html.includes('Saved ✓'));
    if (own(guest) || !own(theirs)) throw new Error(`${path}: the signed-in customer is not answered with their own page`);
  }
  return cookie;
}

/** Peak and current resident memory of a process in MB (Linux: /proc/<pid>/status), or null elsewhere. */
function residentMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Resident memory of the web process over the large catalog with its search
 * index built (the server listens once it is): autocannon sends a mix of
 * guest and signed-in listings, category pages, searches, product pages and
 * the JSON API for BENCH_DURATION seconds while /proc is read every 100 ms.
 */
async function memoryUnderLoad(target: Target): Promise<Row> {
  const large = await prepareCatalog(target, LARGE);
  const slugs = await Promise.all([0.1, 0.5, 0.9].map((at) => sampleSlug(large.db, Math.floor(LARGE * at))));
  const category = (await large.db('categories').whereNull('parent_id').orderBy('position').first('slug')).slug as string;
  const customer = await benchAccount(large.db, CUSTOMER_EMAIL, 'customer');
  await large.db.destroy();
  const app = await startBuiltServer({ ...target.env(large.config), SEARCH_INDEX: 'memory' });
  try {
    const base = `http://127.0.0.1:${app.port}`;
    const cookie = await signedInShopper(base, customer, slugs[0]!);
    const paths = [
      '/products', '/products?sort=price_asc', '/products?page=40', `/categories/${category}`, `/categories/${category}?sort=rating`,
      ...SEARCH_QUERIES.map((q) => `/products?q=${encodeURIComponent(q)}`),
      ...slugs.map((s) => `/products/${s}`), '/api/products', '/api/products?page=5', '/api/products?q=dell',
    ];
    const requests = paths.flatMap((path) => [{ method: 'GET' as const, path }, { method: 'GET' as const, path, headers: { cookie } }]);
    const before = residentMemory(app.child.pid!);
    let peak = before?.rss ?? NaN;
    const sampler = setInterval(() => (peak = Math.max(peak, residentMemory(app.child.pid!)?.rss ?? NaN)), 100);
    const r = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, requests });
    clearInterval(sampler);
    const after = residentMemory(app.child.pid!);
    const mb = (n: number | undefined) => `${Math.round(n ?? NaN)} MB`;
    const row: Row = {
      name: `web process RSS under load, ${LARGE.toLocaleString('en-US')} products, search index built: peak ${mb(peak)}, end ${mb(after?.rss)} (idle before ${mb(before?.rss)}, VmHWM ${mb(after?.hwm)} incl. the index build)`,
      reqPerSec: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx,
      peakMb: peak,
    };
    out(`  ${row.name}, ${Math.round(row.reqPerSec)} req/s of the mix${row.errors ? `  (${row.errors} errors/non-2xx!)` : ''}`);
    return row;
  } finally {
    await stopAndWait(app.child);
  }
}

async function benchAdminPart(target: Target): Promise<void> {
  const store = await prepareOrders(target);
  const app = await startChild('bench/server.ts', target.env(store.config));
  try {
    await benchAdmin({ baseUrl: `http://127.0.0.1:${app.port}`, db: store.db, out, requests: Number(process.env.BENCH_ADMIN_REQUESTS ?? 200) });
  } finally {
    stopChild(app.child);
    await store.db.destroy();
  }
}

/** The rentals part: a database of its own (gg_bench_rentals), rebuilt on every run since collecting changes it. */
async function benchRentalsPart(target: Target): Promise<void> {
  const config = target.dbConfig(RENTALS, 'rentals');
  await dropDatabase(config);
  if (config.client === 'mysql') await ensureMysqlDatabase(config.url);
  const db = createDb(config);
  try {
    await migrateLatest(db);
    // Each worker process: the sweeps it runs charge 8 installments at a time each (SWEEPS_PER_RUN sweeps shared by the two).
    const env = { ...target.env(config), DB_POOL_MAX: '20' };
    await benchRentals({ db, env, out, count: RENTALS, progress });
  } finally {
    await db.destroy();
  }
}

/** A generated catalog of some size, the order history (on a catalog of its own, so the other parts never see it), or the rentals part's agreements. */
type Store = 'catalog' | 'orders' | 'rentals';

interface Target {
  label: string;
  dialect: 'mysql' | 'sqlite';
  dbConfig(count: number, store?: Store): Config['db'];
  env(db: Config['db']): Record<string, string>;
}

async function chooseDatabase(): Promise<Target> {
  const url = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/gg_bench';
  const named = (count: number, store: Store) => {
    const u = new URL(url);
    u.pathname = `${u.pathname}${store === 'orders' ? '_orders' : store === 'rentals' ? '_rentals' : count === SMALL ? '' : `_${count}`}`;
    return u.toString();
  };
  const secrets = { JWT_SECRET: crypto.randomBytes(32).toString('hex'), COOKIE_SECRET: crypto.randomBytes(32).toString('hex') };
  const common = { RUN_WORKER: 'false', SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...secrets };
  try {
    if (url === 'sqlite') throw new Error('SQLite requested');
    await withTimeout(ensureMysqlDatabase(named(SMALL, 'catalog')), 3000);
    return {
      label: `MariaDB/MySQL (${new URL(url).host})`,
      dialect: 'mysql',
      dbConfig: (count, store = 'catalog') => ({ client: 'mysql', url: named(count, store), poolMax: 10 }),
      env: (db) => ({ ...common, NODE_ENV: 'production', DATABASE_URL: db.client === 'mysql' ? db.url : '' }),
    };
  } catch (err) {
    if (url !== 'sqlite') out(`No MySQL/MariaDB reachable at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} (${(err as Error).message}); using SQLite.`);
    const dir = rootPath('var/bench');
    fs.mkdirSync(dir, { recursive: true });
    return {
      label: url === 'sqlite' ? 'SQLite' : 'SQLite (no MySQL reachable)',
      dialect: 'sqlite',
      dbConfig: (count, store = 'catalog') => ({ client: 'sqlite', filename: path.join(dir, `${store}-${count}.sqlite`) }),
      env: (db) => ({ ...common, NODE_ENV: 'test', SQLITE_PATH: db.client === 'sqlite' ? db.filename : '' }),
    };
  }
}

/** A migrated database holding exactly `count` generated products (reused when it already does). */
async function prepareCatalog(target: Target, count: number, store: Store = 'catalog'): Promise<{ db: Db; config: Config['db']; count: number }> {
  const config = target.dbConfig(count, store);
  if (config.client === 'mysql') await ensureMysqlDatabase(config.url);
  let db = createDb(config);
  await migrateLatest(db);
  const existing = await rowCount(db, 'products');
  // The checkout storm adds a few products of its own; only a short catalog is rebuilt.
  if (FRESH || (existing !== 0 && existing < count)) {
    await db.destroy();
    await dropDatabase(config);
    if (config.client === 'mysql') await ensureMysqlDatabase(config.url);
    db = createDb(config);
    await migrateLatest(db);
  }
  if ((await rowCount(db, 'products')) === 0) {
    const started = Date.now();
    await generateProducts(db, count, { seed: 7, batchSize: 1000, onProgress: (done, total) => progress(`generating ${total.toLocaleString('en-US')} products`, done, total) });
    process.stderr.write('\n');
    out(`Generated ${count.toLocaleString('en-US')} products in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    if (config.client === 'mysql') await db.raw('ANALYZE TABLE products, inventory_units');
    else await db.raw('ANALYZE');
  } else {
    out(`Reusing the generated catalog of ${count.toLocaleString('en-US')} products (--fresh rebuilds it).`);
  }
  return { db, config, count };
}

/** The order history: BENCH_ORDERS generated orders on a catalog of BENCH_SMALL products (reused when it already holds them). */
async function prepareOrders(target: Target): Promise<{ db: Db; config: Config['db'] }> {
  let store = await prepareCatalog(target, SMALL, 'orders');
  const existing = await rowCount(store.db, 'orders');
  if (existing !== 0 && existing !== ORDERS) {
    // Another size was asked for: the history is rebuilt whole, so its timeline stays one even spread.
    await store.db.destroy();
    await dropDatabase(store.config);
    store = await prepareCatalog(target, SMALL, 'orders');
  }
  if ((await rowCount(store.db, 'orders')) === 0) {
    const started = Date.now();
    await generateOrders(store.db, ORDERS, { seed: 11, batchSize: 1000, onProgress: (done, total) => progress(`generating ${total.toLocaleString('en-US')} orders`, done, total) });
    process.stderr.write('\n');
    out(`Generated ${ORDERS.toLocaleString('en-US')} orders in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    if (store.config.client === 'mysql') await store.db.raw('ANALYZE TABLE orders, order_items, payments, refunds, users');
    else await store.db.raw('ANALYZE');
  } else {
    out(`Reusing the generated history of ${ORDERS.toLocaleString('en-US')} orders (--fresh rebuilds it).`);
  }
  return store;
}

async function rowCount(db: Db, table: string): Promise<number> {
  const row = (await db(table).count({ n: '*' }))[0] as { n: number | string };
  return Number(row.n);
}

async function dropDatabase(config: Config['db']): Promise<void> {
  if (config.client === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(config.filename + suffix, { force: true });
    return;
  }
  const u = new URL(config.url);
  const name = decodeURIComponent(u.pathname.slice(1));
  const admin = knex({
    client: 'mysql2',
    connection: { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
  });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
}

/** The slug of the active product at `position` by id. */
async function sampleSlug(db: Db, position: number): Promise<string> {
  const row = await db('products').where('status', 'active').orderBy('id').offset(position).first('slug');
  return row.slug as string;
}

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done}/${total}`);
}

async function startChild(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  // The store's own start-up flags (src/lib/heap.ts) for its servers; the hello-world baseline runs as plain node.
  const flags = script === 'bench/server.ts' ? SERVER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', rootPath(script)], {
    cwd: rootPath('.'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line).port);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code}`)));
    setTimeout(() => reject(new Error(`${script} did not start within 30s`)), 30_000).unref();
  });
  return { child, port };
}

/**
 * The store as `npm start` runs it, for the memory row: compiled (npm run
 * build; bench/server.ts runs under tsx, whose loader thread alone holds some
 * 35 MB a production process does not have), on a free port, and ready once it
 * logs that the search index is built.
 */
async function startBuiltServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const build = spawnSync(process.execPath, [rootPath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: rootPath('.'), stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, rootPath('dist/src/server.js')], {
    cwd: rootPath('.'),
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let tail = '';
    // Read (and drop) every log line, so the pipe never fills and stalls the server.
    child.stdout!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4096);
      if (tail.includes('"msg":"search index ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`dist/src/server.js exited with code ${code}`)));
    setTimeout(() => reject(new Error('the search index was not ready within 120s')), 120_000).unref();
  });
  return { child, port };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** Stops a server that logs to our pipe and waits until it has exited (killed after 15 s), so none is left behind. */
async function stopAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function stopChild(child: ChildProcess): void {
  child.kill('SIGTERM');
}

interface Row {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** The memory row: the web process's peak resident memory under load, in MB. */
  peakMb?: number;
}

async function measure(name: string, url: string, headers?: Record<string, string>): Promise<Row> {
  // Warm up: JIT, template cache, catalog cache, connection pool.
  await autocannon({ url, headers, connections: 10, duration: 2 });
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  const row = { name, reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
  out(`  ${name.padEnd(30)} ${Math.round(row.reqPerSec).toString().padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${row.errors ? `  (${row.errors} errors/non-2xx!)` : ''}`);
  return row;
}

function printTable(rows: Row[]): void {
  const baseline = Math.max(...rows.filter((r) => r.name.startsWith('hello world')).map((r) => r.reqPerSec));
  out();
  if (baseline > 0) out(`Baseline: the faster hello-world run, ${Math.round(baseline)} req/s.`);
  out('| endpoint | req/s | p50 ms | p99 ms | × baseline | target |');
  out('|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    if (row.peakMb !== undefined) {
      const verdict = `peak ≤ ${RSS_TARGET_MB} MB: ${row.peakMb <= RSS_TARGET_MB ? 'met' : 'MISSED'}`;
      out(`| ${row.name} | ${Math.round(row.reqPerSec)} (mix) | ${row.p50} | ${row.p99} | | ${verdict} |`);
      continue;
    }
    const ratio = row.reqPerSec / baseline;
    const t = TARGETS[row.name];
    const verdict = t
      ? `≥ ${t.ratio}×${t.p99 ? `, p99 ≤ ${t.p99} ms` : ''}: ${ratio >= t.ratio && (!t.p99 || row.p99 <= t.p99) ? 'met' : 'MISSED'}`
      : '';
    out(`| ${row.name} | ${Math.round(row.reqPerSec)} | ${row.p50} | ${row.p99} | ${ratio.toFixed(2)} | ${verdict} |`);
  }
  out();
}

/** Search over the large catalog, as a results page needs it: one page of 24 plus the facet counts. */
async function searchLatency(db: Db, count: number): Promise<void> {
  const filter = (q: string): ListFilter => ({
    words: searchWords(q), categoryIds: null, ...emptySelection(), minPriceCents: null, maxPriceCents: null, inStock: false,
  });
  const rounds = Number(process.env.BENCH_SEARCH_ROUNDS ?? 10);

  // The index is built as LiveSearchIndex builds it. Memory: heap and typed arrays once the rows it was built from are gone.
  const memory = () => {
    global.gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const memoryBefore = memory();
  const loadStarted = performance.now();
  const [rows, inStock] = await Promise.all([searchIndexRows(db), inStockProductIds(db)]);
  const loadMs = performance.now() - loadStarted;
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  stalls.enable();
  const buildStarted = performance.now();
  const index = await buildSearchIndex(rows, inStock);
  const buildMs = performance.now() - buildStarted;
  stalls.disable();
  rows.length = 0;
  const indexMb = (memory() - memoryBefore) / 1e6;
  out(`Search index of ${index.size.toLocaleString('en-US')} products: read in ${Math.round(loadMs)} ms, built in ${Math.round(buildMs)} ms ` +
    `(longest event-loop stall ${Math.round(stalls.max / 1e6)} ms), ${global.gc ? `${Math.round(indexMb)} MB of memory` : 'memory not measured (run node with --expose-gc)'}.`);
  out();

  type Sample = { ms: number[]; hits: number };
  const measure = async (answer: (f: ListFilter) => Promise<number>): Promise<Map<string, Sample>> => {
    for (const q of SEARCH_QUERIES) await answer(filter(q)); // warm the buffer pool / JIT
    const perQuery = new Map<string, Sample>();
    for (let round = 0; round < rounds; round++) {
      for (const q of SEARCH_QUERIES) {
        const entry = perQuery.get(q) ?? { ms: [], hits: 0 };
        const t0 = performance.now();
        entry.hits = await answer(filter(q));
        entry.ms.push(performance.now() - t0);
        perQuery.set(q, entry);
      }
    }
    return perQuery;
  };
  const total = (combos: Array<{ count: number }>) => combos.reduce((n, c) => n + c.count, 0);
  // What CatalogService does for a storefront search: the index answers (a product family listed once), then the page's 24 products are read by id.
  const fromIndex = await measure(async (f) => {
    const hits = index.search(f, 'relevance', 24, 0, true);
    await productsByIds(db, hits.ids);
    return total(hits.combos);
  });
  const fromDatabase = await measure(async (f) => {
    const [combos] = await Promise.all([facetCombos(db, f), pageOfFamilies(db, f, 'relevance', 24, 0)]);
    return total(combos);
  });
  // Browsing without words: the whole catalog and one category, listed by family, as the index answers it (what shoppers get) and as the database does (while the index builds).
  const browse = new Map<string, Sample>();
  const firstCategory = (await db('categories').whereNull('parent_id').orderBy('position').first('id')).id as number;
  const listings: Array<[string, ListFilter]> = [['all products, newest', filter('')], ['one category, price', { ...filter(''), categoryIds: [firstCategory] }]];
  const answers: Array<[string, (f: ListFilter, sort: 'newest' | 'price_asc') => Promise<number>]> = [
    ['search index', async (f, sort) => {
      const hits = index.search(f, sort, 24, 0, true);
      await productsByIds(db, hits.ids);
      return total(hits.combos);
    }],
    ['database', async (f, sort) => total((await Promise.all([facetCombos(db, f), pageOfFamilies(db, f, sort, 24, 0)]))[0])],
  ];
  for (const [label, f] of listings) {
    const sort = label.endsWith('newest') ? 'newest' : 'price_asc';
    for (const [by, answer] of answers) {
      await answer(f, sort);
      const sample: Sample = { ms: [], hits: 0 };
      for (let round = 0; round < rounds; round++) {
        const t0 = performance.now();
        sample.hits = await answer(f, sort);
        sample.ms.push(performance.now() - t0);
      }
      browse.set(`${label}, ${by}`, sample);
    }
  }

  const all = (m: Map<string, Sample>) => [...m.values()].flatMap((e) => e.ms);
  const line = (label: string, xs: number[]) =>
    `| ${label} | ${xs.length} | ${percentile(xs, 50).toFixed(1)} | ${percentile(xs, 95).toFixed(1)} | ${percentile(xs, 99).toFixed(1)} |`;
  out(`Search over ${count.toLocaleString('en-US')} products: a results page (24, ranked) with facet counts (${SEARCH_QUERIES.length} queries × ${rounds} rounds, catalog cache bypassed):`);
  out('| answered by | samples | p50 ms | p95 ms | p99 ms |');
  out('|---|---:|---:|---:|---:|');
  out(line('search index (what shoppers get)', all(fromIndex)));
  out(line('database full-text (while the index builds)', all(fromDatabase)));
  out(`Target: search p95 ≤ 30 ms — ${percentile(all(fromIndex), 95) <= 30 ? 'met' : 'MISSED'}.`);
  out();
  out(`Browsing without words over ${count.toLocaleString('en-US')} products (a product family listed once, with facet counts; catalog cache bypassed):`);
  out('| listing | products | samples | p50 ms | p95 ms |');
  out('|---|---:|---:|---:|---:|');
  for (const [label, e] of browse) out(`| ${label} | ${e.hits} | ${e.ms.length} | ${percentile(e.ms, 50).toFixed(1)} | ${percentile(e.ms, 95).toFixed(1)} |`);
  out();
  out('| query | matches | index p50 ms | database p50 ms |');
  out('|---|---:|---:|---:|');
  for (const [q, e] of fromIndex) {
    const d = fromDatabase.get(q)!;
    const mismatch = d.hits !== e.hits ? ` (database found ${d.hits}!)` : '';
    out(`| ${q} | ${e.hits}${mismatch} | ${percentile(e.ms, 50).toFixed(1)} | ${percentile(d.ms, 50).toFixed(1)} |`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
