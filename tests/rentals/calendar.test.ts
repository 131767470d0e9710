import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffContext } from '../../src/audit/repo';
import { insertInChunks } from '../../src/db/batch';
import { addDays } from '../../src/lib/dates';
import { FIRST_PAYMENT_HOLD_DAYS } from '../../src/rentals/billing';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * The rentals calendar (SPEC §4, §6) with the injected clock: late fees,
 * defaults, reminders, unpaid agreements expiring, agreements paid by hand
 * falling past due. Agreements are signed on 2026-11-21 (installment n due on
 * the 21st; payment 2 on 2026-12-21, "day 0"), paid by bank transfer (the
 * manual provider: nothing is charged automatically, so only the calendar
 * moves them). Day n after a due date counts the due date as day 0.
 */

const SIGN = { term_months: '12', signature_name: 'Casey Renter', agree: 'on' };
const staff: StaffContext = { actor: { userId: null, label: 'user:staff' }, ip: '127.0.0.1' };
const SIGNED_AT = '2026-11-21T10:00:00.000Z';

const dayOf = (v: unknown) => String(v instanceof Date ? v.toISOString() : v).slice(0, 10);
const at = (day: string) => `${day}T06:00:00.000Z`;

async function start(): Promise<{ t: Shop; laptop: number }> {
  const t = await startShop({ deps: { stripe: null }, now: SIGNED_AT });
  const laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 10 });
  return { t, laptop };
}

/** A renter signs for the laptop through the pages; the agreement waits for its first payment. */
async function signed(t: Shop, laptop: number, email: string): Promise<{ id: number; number: string }> {
  const user = await createUser(t.db, { email, firstName: 'Casey', lastName: 'Renter' });
  const s = shopper(t.app);
  expect((await s.login(user.email, user.password)).status).toBe(303);
  await s.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
  const res = await s.post('/rentals', { product_id: laptop, ...SIGN });
  expect(res.status).toBe(303);
  const number = /\/account\/rentals\/(RA-\d+)/.exec(res.headers.location)![1]!;
  return { id: Number((await t.db('rentals').where({ number }).first('id')).id), number };
}

/** Signed and the first payment recorded by staff (bank transfer): active, provider manual. */
async function running(t: Shop, laptop: number, email: string): Promise<{ id: number; number: string }> {
  const a = await signed(t, laptop, email);
  await t.app.context.rentalBilling.recordManualPayment(a.number, { kind: 'first', reference: `TX-${a.id}` }, staff);
  expect(await t.db('rentals').where({ id: a.id }).first('status', 'provider')).toEqual({ status: 'active', provider: 'manual' });
  return a;
}

let copied = 0;

/** Copies of a running agreement with another monthly payment, inserted directly (same renter and unit). */
async function copies(t: Shop, templateId: number, monthly: readonly number[], opts: { shiftDays?: number } = {}): Promise<Array<{ id: number; number: string }>> {
  const { id: _id, number: _n, ...row } = await t.db('rentals').where({ id: templateId }).first();
  const schedule = await t.db('rental_installments').where({ rental_id: templateId }).orderBy('seq');
  const numbers = monthly.map(() => `RA-C${++copied}`);
  const shift = (d: unknown) => addDays(dayOf(d), opts.shiftDays ?? 0);
  await insertInChunks(t.db, 'rentals', monthly.map((m, k) => ({ ...row, agreement_text: 'A copy for the calendar tests.', number: numbers[k], monthly_cents: m, total_cents: m * row.term_months, cash_price_cents: Math.floor((m * row.term_months) / 1.75), start_on: shift(row.start_on) })));
  const ids = new Map((await t.db('rentals').whereIn('number', numbers).select('id', 'number')).map((r) => [r.number as string, Number(r.id)]));
  const out = numbers.map((number) => ({ id: ids.get(number)!, number }));
  await insertInChunks(t.db, 'rental_installments', out.flatMap(({ id }, k) => schedule.map(({ id: _i, ...i }) => ({ ...i, rental_id: id, amount_cents: monthly[k], due_on: shift(i.due_on) }))));
  return out;
}

const statusOf = async (t: Shop, id: number) => (await t.db('rentals').where({ id }).first('status')).status as string;
const installment = (t: Shop, rentalId: number, seq: number) => t.db('rental_installments').where({ rental_id: rentalId, seq }).first();
const mailJobs = (t: Shop, uniqueKey: string) => t.db('jobs').where({ kind: 'mail.send', unique_key: uniqueKey }).select('payload');
const lateNotices = async (t: Shop, installmentId: number) => (await mailJobs(t, `rental-late:${installmentId}`)).length;

describe('late fees and default', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => ({ t, laptop } = await start()));
  afterAll(() => t.destroy());

  it('no late fee on day 7; on day 8 one fee of min(5 % of the payment, $5), however often the calendar runs; defaulted on day 11, not day 10', async () => {
    const template = await running(t, laptop, 'late@example.com');
    // Small payments: 5 % is below the $5 cap (rounded to the cent); large ones: capped at $5.
    const cases = [
      { monthly: 8_750, fee: 438 },
      { monthly: 2_000, fee: 100 },
      { monthly: 9_999, fee: 500 },
      { monthly: 43_750, fee: 500 },
    ];
    const agreements = [template, ...(await copies(t, template.id, cases.slice(1).map((c) => c.monthly)))];
    const calendar = t.app.context.rentalCalendar;

    const expectFees = async (expected: (c: (typeof cases)[number]) => number) => {
      for (const [k, a] of agreements.entries()) {
        const i = await installment(t, a.id, 2);
        expect({ monthly: cases[k]!.monthly, fee: i.late_fee_cents, charged: i.late_fee_at !== null }).toEqual({ monthly: cases[k]!.monthly, fee: expected(cases[k]!), charged: expected(cases[k]!) > 0 });
      }
    };

    const days: Array<{ day: string; status: string; fee: boolean }> = [
      { day: '2026-12-21', status: 'active', fee: false }, // day 0: due today
      { day: '2026-12-22', status: 'past_due', fee: false }, // day 1: unpaid after its due date
      { day: '2026-12-28', status: 'past_due', fee: false }, // day 7: still in the grace period
      { day: '2026-12-29', status: 'past_due', fee: true }, // day 8: the late fee
      { day: '2026-12-31', status: 'past_due', fee: true }, // day 10: not yet defaulted
      { day: '2027-01-01', status: 'defaulted', fee: true }, // day 11
    ];
    for (const d of days) {
      t.clock.set(at(d.day));
      await calendar.run();
      await calendar.run();
      for (const a of agreements) expect({ day: d.day, status: await statusOf(t, a.id) }).toEqual({ day: d.day, status: d.status });
      await expectFees((c) => (d.fee ? c.fee : 0));
      for (const a of agreements) expect(await lateNotices(t, (await installment(t, a.id, 2)).id)).toBe(d.fee ? 1 : 0);
    }
    // The fee was charged on day 8 itself, and only then.
    for (const a of agreements) expect(dayOf((await installment(t, a.id, 2)).late_fee_at)).toBe('2026-12-29');
    // Defaulted: nothing is charged any more, and the late notice went out once with the default date.
    const notice = JSON.parse((await mailJobs(t, `rental-late:${(await installment(t, template.id, 2)).id}`))[0]!.payload);
    expect(notice).toMatchObject({ template: 'rental-late-notice', data: { lateFeeCents: 438, defaultFromOn: '2027-01-01' } });
    expect(await t.db('rental_installments').whereIn('rental_id', agreements.map((a) => a.id)).whereNotNull('next_attempt_on').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });
});

describe('the calendar on a large book', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => ({ t, laptop } = await start()));
  afterAll(() => t.destroy());

  it('a payment past its grace period gets its late fee while thousands are still in theirs', async () => {
    const template = await running(t, laptop, 'book@example.com');
    await t.db('rental_installments').where({ rental_id: template.id, seq: 2 }).update({ status: 'paid' });
    // 2,100 agreements whose payment 2 is due on 2026-12-26 (day 3 of the grace period on 2026-12-29), then one due 2026-12-21 (day 8).
    await copies(t, template.id, Array(2_100).fill(8_750), { shiftDays: 5 });
    const [late] = await copies(t, template.id, [8_750]);
    await t.db('rental_installments').where({ rental_id: late!.id, seq: 2 }).update({ status: 'scheduled' });
    t.clock.set(at('2026-12-29'));
    expect(await t.app.context.rentalCalendar.chargeLateFees()).toBe(1);
    expect(await installment(t, late!.id, 2)).toMatchObject({ late_fee_cents: 438 });
    expect(await t.db('rental_installments').whereNotNull('late_fee_at').count({ n: '*' }).first()).toMatchObject({ n: 1 });
    // Not defaulted before day 11, whatever the number of agreements past due.
    await t.app.context.rentalCalendar.markPastDue();
    expect(await t.app.context.rentalCalendar.defaultOverdue()).toBe(0);
    t.clock.set(at('2027-01-01'));
    expect(await t.app.context.rentalCalendar.defaultOverdue()).toBe(1);
    expect(await statusOf(t, late!.id)).toBe('defaulted');
  });

  it('reminds every payment due in 3 days, more than a page of them, once', async () => {
    t.clock.set(at('2027-01-01'));
    const template = await running(t, laptop, 'book-reminders@example.com');
    // Like the template (signed 2027-01-01) but starting 2026-12-15: payment 2 due 2027-01-15, reminded on 2027-01-12.
    const many = await copies(t, template.id, Array(1_050).fill(8_750), { shiftDays: -17 });
    await t.db('rental_installments').whereIn('rental_id', many.map((a) => a.id)).where({ seq: 1 }).update({ status: 'paid' });
    t.clock.set(at('2027-01-12'));
    const calendar = t.app.context.rentalCalendar;
    expect(await calendar.remindUpcoming()).toBe(1_050);
    expect(await calendar.remindUpcoming()).toBe(0);
    expect(await t.db('jobs').where('unique_key', 'like', 'rental-upcoming-payment:RA-C%:2').count({ n: '*' }).first()).toMatchObject({ n: 1_050 });
  }, 120_000); // a book of hundreds of agreements
});

describe('reminders', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => ({ t, laptop } = await start()));
  afterAll(() => t.destroy());

  const upcoming = (number: string, seq: number) => mailJobs(t, `rental-upcoming-payment:${number}:${seq}`);
  /** Installments due up to `day` paid on time (set directly: the reminders are what is tested). */
  const payUpTo = (id: number, day: string) => t.db('rental_installments').where({ rental_id: id }).where('due_on', '<=', day).where({ status: 'scheduled' }).update({ status: 'paid', paid_at: `${day} 09:00:00.000`, next_attempt_on: null });

  it('the upcoming payment is e-mailed 3 days before its due date, once, and caught up after a missed day', async () => {
    const a = await running(t, laptop, 'upcoming@example.com');
    const calendar = t.app.context.rentalCalendar;

    const days: Array<{ day: string; seq: number; sent: number }> = [
      { day: '2026-12-17', seq: 2, sent: 0 }, // 4 days before 2026-12-21
      { day: '2026-12-18', seq: 2, sent: 1 }, // 3 days before
      { day: '2026-12-19', seq: 2, sent: 1 },
      { day: '2026-12-21', seq: 3, sent: 0 }, // payment 3 (2027-01-21) not yet
      // The calendar does not run on 2027-01-18 (3 days before payment 3): the next day catches up.
      { day: '2027-01-19', seq: 3, sent: 1 },
      { day: '2027-01-20', seq: 3, sent: 1 },
    ];
    for (const d of days) {
      t.clock.set(at(d.day));
      if (d.day === '2026-12-21') await payUpTo(a.id, d.day); // paid by transfer on its due date
      await calendar.run();
      await calendar.run();
      expect({ day: d.day, seq: d.seq, sent: (await upcoming(a.number, d.seq)).length }).toEqual(d);
    }
    expect(await statusOf(t, a.id)).toBe('active');
    const mail = JSON.parse((await upcoming(a.number, 2))[0]!.payload);
    expect(mail).toMatchObject({ template: 'rental-upcoming-payment', to: 'upcoming@example.com', data: { dueOn: '2026-12-21', amountCents: 8_750, card: false } });
    await t.runJobs();
    expect(t.mail.filter((m) => m.to === 'upcoming@example.com' && m.subject.includes('due on December 21, 2026'))).toHaveLength(1);
  });

  it('the first period ending is e-mailed 7 days before the price changes, once; not for an agreement owned before then', async () => {
    t.clock.set(SIGNED_AT);
    const renting = await running(t, laptop, 'first-period@example.com');
    const owned = await running(t, laptop, 'owned-early@example.com');
    const calendar = t.app.context.rentalCalendar;
    // Both pay on time (recorded directly: the reminders are what is tested).
    t.clock.set(at('2027-01-05'));
    await payUpTo(renting.id, '2027-01-05');
    await payUpTo(owned.id, '2027-01-05');
    await t.app.context.rentalBilling.recordManualPayment(owned.number, { kind: 'buyout', reference: 'TX-BUYOUT' }, staff);
    expect(await statusOf(t, owned.id)).toBe('owned');

    const key = (number: string) => `rental-first-period-ending:${number}`;
    // Signed 2026-11-21: the first-period price holds until 2027-02-18 and changes on 2027-02-19.
    const days: Array<{ day: string; sent: number }> = [
      { day: '2027-02-11', sent: 0 },
      { day: '2027-02-12', sent: 1 }, // 7 days before 2027-02-19
      { day: '2027-02-13', sent: 1 },
      { day: '2027-02-19', sent: 1 },
    ];
    for (const d of days) {
      t.clock.set(at(d.day));
      await payUpTo(renting.id, d.day);
      await calendar.run();
      await calendar.run();
      expect({ day: d.day, sent: (await mailJobs(t, key(renting.number))).length }).toEqual(d);
      expect(await mailJobs(t, key(owned.number))).toHaveLength(0);
    }
    const mail = JSON.parse((await mailJobs(t, key(renting.number)))[0]!.payload);
    expect(mail).toMatchObject({ template: 'rental-first-period-ending', data: { lastDayOn: '2027-02-18' } });
    expect(mail.data.nextPriceCents).toBeGreaterThan(mail.data.lastPriceCents);
  });
});

describe('agreements nobody pays', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => ({ t, laptop } = await start()));
  afterAll(() => t.destroy());

  it(`a signed agreement unpaid after ${FIRST_PAYMENT_HOLD_DAYS} days is cancelled and its unit is back in stock`, async () => {
    t.clock.set(SIGNED_AT);
    const a = await signed(t, laptop, 'unpaid@example.com');
    const unitId = (await t.db('rentals').where({ id: a.id }).first('inventory_unit_id')).inventory_unit_id;
    expect(unitId).not.toBeNull();
    expect((await t.db('inventory_units').where({ id: unitId }).first('status')).status).not.toBe('in_stock');
    const calendar = t.app.context.rentalCalendar;

    t.clock.set('2026-11-24T09:59:00.000Z'); // a minute short of the hold
    await calendar.run();
    expect(await statusOf(t, a.id)).toBe('pending_payment');

    t.clock.set('2026-11-24T10:01:00.000Z');
    expect((await calendar.run()).expired).toBe(1);
    expect(await t.db('rentals').where({ id: a.id }).first('status', 'outcome', 'pending_key')).toEqual({ status: 'cancelled', outcome: 'cancelled', pending_key: null });
    expect(await t.db('inventory_units').where({ id: unitId }).first('status', 'rental_id')).toEqual({ status: 'in_stock', rental_id: null });
    expect((await calendar.run()).expired).toBe(0);
  });

  it('an agreement paid by bank transfer becomes past due the day after an unpaid due date', async () => {
    t.clock.set(SIGNED_AT);
    const a = await running(t, laptop, 'transfer@example.com');
    expect(await installment(t, a.id, 2)).toMatchObject({ status: 'scheduled', next_attempt_on: null });
    const calendar = t.app.context.rentalCalendar;
    for (const [day, status] of [['2026-12-20', 'active'], ['2026-12-21', 'active'], ['2026-12-22', 'past_due']] as const) {
      t.clock.set(at(day));
      await calendar.run();
      expect({ day, status: await statusOf(t, a.id) }).toEqual({ day, status });
    }
    expect(await t.db('state_changes').where({ entity: 'rental', entity_id: a.id, to_state: 'past_due' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    // Paying what is owed brings it back.
    await t.app.context.rentalBilling.recordManualPayment(a.number, { kind: 'owed', reference: 'TX-LATE' }, staff);
    expect(await statusOf(t, a.id)).toBe('active');
    await calendar.run();
    expect(await statusOf(t, a.id)).toBe('active');
  });
});
