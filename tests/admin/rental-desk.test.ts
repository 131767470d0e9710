import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * Staff run rent-to-own agreements paid by bank transfer (manual provider)
 * through the admin pages: ThinkPad T14, cash $600.00, 12 × $87.50.
 * Agreement A is signed on 2026-11-21 (payment n due on the 21st), B on
 * 2026-11-25 (due on the 25th), C is signed and never paid.
 */

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('staff run rentals paid by bank transfer', () => {
  let t: Shop;
  let laptop: number;
  let other: number;
  let staffEmail: string;
  let staffPassword: string;
  let staff: ReturnType<typeof shopper>;
  const a = { id: 0, number: '', userId: 0, email: '', password: '' };
  const b = { id: 0, number: '' };
  const c = { id: 0, number: '' };

  async function sign(email: string): Promise<{ id: number; number: string; userId: number; email: string; password: string }> {
    const user = await createUser(t.db, { email, firstName: 'Casey', lastName: 'Renter' });
    const s = shopper(t.app);
    await s.login(user.email, user.password);
    await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const res = await s.post('/rentals', { product_id: laptop, term_months: '12', signature_name: 'Casey Renter', agree: 'on' });
    expect(res.status).toBe(303);
    const number = /(RA-\d+)/.exec(res.headers.location)![1]!;
    return { id: Number((await t.db('rentals').where({ number }).first('id')).id), number, userId: user.id, email: user.email, password: user.password };
  }

  /** Staff sign in again (the clock moves by weeks) and post a form from the agreement page. */
  async function act(number: string, path: string, fields: Record<string, string> = {}) {
    await staff.login(staffEmail, staffPassword);
    await staff.refreshToken(`/admin/rentals/${number}`);
    return staff.post(`/admin/rentals/${number}/${path}`, fields);
  }
  const page = async (path: string) => {
    await staff.login(staffEmail, staffPassword);
    return staff.agent.get(path);
  };
  const rental = (id: number) => t.db('rentals').where({ id }).first('status', 'outcome', 'inventory_unit_id', 'ended_at');
  const unit = (id: number) => t.db('inventory_units').where({ id }).first('serial_number', 'status', 'rental_id');
  const audits = (action: string) => t.db('audit_log').where({ action }).count({ n: '*' }).first().then((r) => Number(r!.n));
  const listed = async (query: string) => [...(await page(`/admin/rentals?${query}`)).text.matchAll(/href="\/admin\/rentals\/(RA-\d+)"/g)].map((m) => m[1]).sort();
  const glance = (html: string, id: string) => new RegExp(`id="${id}">[^<]*</h3>\\s*<p class="balance">([^<]*)</p>`).exec(html)?.[1];

  beforeAll(async () => {
    t = await startShop({ deps: { stripe: null } }); // 2026-11-21T10:00Z
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 5 });
    other = await t.product({ name: 'Latitude 5420', priceCents: 40_000, units: 1 });
    const s = await createUser(t.db, { email: 'desk@giggatek.test', role: 'staff' });
    staffEmail = s.email;
    staffPassword = s.password;
    staff = shopper(t.app);
    Object.assign(a, await sign('a@example.com'));
    Object.assign(c, await sign('c@example.com'));
  });
  afterAll(() => t.destroy());

  it('first payment: only what is due is offered; a refused form writes nothing; the unit held can be swapped', async () => {
    const before = text((await page(`/admin/rentals/${a.number}`)).text);
    expect(before).toContain('Record a bank transfer');
    expect(before).toContain('Payment 1 of 12: $87.50');
    expect(before).not.toContain('Early purchase:');
    expect(before).not.toContain('Mark defaulted');
    expect(before).not.toContain('Mark the return received');

    const blank = await act(a.number, 'payments', { kind: 'first', reference: '  ' });
    expect(blank.status).toBe(422);
    expect(blank.text).toContain('Enter the bank transfer reference.');
    const wrongKind = await act(a.number, 'payments', { kind: 'buyout', reference: 'TX-0' });
    expect(wrongKind.status).toBe(422);
    expect(text(wrongKind.text)).toContain(`Nothing of that kind can be paid on ${a.number} now`);
    expect(await t.db('payments').where({ rental_id: a.id }).count({ n: '*' }).first()).toMatchObject({ n: 0 });

    // Swap the held unit before the first payment: the old one back in stock, the new one held.
    const held = (await rental(a.id)).inventory_unit_id;
    const wrong = await t.db('inventory_units').where({ product_id: other }).first('serial_number');
    const refused = await act(a.number, 'unit', { serial: wrong.serial_number });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('is another product; choose a ThinkPad T14.');
    expect(await act(a.number, 'unit', { serial: 'NO-SUCH-SERIAL' }).then((r) => r.text)).toContain('No unit has serial NO-SUCH-SERIAL.');
    expect((await rental(a.id)).inventory_unit_id).toBe(held);
    const spare = await t.db('inventory_units').where({ product_id: laptop, status: 'in_stock' }).orderBy('id', 'desc').first('id', 'serial_number');
    expect(text((await page(`/admin/rentals/${a.number}`)).text)).toContain('Replace the unit');
    expect((await page(`/admin/rentals/${a.number}`)).text).toContain(`<option value="${spare.serial_number}">`);
    const swapped = await act(a.number, 'unit', { serial: spare.serial_number });
    expect(swapped.status).toBe(303);
    expect((await rental(a.id)).inventory_unit_id).toBe(spare.id);
    expect(await unit(spare.id)).toMatchObject({ status: 'reserved', rental_id: a.id });
    expect(await unit(held)).toMatchObject({ status: 'in_stock', rental_id: null });

    const paid = await act(a.number, 'payments', { kind: 'first', reference: 'TX-1' });
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(`/admin/rentals/${a.number}`);
    expect(await rental(a.id)).toMatchObject({ status: 'active' });
    expect(await unit(spare.id)).toMatchObject({ status: 'rented', rental_id: a.id });
    expect(await t.db('payments').where({ rental_id: a.id }).select('purpose', 'provider', 'provider_ref', 'amount_cents', 'status')).toEqual([
      { purpose: 'installment', provider: 'manual', provider_ref: `rental:${a.id}:TX-1`, amount_cents: 8_750, status: 'succeeded' },
    ]);
    const after = text((await staff.agent.get(`/admin/rentals/${a.number}`)).text);
    expect(after).toContain(`Bank transfer TX-1 recorded on ${a.number}: Payment 1 of 12, $87.50.`);
    expect(after).toContain('Payments made 1 of 12');
    expect(after).toContain('Remaining $962.50');
    expect(after).toContain('Next payment $87.50 due Dec 21, 2026');
    expect(after).toContain('Early purchase price today $512.50');
    expect(after).toMatch(/Nov 21, 2026, 10:00 UTC Installment Bank transfer TX-1 \$87\.50 succeeded/);
    // The same transfer twice is refused.
    const again = await act(a.number, 'payments', { kind: 'installment', reference: 'TX-1' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Transfer TX-1 is already recorded');

    t.clock.set('2026-11-25T10:00:00.000Z');
    Object.assign(b, await sign('b@example.com'));
    expect((await act(b.number, 'payments', { kind: 'first', reference: 'TX-B1' })).status).toBe(303);
  });

  it('past due: the list filters, the dashboard figures, default refused before day 11', async () => {
    t.clock.set('2026-12-22T06:00:00.000Z');
    await t.app.context.rentalCalendar.run();
    expect(await rental(a.id)).toMatchObject({ status: 'past_due' });
    expect(await rental(b.id)).toMatchObject({ status: 'active' });

    expect(await listed('due=overdue')).toEqual([a.number]);
    expect(await listed('due=week')).toEqual([b.number]);
    expect(await listed('due=week&status=past_due')).toEqual([]);
    expect(await listed('')).toEqual([a.number, b.number, c.number].sort());
    expect(text((await page('/admin/rentals?due=overdue')).text)).toContain('$87.50 overdue since Dec 21, 2026');
    expect((await page('/admin/rentals?due=soon')).status).toBe(400);

    // 30 days back from 2026-12-22 starts on 2026-11-23: B's first payment counts, A's (2026-11-21) does not.
    const dash = (await page('/admin')).text;
    expect([glance(dash, 'dash-rentals-active'), glance(dash, 'dash-rentals-income'), glance(dash, 'dash-rentals-overdue'), glance(dash, 'dash-rentals-defaults')]).toEqual(['2', '$87.50', '1', '0']);
    expect(dash).toContain('href="/admin/rentals?due=overdue"');

    const early = await act(a.number, 'default');
    expect(early.status).toBe(409);
    expect(text(early.text)).toContain(`${a.number} may be defaulted from Jan 1, 2027: its oldest unpaid payment, due Dec 21, 2026, must be more than 10 days late.`);
    expect(await rental(a.id)).toMatchObject({ status: 'past_due', outcome: null });
    expect(await audits('rental.default')).toBe(0);
    expect(text((await page(`/admin/rentals/${a.number}`)).text)).toContain('It may be defaulted from Jan 1, 2027');
    expect(await act(b.number, 'default').then((r) => text(r.text))).toContain(`Only an agreement with a payment overdue can be defaulted; ${b.number} is active.`);
  });

  it('a late fee is waived only with a reason', async () => {
    t.clock.set('2026-12-29T06:00:00.000Z');
    await t.app.context.rentalCalendar.run();
    const fee = await t.db('rental_installments').where({ rental_id: a.id, seq: 2 }).first('id', 'late_fee_cents', 'late_fee_waived_at');
    expect(fee).toMatchObject({ late_fee_cents: 438, late_fee_waived_at: null });
    expect(text((await page(`/admin/rentals/${a.number}`)).text)).toContain('$4.38, owed');

    const bare = await act(a.number, `late-fees/${fee.id}/waive`, { reason: ' ' });
    expect(bare.status).toBe(422);
    expect(bare.text).toContain('Say why the late fee is waived');
    expect(await t.db('rental_installments').where({ id: fee.id }).first('late_fee_waived_at')).toEqual({ late_fee_waived_at: null });
    const otherInstallment = await t.db('rental_installments').where({ rental_id: b.id, seq: 1 }).first('id');
    expect((await act(a.number, `late-fees/${otherInstallment.id}/waive`, { reason: 'Not this one' })).status).toBe(404);

    const waived = await act(a.number, `late-fees/${fee.id}/waive`, { reason: 'Bank holiday delay' });
    expect(waived.status).toBe(303);
    expect(await t.db('rental_installments').where({ id: fee.id }).first('late_fee_waiver_reason')).toEqual({ late_fee_waiver_reason: 'Bank holiday delay' });
    expect(text((await staff.agent.get(`/admin/rentals/${a.number}`)).text)).toContain('$4.38, waived (Bank holiday delay)');
    expect((await act(a.number, `late-fees/${fee.id}/waive`, { reason: 'Twice' })).status).toBe(409);
    expect(await audits('rental.late_fee_waived')).toBe(1);
    // Payment 2 is still unpaid: still past due.
    expect(await rental(a.id)).toMatchObject({ status: 'past_due' });
  });

  it('default after day 10, reinstatement by recording what is owed, the dashboard follows', async () => {
    t.clock.set('2026-12-31T12:00:00.000Z');
    expect((await act(a.number, 'default')).status).toBe(409);
    t.clock.set('2027-01-01T06:00:00.000Z');
    const done = await act(a.number, 'default');
    expect(done.status).toBe(303);
    expect(await rental(a.id)).toMatchObject({ status: 'defaulted', outcome: 'defaulted' });
    expect((await rental(a.id)).ended_at).toBeTruthy();
    expect(await audits('rental.default')).toBe(1);
    expect(await t.db('state_changes').where({ entity: 'rental', entity_id: a.id }).orderBy('id', 'desc').first('to_state', 'actor')).toMatchObject({ to_state: 'defaulted', actor: expect.stringMatching(/^user:\d+$/) });

    await t.app.context.rentalCalendar.run(); // B past due since 2026-12-26, within its days
    let dash = (await page('/admin')).text;
    // A is defaulted (not counted as active or overdue); B is past due with one payment overdue.
    expect([glance(dash, 'dash-rentals-active'), glance(dash, 'dash-rentals-income'), glance(dash, 'dash-rentals-overdue'), glance(dash, 'dash-rentals-defaults')]).toEqual(['1', '$0.00', '1', '1']);

    const detail = text((await page(`/admin/rentals/${a.number}`)).text);
    expect(detail).toContain('Reinstatement: everything past due: $87.50');
    const reinstated = await act(a.number, 'payments', { kind: 'owed', reference: 'TX-2' });
    expect(reinstated.status).toBe(303);
    expect(await rental(a.id)).toMatchObject({ status: 'active', outcome: null });
    expect(await t.db('payments').where({ rental_id: a.id }).orderBy('id').pluck('purpose')).toEqual(['installment', 'reinstatement']);
    dash = (await page('/admin')).text;
    expect([glance(dash, 'dash-rentals-active'), glance(dash, 'dash-rentals-income'), glance(dash, 'dash-rentals-overdue'), glance(dash, 'dash-rentals-defaults')]).toEqual(['2', '$87.50', '1', '0']);
  });

  it('waiving the only thing owed brings a past-due agreement back to active', async () => {
    t.clock.set('2027-01-03T12:00:00.000Z');
    await t.app.context.rentalCalendar.run(); // B: payment 2 (due 2026-12-25) is eight days late on 2027-01-02: a late fee
    const i = await t.db('rental_installments').where({ rental_id: b.id, seq: 2 }).first('id', 'late_fee_cents');
    expect(i.late_fee_cents).toBe(438);
    // As when a saved card is charged the payment alone: the payment is made, its late fee is not.
    await t.db('rental_installments').where({ id: i.id }).update({ status: 'paid', paid_at: '2027-01-03 12:00:00.000' });
    expect(await rental(b.id)).toMatchObject({ status: 'past_due' });
    expect(text((await page(`/admin/rentals/${b.number}`)).text)).toContain('Everything due to date: $4.38');
    expect((await act(b.number, `late-fees/${i.id}/waive`, { reason: 'Card charged late by us' })).status).toBe(303);
    expect(await rental(b.id)).toMatchObject({ status: 'active' });
    expect(await t.db('state_changes').where({ entity: 'rental', entity_id: b.id }).orderBy('id', 'desc').first('to_state', 'note')).toEqual({ to_state: 'active', note: 'Late fee on payment 2 waived; nothing else overdue' });
  });

  it('the unit is replaced while rented; the renter returns the device; staff receive it', async () => {
    t.clock.set('2027-01-05T10:00:00.000Z');
    const old = (await rental(a.id)).inventory_unit_id;
    const spare = await t.db('inventory_units').where({ product_id: laptop, status: 'in_stock' }).orderBy('id').first('id', 'serial_number');
    expect((await act(a.number, 'return-received')).status).toBe(409);
    const res = await act(a.number, 'unit', { serial: spare.serial_number });
    expect(res.status).toBe(303);
    expect(await unit(spare.id)).toMatchObject({ status: 'rented', rental_id: a.id });
    expect(await unit(old)).toMatchObject({ status: 'returned', rental_id: null });
    expect(await t.db('stock_movements').where({ inventory_unit_id: spare.id }).orderBy('id').pluck('reason')).toEqual(['reserved', 'released', 'reserved', 'rented']); // the unit first held for A, back in stock, now out on rent
    expect(text((await staff.agent.get(`/admin/rentals/${a.number}`)).text)).toContain(`Unit ${spare.serial_number} replaces`);

    const renter = shopper(t.app);
    await renter.login(a.email, a.password);
    await renter.refreshToken(`/account/rentals/${a.number}`);
    expect((await renter.post(`/account/rentals/${a.number}/return`)).status).toBe(303);
    expect(await rental(a.id)).toMatchObject({ status: 'returning' });
    expect(text((await page(`/admin/rentals/${a.number}`)).text)).toContain('Mark the return received');
    expect((await act(a.number, 'unit', { serial: 'FX-anything' })).status).toBe(409);

    const received = await act(a.number, 'return-received');
    expect(received.status).toBe(303);
    expect(await rental(a.id)).toMatchObject({ status: 'returned', outcome: 'returned' });
    expect(await unit(spare.id)).toMatchObject({ status: 'refurbishing', rental_id: null });
    const final = text((await staff.agent.get(`/admin/rentals/${a.number}`)).text);
    expect(final).toContain(`The device of ${a.number} is received back`);
    expect(final).not.toContain('Mark the return received');
    expect((await act(a.number, 'return-received')).status).toBe(409);
  });

});
