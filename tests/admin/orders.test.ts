import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { createUser } from '../helpers/auth';
import { ADDRESS, orderNumberFrom, shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';

/** Staff run an order from bank transfer to delivery, every step audited and told to the customer. */
describe('admin orders', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let staffId: number;
  let laptop: number;
  let serials: string[];

  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14 Gen 2', priceCents: 44_900, units: 12 });
    serials = (await t.db('inventory_units').where({ product_id: laptop }).orderBy('id').pluck('serial_number')) as string[];
    const user = await createUser(t.db, { email: 'staff@giggatek.test', role: 'staff' });
    staffId = user.id;
    staff = shopper(t.app);
    await staff.login(user.email, user.password);
  });
  afterAll(() => t.destroy());

  async function guestBuysByBankTransfer(email = ADDRESS.email!) {
    const guest = shopper(t.app);
    await guest.add(laptop, 1);
    await guest.refreshToken('/checkout');
    const res = await guest.checkout({ email });
    expect(res.status).toBe(303);
    return { guest, number: orderNumberFrom(res.headers.location), confirmation: res.headers.location as string };
  }

  /** The agent's current CSRF token, from a page it can see. */
  const csrfOf = async (agent: ReturnType<typeof shopper>) => /name="_csrf" value="([^"]+)"/.exec((await agent.agent.get('/admin/orders')).text)![1]!;

  const auditRows = (number: string) => t.db('audit_log').where({ entity: 'order', entity_id: number }).orderBy('id');

  it('lists and filters orders by status, payment status and number or e-mail', async () => {
    const a = await guestBuysByBankTransfer('filter-a@example.com');
    const page = await staff.agent.get('/admin/orders?status=pending_payment');
    expect(page.status).toBe(200);
    expect(page.text).toContain(a.number);
    expect((await staff.agent.get('/admin/orders?status=shipped')).text).not.toContain(a.number);
    expect((await staff.agent.get(`/admin/orders?q=${a.number}`)).text).toContain('filter-a@example.com');
    expect((await staff.agent.get('/admin/orders?q=filter-a')).text).toContain(a.number);
    expect((await staff.agent.get('/admin/orders?q=nobody-like-this')).text).toContain('No orders match.');
    // % and _ are taken literally, on both databases
    const underscore = await guestBuysByBankTransfer('first_last@example.com');
    await guestBuysByBankTransfer('firstxlast@example.com');
    const literal = await staff.agent.get('/admin/orders?q=first_l');
    expect(literal.text).toContain(underscore.number);
    expect(literal.text).not.toContain('firstxlast@example.com');
    expect((await staff.agent.get('/admin/orders?q=first%25')).text).toContain('No orders match.');
    const bad = await staff.agent.get('/admin/orders?status=lost&from=2026-13-45');
    expect(bad.status).toBe(400);
  });

  it('bank transfer → marked paid → shipped with its serial → delivered; the customer sees and is told each step', async () => {
    const { guest, number, confirmation } = await guestBuysByBankTransfer('journey@example.com');
    const order = await t.db('orders').where({ number }).first();
    const held = await t.db('inventory_units').where({ order_id: order.id }).first('serial_number');

    const detail = await staff.agent.get(`/admin/orders/${number}`);
    expect(detail.text).toContain('Mark paid');
    expect(detail.text).not.toContain('Mark delivered');

    await staff.refreshToken(`/admin/orders/${number}`);
    const paid = await staff.post(`/admin/orders/${number}/mark-paid`, { reference: 'BANK-778812' });
    expect(paid.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'paid', payment_status: 'paid' });
    expect(await t.db('payments').where({ order_id: order.id, provider: 'manual' }).first()).toMatchObject({ provider_ref: 'BANK-778812', amount_cents: order.total_cents });

    // The held unit's serial is proposed on the ship form.
    const shipForm = await staff.agent.get(`/admin/orders/${number}`);
    expect(shipForm.text).toContain(`>${held.serial_number}</textarea>`);
    await staff.refreshToken(`/admin/orders/${number}`);
    const shipped = await staff.post(`/admin/orders/${number}/ship`, { carrier: 'UPS', tracking_number: '1Z999AA10123456784', serials: held.serial_number });
    expect(shipped.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'shipped', carrier: 'UPS', tracking_number: '1Z999AA10123456784' });
    expect(JSON.parse((await t.db('order_items').where({ order_id: order.id }).first()).serial_numbers)).toEqual([held.serial_number]);

    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/deliver`)).status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'delivered', delivered_at: expect.any(String) });

    const page = await guest.agent.get(confirmation);
    expect(page.text).toContain('Delivered');
    expect(page.text).toContain(held.serial_number);
    expect((await t.db('state_changes').where({ entity: 'order', entity_id: order.id }).orderBy('id').pluck('to_state'))).toEqual(['pending_payment', 'paid', 'processing', 'shipped', 'delivered']);
    expect((await auditRows(number)).map((r) => [r.action, r.actor_user_id])).toEqual([['order.mark_paid', staffId], ['order.ship', staffId], ['order.deliver', staffId]]);
    const shipAudit = (await auditRows(number))[1];
    expect(JSON.parse(shipAudit.before)).toMatchObject({ status: 'paid' });
    expect(JSON.parse(shipAudit.after)).toMatchObject({ status: 'shipped', trackingNumber: '1Z999AA10123456784', serials: [held.serial_number] });
    expect(shipAudit.ip).toBeTruthy();

    await t.runJobs();
    expect(subjectsTo(t.mail, 'journey@example.com')).toEqual([
      `Order ${number} received — thank you`,
      `Payment received — order ${number} is confirmed`,
      `Order ${number} has shipped — tracking 1Z999AA10123456784`,
      `Order ${number} was delivered`,
    ]);
    const shippedMail = t.mail.find((m) => m.subject.startsWith(`Order ${number} has shipped`))!;
    expect(shippedMail.text).toContain(held.serial_number);
    await expectOneMovementPerUnitChange(t.db);
  });

  it('shipping another in-stock unit of the product instead: the held one goes back in stock', async () => {
    const { number } = await guestBuysByBankTransfer('swap@example.com');
    const order = await t.db('orders').where({ number }).first();
    const held = (await t.db('inventory_units').where({ order_id: order.id }).first()).serial_number;
    const other = (await t.db('inventory_units').where({ product_id: laptop, status: 'in_stock' }).first()).serial_number;
    await staff.refreshToken(`/admin/orders/${number}`);
    await staff.post(`/admin/orders/${number}/mark-paid`, {});
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/ship`, { carrier: 'USPS', tracking_number: '9400 1000 0000 0000 0000 00', serials: other })).status).toBe(303);
    expect(await t.db('inventory_units').where({ serial_number: other }).first()).toMatchObject({ status: 'sold', order_id: order.id });
    expect(await t.db('inventory_units').where({ serial_number: held }).first()).toMatchObject({ status: 'in_stock', order_id: null });
    await expectOneMovementPerUnitChange(t.db);
  });

  it.each([
    ['an unknown serial', () => 'NO-SUCH-SERIAL', 'There is no unit with serial number NO-SUCH-SERIAL.'],
    ['no serial at all', () => '', 'Enter the serial number of each unit shipped'],
    ['two serials for one unit', () => serials.slice(0, 2).join('\n'), 'needs 1 serial number; 2 were given'],
  ])('refuses to ship with %s, writing nothing', async (_name, typed, message) => {
    const { number } = await guestBuysByBankTransfer();
    await staff.refreshToken(`/admin/orders/${number}`);
    await staff.post(`/admin/orders/${number}/mark-paid`, {});
    const before = await t.db('state_changes').count({ n: '*' }).first();
    await staff.refreshToken(`/admin/orders/${number}`);
    const res = await staff.post(`/admin/orders/${number}/ship`, { carrier: 'UPS', tracking_number: '1Z999', serials: typed() });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="UPS"');
    expect(await t.db('orders').where({ number }).first()).toMatchObject({ status: 'paid', tracking_number: null });
    expect(await t.db('state_changes').count({ n: '*' }).first()).toEqual(before);
    // Tidy up: the unit goes back for the next case.
    await t.app.context.orders.cancelOrder((await t.db('orders').where({ number }).first()).id, { actor: { userId: null, label: 'system' }, reason: 'test', refundTo: 'store_credit' });
  });

  it('impossible actions are refused with the reason: shipping an unpaid order, delivering before shipping, paying a cancelled one', async () => {
    const { number } = await guestBuysByBankTransfer();
    await staff.refreshToken(`/admin/orders/${number}`);
    const ship = await staff.post(`/admin/orders/${number}/ship`, { carrier: 'UPS', tracking_number: '1Z999', serials: serials[0]! });
    expect(ship.status).toBe(409);
    expect(ship.text).toContain('cannot be shipped: it is awaiting payment');
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/deliver`)).status).toBe(409);
    await staff.refreshToken(`/admin/orders/${number}`);
    const cancel = await staff.post(`/admin/orders/${number}/cancel`, { reason: 'Customer asked us by phone' });
    expect(cancel.status).toBe(303);
    expect((await auditRows(number)).map((r) => r.action)).toEqual(['order.cancel']);
    await staff.refreshToken(`/admin/orders/${number}`);
    const pay = await staff.post(`/admin/orders/${number}/mark-paid`, { reference: 'LATE' });
    expect(pay.status).toBe(409);
    expect(pay.text).toContain('not awaiting payment');
    expect(await t.db('payments').where({ provider_ref: 'LATE' }).first()).toBeUndefined();
    await t.runJobs();
  });

  it('partial refund of a customer order to store credit → partially_refunded, credit and refund rows right; over-refunds refused', async () => {
    const buyer = await createUser(t.db, { email: 'partial@example.com' });
    const customer = shopper(t.app);
    await customer.login(buyer.email, buyer.password);
    await customer.add(laptop, 1);
    await customer.refreshToken('/checkout');
    const placed = await customer.checkout();
    const number = orderNumberFrom(placed.headers.location);
    const order = await t.db('orders').where({ number }).first();
    await staff.refreshToken(`/admin/orders/${number}`);
    await staff.post(`/admin/orders/${number}/mark-paid`, { reference: 'BANK-1' });

    await staff.refreshToken(`/admin/orders/${number}`);
    const tooMuch = await staff.post(`/admin/orders/${number}/refunds`, { amount: String((order.total_cents + 1) / 100), destination: 'store_credit', note: 'Too much' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('can still be refunded on this order');
    expect(await t.db('refunds').where({ order_id: order.id }).count({ n: '*' }).first()).toEqual({ n: 0 });

    await staff.refreshToken(`/admin/orders/${number}`);
    const part = await staff.post(`/admin/orders/${number}/refunds`, { amount: '50.00', destination: 'store_credit', note: 'Scratch on the lid' });
    expect(part.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ status: 'paid', payment_status: 'partially_refunded' });
    expect(await t.db('refunds').where({ order_id: order.id }).select('destination', 'amount_cents', 'status', 'reason')).toEqual([
      { destination: 'store_credit', amount_cents: 5000, status: 'succeeded', reason: 'Scratch on the lid' },
    ]);
    expect(await t.db('store_credit_entries').where({ order_id: order.id }).select('user_id', 'kind', 'amount_cents')).toEqual([{ user_id: buyer.id, kind: 'refund', amount_cents: 5000 }]);
    expect((await auditRows(number)).map((r) => r.action)).toEqual(['order.mark_paid', 'order.refund']);

    await staff.refreshToken(`/admin/orders/${number}`);
    const rest = await staff.post(`/admin/orders/${number}/refunds`, { amount: String((order.total_cents - 5000) / 100), destination: 'store_credit', note: 'Goodwill' });
    expect(rest.status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first()).toMatchObject({ payment_status: 'refunded' });
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/refunds`, { amount: '1', destination: 'store_credit', note: 'Again' })).status).toBe(409);
    await t.runJobs();
    expect(subjectsTo(t.mail, buyer.email).filter((s) => s.startsWith('Refund'))).toHaveLength(2);
  });

  it('a guest has no store credit: such a refund is refused with the reason', async () => {
    const { number } = await guestBuysByBankTransfer('guest-refund@example.com');
    await staff.refreshToken(`/admin/orders/${number}`);
    await staff.post(`/admin/orders/${number}/mark-paid`, {});
    await staff.refreshToken(`/admin/orders/${number}`);
    const res = await staff.post(`/admin/orders/${number}/refunds`, { amount: '10', destination: 'store_credit', note: 'Sorry' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('A guest has no store credit');
  });

  it('bulk actions report a result per order and change only those that may change', async () => {
    const a = await guestBuysByBankTransfer('bulk-a@example.com');
    const b = await guestBuysByBankTransfer('bulk-b@example.com');
    await staff.refreshToken(`/admin/orders/${b.number}`);
    await staff.post(`/admin/orders/${b.number}/mark-paid`, {});
    await staff.refreshToken('/admin/orders');
    const res = await staff.agent.post('/admin/orders/bulk').type('form').send(`_csrf=${encodeURIComponent(await csrfOf(staff))}&bulk_action=mark-paid&numbers=${a.number}&numbers=${b.number}&numbers=GG-999999`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('1 of 3 orders done');
    expect(res.text).toMatch(new RegExp(`${a.number}</a></th><td class="result-ok">Done. Now paid.`));
    expect(res.text).toContain(`Not done: Order ${b.number} is paid, not awaiting payment.`);
    expect(res.text).toContain('Not done: No such order.');
    expect(await t.db('orders').where({ number: a.number }).first()).toMatchObject({ status: 'paid' });
    const nothing = await staff.agent.post('/admin/orders/bulk').type('form').send({ _csrf: await csrfOf(staff), bulk_action: 'deliver' });
    expect(nothing.status).toBe(422);
    expect(nothing.text).toContain('Tick at least one order.');
  });

  it('printable packing slips for one or many orders: address, items, serials', async () => {
    const a = await guestBuysByBankTransfer('slip@example.com');
    const order = await t.db('orders').where({ number: a.number }).first();
    const serial = (await t.db('inventory_units').where({ order_id: order.id }).first()).serial_number;
    await staff.refreshToken(`/admin/orders/${a.number}`);
    await staff.post(`/admin/orders/${a.number}/mark-paid`, {});
    await staff.refreshToken(`/admin/orders/${a.number}`);
    await staff.post(`/admin/orders/${a.number}/ship`, { carrier: 'UPS', tracking_number: '1Z55', serials: serial });
    const one = await staff.agent.get(`/admin/orders/packing-slips?numbers=${a.number}`);
    expect(one.status).toBe(200);
    for (const text of [`Packing slip ${a.number}`, ADDRESS.line1!, 'ThinkPad T14 Gen 2', serial]) expect(one.text).toContain(text);
    const journey = (await t.db('orders').where({ email: 'journey@example.com' }).first()).number;
    const two = await staff.agent.get(`/admin/orders/packing-slips?numbers=${a.number}&numbers=${journey}`);
    expect(two.text.match(/class="packing-slip"/g)).toHaveLength(2);
    expect((await staff.agent.get('/admin/orders/packing-slips?numbers=GG-999999')).status).toBe(404);
    expect((await staff.agent.get('/admin/orders/packing-slips')).status).toBe(400);
  });

  it('the audit log lists the changes, filterable by entity id and action', async () => {
    const page = await staff.agent.get('/admin/audit?action=order.ship');
    expect(page.status).toBe(200);
    expect(page.text).toContain('order.ship');
    expect(page.text).not.toContain('order.mark_paid</code>');
    expect(page.text).toContain('staff@giggatek.test');
  });
});
