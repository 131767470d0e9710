import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testConfig, type TestApp } from '../helpers/app';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/lib/log';
import { freshDb } from '../helpers/db';
import { insertProduct } from '../helpers/fixtures';

describe('app skeleton', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
    const laptops = await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 }).then(() => t.db('categories').where({ slug: 'laptops' }).first());
    await insertProduct(t.db, { categoryId: laptops.id, name: 'ThinkPad T14 Featured', featured: true, units: 2 });
    await insertProduct(t.db, { categoryId: laptops.id, name: 'Latitude 5420 Plain', featured: false, units: 1 });
    await insertProduct(t.db, { categoryId: laptops.id, name: 'Draft Machine', featured: true, status: 'draft' });
  });
  afterAll(() => t.destroy());

  it('home page lists featured active products from the database', async () => {
    const res = await request(t.app).get('/').expect(200);
    expect(res.text).toContain('ThinkPad T14 Featured');
    expect(res.text).toContain('2 in stock');
    expect(res.text).not.toContain('Latitude 5420 Plain');
    expect(res.text).not.toContain('Draft Machine');
    expect(res.text).toContain('href="/categories/laptops"');
  });

  it('gives every response a request id (security headers: tests/security/headers.test.ts)', async () => {
    const res = await request(t.app).get('/');
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
  });

  it('serves fingerprinted assets with a year-long immutable cache', async () => {
    const home = await request(t.app).get('/');
    const cssUrl = /href="(\/assets\/css\/app\.[0-9a-f]{8}\.css)"/.exec(home.text)?.[1];
    expect(cssUrl).toBeDefined();
    const css = await request(t.app).get(cssUrl!).expect(200);
    expect(css.headers['cache-control']).toContain('max-age=31536000');
    expect(css.headers['cache-control']).toContain('immutable');
    expect(css.text).toContain('--brand');
  });

  it('unknown URL → 404 page', async () => {
    const res = await request(t.app).get('/no/such/page').expect(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Page not found');
  });

  it('unknown /api URL → JSON error envelope', async () => {
    const res = await request(t.app).get('/api/nothing-here').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String), details: null } });
  });

  it('healthz reports the database', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });
});

describe('failures (a thrown error: tests/security/generic-errors.test.ts)', () => {
  it('healthz → 503 when the database is gone', async () => {
    const tdb = await freshDb();
    const app = createApp({ config: testConfig(tdb.dbConfig), db: tdb.db, logger: createLogger('silent') });
    await tdb.destroy();
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body.database).toBe('unreachable');
  });
});
