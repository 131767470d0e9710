import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db';
import { recordChargeback } from '../../src/disputes/chargebacks';
import { createUser, type TestUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { activeRental, paidOrder, png } from './fixtures';

/** /admin/disputes: the queue with chargebacks, assign, reply, and each way of deciding a claim. */
describe('staff dispute desk', () => {
  let t: Shop;
  let customer: TestUser;
  let clerk: TestUser;
  let c: ReturnType<typeof shopper>;
  let staff: ReturnType<typeof shopper>;
  let order: { id: number; number: string };
  let rental: { id: number; number: string };

  beforeAll(async () => {
    t = await startShop();
    const laptop = await t.product({ name: 'Latitude 5420', priceCents: 30_000, units: 5 });
    customer = await createUser(t.db, { email: 'kim@example.com', firstName: 'Kim', lastName: 'Lee' });
    clerk = await createUser(t.db, { email: 'desk@giggatek.test', role: 'staff', firstName: 'Desk', lastName: 'Clerk' });
    order = await paidOrder(t, customer, laptop);
    rental = await activeRental(t, customer.id, laptop);
    c = shopper(t.app);
    await c.login(customer.email, customer.password);
    staff = shopper(t.app);
    await staff.login(clerk.email, clerk.password);
    await t.runJobs();
    t.mail.length = 0;
  });
  afterAll(() => t.destroy());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
  const audits = async (action: string) => t.db('audit_log').where({ action }).orderBy('id').select('entity', 'entity_id', 'actor_user_id');

  async function claim(subject: string, kind: string, message: string): Promise<number> {
    await c.refreshToken('/account/disputes/new');
    const res = await c.agent.post(`/account/disputes?_csrf=${encodeURIComponent(c.token)}`).field('subject', subject).field('kind', kind).field('message', message).attach('photos', await png(), 'proof.png');
    if (res.status !== 303) throw new Error(`claim refused: ${res.status} ${res.text.slice(0, 300)}`);
    return Number(res.headers.location!.split('/').pop());
  }

  it('assigns, replies (the customer is e-mailed and sees it), and refunds an order claim', async () => {
    const id = await claim(`order:${order.number}`, 'not_as_described', 'It has 8 GB of memory, not 16.');
    await t.runJobs();
    t.mail.length = 0;

    const queue = await staff.refreshToken('/admin/disputes');
    expect(queue.status).toBe(200);
    expect(text(queue.text)).toContain(`#${id} · Not as described Kim Lee kim@example.com ${order.number} Open`);
    const page = await staff.refreshToken(`/admin/disputes/${id}`);
    expect(page.text).toContain('It has 8 GB of memory, not 16.');
    const photo = JSON.parse((await t.db('dispute_messages').where({ dispute_id: id }).first('attachments')).attachments)[0];
    expect(page.text).toContain(`/admin/disputes/${id}/photos/${photo}-small.webp`);
    expect((await staff.agent.get(`/admin/disputes/${id}/photos/${photo}-large.webp`)).headers['content-type']).toBe('image/webp');

    expect((await staff.post(`/admin/disputes/${id}/assign`, { assignee: String(clerk.id) })).status).toBe(303);
    expect(await t.db('disputes').where({ id }).first('assigned_to', 'status')).toEqual({ assigned_to: clerk.id, status: 'under_review' });
    expect(await t.db('notifications').where({ user_id: customer.id }).orderBy('id', 'desc').first('title', 'url')).toEqual({ title: `Your claim #${id} is under review`, url: `/account/disputes/${id}` });
    expect(text((await staff.agent.get('/admin/disputes?show=mine')).text)).toContain(`#${id} ·`);
    expect(text((await staff.agent.get('/admin/disputes?show=unassigned')).text)).not.toContain(`#${id} ·`);

    expect((await staff.post(`/admin/disputes/${id}/messages`, { message: 'Sorry about that. Would you like a refund of the difference?' })).status).toBe(303);
    await t.runJobs();
    expect(t.mail.map((m) => [m.to, m.subject])).toEqual([[customer.email, `New reply on your claim #${id}`]]);
    expect(t.mail[0]!.text).toContain('> Sorry about that.');
    const thread = await c.agent.get(`/account/disputes/${id}`);
    expect(text(thread.text)).toMatch(/You · .*It has 8 GB.*GigGatek team · .*Sorry about that\./);
    expect(await t.db('notifications').where({ user_id: customer.id }).orderBy('id', 'desc').first('title')).toEqual({ title: `New reply on your claim #${id}` });

    t.mail.length = 0;
    // More than was paid is refused on the form; nothing changes.
    const tooMuch = await staff.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '99999', note: 'Refund' });
    expect(tooMuch.status).toBe(422);
    expect(text(tooMuch.text)).toContain('can still be refunded on order');
    const noAmount = await staff.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '', note: 'Refund' });
    expect(noAmount.status).toBe(422);
    expect(text(noAmount.text)).toContain('Enter the amount to give back.');
    expect(await t.db('disputes').where({ id }).first('status')).toEqual({ status: 'under_review' });

    const done = await staff.post(`/admin/disputes/${id}/resolve`, { outcome: 'refund', amount: '40.00', note: 'We refunded the price difference between 8 and 16 GB.' });
    expect(done.status).toBe(303);
    expect(await t.db('disputes').where({ id }).first('status', 'outcome', 'amount_cents', 'resolution', 'resolved_by')).toEqual({
      status: 'resolved', outcome: 'refund', amount_cents: 4000, resolution: 'We refunded the price difference between 8 and 16 GB.', resolved_by: clerk.id,
    });
    // A bank-transfer order of a customer with an account is refunded to store credit (PaymentService.refundAmount).
    expect(await t.db('refunds').where({ order_id: order.id }).select('amount_cents', 'destination', 'reason')).toEqual([{ amount_cents: 4000, destination: 'store_credit', reason: `Claim #${id}` }]);
    expect((await t.db('orders').where({ id: order.id }).first('payment_status')).payment_status).toBe('partially_refunded');
    expect((await t.db('state_changes').where({ entity: 'dispute', entity_id: id }).orderBy('id').select('to_state')).map((r) => r.to_state)).toEqual(['open', 'under_review', 'resolved']);
    expect((await audits('dispute.assign')).concat(await audits('dispute.reply'), await audits('dispute.resolve'))).toEqual(
      ['assign', 'reply', 'resolve'].map(() => ({ entity: 'dispute', entity_id: String(id), actor_user_id: clerk.id })),
    );
    await t.runJobs();
    const subjects = t.mail.filter((m) => m.to === customer.email).map((m) => m.subject);
    expect(subjects).toContain(`Your claim #${id} is resolved`);
    expect(subjects).toContain(`Refund of $40.00 for order ${order.number}`);

    const closed = await c.refreshToken(`/account/disputes/${id}`);
    expect(text(closed.text)).toContain('We refunded $40.00 to the way you paid.');
    expect(closed.text).not.toContain('Add a message');
    // A decided claim takes no more messages, from either side.
    const late = await c.agent.post(`/account/disputes/${id}/messages?_csrf=${encodeURIComponent(c.token)}`).field('message', 'One more thing').attach('photos', Buffer.alloc(0), { filename: '' });
    expect(late.status).toBe(409);
    expect(text(late.text)).toContain('This claim has been decided');
    expect((await staff.post(`/admin/disputes/${id}/messages`, { message: 'Hello' })).status).toBe(409);
    expect((await staff.post(`/admin/disputes/${id}/resolve`, { outcome: 'credit', amount: '5', note: 'x' })).status).toBe(409);
  });

  it('store credit on an agreement claim (a refund is refused when nothing was paid), and a rejection with its reason', async () => {
    const billing = await claim(`rental:${rental.number}`, 'billing', 'Charged twice in November.');
    await staff.refreshToken(`/admin/disputes/${billing}`);
    const refund = await staff.post(`/admin/disputes/${billing}/resolve`, { outcome: 'refund', amount: '10', note: 'x' });
    expect(refund.status).toBe(422);
    expect(text(refund.text)).toContain(`Nothing is left to refund on agreement ${rental.number}.`);
    expect((await staff.post(`/admin/disputes/${billing}/resolve`, { outcome: 'credit', amount: '49.99', note: 'The second charge is credited back.' })).status).toBe(303);
    expect(await t.db('store_credit_entries').where({ user_id: customer.id, kind: 'goodwill' }).select('amount_cents', 'rental_id', 'reason')).toEqual([
      { amount_cents: 4999, rental_id: rental.id, reason: `Claim #${billing}: The second charge is credited back.` },
    ]);
    expect(await t.db('disputes').where({ id: billing }).first('status', 'outcome')).toEqual({ status: 'resolved', outcome: 'credit' });

    const damaged = await claim(`rental:${rental.number}`, 'damaged', 'Scratched.');
    await staff.refreshToken(`/admin/disputes/${damaged}`);
    const noReason = await staff.post(`/admin/disputes/${damaged}/resolve`, { outcome: 'rejected', note: ' ' });
    expect(noReason.status).toBe(422);
    expect(text(noReason.text)).toContain('Write what was decided, for the customer.');
    const unknown = await staff.post(`/admin/disputes/${damaged}/resolve`, { outcome: 'shrug', note: 'x' });
    expect(unknown.status).toBe(422);
    expect((await staff.post(`/admin/disputes/${damaged}/resolve`, { outcome: 'rejected', note: 'The scratch is listed in the grade C description.' })).status).toBe(303);
    expect(await t.db('disputes').where({ id: damaged }).first('status', 'outcome', 'resolution')).toEqual({ status: 'rejected', outcome: 'rejected', resolution: 'The scratch is listed in the grade C description.' });
    t.mail.length = 0;
    await t.runJobs();
    const mail = t.mail.find((m) => m.subject === `Your claim #${damaged} was not accepted`)!;
    expect(mail.text).toContain('The reason: The scratch is listed in the grade C description.');
    expect(text((await c.agent.get(`/account/disputes/${damaged}`)).text)).toContain('Not accepted');
  });

  it('Stripe chargebacks are on the same screen, decided by Stripe, not by staff', async () => {
    await inTransaction(t.db, (trx) => recordChargeback(trx, { id: 'dp_test_1', amount: 30_000, reason: 'product_not_received', status: 'needs_response' }, { orderId: order.id, userId: customer.id, closed: false, now: t.clock.now() }));
    const cb = Number((await t.db('disputes').where({ provider_ref: 'dp_test_1' }).first('id')).id);
    const queue = await staff.refreshToken('/admin/disputes?show=chargebacks');
    expect(text(queue.text)).toContain(`#${cb} · Card chargeback $300.00 · dp_test_1`);
    const page = await staff.refreshToken(`/admin/disputes/${cb}`);
    expect(text(page.text)).toContain('A chargeback is decided by the card issuer');
    expect(page.text).not.toContain(`/admin/disputes/${cb}/resolve`);
    expect((await staff.post(`/admin/disputes/${cb}/resolve`, { outcome: 'credit', amount: '5', note: 'x' })).status).toBe(409);
    expect((await staff.post(`/admin/disputes/${cb}/assign`, { assignee: String(clerk.id) })).status).toBe(303);
    // The customer does not see the bank's chargeback among their claims.
    expect((await c.agent.get(`/account/disputes/${cb}`)).status).toBe(404);
    await inTransaction(t.db, (trx) => recordChargeback(trx, { id: 'dp_test_1', amount: 30_000, reason: 'product_not_received', status: 'won' }, { orderId: order.id, userId: customer.id, closed: true, now: t.clock.now() }));
    expect(await t.db('disputes').where({ id: cb }).first('status', 'outcome')).toEqual({ status: 'rejected', outcome: 'chargeback_won' });
    expect(text((await staff.agent.get(`/admin/disputes/${cb}`)).text)).toContain('Rejected: Chargeback won');
  });

  it('assigning to a customer is refused; an unknown dispute is a 404', async () => {
    const id = await claim(`order:${order.number}`, 'not_received', 'Where is it?');
    await staff.refreshToken(`/admin/disputes/${id}`);
    const res = await staff.post(`/admin/disputes/${id}/assign`, { assignee: String(customer.id) });
    expect(res.status).toBe(422);
    expect(text(res.text)).toContain('Choose a member of staff.');
    expect((await staff.agent.get('/admin/disputes/999999')).status).toBe(404);
    expect((await staff.post('/admin/disputes/999999/messages', { message: 'x' })).status).toBe(404);
  });

  it('a replacement decided on an order claim is a new $0 order, paid, its units taken from stock; none when out of stock', async () => {
    const dock = await t.product({ name: 'ThinkPad Dock', priceCents: 9_000, units: 2 });
    const first = await paidOrder(t, customer, dock);
    const id = await claim(`order:${first.number}`, 'damaged', 'The dock arrived with a cracked case.');
    await staff.refreshToken(`/admin/disputes/${id}`);
    expect((await staff.post(`/admin/disputes/${id}/resolve`, { outcome: 'replacement', note: 'A new dock is on its way.' })).status).toBe(303);
    const replacement = await t.db('orders').where({ user_id: customer.id }).orderBy('id', 'desc').first('id', 'number', 'status', 'total_cents', 'payment_status', 'shipping_address');
    expect(replacement).toMatchObject({ status: 'paid', total_cents: 0 });
    expect(replacement.number).not.toBe(first.number);
    expect(await t.db('order_items').where({ order_id: replacement.id }).select('product_id', 'quantity', 'unit_price_cents')).toEqual([{ product_id: dock, quantity: 1, unit_price_cents: 0 }]);
    expect(await t.db('inventory_units').where({ product_id: dock, status: 'sold' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
    expect((await t.db('disputes').where({ id }).first('resolution')).resolution).toContain(`Replacement order ${replacement.number}.`);
    expect(text((await c.agent.get('/account/orders')).text)).toContain(replacement.number);

    // Nothing left in stock: refused, nothing written, the claim still open.
    const second = await claim(`order:${first.number}`, 'not_as_described', 'The second one is not the model listed.');
    await staff.refreshToken(`/admin/disputes/${second}`);
    const orders = await t.db('orders').count({ n: '*' }).first();
    const refused = await staff.post(`/admin/disputes/${second}/resolve`, { outcome: 'replacement', note: 'Another one.' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('ThinkPad Dock is out of stock, so no replacement can be sent now.');
    expect(await t.db('orders').count({ n: '*' }).first()).toEqual(orders);
    expect(await t.db('disputes').where({ id: second }).first('status')).toEqual({ status: 'open' });
  });
});
