import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** POST /wishlist/:productId, POST /wishlist/:productId/delete, /account/wishlist, and the heart in shared catalog pages. */
describe('wishlist', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const saved = (userId: number) => t.db('wishlist_items').where({ user_id: userId }).orderBy('product_id').pluck('product_id');
  /** The heart of one product on a page: "Save" or "Saved". */
  const heartOf = (html: string, productId: number) => {
    const save = html.includes(`action="/wishlist/${productId}"`);
    const remove = html.includes(`action="/wishlist/${productId}/delete"`);
    return save && !remove ? 'save' : remove && !save ? 'saved' : `broken (save: ${save}, remove: ${remove})`;
  };

  it('saves and removes a product, both idempotent, back to the page the heart was on', async () => {
    const me = await createUser(t.db);
    const id = await t.product({ name: 'ThinkPad T14 Wish', priceCents: 44_900 });
    const s = shopper(t.app);
    await s.login(me.email, me.password);

    const first = await s.post(`/wishlist/${id}`, { next: '/products?q=thinkpad' });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/products?q=thinkpad');
    const again = await s.post(`/wishlist/${id}`, { next: '/products?q=thinkpad' });
    expect(again.status).toBe(303);
    expect(await saved(me.id)).toEqual([id]);

    // No next (or one leading off-site): back to the product.
    expect((await s.post(`/wishlist/${id}`, { next: '//evil.example/' })).headers.location).toBe('/products/thinkpad-t14-wish');

    const removed = await s.post(`/wishlist/${id}/delete`, { next: '/account/wishlist' });
    expect(removed.status).toBe(303);
    expect(removed.headers.location).toBe('/account/wishlist');
    expect((await s.post(`/wishlist/${id}/delete`)).status).toBe(303);
    expect(await saved(me.id)).toEqual([]);
  });

  it('an unknown product is a clear 404, never a 5xx, and nothing is written', async () => {
    const me = await createUser(t.db);
    const draft = await t.product({ name: 'Draft Wish', status: 'draft' });
    const s = shopper(t.app);
    await s.login(me.email, me.password);
    for (const path of ['/wishlist/999999', '/wishlist/abc', '/wishlist/0', '/wishlist/-3', '/wishlist/1e3', `/wishlist/${draft}`, '/wishlist/99999999999999999999', '/wishlist/999999/delete', '/wishlist/x/delete']) {
      const res = await s.post(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).toContain('We could not find that product.');
    }
    expect(await saved(me.id)).toEqual([]);
    // A long or odd "next" only means going back to the product.
    const ok = await t.product({ name: 'Odd Next Wish' });
    expect((await s.post(`/wishlist/${ok}`, { next: 'x'.repeat(2000) })).headers.location).toBe('/products/odd-next-wish');
    expect(await saved(me.id)).toEqual([ok]);
  });

  it('a guest pressing the heart logs in and comes back to the product', async () => {
    const id = await t.product({ name: 'Guest Wish Laptop' });
    const me = await createUser(t.db);
    const guest = shopper(t.app);
    await guest.refreshToken('/products/guest-wish-laptop');
    const res = await guest.post(`/wishlist/${id}`, { next: '/products' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fproducts%2Fguest-wish-laptop');
    const login = await guest.agent.get(res.headers.location);
    expect(text(login.text)).toContain('Log in to save Guest Wish Laptop to your wishlist.');
    const token = /name="_csrf" value="([^"]+)"/.exec(login.text)![1]!;
    const back = await guest.agent.post('/login').type('form').send({ _csrf: token, email: me.email, password: me.password, next: '/products/guest-wish-laptop' });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/products/guest-wish-laptop');
    // Nothing was saved on the guest's behalf; the product page now offers the signed-in heart.
    expect(await saved(me.id)).toEqual([]);
    // /account/wishlist itself sends guests to log in.
    expect((await request(t.app).get('/account/wishlist')).headers.location).toBe('/login?next=%2Faccount%2Fwishlist');
  });

  it('/account/wishlist shows each product with its price and stock as of now', async () => {
    const me = await createUser(t.db);
    const inStock = await t.product({ name: 'Wish In Stock', priceCents: 30_000, units: 2 });
    const soldOut = await t.product({ name: 'Wish Sold Out', priceCents: 20_000, units: 0 });
    const s = shopper(t.app);
    await s.login(me.email, me.password);
    const empty = await s.agent.get('/account/wishlist');
    expect(empty.status).toBe(200);
    expect(empty.headers['cache-control']).toBe('no-store');
    expect(text(empty.text)).toContain('Nothing saved yet');
    expect(empty.text).toContain('<a href="/account/wishlist" aria-current="page">Wishlist</a>');

    await s.post(`/wishlist/${inStock}`);
    await s.post(`/wishlist/${soldOut}`);
    let page = text((await s.agent.get('/account/wishlist')).text);
    expect(page).toMatch(/Wish Sold Out .*\$200\.00 Out of stock.*Wish In Stock .*\$300\.00 In stock: 2 available/);

    await t.db('products').where({ id: inStock }).update({ price_cents: 27_500 });
    await t.db('inventory_units').where({ product_id: inStock }).update({ status: 'sold' });
    await t.db('inventory_units').insert({ product_id: soldOut, serial_number: 'WISH-BACK-1', condition_grade: 'A', status: 'in_stock' });
    page = text((await s.agent.get('/account/wishlist')).text);
    expect(page).toMatch(/Wish Sold Out .*\$200\.00 In stock: only 1 left.*Wish In Stock .*\$275\.00 Out of stock/);

    await t.db('products').where({ id: soldOut }).update({ status: 'archived' });
    page = text((await s.agent.get('/account/wishlist')).text);
    expect(page).toMatch(/Wish Sold Out .*No longer sold/);
    // Another customer's wishlist is not shown.
    const other = shopper(t.app);
    const them = await createUser(t.db);
    await other.login(them.email, them.password);
    expect(text((await other.agent.get('/account/wishlist')).text)).not.toContain('Wish In Stock');
  });

  it('in shared cached pages each shopper sees their own hearts, guests a plain "Save"', async () => {
    const a = await createUser(t.db);
    const b = await createUser(t.db);
    const x = await t.product({ name: 'Shared Heart X', priceCents: 41_000 });
    const y = await t.product({ name: 'Shared Heart Y', priceCents: 42_000 });
    const sa = shopper(t.app);
    const sb = shopper(t.app);
    await sa.login(a.email, a.password);
    await sb.login(b.email, b.password);
    await sa.post(`/wishlist/${x}`);
    await sb.post(`/wishlist/${y}`);

    for (const path of ['/products/shared-heart-x', '/products?q=shared', '/products']) {
      // Same pages in turn: the body rendered for the first is served to the next from the cache.
      const pa = (await sa.agent.get(path)).text;
      const pb = (await sb.agent.get(path)).text;
      const guest = (await request(t.app).get(path)).text;
      const guestAgain = (await request(t.app).get(path)).text;
      expect(heartOf(pa, x), `${path} a/x`).toBe('saved');
      expect(heartOf(pb, x), `${path} b/x`).toBe('save');
      expect(heartOf(guest, x), `${path} guest/x`).toBe('save');
      expect(heartOf(guestAgain, x), `${path} guest again/x`).toBe('save');
      if (path !== '/products/shared-heart-x') {
        expect(heartOf(pa, y), `${path} a/y`).toBe('save');
        expect(heartOf(pb, y), `${path} b/y`).toBe('saved');
        expect(heartOf(guest, y), `${path} guest/y`).toBe('save');
      }
      for (const html of [pa, pb, guest, guestAgain]) expect(html).not.toMatch(/gg-variant-slot|gg-csrf-slot/);
    }
    // Each page's forms carry that visitor's own CSRF token.
    const pa = (await sa.agent.get('/products/shared-heart-x')).text;
    expect(pa).toContain(`name="_csrf" value="${sa.token}"`);

    // A removes X: their next page shows "Save" again, from the same cached body.
    await sa.post(`/wishlist/${x}/delete`);
    expect(heartOf((await sa.agent.get('/products/shared-heart-x')).text, x)).toBe('save');
  });

  it('the profile turns wishlist alerts off and on', async () => {
    const me = await createUser(t.db, { firstName: 'Pat', lastName: 'Profile' });
    const s = shopper(t.app);
    await s.login(me.email, me.password);
    const page = await s.refreshToken('/account/profile');
    expect(page.text).toMatch(/<input type="checkbox" id="f-wishlist_alerts" name="wishlist_alerts" value="on" checked>/);
    const profile = { first_name: 'Pat', last_name: 'Profile', phone: '', email: me.email };
    expect((await s.post('/account/profile', profile)).status).toBe(303);
    expect(await t.db('users').where({ id: me.id }).first('wishlist_alerts')).toMatchObject({ wishlist_alerts: 0 });
    expect((await s.agent.get('/account/profile')).text).toMatch(/name="wishlist_alerts" value="on">/);
    expect(text((await s.agent.get('/account/wishlist')).text)).toContain('you turned these alerts off');
    expect((await s.post('/account/profile', { ...profile, wishlist_alerts: 'on' })).status).toBe(303);
    expect(await t.db('users').where({ id: me.id }).first('wishlist_alerts')).toMatchObject({ wishlist_alerts: 1 });
  });
});
