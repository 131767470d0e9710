import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { toDbTime } from '../../src/lib/clock';
import { createUser, type TestUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * Reviews, as customers and staff see them: writing one (verified when the
 * product was received), waiting for approval, the product page's list,
 * average and distribution, cards and sort=rating, rejection with a reason.
 */
describe('reviews', () => {
  let t: Shop;
  let laptop: number;
  let desktop: number;
  let staffId: number;
  let staffAgent: ReturnType<typeof shopper>;
  const users: Record<string, TestUser> = {};
  const agents: Record<string, ReturnType<typeof shopper>> = {};

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  /** The product page's reviews section (up to the similar products after it). */
  const reviewsSection = (html: string) => {
    const start = html.indexOf('id="reviews"');
    const end = html.indexOf('id="related-title"', start);
    return text(html.slice(start, end === -1 ? undefined : end));
  };
  const guestPage = async (path: string) => (await request(t.app).get(path).expect(200)).text;
  const reviewOf = (userId: number, productId = laptop) => t.db('reviews').where({ user_id: userId, product_id: productId }).first();
  const productRating = async (id: number) => {
    const p = await t.db('products').where({ id }).first('rating_avg_x100', 'rating_count');
    return { avgX100: Number(p.rating_avg_x100), count: Number(p.rating_count) };
  };
  const by = () => ({ actor: { userId: staffId, label: `user:${staffId}` }, ip: '127.0.0.1' });

  let orderSeq = 5000;
  async function order(userId: number, productId: number, status: string): Promise<void> {
    const now = toDbTime(t.clock.now());
    const number = `GG-${++orderSeq}`;
    await t.db('orders').insert({
      number, user_id: userId, email: `${number}@example.com`, status, subtotal_cents: 50_000, total_cents: 50_000,
      shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: now, updated_at: now,
    });
    const { id } = await t.db('orders').where({ number }).first('id');
    await t.db('order_items').insert({
      order_id: id, product_id: productId, product_name: 'x', product_slug: 'x', condition_grade: 'A', quantity: 1, unit_price_cents: 50_000, total_cents: 50_000, created_at: now, updated_at: now,
    });
  }
  async function rental(userId: number, productId: number, status: string): Promise<void> {
    const now = toDbTime(t.clock.now());
    await t.db('rentals').insert({
      number: `RA-${++orderSeq}`, user_id: userId, product_id: productId, status, term_months: 12, monthly_cents: 7_300,
      cash_price_cents: 50_000, total_cents: 87_600, created_at: now, updated_at: now,
    });
  }

  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 50_000, units: 3 });
    desktop = await t.product({ name: 'OptiPlex 7090', priceCents: 50_000, units: 3 });
    const staff = await createUser(t.db, { email: 'moderator@giggatek.test', role: 'staff' });
    staffId = staff.id;
    staffAgent = shopper(t.app);
    await staffAgent.login(staff.email, staff.password);
    // Who has received the laptop: buyer (order delivered), renter (agreement active), owner (agreement owned).
    // Who has not: waiting (order paid, not delivered yet), returned (agreement cancelled before it started), stranger (nothing).
    for (const [name, first] of [['buyer', 'Bea'], ['renter', 'Rick'], ['owner', 'Olga'], ['waiting', 'Walt'], ['cancelled', 'Cleo'], ['stranger', 'Stan']] as const) {
      users[name] = await createUser(t.db, { email: `${name}@example.com`, firstName: first, lastName: `${name[0]!.toUpperCase()}ason` });
      agents[name] = shopper(t.app);
      await agents[name].login(users[name].email, users[name].password);
    }
    await order(users.buyer!.id, laptop, 'delivered');
    await order(users.buyer!.id, desktop, 'shipped');
    await rental(users.renter!.id, laptop, 'active');
    await rental(users.owner!.id, laptop, 'owned');
    await order(users.waiting!.id, laptop, 'paid');
    await rental(users.cancelled!.id, laptop, 'cancelled');
  });
  afterAll(() => t.destroy());

  async function write(name: string, fields: Record<string, string>, slug = 'thinkpad-t14') {
    await agents[name]!.refreshToken(`/products/${slug}/review`);
    return agents[name]!.post(`/products/${slug}/reviews`, fields);
  }

  it('sends guests to log in first', async () => {
    const guest = shopper(t.app);
    await guest.refreshToken('/login');
    const posted = await guest.post('/products/thinkpad-t14/reviews', { rating: '5', title: 'Anonymous', body: 'Hi' });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toMatch(/^\/login/);
    expect(await t.db('reviews').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect((await request(t.app).get('/products/thinkpad-t14/review')).headers.location).toBe('/login?next=%2Fproducts%2Fthinkpad-t14%2Freview');
    expect((await request(t.app).get('/products/no-such-thing/review')).status).toBe(303);
    expect((await agents.buyer!.agent.get('/products/no-such-thing/review')).status).toBe(404);
  });

  it('a customer who received the product reviews it; it waits for approval, then shows (verified) at once', async () => {
    // A guest's copy of the page is cached before anything is approved.
    const before = await guestPage('/products/thinkpad-t14');
    expect(reviewsSection(before)).toContain('No reviews yet.');
    expect(before).toContain('href="/products/thinkpad-t14/review"');

    const form = await agents.buyer!.agent.get('/products/thinkpad-t14/review');
    expect(form.status).toBe(200);
    expect(form.headers['cache-control']).toBe('no-store');
    expect(text(form.text)).toContain('your review will be marked Verified purchase');

    const sent = await write('buyer', { rating: '5', title: 'Quiet and fast', body: 'Arrived in a week.\nBattery still holds 8 hours.' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/products/thinkpad-t14/review');
    const mine = text((await agents.buyer!.agent.get('/products/thinkpad-t14/review')).text);
    expect(mine).toContain('Thank you for your review. It will appear on the product page once our team has read it.');
    expect(mine).toContain('Waiting for approval');
    const row = await reviewOf(users.buyer!.id);
    expect({ ...row, verified_purchase: Boolean(row.verified_purchase) }).toMatchObject({ rating: 5, title: 'Quiet and fast', body: 'Arrived in a week.\nBattery still holds 8 hours.', status: 'pending', verified_purchase: true, moderated_by: null });

    // Pending: not on the page, not in the rating.
    expect(reviewsSection(await guestPage('/products/thinkpad-t14'))).not.toContain('Quiet and fast');
    expect(await productRating(laptop)).toEqual({ avgX100: 0, count: 0 });

    await staffAgent.refreshToken('/admin/reviews');
    const approved = await staffAgent.post(`/admin/reviews/${row.id}/approve`, { back: 'status=pending' });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe('/admin/reviews?status=pending');
    expect(await t.db('reviews').where({ id: row.id }).first('status', 'moderated_by')).toEqual({ status: 'approved', moderated_by: staffId });
    expect(await productRating(laptop)).toEqual({ avgX100: 500, count: 1 });
    expect(await t.db('audit_log').where({ entity: 'review', entity_id: String(row.id) }).select('action', 'actor_user_id')).toEqual([{ action: 'review.approve', actor_user_id: staffId }]);

    const after = await guestPage('/products/thinkpad-t14');
    const section = reviewsSection(after);
    expect(section).toContain('5.0 out of 5');
    expect(section).toContain('1 review');
    expect(section).toMatch(/Rated 5 out of 5 Quiet and fast Bea B\. · .* · Verified purchase Arrived in a week\. Battery still holds 8 hours\./);
    expect(text(after)).toContain('5.0 out of 5 (1 review)'); // the buy box
  });

  it('a second review edits the first, which waits for approval again and leaves the rating', async () => {
    const first = await reviewOf(users.buyer!.id);
    expect((await write('buyer', { rating: '3', title: 'Good, fan gets loud', body: 'After a month the fan is loud under load.' })).status).toBe(303);
    const rows = await t.db('reviews').where({ user_id: users.buyer!.id, product_id: laptop });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.id, rating: 3, title: 'Good, fan gets loud', status: 'pending' });
    expect(await productRating(laptop)).toEqual({ avgX100: 0, count: 0 });
    expect(reviewsSection(await guestPage('/products/thinkpad-t14'))).toContain('No reviews yet.');
    const page = text((await agents.buyer!.agent.get('/products/thinkpad-t14/review')).text);
    expect(page).toContain('Your review is updated.');
    expect(page).toContain('Your review of the ThinkPad T14');
    expect(page).toContain('Waiting for approval');
    expect(await t.db('state_changes').where({ entity: 'review', entity_id: first.id }).orderBy('id').select('from_state', 'to_state')).toEqual([
      { from_state: null, to_state: 'pending' },
      { from_state: 'pending', to_state: 'approved' },
      { from_state: 'approved', to_state: 'pending' },
    ]);
  });

  it('average, distribution and verified marks match a fixture with known answers; rejecting changes them at once', async () => {
    // Known answers: laptop ratings 5 (owner, verified), 4 (renter, verified), 4 (waiting, not), 2 (cancelled, not), 1 (stranger, not),
    // and the buyer's 3 (verified): six approved → sum 19, average 3.1666… → 317 → "3.2";
    // distribution 5★ 1 (17%), 4★ 2 (33%), 3★ 1 (17%), 2★ 1 (17%), 1★ 1 (17%).
    const ratings: Array<[string, string]> = [['owner', '5'], ['renter', '4'], ['waiting', '4'], ['cancelled', '2'], ['stranger', '1']];
    for (const [name, rating] of ratings) {
      expect((await write(name, { rating, title: `${name} says ${rating}`, body: `The ${name} view.` })).status).toBe(303);
    }
    const verified = Object.fromEntries(await Promise.all(Object.keys(users).map(async (n) => [n, Boolean((await reviewOf(users[n]!.id))?.verified_purchase)])));
    expect(verified).toEqual({ buyer: true, renter: true, owner: true, waiting: false, cancelled: false, stranger: false });

    // The desktop: one approved 4 → 400, above the laptop's 0 for sort=rating.
    expect((await write('stranger', { rating: '4', title: 'Solid desktop', body: 'Does the job.' }, 'optiplex-7090')).status).toBe(303);
    const desktopReview = await reviewOf(users.stranger!.id, desktop);
    expect(Boolean(desktopReview.verified_purchase)).toBe(false); // never bought
    await t.app.context.reviews.moderate(desktopReview.id, { to: 'approved' }, by());
    // The buyer's desktop order is shipped, not delivered: not verified when written; delivered by the time it is approved: verified.
    expect((await write('buyer', { rating: '4', title: 'Desk review', body: 'Good.' }, 'optiplex-7090')).status).toBe(303);
    const early = await reviewOf(users.buyer!.id, desktop);
    expect(Boolean(early.verified_purchase)).toBe(false);
    await t.db('orders').where({ user_id: users.buyer!.id, status: 'shipped' }).update({ status: 'delivered' });
    await t.app.context.reviews.moderate(early.id, { to: 'approved' }, by());
    expect(Boolean((await reviewOf(users.buyer!.id, desktop)).verified_purchase)).toBe(true);
    await t.app.context.reviews.moderate(early.id, { to: 'rejected', reason: 'Test review, taken down.' }, by());

    const pending = await t.db('reviews').where({ product_id: laptop, status: 'pending' }).pluck('id');
    expect(pending).toHaveLength(6);
    // Fill the caches first: the listing sorted by rating and the product page.
    const sortedBefore = text(await guestPage('/products?sort=rating'));
    expect(sortedBefore.indexOf('OptiPlex 7090')).toBeLessThan(sortedBefore.indexOf('ThinkPad T14'));
    for (const id of pending) await t.app.context.reviews.moderate(Number(id), { to: 'approved' }, by());

    expect(await productRating(laptop)).toEqual({ avgX100: 317, count: 6 });
    const page = await guestPage('/products/thinkpad-t14');
    const section = reviewsSection(page);
    expect(section).toContain('3.2 out of 5');
    expect(section).toContain('6 reviews');
    expect(section).toContain('5 stars 17% (1 review) 4 stars 33% (2 reviews) 3 stars 17% (1 review) 2 stars 17% (1 review) 1 star 17% (1 review)');
    const marks = [...page.matchAll(/<h3 id="review-\d+-title">([^<]+)<\/h3>\s*<p class="review-by">([^\n]*)<\/p>/g)].map((m) => [m[1], m[2]!.includes('Verified purchase')]);
    expect(Object.fromEntries(marks)).toEqual({
      'Good, fan gets loud': true, 'owner says 5': true, 'renter says 4': true, 'waiting says 4': false, 'cancelled says 2': false, 'stranger says 1': false,
    });
    expect(text(await guestPage('/products?sort=rating')).indexOf('OptiPlex 7090')).toBeLessThan(text(await guestPage('/products?sort=rating')).indexOf('ThinkPad T14'));

    // Staff reject the 1-star review: 18 / 5 = 3.6; the laptop's card and sort=rating change at once.
    const stranger = await reviewOf(users.stranger!.id);
    await staffAgent.refreshToken('/admin/reviews');
    const rejected = await staffAgent.post(`/admin/reviews/${stranger.id}/reject`, { reason: 'Please describe the product itself, not the delivery.', back: '' });
    expect(rejected.status).toBe(303);
    expect(await productRating(laptop)).toEqual({ avgX100: 360, count: 5 });
    const cards = text(await guestPage('/products?sort=rating'));
    expect(cards).toContain('ThinkPad T14 Lenovo · Grade A ★ 3.6 out of 5 (5 reviews)');
    expect(cards).toContain('OptiPlex 7090 Lenovo · Grade A ★ 4.0 out of 5 (1 review)');
    expect(reviewsSection(await guestPage('/products/thinkpad-t14'))).not.toContain('stranger says 1');
    expect(await productRating(desktop)).toEqual({ avgX100: 400, count: 1 });

    // The author is told why, by e-mail and in the app, with a link to edit the review.
    await t.runJobs();
    const mail = t.mail.filter((m) => m.to === 'stranger@example.com');
    expect(mail.map((m) => m.subject)).toEqual(['Your review of the ThinkPad T14 was not published']);
    expect(mail[0]!.text).toContain('Please describe the product itself, not the delivery.');
    expect(mail[0]!.text).toContain('http://store.test/products/thinkpad-t14/review');
    expect(mail[0]!.html).toContain('Please describe the product itself, not the delivery.');
    expect(await t.db('notifications').where({ user_id: users.stranger!.id }).select('kind', 'title', 'url')).toEqual([
      { kind: 'review', title: 'Your review of the ThinkPad T14 was not published', url: '/products/thinkpad-t14/review' },
    ]);
    const own = text((await agents.stranger!.agent.get('/products/thinkpad-t14/review')).text);
    expect(own).toContain('Not published.');
    expect(own).toContain('Why: Please describe the product itself, not the delivery.');
  });

  it('refuses bad input on the same page with a clear message, writing nothing', async () => {
    const before = await t.db('reviews').where({ user_id: users.stranger!.id, product_id: laptop }).first();
    const long = 'x'.repeat(10_000);
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ rating: '0', title: 'T', body: 'B' }, 'rating', 'Choose a rating from 1 to 5 stars.'],
      [{ rating: '6', title: 'T', body: 'B' }, 'rating', 'Choose a rating from 1 to 5 stars.'],
      [{ rating: 'abc', title: 'T', body: 'B' }, 'rating', 'Choose a rating from 1 to 5 stars.'],
      [{ title: 'T', body: 'B' }, 'rating', 'Choose a rating from 1 to 5 stars.'],
      [{ rating: '4', title: 'T', body: '   ' }, 'body', 'Write your review.'],
      [{ rating: '4', title: 'T', body: long }, 'body', 'Keep your review to 5,000 characters; it is longer than that.'],
      [{ rating: '4', title: '', body: 'B' }, 'title', 'Give your review a title.'],
      [{ rating: '4', title: 'y'.repeat(121), body: 'B' }, 'title', 'Keep the title to 120 characters.'],
    ];
    for (const [fields, field, message] of cases) {
      const res = await write('stranger', fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(422);
      expect(res.text).toContain('Please check the highlighted fields.');
      expect(res.text).toContain(`id="f-${field}-error">${message}</p>`);
      expect(res.text).toContain('<form method="post" action="/products/thinkpad-t14/reviews"');
    }
    // A refused long review comes back whole, so nothing typed is lost.
    expect((await write('stranger', { rating: '4', title: 'T', body: long })).text).toContain(`>${long}</textarea>`);
    expect(await t.db('reviews').where({ user_id: users.stranger!.id, product_id: laptop }).first()).toEqual(before);
    expect((await write('stranger', { rating: '4', title: 'T', body: 'B' }, 'no-such-product')).status).toBe(404);
  });

  it('pages the approved reviews, newest first', async () => {
    const p = await t.product({ name: 'EliteBook 840', units: 1 });
    for (let i = 1; i <= 12; i++) {
      const u = await createUser(t.db, { email: `page${i}@example.com`, firstName: `P${i}` });
      t.clock.set(new Date(Date.UTC(2026, 10, 21, 11, i)));
      const [id] = await t.db('reviews').insert({ product_id: p, user_id: u.id, rating: (i % 5) + 1, title: `Review number ${i}`, body: 'Fine.', status: 'pending', created_at: toDbTime(t.clock.now()), updated_at: toDbTime(t.clock.now()) });
      await t.app.context.reviews.moderate(Number(id), { to: 'approved' }, by());
    }
    const titles = (html: string) => [...html.matchAll(/<h3 id="review-\d+-title">Review number (\d+)<\/h3>/g)].map((m) => Number(m[1]));
    const first = await guestPage('/products/elitebook-840');
    expect(titles(first)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(first).toContain('href="/products/elitebook-840?review_page=2#reviews" rel="next"');
    expect(titles(await guestPage('/products/elitebook-840?review_page=2'))).toEqual([2, 1]);
    expect(titles(await guestPage('/products/elitebook-840?review_page=abc'))).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    const past = await request(t.app).get('/products/elitebook-840?review_page=9');
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe('/products/elitebook-840?review_page=2#reviews');
    expect(text(await guestPage('/products/elitebook-840?term=6&review_page=2'))).toContain('Page 2 of 2');
  });
});
