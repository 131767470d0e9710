import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, counts, orderNumberFrom, shopper, startShop, subjectsTo, type Shop } from './shop';

describe('guest checkout with the manual provider', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 44_900, units: 3 });
  });
  afterAll(() => t.destroy());

  it('cart → checkout → confirmation with the order number, e-mail received', async () => {
    const s = shopper(t.app);
    const add = await s.add(laptop, 1);
    expect(add.status).toBe(303);
    expect(add.headers.location).toBe('/cart');
    const cart = await s.refreshToken('/cart');
    expect(cart.text).toContain('ThinkPad T14');
    expect(cart.text).toMatch(/aria-label="1 items in cart"/);

    const page = await s.refreshToken('/checkout');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="first_name"');

    const res = await s.checkout();
    expect(res.status, res.text.slice(0, 2000)).toBe(303);
    const number = orderNumberFrom(res.headers.location);
    const confirmation = await s.agent.get(res.headers.location!);
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain(number);
    expect(confirmation.text).toContain('How to pay');

    const order = await t.db('orders').where({ number }).first();
    // 449.00 + 9.99 shipping (under the free threshold) + TX 6.25 % of 449.00 = 28.06
    expect(order).toMatchObject({ status: 'pending_payment', payment_status: 'unpaid', subtotal_cents: 44_900, shipping_cents: 999, tax_cents: 2806, total_cents: 44_900 + 999 + 2806, email: ADDRESS.email });
    expect(await t.db('inventory_units').where({ order_id: order.id, status: 'reserved' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    const c = await counts(t.db);
    expect(c).toMatchObject({ orders: 1, order_items: 1, stock_movements: 1, state_changes: 2, unitsOut: 1 });

    await t.runJobs();
    expect(subjectsTo(t.mail, ADDRESS.email!)).toEqual([`Order ${number} received — thank you`]);
    const cartAfter = await s.agent.get('/cart');
    expect(cartAfter.text).toContain('Your cart is empty');
  });
});
