import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { startServer, type RunningServer } from '../helpers/spawn';

/** The search and filter parameters of SPEC §7, with values that match demo products (so the original page has results to compare against). */
const FILTERS: Record<string, string> = {
  q: 'thinkpad',
  category: 'laptops',
  brand: 'Lenovo',
  condition: 'A',
  min_price: '100',
  max_price: '5000',
  in_stock: '1',
  sort: 'price_asc',
  page: '1',
};

const TARGETS: Array<[string, string, string[]]> = [
  ['/products', '/products', Object.keys(FILTERS)],
  ['/api/products', '/api/products', Object.keys(FILTERS)],
  ['/categories/:slug', '/categories/laptops', Object.keys(FILTERS).filter((p) => p !== 'category')],
];

/** What sqlmap prints once it has confirmed an injection (any technique). */
const FOUND = /sqlmap identified the following injection point|parameter '[^']+' (?:is|appears to be) '[^']+' injectable|is vulnerable|Parameter: \S+ \(GET\)/i;

function sqlmapInstalled(): boolean {
  return spawnSync('sqlmap', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * sqlmap told which database it faces (its payloads for the others are
 * skipped), at level 2: level 1 misses a value pasted into LIKE '%…%',
 * which the control below proves level 2 finds.
 */
function runSqlmap(url: string, params: string[], outputDir: string, dbms: 'SQLite' | 'MySQL'): Promise<{ code: number | null; output: string }> {
  const args = [
    '-u', url,
    '-p', params.join(','),
    '--dbms', dbms,
    '--batch', '--level', '2', '--risk', '1',
    // Boolean, error, UNION, stacked and time-based (1 s delays keep it quick).
    '--technique', 'BEUST', '--time-sec', '1',
    '--threads', '4',
    '--output-dir', outputDir,
    '--flush-session', '--disable-coloring', '--answers', 'follow=N',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sqlmap', args, { env: { ...process.env, TERM: 'dumb' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * ASVS 1.2.4: every query is parameterised. Proven from outside: sqlmap
 * (Debian package; .ci/run installs it) attacks a real instance — the server
 * as `npm start` runs it, with the demo catalog, on SQLite or, with
 * TEST_DATABASE_URL, on MariaDB/MySQL; searches answered by the database's
 * full-text index, not the in-memory one — through every search and filter
 * parameter of the listing pages and the JSON API. The test fails if sqlmap
 * confirms any injection, if a payload makes the server fail (500), or if
 * sqlmap did not actually test each parameter.
 */
describe('ASVS 1.2.4 parameterised SQL: sqlmap finds no injectable search or filter parameter', () => {
  let store: TestDb;
  let server: RunningServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-sqlmap-'));

  beforeAll(async () => {
    if (!sqlmapInstalled()) throw new Error('sqlmap is not installed: apt-get install -y sqlmap (.ci/run does it)');
    store = await freshDb({ migrate: false });
    const database = store.dbConfig.client === 'mysql' ? { DATABASE_URL: store.dbConfig.url } : { SQLITE_PATH: store.dbConfig.filename };
    // Searches answered by the database (its full-text index), not the in-memory search index: every payload reaches SQL.
    server = await startServer({ ...database, SEARCH_INDEX: 'database', MAIL_DIR: path.join(dir, 'mail'), RUN_WORKER: 'false', LOG_LEVEL: 'warn', SEED_DEMO: 'true' }, 90_000);
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await store?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent.each(TARGETS)('GET %s', async (_name, pathname, params) => {
    const url = `${server.url}${pathname}?${new URLSearchParams(Object.fromEntries(params.map((p) => [p, FILTERS[p]!])))}`;
    // The original page answers with products, so sqlmap has something to compare its payloads' pages with.
    const original = await fetch(url);
    expect(original.status).toBe(200);
    expect(await original.text()).toMatch(/ThinkPad/);

    const outputDir = fs.mkdtempSync(path.join(dir, 'run-'));
    const { code, output } = await runSqlmap(url, params, outputDir, store.dialect === 'mysql' ? 'MySQL' : 'SQLite');
    expect(code, output).toBe(0);
    expect(output).not.toMatch(FOUND);
    // It really ran: every parameter was tested and judged not injectable.
    for (const p of params) expect(output, `${p} was not tested:\n${output}`).toMatch(new RegExp(`GET parameter '${p}' does not seem to be injectable`));
    expect(output).toContain('all tested parameters do not appear to be injectable');
    // No payload made the store fail.
    expect(output).not.toMatch(/\b5\d\d \([A-Za-z ]+\) - \d+ times/);
    // sqlmap's own record of findings (a CSV per run) lists none.
    const results = fs.readdirSync(outputDir).filter((f) => f.startsWith('results-') && f.endsWith('.csv'));
    expect(results).toHaveLength(1);
    expect(fs.readFileSync(path.join(outputDir, results[0]!), 'utf8').trim().split('\n')).toHaveLength(1);
  }, 180_000);

  it.concurrent('the check itself: run the same way, sqlmap confirms a deliberately concatenated query (control)', async () => {
    const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    await db.raw('CREATE TABLE products (name TEXT, brand TEXT)');
    await db('products').insert([{ name: 'ThinkPad T14', brand: 'Lenovo' }, { name: 'Latitude 7420', brand: 'Dell' }]);
    // q is pasted into the SQL (the bug sqlmap must find); brand is a bound parameter.
    const vulnerable = http.createServer(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      try {
        const rows: Array<{ name: string }> = await db.raw(`SELECT name FROM products WHERE name LIKE '%${u.searchParams.get('q') ?? ''}%' AND brand = ?`, [u.searchParams.get('brand') ?? '']);
        res.end(`<ul>${rows.map((r) => `<li>${r.name}</li>`).join('')}</ul>`);
      } catch {
        res.statusCode = 400;
        res.end('bad request');
      }
    });
    await new Promise<void>((resolve) => vulnerable.listen(0, '127.0.0.1', resolve));
    try {
      const outputDir = fs.mkdtempSync(path.join(dir, 'control-'));
      const { output } = await runSqlmap(`http://127.0.0.1:${(vulnerable.address() as AddressInfo).port}/products?q=Think&brand=Lenovo`, ['q', 'brand'], outputDir, 'SQLite');
      expect(output).toMatch(FOUND);
      expect(output).toMatch(/GET parameter 'q' (?:is|appears to be) '[^']+' injectable/);
    } finally {
      vulnerable.close();
      await db.destroy();
    }
  }, 180_000);
});
