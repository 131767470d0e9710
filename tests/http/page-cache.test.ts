import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfFrom, signIn } from '../helpers/auth';
import { seedCatalogFixture } from '../catalog/fixture';

let t: TestApp;
let ids: Record<string, number>;
beforeAll(async () => {
  t = await testApp();
  ids = (await seedCatalogFixture(t.db)).products;
});
afterAll(() => t.destroy());

const URL = '/products/lenovo-thinkpad-t14';
const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
const setCookies = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
/** The gg_csrf cookie a response sets ("name=value"). */
const csrfCookie = (res: request.Response) => setCookies(res).find((c) => c.startsWith('gg_csrf='))?.split(';')[0];

describe('guest page cache', () => {
  it('serves later guests the same page, each with a working CSRF token of their own', async () => {
    const first = await request(t.app).get(URL).expect(200);
    expect(t.app.context.catalog.guestPageStore.peek(URL)).toBeDefined();
    const second = await request(t.app).get(URL).set('Accept-Encoding', 'identity').expect(200);

    expect(withoutTokens(second.text)).toBe(withoutTokens(first.text));
    expect(second.text).not.toContain('gg-csrf-slot');
    expect(csrfFrom(second.text)).not.toBe(csrfFrom(first.text));
    expect(second.get('content-type')).toBe('text/html; charset=utf-8');
    expect(Number(second.get('content-length'))).toBe(Buffer.byteLength(second.text));

    // The token in the cached page matches the cookie set with it: the buy form works.
    const cookie = csrfCookie(second)!;
    expect(cookie).toBe(`gg_csrf=${encodeURIComponent(csrfFrom(second.text))}`);
    const added = await request(t.app).post('/cart/items').set('Cookie', cookie).type('form')
      .send({ _csrf: csrfFrom(second.text), product_id: String(ids['Lenovo ThinkPad T14']), quantity: '1' });
    expect(added.status).toBe(303);
    expect(added.get('location')).toBe('/cart');
  });

  it('keeps a returning guest’s token (their cookie) on cached pages', async () => {
    const first = await request(t.app).get(URL).expect(200);
    const cookie = csrfCookie(first)!;
    const again = await request(t.app).get(URL).set('Cookie', cookie).expect(200);
    expect(csrfFrom(again.text)).toBe(csrfFrom(first.text));
  });

  it('answers HEAD from the cache with the headers only', async () => {
    await request(t.app).get(URL).expect(200);
    const head = await request(t.app).head(URL).set('Accept-Encoding', 'identity').expect(200);
    expect(head.text ?? '').toBe('');
    expect(Number(head.get('content-length'))).toBeGreaterThan(1000);
  });

  it('never serves the guest page to a signed-in customer, nor theirs to a guest', async () => {
    const user = await createUser(t.db, { firstName: 'Petra' });
    const agent = await signIn(t.app, user.email, user.password);
    await request(t.app).get('/rent-to-own').expect(200); // a guest fills the cache
    const mine = await agent.get('/rent-to-own').expect(200);
    expect(mine.text).toContain('href="/account"');
    expect(mine.text).toContain('action="/logout"');

    const theirs = await request(t.app).get('/products?sort=name').expect(200);
    const signedIn = await agent.get('/products?sort=name').expect(200); // signed in first for this URL…
    const guest = await request(t.app).get('/products?sort=name').expect(200); // …then a guest
    expect(signedIn.text).toContain('action="/logout"');
    expect(guest.text).not.toContain('action="/logout"');
    expect(guest.text).toContain('href="/login"');
    expect(withoutTokens(guest.text)).toBe(withoutTokens(theirs.text));
  });

  it('shows a guest with a cart their own cart count, not the cached page', async () => {
    const page = await request(t.app).get(URL).expect(200);
    const cookie = csrfCookie(page)!;
    const added = await request(t.app).post('/cart/items').set('Cookie', cookie).type('form')
      .send({ _csrf: csrfFrom(page.text), product_id: String(ids['Dell XPS 13']), quantity: '1' });
    const cartCookie = setCookies(added).find((c) => c.startsWith('gg_cart='))!.split(';')[0];
    const withCart = await request(t.app).get('/rent-to-own').set('Cookie', `${cookie}; ${cartCookie}`).expect(200);
    expect(withCart.text).toContain('aria-label="1 items in cart"');
    const guest = await request(t.app).get('/rent-to-own').expect(200);
    expect(guest.text).toContain('aria-label="0 items in cart"');
  });

  it('shows a product change on the next request once the catalog is told', async () => {
    const url = '/products/hp-prodesk-400';
    expect((await request(t.app).get(url)).text).toContain('HP ProDesk 400');
    await t.db('products').where({ slug: 'hp-prodesk-400' }).update({ name: 'HP ProDesk 400 G7' });
    expect((await request(t.app).get(url)).text).not.toContain('HP ProDesk 400 G7');
    await t.app.context.catalog.changed({ what: 'product', productIds: [ids['HP ProDesk 400']!] });
    expect(t.app.context.catalog.guestPageStore.peek(url)).toBeUndefined();
    expect((await request(t.app).get(url)).text).toContain('HP ProDesk 400 G7');
  });

  it('caches only pages that rendered: a 404 stays a 404 and is not stored', async () => {
    await request(t.app).get('/products/no-such-thing').expect(404);
    await request(t.app).get('/products/no-such-thing').expect(404);
    expect(t.app.context.catalog.guestPageStore.peek('/products/no-such-thing')).toBeUndefined();
  });
});
