import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDbTime } from '../../src/lib/clock';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** /admin/reviews: the queue (pending first, filters), approve, reject with a reason; refusals change nothing. */
describe('review moderation', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let laptop: number;
  let tablet: number;
  const ids: Record<string, number> = {};

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const titles = (html: string) => [...html.matchAll(/<span class="visually-hidden">Rated \d out of 5: <\/span> ([^<]+)<\/h2>/g)].map((m) => m[1]!.trim());
  const counts = async () => ({
    audit: Number((await t.db('audit_log').count({ n: '*' }).first())!.n),
    mail: Number((await t.db('jobs').where({ kind: 'mail.send' }).count({ n: '*' }).first())!.n),
    notifications: Number((await t.db('notifications').count({ n: '*' }).first())!.n),
  });

  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', units: 1 });
    tablet = await t.product({ name: 'Surface Pro 7', units: 1 });
    const s = await createUser(t.db, { email: 'mod@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
    const rows: Array<[string, number, number, string, boolean, number]> = [
      // key, product, rating, status, verified, minute written
      ['old-pending', laptop, 2, 'pending', false, 1],
      ['approved', laptop, 5, 'approved', true, 2],
      ['rejected', tablet, 1, 'rejected', false, 3],
      ['new-pending', tablet, 4, 'pending', true, 4],
    ];
    for (const [key, product, rating, status, verified, minute] of rows) {
      const u = await createUser(t.db, { email: `${key}@example.com`, firstName: key });
      const at = toDbTime(new Date(Date.UTC(2026, 10, 20, 9, minute)));
      const [id] = await t.db('reviews').insert({ product_id: product, user_id: u.id, rating, title: `Title ${key}`, body: `Body of ${key}.`, status, verified_purchase: verified, created_at: at, updated_at: at });
      ids[key] = Number(id);
    }
  });
  afterAll(() => t.destroy());

  it('lists pending reviews first, newest first within each, and filters', async () => {
    const res = await staff.agent.get('/admin/reviews');
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('2 reviews are waiting for approval.');
    expect(titles(res.text)).toEqual(['Title new-pending', 'Title old-pending', 'Title rejected', 'Title approved']);
    expect(res.text).toContain('<a href="/admin/reviews" aria-current="page">Reviews</a>');
    const filtered = async (q: string) => titles((await staff.agent.get(`/admin/reviews?${q}`).expect(200)).text);
    expect(await filtered('status=approved')).toEqual(['Title approved']);
    expect(await filtered('verified=no')).toEqual(['Title old-pending', 'Title rejected']);
    expect(await filtered('rating=4')).toEqual(['Title new-pending']);
    expect(await filtered('q=surf')).toEqual(['Title new-pending', 'Title rejected']);
    expect(await filtered('q=old-pending%40')).toEqual(['Title old-pending']);
    expect((await staff.agent.get('/admin/reviews?status=bogus')).status).toBe(400);
  });

  it('approves (a second click changes nothing) and returns to the list it came from', async () => {
    await staff.refreshToken('/admin/reviews');
    const before = await counts();
    const res = await staff.post(`/admin/reviews/${ids['old-pending']}/approve`, { back: 'status=pending&q=think' });
    expect(res.headers.location).toBe('/admin/reviews?status=pending&q=think');
    // The approved 5 and this 2.
    expect(await t.db('products').where({ id: laptop }).first('rating_avg_x100', 'rating_count')).toEqual({ rating_avg_x100: 350, rating_count: 2 });
    const again = await staff.post(`/admin/reviews/${ids['old-pending']}/approve`, { back: 'https://evil.example/' });
    expect(again.headers.location).toBe('/admin/reviews');
    expect(text((await staff.agent.get('/admin/reviews')).text)).toContain('was already approved.');
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
  });

  it('refuses a rejection without a reason on the list, at that review, changing nothing', async () => {
    await staff.refreshToken('/admin/reviews');
    const before = await counts();
    const res = await staff.post(`/admin/reviews/${ids['new-pending']}/reject`, { reason: ' ', back: 'status=pending' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="f-reason-${ids['new-pending']}-error">Say why the review is rejected: the author is sent this.</p>`);
    expect(titles(res.text)).toEqual(['Title new-pending']);
    expect(await t.db('reviews').where({ id: ids['new-pending'] }).first('status')).toEqual({ status: 'pending' });
    expect(await counts()).toEqual(before);
    expect((await staff.post('/admin/reviews/999999/reject', { reason: 'Spam' })).status).toBe(404);
    expect((await staff.post('/admin/reviews/abc/approve', {})).status).toBe(404);
  });

  it('takes an approved review down with a reason: the rating drops and the author is told', async () => {
    await staff.refreshToken('/admin/reviews');
    const res = await staff.post(`/admin/reviews/${ids.approved}/reject`, { reason: 'It names another shopper.' });
    expect(res.status).toBe(303);
    expect(await t.db('products').where({ id: laptop }).first('rating_avg_x100', 'rating_count')).toEqual({ rating_avg_x100: 200, rating_count: 1 });
    expect(await t.db('state_changes').where({ entity: 'review', entity_id: ids.approved }).select('from_state', 'to_state', 'note')).toEqual([
      { from_state: 'approved', to_state: 'rejected', note: 'It names another shopper.' },
    ]);
    const audit = await t.db('audit_log').where({ entity: 'review', entity_id: String(ids.approved) }).first('action', 'before', 'after');
    expect({ action: audit.action, before: JSON.parse(audit.before), after: JSON.parse(audit.after) }).toEqual({ action: 'review.reject', before: { status: 'approved' }, after: { status: 'rejected', reason: 'It names another shopper.' } });
    const list = text((await staff.agent.get('/admin/reviews?status=rejected')).text);
    expect(list).toContain('Title approved Rejected');
    expect(list).toContain('Rejected because: It names another shopper.');
    await t.runJobs();
    expect(t.mail.filter((m) => m.to === 'approved@example.com').map((m) => m.subject)).toEqual(['Your review of the ThinkPad T14 was not published']);
    // Approving a rejected review again is allowed (staff change their mind).
    await t.app.context.reviews.moderate(ids.rejected!, { to: 'approved' }, { actor: { userId: null, label: 'test' }, ip: null });
    expect(await t.db('products').where({ id: tablet }).first('rating_avg_x100', 'rating_count')).toEqual({ rating_avg_x100: 100, rating_count: 1 });
  });

  it('counts every review of a product approved at the same time, and a double-sent first review is one review', async () => {
    const p = await t.product({ name: 'Precision 5550', units: 1 });
    const pending: number[] = [];
    for (let i = 0; i < 8; i++) {
      const u = await createUser(t.db);
      const [id] = await t.db('reviews').insert({ product_id: p, user_id: u.id, rating: (i % 5) + 1, title: `Busy ${i}`, body: 'Fine.' });
      pending.push(Number(id));
    }
    const staffBy = { actor: { userId: null, label: 'test' }, ip: null };
    await Promise.all(pending.map((id) => t.app.context.reviews.moderate(id, { to: 'approved' }, staffBy)));
    // Ratings 1 2 3 4 5 1 2 3: 21 / 8 = 2.625 → 263.
    expect(await t.db('products').where({ id: p }).first('rating_avg_x100', 'rating_count')).toEqual({ rating_avg_x100: 263, rating_count: 8 });

    const author = await createUser(t.db);
    const results = await Promise.allSettled([1, 2, 3].map((n) => t.app.context.reviews.submit(p, author.id, { rating: 5, title: `Twice ${n}`, body: 'Sent twice.' })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason.status).toBe(409);
    expect(await t.db('reviews').where({ product_id: p, user_id: author.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});
