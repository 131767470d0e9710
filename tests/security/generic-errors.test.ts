import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';

/**
 * Bodies the parser refuses still get the store's own error page, with its
 * header and navigation, in development and in production: never a stack
 * trace, template source or Express's bare page.
 */
describe.each([
  ['development', { NODE_ENV: 'development' }],
  ['production', { NODE_ENV: 'production', DATABASE_URL: 'mysql://unused@127.0.0.1:3306/unused' }],
])('unreadable form bodies (%s)', (_mode, env) => {
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
