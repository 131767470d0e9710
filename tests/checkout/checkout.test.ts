import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts, createCustomer, orderNumberFrom, shopper, startShop, subjectsTo, type Shop } from './shop';

describe('POST /checkout: refusals write nothing, placement writes everything', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 44_900, units: 10 });
    await t.db('promo_codes').insert([
      { code: 'WELCOME10', kind: 'percent', value: 10, min_subtotal_cents: 5_000, per_customer_limit: 1, active: true },
      { code: 'ONCE', kind: 'fixed', value: 1_000, min_subtotal_cents: 0, usage_limit: 1, active: true },
      { code: 'SOON', kind: 'fixed', value: 1_000, min_subtotal_cents: 0, active: true, ends_at: '2026-11-21 12:00:00.000' },
    ]);
  });
  afterAll(() => t.destroy());

  async function withCart(quantity = 1, product = laptop) {
    const s = shopper(t.app);
    expect((await s.add(product, quantity)).status).toBe(303);
    await s.refreshToken('/checkout');
    return s;
  }

  it('empty cart → the checkout page again with the reason', async () => {
    const s = shopper(t.app);
    await s.refreshToken('/login');
    const before = await counts(t.db);
    const res = await s.checkout();
    expect(res.status).toBe(422);
    expect(res.text).toContain('Your cart is empty.');
    expect(await counts(t.db)).toEqual(before);
  });

  it('invalid address, shipping method or payment method → 422 with field messages, nothing written', async () => {
    const s = await withCart();
    const before = await counts(t.db);
    const res = await s.checkout({ email: 'not-an-email', first_name: '', region: 'ZZ', country: 'FR', postal_code: '1', phone: 'call me' });
    expect(res.status).toBe(422);
    for (const msg of ['Enter a valid e-mail address', 'First name is required.', 'Choose your state.', 'We currently ship within the United States only.', 'Enter a 5-digit ZIP code', 'Enter a phone number']) {
      expect(res.text).toContain(msg);
    }
    expect(res.text).toContain('value="not-an-email"');
    expect((await s.checkout({ shipping_method: 'teleport' })).status).toBe(422);
    const stripe = await s.checkout({ payment_method: 'stripe' });
    expect(stripe.status).toBe(422);
    expect(stripe.text).toContain('That payment method is not available.');
    expect(await counts(t.db)).toEqual(before);
  });

  it('a product that sold out between cart and order → 409 "sold out", nothing written', async () => {
    const p = await t.product({ name: 'Last Unit Laptop', priceCents: 30_000, units: 1 });
    const s = await withCart(1, p);
    await t.db('inventory_units').where({ product_id: p }).update({ status: 'retired' });
    const before = await counts(t.db);
    const res = await s.checkout();
    expect(res.status).toBe(409);
    expect(res.text).toContain('Sorry, Last Unit Laptop just sold out.');
    expect(await counts(t.db)).toEqual(before);
  });

  it('a price change between cart and order → 409 with old and new price; placing again charges the new price', async () => {
    const p = await t.product({ name: 'Repriced Desktop', priceCents: 30_000, units: 2 });
    const s = await withCart(1, p);
    await t.db('products').where({ id: p }).update({ price_cents: 31_500 });
    const before = await counts(t.db);
    const res = await s.checkout();
    expect(res.status).toBe(409);
    expect(res.text).toContain('The price of Repriced Desktop changed from $300.00 to $315.00.');
    expect(await counts(t.db)).toEqual(before);
    const again = await s.checkout();
    expect(again.status).toBe(303);
    const order = await t.db('orders').where({ number: orderNumberFrom(again.headers.location) }).first();
    expect(order.subtotal_cents).toBe(31_500);
  });

  it('a promo that expired or was used up meanwhile → 422, nothing written; valid ones are redeemed in the order', async () => {
    const soon = await withCart();
    await soon.post('/cart/promo', { code: 'SOON' });
    t.clock.advance(3 * 3600_000); // past SOON's end
    const before = await counts(t.db);
    const expired = await soon.checkout();
    expect(expired.status).toBe(422);
    expect(expired.text).toContain('The code SOON has expired.');
    expect(await counts(t.db)).toEqual(before);

    const first = await withCart();
    const second = await withCart();
    expect((await first.post('/cart/promo', { code: 'ONCE' })).status).toBe(303);
    expect((await second.post('/cart/promo', { code: 'ONCE' })).status).toBe(303);
    const ok = await first.checkout({ email: 'once-1@example.com' });
    expect(ok.status).toBe(303);
    const order = await t.db('orders').where({ number: orderNumberFrom(ok.headers.location) }).first();
    expect(order.discount_cents).toBe(1_000);
    expect(await t.db('promo_redemptions').where({ order_id: order.id }).first()).toMatchObject({ amount_cents: 1_000, email: 'once-1@example.com' });
    const mid = await counts(t.db);
    const used = await second.checkout({ email: 'once-2@example.com' });
    expect(used.status).toBe(422);
    expect(used.text).toContain('The code ONCE has been fully used.');
    expect(await counts(t.db)).toEqual(mid);
  });

  it('per-customer limits count a guest by e-mail', async () => {
    const a = await withCart();
    await a.post('/cart/promo', { code: 'WELCOME10' });
    expect((await a.checkout({ email: 'repeat@example.com' })).status).toBe(303);
    const b = await withCart();
    await b.post('/cart/promo', { code: 'WELCOME10' });
    const res = await b.checkout({ email: 'Repeat@Example.com' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('You have already used the code WELCOME10.');
  });

  it('"Update totals" recalculates for the chosen shipping and state without writing', async () => {
    const s = await withCart();
    const before = await counts(t.db);
    const res = await s.checkout({ intent: 'review', shipping_method: 'express', region: 'NY' });
    expect(res.status).toBe(200);
    // 449.00 + 24.99 express + NY 4 % of 449.00 = 17.96
    expect(res.text).toContain('$24.99');
    expect(res.text).toContain('$17.96');
    expect(res.text).toContain('Place order — <span data-amount-due>$491.95</span>');
    expect(res.text).toContain('name="expected_amount_cents" value="49195"');
    expect(res.text).toMatch(/id="ship-express" name="shipping_method" value="express" checked/);
    expect(await counts(t.db)).toEqual(before);
  });

  it('a total other than the one on the pressed button → refused with the new figures, nothing written; placing again charges what was shown', async () => {
    const s = await withCart();
    const page = await s.agent.get('/checkout');
    const shown = Number(/name="expected_amount_cents" value="(\d+)"/.exec(page.text)![1]);
    expect(shown).toBe(45_899); // $449.00 + $9.99 standard shipping; no state chosen yet, so no tax
    const before = await counts(t.db);
    // Express and New York picked, but the page (no script) still said $458.99.
    const refused = await s.checkout({ email: 'total@example.com', shipping_method: 'express', region: 'NY', expected_amount_cents: String(shown) });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('The total for the shipping method and state you chose is $491.95, not the $458.99 shown');
    expect(refused.text).toContain('Place order — <span data-amount-due>$491.95</span>');
    expect(refused.text).toContain('name="expected_amount_cents" value="49195"');
    expect(refused.text).toContain('value="total@example.com"');
    expect(await counts(t.db)).toEqual(before);

    const placed = await s.checkout({ email: 'total@example.com', shipping_method: 'express', region: 'NY', expected_amount_cents: '49195' });
    expect(placed.status).toBe(303);
    const order = await t.db('orders').where({ number: orderNumberFrom(placed.headers.location) }).first();
    expect(order.total_cents).toBe(49_195);
  });

  it('before a state is chosen the tax is "calculated once you choose a state", not $0.00; with one, its amount', async () => {
    const s = await withCart();
    const page = await s.agent.get('/checkout');
    expect(page.text).toMatch(/<dt>Sales tax<\/dt><dd>Tax calculated once you choose a state<\/dd>/);
    expect(page.text).toMatch(/<dt>Total before tax<\/dt><dd>\$458\.99<\/dd>/);
    expect(page.text).not.toMatch(/<dt>Sales tax[^<]*<\/dt><dd>\$0\.00/);
    const none = await s.agent.get('/checkout/totals?shipping_method=standard&region=').set('Accept', 'application/json');
    expect(none.body.totalsHtml).toContain('Tax calculated once you choose a state');
    const ny = await s.agent.get('/checkout/totals?shipping_method=express&region=NY').set('Accept', 'application/json');
    expect(ny.body.totalsHtml).not.toContain('Tax calculated once you choose a state');
    expect(ny.body.totalsHtml).toMatch(/<dt>Sales tax \([\d.]+%\)<\/dt><dd>\$17\.96<\/dd>/);
    expect(ny.body.totalsHtml).toMatch(/<dt>Total<\/dt>/);
  });

  it('GET /checkout/totals gives the page script the totals of a selection, never cached', async () => {
    const s = await withCart();
    const res = await s.agent.get('/checkout/totals?shipping_method=express&region=NY').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body.amountDueCents).toBe(49_195);
    expect(res.body.amountDue).toBe('$491.95');
    expect(res.body.totalsHtml).toContain('$17.96');
    expect(res.body.totalsHtml).not.toContain('<html');
  });

  it('placing writes order, items, units, movements, state change, e-mail job and expiry job in one go', async () => {
    const s = await withCart(2);
    const before = await counts(t.db);
    const res = await s.checkout({ email: 'complete@example.com' });
    expect(res.status).toBe(303);
    const number = orderNumberFrom(res.headers.location);
    expect(number).toMatch(/^GG-1\d{5}$/);
    const after = await counts(t.db);
    expect(after.orders - before.orders).toBe(1);
    expect(after.order_items - before.order_items).toBe(1);
    expect(after.stock_movements - before.stock_movements).toBe(2);
    expect(after.unitsOut - before.unitsOut).toBe(2);
    expect(after.state_changes - before.state_changes).toBe(3); // the order's first state and each unit's move to reserved
    expect(after.mailJobs - before.mailJobs).toBe(1);
    const order = await t.db('orders').where({ number }).first();
    expect(await t.db('jobs').where({ kind: 'orders.expire' }).where('payload', 'like', `%"orderId":${order.id}}%`).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(JSON.parse(order.shipping_address)).toEqual({ firstName: 'Grace', lastName: 'Guest', line1: '100 Congress Ave', line2: null, city: 'Austin', region: 'TX', postalCode: '78701', country: 'US', phone: '+1 512 555 0100' });
  });

  it('a customer: saved address prefilled, store credit covering everything → paid at once', async () => {
    const user = await createCustomer(t.db, 'rich@example.com');
    await t.db('addresses').insert({ user_id: user.id, label: 'Home', first_name: 'Rich', last_name: 'Credit', line1: '1 Main St', city: 'Seattle', region: 'WA', postal_code: '98101', country: 'US', is_default: true });
    await t.db('store_credit_entries').insert({ user_id: user.id, amount_cents: 100_000, kind: 'goodwill', reason: 'test' });
    const s = shopper(t.app);
    await s.login(user.email, user.password);
    await s.add(laptop, 1);
    const page = await s.refreshToken('/checkout');
    expect(page.text).toContain('value="1 Main St"');
    expect(page.text).toContain('Use my store credit ($1,000.00 available)');
    const res = await s.post('/checkout', { first_name: 'Rich', last_name: 'Credit', line1: '1 Main St', city: 'Seattle', region: 'WA', postal_code: '98101', country: 'US', shipping_method: 'standard', payment_method: 'manual', use_store_credit: 'on' });
    expect(res.status).toBe(303);
    const order = await t.db('orders').where({ user_id: user.id }).first();
    // 449.00 + 9.99 + WA 6.5 % of 449.00 = 29.19 → 488.18, all on credit
    expect(order).toMatchObject({ status: 'paid', payment_status: 'paid', total_cents: 48_818, store_credit_cents: 48_818, expires_at: null });
    expect(await t.db('payments').where({ order_id: order.id }).first()).toMatchObject({ provider: 'store_credit', amount_cents: 48_818, status: 'succeeded' });
    expect(await t.db('store_credit_entries').where({ user_id: user.id }).sum({ n: 'amount_cents' }).first()).toEqual({ n: 100_000 - 48_818 });
    expect(await t.db('inventory_units').where({ order_id: order.id }).pluck('status')).toEqual(['sold']);
    await t.runJobs();
    expect(subjectsTo(t.mail, 'rich@example.com')).toEqual([`Order ${order.number} received — thank you`]);
  });

  it('a product that just sold out is no longer offered: search "in stock only" and its page say so at once', async () => {
    const lastOne = await t.product({ name: 'Latitude 7420 Last One', units: 1 });
    const otherOne = await t.product({ name: 'Latitude 7420 Plenty', units: 5 });
    expect(await t.app.context.catalog.warmSearchIndex()).toBe(true);
    const listed = async () => {
      const res = await request(t.app).get('/products?q=latitude&in_stock=1').expect(200);
      return ['Last One', 'Plenty'].filter((name) => res.text.includes(`Latitude 7420 ${name}`));
    };
    const page = () => request(t.app).get('/products/latitude-7420-last-one').expect(200);
    expect(await listed()).toEqual(['Last One', 'Plenty']);
    expect((await page()).text).toContain('action="/cart/items"');

    // Buying one of five changes nothing a shopper can act on; buying the last one must show at once.
    expect((await (await withCart(1, otherOne)).checkout({ email: 'plenty@example.com' })).status).toBe(303);
    expect((await (await withCart(1, lastOne)).checkout({ email: 'last@example.com' })).status).toBe(303);
    expect(await listed()).toEqual(['Plenty']);
    const soldOut = (await page()).text;
    expect(soldOut).toContain('Out of stock');
    expect(soldOut).not.toContain('action="/cart/items"');
  });

  it('checkout is rate limited per cart', async () => {
    const s = await withCart();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await s.checkout({ postal_code: 'bad' })).status);
    expect(statuses.slice(0, 20).every((x) => x === 422)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});
