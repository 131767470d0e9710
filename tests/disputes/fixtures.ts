import sharp from 'sharp';
import { toDbTime } from '../../src/lib/clock';
import type { TestUser } from '../helpers/auth';
import { shopper, type Shop } from '../checkout/shop';

/** Claims need something to be about: a paid order placed by the customer through the shop. */
export async function paidOrder(t: Shop, user: TestUser, productId: number): Promise<{ id: number; number: string }> {
  const s = shopper(t.app);
  await s.login(user.email, user.password);
  await s.add(productId, 1);
  await s.refreshToken('/checkout');
  const res = await s.checkout({ email: user.email, payment_method: 'manual' });
  if (res.status !== 303) throw new Error(`checkout failed: ${res.status}`);
  const order = await t.db('orders').where({ user_id: user.id }).orderBy('id', 'desc').first('id', 'number');
  await t.app.context.orders.markOrderPaid(Number(order.id), { reference: `TX-${order.number}`, by: { actor: { userId: null, label: 'system' }, ip: null } });
  return { id: Number(order.id), number: order.number };
}

let rentals = 0;
/** An active agreement, written directly (how it got signed and paid is the rentals tests' business). */
export async function activeRental(t: Shop, userId: number, productId: number): Promise<{ id: number; number: string }> {
  rentals++;
  const number = `RA-${900000 + rentals}`;
  const at = toDbTime(t.clock.now());
  const [id] = await t.db('rentals').insert({
    number, user_id: userId, product_id: productId, status: 'active', term_months: 12, monthly_cents: 4_999, cash_price_cents: 40_000, total_cents: 59_988,
    start_on: '2026-10-01', created_at: at, updated_at: at,
  });
  return { id: Number(id), number };
}

export const png = (w = 40, h = 30) => sharp({ create: { width: w, height: h, channels: 3, background: '#336699' } }).png().toBuffer();
