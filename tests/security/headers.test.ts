import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, signIn, type Agent } from '../helpers/auth';
import { insertProduct } from '../helpers/fixtures';

const YEAR_SECONDS = 365 * 24 * 60 * 60;

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

/** Pages of every kind: storefront, account, admin, API JSON, the error pages (404, 403 CSRF), an uploaded file. */
const RESPONSES: Array<[string, (t: TestApp, admin: Agent | undefined) => request.Test]> = [
  ['home page', (t) => request(t.app).get('/')],
  ['product listing with a search', (t) => request(t.app).get('/products?q=thinkpad')],
  ['log-in page', (t) => request(t.app).get('/login')],
  ['admin dashboard (its log-in redirect in production, where the test cannot hold Secure cookies)', (t, admin) => (admin ?? request(t.app)).get('/admin')],
  ['API JSON', (t) => request(t.app).get('/api/products')],
  ['404 page', (t) => request(t.app).get('/no/such/page')],
  ['403 CSRF page', (t) => request(t.app).post('/login').type('form').send({})],
  ['uploaded image', (t) => request(t.app).get('/uploads/products/probe.webp')],
];

describe.each([
  ['production', { NODE_ENV: 'production', DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/unused' }],
  ['development', { NODE_ENV: 'development' }],
])('ASVS 3.4 security headers on every kind of response (%s)', (mode, env) => {
  let t: TestApp;
  let admin: Agent | undefined;
  beforeAll(async () => {
    t = await testApp({ env });
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
    const { id } = await t.db('categories').where({ slug: 'laptops' }).first('id');
    await insertProduct(t.db, { categoryId: id, name: 'ThinkPad T14', units: 1 });
    fs.mkdirSync(path.join(t.uploadsDir, 'products'), { recursive: true });
    fs.writeFileSync(path.join(t.uploadsDir, 'products', 'probe.webp'), Buffer.from('RIFF0000WEBPVP8 '));
    const boss = await createUser(t.db, { role: 'admin' });
    if (mode !== 'production') admin = await signIn(t.app, boss.email, boss.password);
  });
  afterAll(() => t.destroy());

  it.each(RESPONSES)('%s', async (_name, send) => {
    const res = await send(t, admin);
    expect(res.status).toBeLessThan(500);

    // 3.4.3 CSP: scripts only from the store itself, no inline script, no plugins, no framing, forms post home.
    const csp = directives(res.headers['content-security-policy'] ?? '');
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toContain("'self'");
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|\*/);

    // 3.4.1 HSTS: a year, subdomains included (browsers ignore it on plain-http development hosts).
    const hsts = res.headers['strict-transport-security'] ?? '';
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(YEAR_SECONDS);
    expect(hsts).toContain('includeSubDomains');
    if (mode === 'production') expect(csp.has('upgrade-insecure-requests')).toBe(true);

    // 3.4.4 no sniffing; 3.4.5 no referrer leaks to other sites; 3.4.6 no framing (old browsers too).
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
    expect(res.headers['x-frame-options']).toMatch(/^(DENY|SAMEORIGIN)$/);
    // 3.4.2 no CORS: no other origin may read the store's answers.
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('a cross-origin request is not granted CORS, even pre-flighted', async () => {
    const res = await request(t.app).options('/api/products').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(t.app).get('/api/products').set('Origin', 'https://evil.example');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('pages serve no inline script: every <script> has a same-site src', async () => {
    for (const path of ['/', '/products', '/login', '/register', '/cart']) {
      const html = (await request(t.app).get(path)).text;
      for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) expect(tag, path).toMatch(/\ssrc="\/(?!\/)[^"]+"/);
      expect(html, path).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
    }
  });
});
