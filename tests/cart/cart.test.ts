import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, shopper, startShop, type Shop } from '../checkout/shop';

describe('cart', () => {
  let t: Shop;
  let three: number;
  let single: number;
  let soldOut: number;
  beforeAll(async () => {
    t = await startShop();
    three = await t.product({ name: 'Latitude 7420', priceCents: 39_900, units: 3 });
    single = await t.product({ name: 'MacBook Air M1', priceCents: 54_900, units: 1 });
    soldOut = await t.product({ name: 'OptiPlex 7090', priceCents: 29_900, units: 0 });
    await t.db('promo_codes').insert([
      { code: 'WELCOME10', kind: 'percent', value: 10, min_subtotal_cents: 5_000, active: true },
      { code: 'OLD5', kind: 'fixed', value: 500, min_subtotal_cents: 0, active: true, ends_at: '2026-01-01 00:00:00.000' },
      { code: 'BIG100', kind: 'fixed', value: 10_000, min_subtotal_cents: 100_000, active: true },
    ]);
  });
  afterAll(() => t.destroy());

  const lines = (cartId?: number) => (cartId ? t.db('cart_items').where({ cart_id: cartId }) : t.db('cart_items'));

  it('a guest cart lives in a signed HttpOnly cookie and shows in the header count', async () => {
    const s = shopper(t.app);
    const res = await s.add(three, 2);
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gg_cart='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(decodeURIComponent(cookie)).toMatch(/^gg_cart=s:[\w-]{43}\./);
    const page = await s.agent.get('/cart');
    expect(page.text).toContain('Latitude 7420');
    expect(page.text).toContain('aria-label="2 items in cart"');
    expect(page.text).toContain('Added Latitude 7420 to your cart.');
    // Another browser sees nothing of it.
    const other = await request(t.app).get('/cart');
    expect(other.text).toContain('Your cart is empty');
    // A forged cookie is just "no cart".
    const token = /gg_cart=s%3A([\w-]{43})/.exec(cookie)![1];
    const forged = await request(t.app).get('/cart').set('Cookie', `gg_cart=s%3A${token}.forgedsignature`);
    expect(forged.text).toContain('Your cart is empty');
  });

  it('caps quantities at the units in stock, with a message', async () => {
    const s = shopper(t.app);
    await s.add(three, 2);
    const res = await s.add(three, 5);
    expect(res.status).toBe(303);
    const page = await s.agent.get('/cart');
    expect(page.text).toContain('Only 3 Latitude 7420 are available, so your cart has 3.');
    expect(page.text).toContain('value="3"');
    const id = Number(/action="\/cart\/items\/(\d+)"/.exec(page.text)![1]);
    await s.refreshToken('/cart');
    await s.post(`/cart/items/${id}`, { quantity: 7 });
    expect((await s.agent.get('/cart')).text).toContain('so your cart has 3');
    await s.post(`/cart/items/${id}`, { quantity: 1 });
    expect(await t.db('cart_items').where({ id }).first()).toMatchObject({ quantity: 1 });
  });

  it.each([['0'], ['-1'], ['1e9'], ['abc'], ['100'], ['2.5'], ['']])('quantity %j → 422 on the cart page, nothing written', async (q) => {
    const s = shopper(t.app);
    const before = await lines().count({ n: '*' }).first();
    const res = await s.add(single, q);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Quantity must|Enter a quantity/);
    expect(res.text).toContain('Your cart');
    expect(await lines().count({ n: '*' }).first()).toEqual(before);
  });

  it('sold-out, unknown and withdrawn products are refused with the reason', async () => {
    const s = shopper(t.app);
    const out = await s.add(soldOut, 1);
    expect(out.status).toBe(409);
    expect(out.text).toContain('Sorry, OptiPlex 7090 is sold out.');
    expect((await s.add(999_999, 1)).status).toBe(404);
    expect((await s.post('/cart/items', { product_id: 'x1', quantity: 1 })).status).toBe(422);
    const draft = await t.product({ name: 'Draft Device', status: 'draft' });
    expect((await s.add(draft, 1)).status).toBe(404);
  });

  it('update and remove only touch your own lines', async () => {
    const mine = shopper(t.app);
    await mine.add(single, 1);
    const page = await mine.agent.get('/cart');
    const id = Number(/action="\/cart\/items\/(\d+)\/delete"/.exec(page.text)![1]);
    const thief = shopper(t.app);
    await thief.add(three, 1);
    expect((await thief.post(`/cart/items/${id}`, { quantity: 1 })).status).toBe(404);
    expect((await thief.post(`/cart/items/${id}/delete`)).status).toBe(404);
    expect(await t.db('cart_items').where({ id }).first()).toBeDefined();
    await mine.refreshToken('/cart');
    expect((await mine.post(`/cart/items/${id}/delete`)).status).toBe(303);
    expect(await t.db('cart_items').where({ id }).first()).toBeUndefined();
  });

  it('shows a notice when a price changed since the item was added', async () => {
    const p = await t.product({ name: 'ThinkCentre M720', priceCents: 20_000, units: 2 });
    const s = shopper(t.app);
    await s.add(p, 1);
    await t.db('products').where({ id: p }).update({ price_cents: 18_500 });
    const page = await s.agent.get('/cart');
    expect(page.text).toContain('The price changed since you added it: it was $200.00, it is now <strong>$185.00</strong>.');
    expect(page.text).toContain('$185.00');
  });

  it('applies, re-checks and removes a promo code', async () => {
    const s = shopper(t.app);
    await s.add(three, 1);
    const ok = await s.post('/cart/promo', { code: ' welcome10 ' });
    expect(ok.status).toBe(303);
    let page = await s.agent.get('/cart');
    expect(page.text).toContain('Code WELCOME10 applied');
    expect(page.text).toContain('−$39.90');
    await s.refreshToken('/cart');
    const unknown = await s.post('/cart/promo', { code: 'NOPE' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('We don&#39;t recognise the code NOPE.');
    const expired = await s.post('/cart/promo', { code: 'OLD5' });
    expect(expired.status).toBe(422);
    expect(expired.text).toContain('The code OLD5 has expired.');
    const min = await s.post('/cart/promo', { code: 'BIG100' });
    expect(min.status).toBe(422);
    expect(min.text).toContain('needs a subtotal of at least $1,000.00');
    expect((await s.post('/cart/promo', { code: '' })).status).toBe(422);
    await s.post('/cart/promo/delete');
    page = await s.agent.get('/cart');
    expect(page.text).not.toContain('WELCOME10');
  });

  it('a refused code is told once, beside the field that still holds what was typed', async () => {
    const s = shopper(t.app);
    await s.add(three, 1);
    const res = await s.post('/cart/promo', { code: 'nope' });
    expect(res.status).toBe(422);
    expect(res.text.split('recognise the code NOPE').length - 1).toBe(1);
    expect(res.text).not.toContain('id="form-error"');
    expect(res.text).toMatch(/<input id="promo-code" [^>]*value="nope"[^>]*aria-invalid="true" aria-describedby="promo-code-error"/);
    // Other refusals still get the message at the top.
    const tooMany = await s.post('/cart/items/999999', { quantity: 1 });
    expect(tooMany.status).toBe(404);
  });

  it('each line shows the product’s small image beside its name, and the cart links back to the shop', async () => {
    await t.db('products').where({ id: single }).update({ images: JSON.stringify(['/uploads/products/0123456789abcdef0123456789abcdef-1200.webp']) });
    const s = shopper(t.app);
    await s.add(single, 1);
    await s.add(three, 1);
    const page = await s.agent.get('/cart');
    expect(page.text).toContain('<img class="cart-thumb" src="/uploads/products/0123456789abcdef0123456789abcdef-400.webp" alt="" width="64" height="48" loading="lazy">');
    expect(page.text).toContain('<a href="/products">Continue shopping</a>');
    expect(page.text).toContain('class="table-wrap" tabindex="0" role="region" aria-label="Items in your cart"');
    await t.db('products').where({ id: single }).update({ images: '[]' });
  });

  it('an empty cart cannot take a code or go to checkout', async () => {
    const s = shopper(t.app);
    expect((await s.post('/cart/promo', { code: 'WELCOME10' })).status).toBe(422);
    const checkout = await s.agent.get('/checkout');
    expect(checkout.status).toBe(303);
    expect(checkout.headers.location).toBe('/cart');
  });

  it('at login the guest cart is merged into the customer’s cart (summed, capped by stock)', async () => {
    const user = await createCustomer(t.db, 'merge@example.com');
    // The customer's saved cart from an earlier visit.
    const earlier = shopper(t.app);
    await earlier.login(user.email, user.password);
    await earlier.add(three, 2);
    const userCart = await t.db('carts').where({ user_id: user.id }).first();

    const guest = shopper(t.app);
    await guest.add(three, 2);
    await guest.add(single, 1);
    await guest.post('/cart/promo', { code: 'WELCOME10' });
    const guestCart = await t.db('carts').whereNull('user_id').orderBy('id', 'desc').first();
    const login = await guest.login(user.email, user.password);
    expect(login.status).toBe(303);

    expect(await t.db('carts').where({ id: guestCart.id }).first()).toBeUndefined();
    const merged = await t.db('cart_items').where({ cart_id: userCart.id }).orderBy('product_id').select('product_id', 'quantity');
    expect(merged).toEqual([{ product_id: three, quantity: 3 }, { product_id: single, quantity: 1 }]);
    expect(await t.db('carts').where({ id: userCart.id }).first()).toMatchObject({ promo_code_id: expect.any(Number) });
    const page = await guest.agent.get('/cart');
    expect(page.text).toContain('aria-label="4 items in cart"');
  });
});
