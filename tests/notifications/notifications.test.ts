import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../../src/notifications/repo';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** /account/notifications: the customer's own, newest first; the unread count in the header; read one or all. */
describe('notifications', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 9, minute));

  it('lists them, counts the unread in the header, marks one read (following its link) and all read', async () => {
    const me = await createUser(t.db, { email: 'notes@example.com' });
    const other = await createUser(t.db, { email: 'not-me@example.com' });
    await notify(t.db, { userId: me.id, kind: 'order', title: 'Order GG-1 has shipped', url: '/account/orders/GG-1' }, at(1));
    await notify(t.db, { userId: me.id, kind: 'late_notice', title: 'Agreement RA-1 has a payment past due <b>', body: 'Pay $91.88 to catch up.', url: '/account/rentals/RA-1' }, at(2));
    await notify(t.db, { userId: other.id, kind: 'order', title: 'Someone else’s order' }, at(3));
    const theirs = Number((await t.db('notifications').where({ user_id: other.id }).first('id')).id);

    const s = shopper(t.app);
    await s.login(me.email, me.password);
    const res = await s.agent.get('/account/notifications');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="badge" aria-label="2 unread">2</span>');
    const page = text(res.text);
    expect(page).toMatch(/Agreement RA-1 has a payment past due &lt;b&gt; Pay \$91\.88 to catch up\..*Order GG-1 has shipped/);
    expect(page).not.toContain('Someone else');

    await s.refreshToken('/account/notifications');
    const late = Number((await t.db('notifications').where({ user_id: me.id, kind: 'late_notice' }).first('id')).id);
    const open = await s.post(`/account/notifications/${late}/read`);
    expect(open.headers.location).toBe('/account/rentals/RA-1');
    expect((await s.post(`/account/notifications/${late}/read`)).status).toBe(303);
    expect((await s.post(`/account/notifications/${theirs}/read`)).status).toBe(404);
    expect((await s.post('/account/notifications/abc/read')).status).toBe(404);
    expect(await t.db('notifications').where({ id: theirs }).first('read_at')).toEqual({ read_at: null });
    expect((await s.agent.get('/account')).text).toContain('aria-label="1 unread"');

    expect((await s.post('/account/notifications/read-all')).headers.location).toBe('/account/notifications');
    expect(await t.db('notifications').where({ user_id: me.id }).whereNull('read_at').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    const after = await s.agent.get('/account/notifications');
    expect(after.text).not.toContain('unread">');
    expect(after.text).not.toContain('Mark all as read');
  });

  it('an order status change e-mailed to a customer with an account is also a notification', async () => {
    const buyer = await createUser(t.db, { email: 'buyer@example.com' });
    const product = await t.product({ name: 'OptiPlex 7090', priceCents: 30_000, units: 3 });
    const s = shopper(t.app);
    await s.login(buyer.email, buyer.password);
    await s.add(product, 1);
    await s.refreshToken('/checkout');
    expect((await s.checkout({ email: buyer.email, payment_method: 'manual' })).status).toBe(303);
    const order = await t.db('orders').where({ user_id: buyer.id }).first('id', 'number');
    expect(await t.db('notifications').where({ user_id: buyer.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await t.app.context.orders.markOrderPaid(order.id, { reference: 'TX-9', by: { actor: { userId: null, label: 'user:staff' }, ip: null } });
    expect(await t.db('notifications').where({ user_id: buyer.id }).select('kind', 'title', 'url')).toEqual([
      { kind: 'order', title: `Payment received: order ${order.number} is confirmed`, url: `/account/orders/${order.number}` },
    ]);
  });

  it('guests are sent to log in', async () => {
    expect((await shopper(t.app).agent.get('/account/notifications')).headers.location).toBe('/login?next=%2Faccount%2Fnotifications');
  });
});
