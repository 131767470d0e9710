import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { databaseFingerprint } from '../helpers/db';
import { counts, orderNumberFrom, shopper, startShop, type Shop } from '../checkout/shop';
import { orderAccessKey } from '../../src/orders/access';

/**
 * Business logic (ASVS 2.3). The checkout's own refusals — an empty cart, a
 * product sold out or re-priced since the cart, a total other than the one
 * on the button — are tested in tests/checkout/checkout.test.ts, and 200
 * shoppers racing for 10 units in tests/checkout/storm.test.ts (both in
 * `npm test`, on SQLite and MariaDB). Here: steps a customer cannot take out
 * of order, and buyers and renters racing for the last unit.
 */
describe('ASVS 2.3 checkout ordering and locking', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  describe('ASVS 2.3.1 steps in order: a customer cannot skip or repeat one', () => {
    it('an order cannot be paid twice, nor cancelled once shipped, nor moved on by its customer', async () => {
      const user = await createUser(t.db, { email: 'steps@example.com' });
      const laptop = await t.product({ name: 'Latitude 7420', priceCents: 40_000, units: 2 });
      const s = shopper(t.app);
      await s.login(user.email, user.password);
      await s.add(laptop, 1);
      await s.refreshToken('/checkout');
      const number = orderNumberFrom((await s.checkout({ email: user.email })).headers.location);
      const order = await t.db('orders').where({ number }).first('id');
      await t.app.context.orders.markOrderPaid(Number(order.id), { reference: 'TX-1', by: { actor: { userId: null, label: 'system' }, ip: null } });
      await t.db('orders').where({ id: order.id }).update({ status: 'shipped' });
      const before = await databaseFingerprint(t.db);

      // Paying again: back to the order, no second payment or Checkout.
      const key = orderAccessKey(number, t.config.secrets.cookie);
      const again = await s.post(`/orders/${number}/pay`, { key });
      expect(again.headers.location).toBe(`/orders/${number}/confirmation?key=${key}`);
      // Cancelling what has shipped: refused with a reason.
      await s.refreshToken(`/account/orders/${number}`);
      const cancel = await s.post(`/account/orders/${number}/cancel`, {});
      expect(cancel.headers.location).toBe(`/account/orders/${number}`);
      expect((await s.agent.get(`/account/orders/${number}`)).text).toContain(`Order ${number} can no longer be cancelled (it is shipped).`);
      // Staff steps are not the customer's.
      for (const step of ['mark-paid', 'ship', 'deliver', 'cancel', 'refunds']) {
        expect((await s.post(`/admin/orders/${number}/${step}`, {})).status, step).toBe(403);
      }
      expect(await databaseFingerprint(t.db)).toEqual(before);
      expect(await t.db('orders').where({ id: order.id }).first('status')).toEqual({ status: 'shipped' });
      expect(await t.db('payments').where({ order_id: order.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    });
  });

  describe('ASVS 2.3.4 locking: the last unit goes to one buyer or renter, never two', () => {
    it('4 buyers and 2 renters press at once for 1 unit: one wins, the others are told, nothing half-written', async () => {
      const last = await t.product({ name: 'ThinkPad T14', slug: 'thinkpad-t14', priceCents: 60_000, units: 1 });
      const buyers = await Promise.all(
        [1, 2, 3, 4].map(async (i) => {
          const s = shopper(t.app);
          await s.add(last, 1);
          await s.refreshToken('/checkout');
          return () => s.checkout({ email: `buyer${i}@example.com` });
        }),
      );
      const renters = await Promise.all(
        [1, 2].map(async (i) => {
          const user = await createUser(t.db, { email: `renter${i}@example.com`, firstName: 'Casey', lastName: `Renter${i}` });
          const s = shopper(t.app);
          await s.login(user.email, user.password);
          await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
          return () => s.post('/rentals', { product_id: last, term_months: '12', signature_name: `Casey Renter${i}`, agree: 'on' });
        }),
      );
      const before = await counts(t.db);
      const answers = await Promise.all([...buyers, ...renters].map((go) => go()));
      const won = answers.filter((r) => r.status === 303);
      expect(won).toHaveLength(1);
      for (const lost of answers.filter((r) => r.status !== 303)) {
        expect(lost.status).toBe(409);
        expect(lost.text).toMatch(/sold out|no longer available|not available/i);
      }
      const units = await t.db('inventory_units').where({ product_id: last }).pluck('status');
      expect(units).toHaveLength(1);
      expect(units[0]).not.toBe('in_stock');
      const after = await counts(t.db);
      const orders = after.orders - before.orders;
      const rentals = Number((await t.db('rentals').where({ product_id: last }).count({ n: '*' }).first())!.n);
      expect(orders + rentals).toBe(1);
      expect(after.order_items - before.order_items).toBe(orders);
      expect(after.stock_movements - before.stock_movements).toBe(1);
    });
  });
});
