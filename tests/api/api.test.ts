import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { testApp, type TestApp } from '../helpers/app';
import { apiRoutes, API_ROUTES } from '../../src/api/routes';
import { rentalQuote } from '../../src/rentals/quote';
import { seedCatalogFixture } from '../catalog/fixture';

let t: TestApp;
let ids: Record<string, number>;
beforeAll(async () => {
  t = await testApp();
  ids = (await seedCatalogFixture(t.db)).products;
});
afterAll(() => t.destroy());

const api = (url: string) => request(t.app).get(url).expect('Content-Type', /json/);
const itemNames = (body: { items: Array<{ name: string }> }) => body.items.map((i) => i.name);

describe('GET /api/products', () => {
  it('pages through the same filters and sorts as the storefront, with the total', async () => {
    const first = (await api('/api/products?per_page=2&sort=price_asc').expect(200)).body;
    expect(itemNames(first)).toEqual(['HP ProDesk 400', 'Dell UltraSharp U2720Q']);
    expect(first).toMatchObject({ page: 1, per_page: 2, total: 9, total_pages: 5 });
    const last = (await api('/api/products?per_page=2&sort=price_asc&page=5').expect(200)).body;
    expect(itemNames(last)).toEqual(['Lenovo ThinkPad X1 Carbon']);
    const beyond = (await api('/api/products?per_page=2&page=6').expect(200)).body;
    expect(beyond).toMatchObject({ items: [], total: 9, page: 6 });
  });

  it.each([
    ['/api/products?brand=Dell&ram_gb=16', ['Dell OptiPlex 7090', 'Dell XPS 13']],
    ['/api/products?category=laptops&condition=A', ['Apple MacBook Air M1', 'Lenovo ThinkPad T14']],
    ['/api/products?min_price=300&max_price=350&sort=name', ['Dell Latitude 5420', 'Dell UltraSharp U2720Q']],
    ['/api/products?in_stock=true&category=business-laptops&sort=price_desc', ['Lenovo ThinkPad X1 Carbon', 'Lenovo ThinkPad T14', 'HP EliteBook 840 G8']],
    ['/api/products?q=elitebook', ['HP EliteBook 840 G8']],
  ])('%s', async (url, expected) => {
    expect(itemNames((await api(url).expect(200)).body)).toEqual(expected);
  });

  it('answers the same body from the cache until the catalog changes, then shows the change', async () => {
    const url = '/api/products?per_page=2&sort=price_asc';
    const first = await api(url).expect(200);
    expect((await api(url).expect(200)).text).toBe(first.text);
    const cheapest = first.body.items[0];
    await t.db('products').where({ id: cheapest.id }).update({ price_cents: cheapest.price_cents + 99_000 });
    expect((await api(url).expect(200)).text).toBe(first.text);
    await t.app.context.catalog.changed({ what: 'product', productIds: [cheapest.id] });
    const after = (await api(url).expect(200)).body;
    expect(after.items.map((i: { id: number }) => i.id)).not.toContain(cheapest.id);
    await t.db('products').where({ id: cheapest.id }).update({ price_cents: cheapest.price_cents });
    await t.app.context.catalog.changed({ what: 'product', productIds: [cheapest.id] });
  });

  it('sends an ETag that names the body: a client holding it gets a 304, a changed listing a new one', async () => {
    const url = '/api/products?per_page=3&sort=name';
    const first = await api(url).expect(200);
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    expect((await api(url).expect(200)).headers['etag']).toBe(etag);
    const again = await request(t.app).get(url).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    const other = await api('/api/products?per_page=2&sort=name').expect(200);
    expect(other.headers['etag']).not.toBe(etag);
    const id = first.body.items[0].id;
    await t.db('products').where({ id }).update({ name: 'Aaaa first by name' });
    await t.app.context.catalog.changed({ what: 'product', productIds: [id] });
    const changed = await api(url).set('If-None-Match', etag).expect(200);
    expect(changed.headers['etag']).not.toBe(etag);
    expect(changed.body.items[0].name).toBe('Aaaa first by name');
    await t.db('products').where({ id }).update({ name: first.body.items[0].name });
    await t.app.context.catalog.changed({ what: 'product', productIds: [id] });
  });

  it('answers a listing it holds by URL before the router, with the same bytes and headers (GET, HEAD, 304)', async () => {
    const url = '/api/products?per_page=2&sort=rating';
    const headersOf = (res: request.Response) => {
      const { date: _date, 'x-request-id': _id, ...rest } = res.headers;
      return rest;
    };
    const routed = await api(url).expect(200);
    expect(t.app.context.catalog.apiResponseOf(url)).toBeDefined();
    const held = await api(url).expect(200);
    expect(held.text).toBe(routed.text);
    expect(headersOf(held)).toEqual(headersOf(routed));
    expect(held.headers['content-security-policy']).toBe(routed.headers['content-security-policy']);
    const head = await request(t.app).head(url).expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(routed.text)));
    expect(head.text ?? '').toBe('');
    const notModified = await request(t.app).get(url).set('If-None-Match', routed.headers['etag']).expect(304);
    expect(notModified.headers['cache-control']).toBe('public, max-age=30');
    // Another URL for the same filters is held apart; URLs with parameters the API ignores and errors are never held.
    await api('/api/products?sort=rating&per_page=2').expect(200);
    expect(t.app.context.catalog.apiResponseOf('/api/products?sort=rating&per_page=2')).toBeDefined();
    await api('/api/products?per_page=2&sort=rating&utm_source=mail').expect(200);
    expect(t.app.context.catalog.apiResponseOf('/api/products?per_page=2&sort=rating&utm_source=mail')).toBeUndefined(); // parameters it ignores
    await api('/api/products?per_page=0').expect(400);
    expect(t.app.context.catalog.apiResponseOf('/api/products?per_page=0')).toBeUndefined();
  });

  it('does not hold a listing by URL when the catalog changed while it was being read', async () => {
    const catalog = t.app.context.catalog;
    const since = catalog.readsSince();
    await catalog.changed({ what: 'product', productIds: [ids['Dell XPS 13']!] });
    await catalog.apiResponse('/api/products?page=1&per_page=4', async () => 'read before the change', since);
    expect(catalog.apiResponseOf('/api/products?page=1&per_page=4')).toBeUndefined();
    await catalog.apiResponse('/api/products?page=1&per_page=4', async () => 'read after it');
    expect(catalog.apiResponseOf('/api/products?page=1&per_page=4')).toBe('read after it');
  });

  it('answers reads before the per-visitor work: a stale session cookie is neither read nor cleared, as a page would', async () => {
    const stale = 'gg_at=stale; gg_rt=stale';
    const page = await request(t.app).get('/products').set('Cookie', stale).expect(200);
    expect(String(page.headers['set-cookie'])).toContain('gg_at=;');
    const res = await api('/api/products?per_page=1').set('Cookie', stale).expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body.items).toHaveLength(1);
  });

  it('returns summaries and facet counts', async () => {
    const body = (await api('/api/products?q=thinkpad&ram_gb=16').expect(200)).body;
    expect(body.items.slice(0, 2).map((i: { name: string }) => i.name).sort()).toEqual(['Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']);
    expect(body.items[0]).toEqual(expect.objectContaining({ url: expect.stringMatching(/^\/products\/lenovo-thinkpad-/), condition_grade: expect.any(String), price_cents: expect.any(Number) }));
    const ram = body.facets.find((f: { param: string }) => f.param === 'ram_gb');
    expect(ram.values).toEqual([{ value: '16', label: '16 GB', count: 2, selected: true }]);
  });

  it.each([
    ['/api/products?per_page=101', 'per_page', 'per_page must be at most 100'],
    ['/api/products?per_page=0', 'per_page', 'per_page must be at least 1'],
    ['/api/products?page=abc', 'page', 'page must be a whole number'],
    ['/api/products?max_price=-1', 'max_price', 'max_price cannot be negative'],
    ['/api/products?sort=random', 'sort', 'sort must be one of'],
  ])('%s → 400 with the field named', async (url, field, message) => {
    const body = (await api(url).expect(400)).body;
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toContain(message);
    expect(body.error.details.fields[field]).toContain(message);
  });
});

describe('GET /api/products/:id and rental quotes', () => {
  it('returns one product with specifications, stock and rental prices', async () => {
    const body = (await api(`/api/products/${ids['Lenovo ThinkPad T14']}`).expect(200)).body;
    expect(body).toMatchObject({
      id: ids['Lenovo ThinkPad T14'],
      slug: 'lenovo-thinkpad-t14',
      brand: 'Lenovo',
      price_cents: 44_900,
      rent_3_cents: 17_212,
      rent_6_cents: 10_103,
      rent_12_cents: 6_548,
      in_stock: 3,
      ram_gb: 16,
      screen_in: 14,
      cpu_family: 'Intel Core i5',
      warranty_months: 12,
      status: 'active',
      rating_avg: null,
      category: { slug: 'business-laptops', name: 'Business Laptops' },
    });
    expect(body.specifications).toMatchObject({ cpu: 'Intel Core i5-1145G7', storage_type: 'NVMe SSD' });
    expect(body).not.toHaveProperty('unit_cost_cents');
  });

  it.each([
    ['/api/products/999999', 404, 'not_found'],
    ['/api/products/abc', 400, 'bad_request'],
    ['/api/products/0', 400, 'bad_request'],
  ])('%s → %i', async (url, status, code) => {
    expect((await api(url).expect(status)).body.error.code).toBe(code);
  });

  it('drafts are not found', async () => {
    const draft = ids['Lenovo Draft Laptop'];
    await api(`/api/products/${draft}`).expect(404);
  });

  it.each([3, 6, 12] as const)('rental quote for %i months matches the quote module', async (term) => {
    const monthly = { 3: 17_212, 6: 10_103, 12: 6_548 }[term];
    const q = rentalQuote(44_900, monthly, term);
    const body = (await api(`/api/products/${ids['Lenovo ThinkPad T14']}/rental-quote?term=${term}`).expect(200)).body;
    expect(body).toMatchObject({
      term_months: term,
      cash_price_cents: 44_900,
      monthly_cents: monthly,
      number_of_payments: term,
      total_of_payments_cents: q.totalOfPaymentsCents,
      cost_of_rental_cents: q.totalOfPaymentsCents - 44_900,
      within_pricing_guard: true,
    });
    expect(body.early_purchase.map((r: { early_purchase_cents: number }) => r.early_purchase_cents)).toEqual(q.schedule.map((r) => r.earlyPurchaseCents));
  });

  it('12-month quote: first 90 days subtract payments, then cash × remaining ÷ 12', async () => {
    const body = (await api(`/api/products/${ids['Lenovo ThinkPad T14']}/rental-quote?term=12`).expect(200)).body;
    expect(body.early_purchase.slice(0, 5)).toEqual([
      { after_payment: 1, day: 1, paid_to_date_cents: 6_548, remaining_payments_cents: 72_028, early_purchase_cents: 38_352, rule: 'first_90_days' },
      { after_payment: 2, day: 31, paid_to_date_cents: 13_096, remaining_payments_cents: 65_480, early_purchase_cents: 31_804, rule: 'first_90_days' },
      { after_payment: 3, day: 61, paid_to_date_cents: 19_644, remaining_payments_cents: 58_932, early_purchase_cents: 25_256, rule: 'first_90_days' },
      { after_payment: 4, day: 91, paid_to_date_cents: 26_192, remaining_payments_cents: 52_384, early_purchase_cents: 29_933, rule: 'after_90_days' },
      { after_payment: 5, day: 121, paid_to_date_cents: 32_740, remaining_payments_cents: 45_836, early_purchase_cents: 26_192, rule: 'after_90_days' },
    ]);
  });

  it.each([
    ['?term=5', 400],
    ['', 400],
    ['?term=twelve', 400],
  ])('rental-quote%s → %i', async (qs, status) => {
    const body = (await api(`/api/products/${ids['Lenovo ThinkPad T14']}/rental-quote${qs}`).expect(status)).body;
    expect(body.error.message).toContain('term must be 3, 6 or 12');
  });

  it('no rental quote for an archived product', async () => {
    await api(`/api/products/${ids['Lenovo ThinkPad T460 Archived']}/rental-quote?term=3`).expect(404);
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = (await api('/api/openapi.json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route the /api router serves, with their parameters', async () => {
    const doc = (await api('/api/openapi.json').expect(200)).body;
    const router = apiRoutes(t.app.context);
    const served = (router.stack as Array<{ route?: { path: string } }>)
      .filter((layer) => layer.route)
      .map((layer) => layer.route!.path.replace(/:(\w+)/g, '{$1}'));
    expect(served.length).toBe(API_ROUTES.length + 1);
    expect(Object.keys(doc.paths).sort()).toEqual(served.sort());
    const list = doc.paths['/products'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(expect.arrayContaining(['q', 'category', 'brand', 'condition', 'min_price', 'max_price', 'in_stock', 'cpu_family', 'ram_gb', 'storage_gb', 'screen_in', 'sort', 'page', 'per_page']));
    const brand = doc.paths['/products'].get.parameters.find((p: { name: string }) => p.name === 'brand');
    expect(brand).toMatchObject({ in: 'query', required: false, style: 'form', explode: true, schema: { type: 'array' } });
    const quote = doc.paths['/products/{id}/rental-quote'].get;
    expect(quote.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      expect.objectContaining({ name: 'term', in: 'query', required: true, schema: expect.objectContaining({ enum: ['3', '6', '12'] }) }),
    ]));
    expect(quote.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RentalQuote' });
    expect(doc.components.schemas.RentalQuote.properties.early_purchase.type).toBe('array');
  });
});
