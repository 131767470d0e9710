import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { generateProducts } from '../../seeds/generate';
import { generateOrders } from '../../seeds/generate-orders';
import { orderNumberFor } from '../../src/orders/repo';
import { derivePaymentStatus } from '../../src/payments/status';
import { DAY, fromDbTime } from '../../src/lib/clock';

const NOW = new Date('2026-11-20T12:00:00Z');

describe('generateOrders', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
    await generateProducts(t.db, 200, { seed: 3, now: NOW });
  });
  afterAll(() => t.destroy());

  it('adds the requested orders, numbered, spread over the period, each with items naming real products', async () => {
    const progress: number[] = [];
    await generateOrders(t.db, 3000, { seed: 5, customers: 60, batchSize: 1200, now: NOW, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1200, 2400, 3000]);

    const orders = await t.db('orders').orderBy('id').select('*');
    expect(orders).toHaveLength(3000);
    expect(orders.every((o) => o.number === orderNumberFor(o.id))).toBe(true);
    const placed = orders.map((o) => fromDbTime(o.created_at)!.getTime());
    expect(placed).toEqual([...placed].sort((a, b) => a - b));
    expect(placed[0]).toBeGreaterThanOrEqual(NOW.getTime() - 400 * DAY);
    expect(placed.at(-1)).toBeLessThanOrEqual(NOW.getTime());

    const byStatus = new Map<string, number>();
    for (const o of orders) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    expect(byStatus.get('delivered')!).toBeGreaterThan(2400);
    for (const s of ['cancelled', 'expired']) expect(byStatus.get(s), s).toBeGreaterThan(0);
    expect(new Set(orders.map((o) => o.payment_status))).toEqual(new Set(['paid', 'unpaid', 'refunded', 'partially_refunded']));

    const registered = orders.filter((o) => o.user_id !== null);
    expect(registered.length / orders.length).toBeGreaterThan(0.35);
    expect(new Set(registered.map((o) => o.user_id)).size).toBe(60);
    const users = new Map((await t.db('users').select('id', 'email')).map((u) => [u.id, u.email]));
    expect(registered.every((o) => users.get(o.user_id) === o.email)).toBe(true);

    const items = await t.db('order_items as i').join('products as p', 'p.id', 'i.product_id').select('i.order_id', 'i.total_cents', 'p.slug', 'i.product_slug');
    expect(items.every((i) => i.slug === i.product_slug)).toBe(true);
    const subtotals = new Map<number, number>();
    for (const i of items) subtotals.set(i.order_id, (subtotals.get(i.order_id) ?? 0) + i.total_cents);
    expect(orders.every((o) => subtotals.get(o.id) === o.subtotal_cents && o.total_cents === o.subtotal_cents + o.shipping_cents + o.tax_cents)).toBe(true);
  });

  it('derives every payment status from the payment and refund rows, as the store does', async () => {
    const succeededByOrder = async (table: string) => {
      const rows = (await t.db(table).where('status', 'succeeded').groupBy('order_id').select('order_id').sum({ n: 'amount_cents' })) as Array<{ order_id: number; n: unknown }>;
      return new Map(rows.map((r) => [r.order_id, Number(r.n)]));
    };
    const paid = await succeededByOrder('payments');
    const refunded = await succeededByOrder('refunds');
    const orders = await t.db('orders').select('id', 'status', 'payment_status', 'payment_method', 'paid_at');
    for (const o of orders) {
      expect(o.payment_status, `order ${o.id}`).toBe(derivePaymentStatus(paid.get(o.id) ?? 0, refunded.get(o.id) ?? 0));
      if (['paid', 'processing', 'shipped', 'delivered'].includes(o.status)) expect(paid.has(o.id), `order ${o.id}`).toBe(true);
      if (['pending_payment', 'expired'].includes(o.status)) expect(paid.has(o.id), `order ${o.id}`).toBe(false);
    }
    const providers = await t.db('payments').distinct('provider').pluck('provider');
    expect(providers.sort()).toEqual(['manual', 'stripe']);
  });

  it('is reproducible from its seed and appends on a second run', async () => {
    const first = await t.db('orders').where('id', 1234).first('email', 'status', 'total_cents', 'created_at');
    const other = await freshDb();
    try {
      await generateProducts(other.db, 200, { seed: 3, now: NOW });
      await generateOrders(other.db, 3000, { seed: 5, customers: 60, batchSize: 700, now: NOW });
      expect(await other.db('orders').where('id', 1234).first('email', 'status', 'total_cents', 'created_at')).toEqual(first);
    } finally {
      await other.destroy();
    }

    await generateOrders(t.db, 10, { seed: 5, customers: 60, now: NOW });
    const [{ n }] = await t.db('orders').count({ n: '*' });
    expect(Number(n)).toBe(3010);
    const [{ u }] = await t.db('users').count({ u: '*' });
    expect(Number(u)).toBe(60);
  });
});
