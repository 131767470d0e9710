import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * GET /rentals/new and POST /rentals: the agreement with every SPEC §4
 * disclosure for a known product (cash $600.00; 12 × $87.50), signing with
 * its refusals, one unit reserved per agreement, and the customer's pages.
 */

const SIGN = { term_months: '12', signature_name: 'casey  RENTER', agree: 'on' };

async function renter(t: Shop, o: { verified?: boolean; firstName?: string; lastName?: string } = {}) {
  const user = await createUser(t.db, { firstName: 'Casey', lastName: 'Renter', ...o });
  const s = shopper(t.app);
  const res = await s.login(user.email, user.password);
  expect(res.status).toBe(303);
  return { ...user, s };
}

/** The due dates in the schedule table, in order. */
const dueDates = (html: string) => [...html.matchAll(/<td><time datetime="(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]);

const count = async (t: Shop, table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())!.n);

describe('rent-to-own signing', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop(); // 2026-11-21T10:00Z
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 5 });
  });
  afterAll(() => t.destroy());

  it('sends a guest to log in and back to the agreement', async () => {
    const res = await shopper(t.app).agent.get('/rentals/new?product=thinkpad-t14&term=12');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/rentals/new?product=thinkpad-t14&term=12')}`);
  });

  it('shows every disclosure with exact figures, the dated schedule and the day-90 mark', async () => {
    const { s } = await renter(t);
    const res = await s.agent.get('/rentals/new?product=thinkpad-t14&term=12');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.text.replace(/\s+/g, ' ');
    for (const fact of [
      'The device is refurbished, not new. Its condition is grade A (Like new)',
      'Cash price (what the device costs if you buy it outright today): $600.00.',
      'Monthly payment: $87.50. Number of payments: 12.',
      'Total of payments: $1,050.00.',
      'Cost of rental: $450.00.',
      'Today&#39;s figure: $600.00 before your first payment, $512.50 after it.',
      'There is no late fee through day 7 after a due date (the grace period). From day 8 we may charge one late fee per payment: 5% of the payment, at most $5.00. On this agreement that is $4.38.',
      'more than 10 days late',
      'reinstate it by paying what is past due',
      'never more than the early purchase price at that time',
      'maintains the device',
      'You pay no penalty and no fee for returning it',
      'It starts on November 21, 2026',
      // Paid on time: Nov 21, Dec 21, Jan 21 fall in days 1–90 (through Feb 18, 2027); Feb 21 is day 93.
      'The first 90 days end on February 18, 2027.',
      'the early purchase price is $337.50 on February 18, 2027 and $450.00 on February 19, 2027',
    ]) expect(text).toContain(fact);
    const dues = dueDates(res.text);
    expect(dues).toEqual(['2026-11-21', '2026-12-21', '2027-01-21', '2027-02-21', '2027-03-21', '2027-04-21', '2027-05-21', '2027-06-21', '2027-07-21', '2027-08-21', '2027-09-21', '2027-10-21']);
    // The mark sits between payment 3 (day 62) and payment 4 (day 93).
    expect(text).toMatch(/3 of 12<\/th>.*?\$337\.50.*?class="period-end".*?Day 90 ends on.*?February 18, 2027.*?4 of 12<\/th>.*?\$450\.00/);
    expect(res.text).toContain('action="/rentals#sign"');
  });

  it('an unconfirmed e-mail sees the agreement, a resend link and no sign form; signing is refused', async () => {
    const { s } = await renter(t, { verified: false });
    const page = await s.agent.get('/rentals/new?product=thinkpad-t14&term=12');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Please confirm your e-mail address to sign.');
    expect(page.text).toContain('action="/account/verify-email"');
    expect(page.text).not.toContain('action="/rentals');
    const res = await s.post('/rentals', { product_id: laptop, ...SIGN });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Please confirm your e-mail address before signing');
    expect(await count(t, 'rentals')).toBe(0);
  });

  it('refuses a signature that is not the account name, and a missing consent, writing nothing', async () => {
    const { s } = await renter(t);
    const wrong = await s.post('/rentals', { product_id: laptop, ...SIGN, signature_name: 'Someone Else' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('does not match the name on your account, Casey Renter');
    expect(wrong.text).toContain('value="Someone Else"');
    const noAgree = await s.post('/rentals', { product_id: laptop, term_months: '12', signature_name: 'Casey Renter' });
    expect(noAgree.status).toBe(422);
    expect(noAgree.text).toContain('Tick the box to agree to the terms.');
    expect(await count(t, 'rentals')).toBe(0);
    expect(await count(t, 'inventory_units', { product_id: laptop, status: 'in_stock' })).toBe(5);
  });

  it('refuses an unknown term or product, a product no longer sold, and one out of stock', async () => {
    const { s } = await renter(t);
    await t.product({ name: 'Archived Tower', status: 'archived' });
    await t.product({ name: 'Draft Tower', status: 'draft' });
    const gone = await t.product({ name: 'Gone Monitor', units: 0 });
    const cases: Array<[string, number, string]> = [
      ['/rentals/new?product=thinkpad-t14&term=9', 422, 'Choose a term of 3, 6 or 12 months.'],
      ['/rentals/new?product=thinkpad-t14', 422, 'Choose a term of 3, 6 or 12 months.'],
      ['/rentals/new?product=no-such-thing&term=12', 404, 'We could not find that product.'],
      ['/rentals/new?product=draft-tower&term=12', 404, 'We could not find that product.'],
      ['/rentals/new?product=archived-tower&term=12', 422, 'Archived Tower is no longer sold'],
      ['/rentals/new?product=gone-monitor&term=6', 409, 'Gone Monitor just sold out'],
    ];
    for (const [url, status, message] of cases) {
      const res = await s.agent.get(url);
      expect([url, res.status]).toEqual([url, status]);
      expect(res.text).toContain(message);
    }
    const post = await s.post('/rentals', { product_id: gone, ...SIGN });
    expect(post.status).toBe(409);
    expect(post.text).toContain('Gone Monitor just sold out');
    expect((await s.post('/rentals', { product_id: laptop, ...SIGN, term_months: '24' })).status).toBe(422);
    expect(await count(t, 'rentals')).toBe(0);
  });

  it('signs: pending_payment with the signature record, its policy, one reserved unit and the exact text hashed', async () => {
    await t.app.context.settings.set('rental_policy', { grace_days: 9, late_fee_percent: 4, late_fee_cap_cents: 400, default_after_days: 12, retry_days: [3, 7], early_purchase_discount_days: 90 });
    try {
      const { id: userId, s } = await renter(t);
      const page = await s.agent.get('/rentals/new?product=thinkpad-t14&term=12');
      const shown = /name="shown_sha256" value="([0-9a-f]{64})"/.exec(page.text)![1];
      const res = await s.agent
        .post('/rentals')
        .set('User-Agent', `Test browser ${'x'.repeat(400)}`)
        .type('form')
        .send({ _csrf: s.token, product_id: laptop, ...SIGN, shown_sha256: shown });
      expect(res.status).toBe(303);
      const number = /^\/account\/rentals\/(RA-\d+)$/.exec(res.headers.location)![1]!;
      const row = await t.db('rentals').where({ number }).first();
      expect(row).toMatchObject({
        user_id: userId, product_id: laptop, status: 'pending_payment', term_months: 12,
        monthly_cents: 8750, cash_price_cents: 60_000, total_cents: 105_000,
        signature_name: 'casey  RENTER', grace_days: 9, late_fee_percent: 4, late_fee_cap_cents: 400, default_after_days: 12,
        retry_days: '[3,7]', early_purchase_discount_days: 90, max_total_percent: 225,
      });
      expect(String(row.start_on).slice(0, 10)).toBe('2026-11-21');
      expect(String(row.signed_at)).toMatch(/^2026-11-21 10:00:00/);
      expect(row.signed_ip).toMatch(/127\.0\.0\.1|::1/);
      expect(row.signed_user_agent).toHaveLength(255);
      expect(row.agreement_sha256).toBe(crypto.createHash('sha256').update(row.agreement_text, 'utf8').digest('hex'));
      expect(row.agreement_sha256).toBe(shown); // what was shown is what was signed
      expect(row.agreement_text).toContain('Customer: Casey Renter');
      expect(row.agreement_text).toContain('There is no late fee through day 9');
      expect(row.agreement_text).toContain('5 of 12, due March 21, 2027 (day 121): $87.50.');

      const changes = await t.db('state_changes').where({ entity: 'rental', entity_id: row.id }).orderBy('id');
      expect(changes.map((c) => [c.from_state, c.to_state, c.actor])).toEqual([[null, 'pending_signature', `user:${userId}`], ['pending_signature', 'pending_payment', `user:${userId}`]]);
      const units = await t.db('inventory_units').where({ rental_id: row.id });
      expect(units.map((u) => u.status)).toEqual(['reserved']);
      expect(row.inventory_unit_id).toBe(units[0].id);
      const moves = await t.db('stock_movements').where({ rental_id: row.id });
      expect(moves.map((m) => [m.reason, m.quantity, m.inventory_unit_id])).toEqual([['reserved', -1, units[0].id]]);

      const shownPage = await s.agent.get(`/account/rentals/${number}`);
      expect(shownPage.status).toBe(200);
      expect(shownPage.headers['cache-control']).toBe('no-store');
      expect(shownPage.text).toContain('Waiting for first payment');
      expect(shownPage.text).toContain('Waiting for the first payment of $87.50.');
      expect(shownPage.text).toContain(row.agreement_sha256);
      const list = await s.agent.get('/account/rentals');
      expect(list.text).toContain(`href="/account/rentals/${number}"`);
      expect(list.text).toContain('$87.50 × 12');

      // Another customer: 404, as if there were no such agreement.
      const other = await renter(t, { firstName: 'Other', lastName: 'Person' });
      expect((await other.s.agent.get(`/account/rentals/${number}`)).status).toBe(404);
      expect((await other.s.agent.get('/account/rentals')).text).not.toContain(number);
    } finally {
      await t.app.context.settings.set('rental_policy', { grace_days: 7, late_fee_percent: 5, late_fee_cap_cents: 500, default_after_days: 10, retry_days: [3, 7], early_purchase_discount_days: 90 });
    }
  });

  it('a double submit or a second tab gives ONE agreement and one reserved unit', async () => {
    const tablet = await t.product({ name: 'Surface Go', priceCents: 40_000, units: 3 });
    const { s } = await renter(t);
    await s.refreshToken('/rentals/new?product=surface-go&term=6');
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => s.post('/rentals', { product_id: tablet, ...SIGN, term_months: '6' })));
    expect([a.status, b.status, c.status]).toEqual([303, 303, 303]);
    expect(new Set([a.headers.location, b.headers.location, c.headers.location]).size).toBe(1);
    expect(await count(t, 'rentals', { product_id: tablet })).toBe(1);
    expect(await count(t, 'inventory_units', { product_id: tablet, status: 'reserved' })).toBe(1);
    const again = await s.post('/rentals', { product_id: tablet, ...SIGN, term_months: '12' });
    expect(again.headers.location).toBe(a.headers.location);
    expect(await count(t, 'rentals', { product_id: tablet })).toBe(1);
  });

  it('two renters for the last unit at once: one agreement, one clear "sold out"', async () => {
    const last = await t.product({ name: 'Last Dock', priceCents: 20_000, units: 1 });
    const one = await renter(t);
    const two = await renter(t);
    const [r1, r2] = await Promise.all([one, two].map((r) => r.s.post('/rentals', { product_id: last, ...SIGN })));
    expect([r1.status, r2.status].sort()).toEqual([303, 409]);
    expect([r1, r2].find((r) => r.status === 409)!.text).toContain('Last Dock just sold out');
    expect(await count(t, 'rentals', { product_id: last })).toBe(1);
    expect(await count(t, 'inventory_units', { product_id: last, status: 'reserved' })).toBe(1);
    expect(await count(t, 'stock_movements', { product_id: last, reason: 'reserved' })).toBe(1);
    expect((await shopper(t.app).agent.get('/products/last-dock')).text).toContain('Out of stock');
  });
});

describe('many renters for few units', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  it('8 renters at once for 3 units: 3 agreements, 5 "sold out", each unit reserved once', async () => {
    const product = await t.product({ name: 'Busy Monitor', priceCents: 30_000, units: 3 });
    const renters = await Promise.all(Array.from({ length: 8 }, () => renter(t)));
    const answers = await Promise.all(renters.map((r) => r.s.post('/rentals', { product_id: product, ...SIGN })));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 303, 303, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.text).toContain('Busy Monitor just sold out');
    const rentals = await t.db('rentals').where({ product_id: product });
    expect(rentals).toHaveLength(3);
    const units = await t.db('inventory_units').where({ product_id: product });
    expect(units.map((u) => u.status)).toEqual(['reserved', 'reserved', 'reserved']);
    expect(new Set(units.map((u) => u.rental_id))).toEqual(new Set(rentals.map((r) => r.id)));
    expect(await count(t, 'stock_movements', { product_id: product, reason: 'reserved' })).toBe(3);
    expect(await count(t, 'state_changes', { entity: 'rental', to_state: 'pending_payment' })).toBe(3);
  });
});

describe('the product page calculator', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop({ now: '2026-11-21T23:59:00.000Z' });
    await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 2 });
  });
  afterAll(() => t.destroy());

  it('is dated for signing today, and a cached page moves on with the date', async () => {
    const { s } = await renter(t);
    const before = (await s.agent.get('/products/thinkpad-t14')).text;
    expect(before).toContain('an agreement signed today, November 21, 2026');
    expect(before).toContain('<td><time datetime="2026-11-21">Nov 21, 2026</time>');
    t.clock.set('2026-11-22T00:01:00.000Z');
    const after = (await s.agent.get('/products/thinkpad-t14')).text;
    expect(after).toContain('an agreement signed today, November 22, 2026');
    expect(after).toContain('<td><time datetime="2026-11-22">Nov 22, 2026</time>');
  });
});

describe('an agreement signed on January 31', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop({ now: '2026-01-31T15:00:00.000Z' });
    await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 1 });
  });
  afterAll(() => t.destroy());

  it('falls due on the 31st or the last day of shorter months, and day 90 (April 30) still counts as the first period', async () => {
    const { s } = await renter(t);
    const res = await s.agent.get('/rentals/new?product=thinkpad-t14&term=12');
    expect(res.status).toBe(200);
    const dues = dueDates(res.text);
    expect(dues).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31']);
    const text = res.text.replace(/\s+/g, ' ');
    // Payment 4 on April 30 is day 90: $600 − 4 × $87.50; payment 5 on May 31 (day 121): $600 × 7 ÷ 12.
    expect(text).toMatch(/4 of 12<\/th>.*?day 90.*?\$250\.00.*?class="period-end".*?April 30, 2026.*?5 of 12<\/th>.*?day 121.*?\$350\.00/);
    expect(text).toContain('you will have made 4 payments by then: the early purchase price is $250.00 on April 30, 2026 and $400.00 on May 1, 2026');
  });
});
