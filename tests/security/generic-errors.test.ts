import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, secureBrowser } from '../helpers/auth';
import { createApp } from '../../src/app';
import { CatalogService } from '../../src/catalog/service';
import { createLogger } from '../../src/lib/log';
import type { ProductFilters } from '../../src/catalog/schemas';

/**
 * Bodies the parser refuses still get the store's own error page, with its
 * header and navigation, in development and in production: never a stack
 * trace, template source or Express's bare page.
 */
describe.each([
  ['development', { NODE_ENV: 'development' }],
  ['production', { NODE_ENV: 'production', DATABASE_URL: 'mysql://unused@127.0.0.1:3306/unused' }],
])('ASVS 16.5.1 generic errors: unreadable form bodies (%s)', (_mode, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ env });
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
  });
  afterAll(() => t.destroy());

  const form = () => request(t.app).post('/cart/items').set('Content-Type', 'application/x-www-form-urlencoded');

  function expectStorePage(res: request.Response, status: number, words: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<a class="skip-link" href="#main">');
    expect(res.text).toContain('href="/categories/laptops"');
    expect(res.text).toContain(words);
    expect(res.text).not.toMatch(/\n\s+at |node_modules|<%|\.ejs/);
  }

  it('a 200 kB body → 413 on the store page', async () => {
    expectStorePage(await form().send(`product_id=1&quantity=1&note=${'x'.repeat(200_000)}`), 413, 'The form sent was too large.');
  });

  it('201 fields → 413 on the store page', async () => {
    const body = Array.from({ length: 201 }, (_, i) => `f${i}=1`).join('&');
    expectStorePage(await form().send(body), 413, 'The form sent had too many fields.');
  });

  it('charset=utf-16 → 415 on the store page', async () => {
    const res = await request(t.app).post('/cart/items').set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-16').send(Buffer.from('product_id=1', 'utf16le'));
    expectStorePage(res, 415, 'encoding we do not accept');
  });

  it('a gzip body that is not gzip → 400 on the store page', async () => {
    const res = await form().set('Content-Encoding', 'gzip').send(Buffer.from('product_id=1&quantity=1'));
    expectStorePage(res, 400, 'The request could not be read.');
  });
});

const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'mysql://unused@127.0.0.1:3306/unused' };
const WEBHOOK_SECRET = 'whsec_generic_errors_test_0123456789';

/** What must never reach a visitor: stack frames, source or install paths, SQL, driver codes, the thrown message. */
function expectNothingInternal(text: string) {
  expect(text).not.toMatch(/\n\s+at |\bat .*:\d+:\d+|node_modules|\/work\/|\/src\/|\.ts\b|\.ejs\b|<%/);
  expect(text).not.toMatch(/\bselect\b.*\bfrom\b|\bER_[A-Z_]+|SQLITE_|SECRET internal/i);
  expect(text).not.toMatch(/SyntaxError|Unexpected token|JSON at position|Multipart|Busboy/i);
}

/** A driver error as Knex throws it: the SQL in its message, a stack full of paths. */
class BrokenCatalog extends CatalogService {
  override listing(_f: ProductFilters): never {
    const err = new Error("select * from `products` where `name` like '%x%' - ER_NO_SUCH_TABLE: SECRET internal table products_v2 at /work/app/src/catalog/repo.ts:42") as Error & { code: string; sql: string };
    err.code = 'ER_NO_SUCH_TABLE';
    err.sql = 'select * from `products`';
    throw err;
  }
}

describe('ASVS 16.5.1 generic errors in production: a thrown error, bad JSON, a bad multipart body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ env: { ...PRODUCTION, STRIPE_SECRET_KEY: 'sk_test_generic_errors', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
  });
  afterAll(() => t.destroy());

  it('a thrown driver error → 500 page with a reference id; the same as JSON under /api', async () => {
    const broken = createApp({ config: t.config, db: t.db, logger: createLogger('silent'), uploadsDir: t.uploadsDir, catalog: new BrokenCatalog(t.db) });
    const page = await request(broken).get('/products?q=x').set('X-Request-Id', 'req-prod-12345');
    expect(page.status).toBe(500);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Something went wrong');
    expect(page.text).toContain('req-prod-12345');
    expectNothingInternal(page.text);
    const api = await request(broken).get('/api/products?q=x').set('X-Request-Id', 'req-prod-67890');
    expect(api.status).toBe(500);
    expect(api.body).toEqual({ error: { code: 'internal_error', message: expect.stringContaining('Something went wrong'), details: null, id: 'req-prod-67890' } });
    expectNothingInternal(api.text);
  });

  it('bad JSON, signed or not, to the webhook → a short JSON refusal', async () => {
    const body = '{"id": "evt_1", "type": ';
    const unsigned = await request(t.app).post('/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', 't=1,v1=abc').send(body);
    const signed = await request(t.app)
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET }))
      .send(body);
    for (const res of [unsigned, signed]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String) });
      expectNothingInternal(res.text);
    }
  });

  it('bad JSON to a page or to /api → the store’s error page or JSON envelope, never a parser message', async () => {
    const browser = secureBrowser(t.app);
    await browser.get('/login');
    const page = await browser.post('/cart/items').set('Content-Type', 'application/json').set('X-CSRF-Token', browser.token).send('{"product_id": 1, "quantity":');
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<a class="skip-link" href="#main">');
    expectNothingInternal(page.text);
    // The API reads JSON bodies: one that does not parse is a plain 400.
    const api = await browser.post('/api/products').set('Content-Type', 'application/json').set('X-CSRF-Token', browser.token).send('{"q": ');
    expect(api.status).toBe(400);
    expect(api.body).toEqual({ error: { code: expect.any(String), message: 'The request could not be read.', details: null } });
    expectNothingInternal(api.text);
  });

  it('a multipart body cut short, or with a broken boundary → 400 on the store’s page, nothing stored', async () => {
    const user = await createUser(t.db);
    const browser = secureBrowser(t.app);
    await browser.login(user.email, user.password);
    await browser.get('/account/disputes/new');
    const url = `/account/disputes?_csrf=${encodeURIComponent(browser.token)}`;
    const cut = await browser.post(url).set('Content-Type', 'multipart/form-data; boundary=XyZ').send('--XyZ\r\nContent-Disposition: form-data; name="photos"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG');
    const noBoundary = await browser.post(url).set('Content-Type', 'multipart/form-data').send('garbage');
    for (const res of [cut, noBoundary]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('The upload could not be read.');
      expect(res.text).toContain('<a class="skip-link" href="#main">');
      expectNothingInternal(res.text);
    }
    expect(await t.db('disputes').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });
});
