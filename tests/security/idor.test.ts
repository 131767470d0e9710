import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../helpers/auth';
import { databaseFingerprint } from '../helpers/db';
import { appRoutes, sampleUrl } from '../helpers/routes';
import { notify } from '../../src/notifications/repo';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { activeRental, paidOrder, png } from '../disputes/fixtures';

type Shopper = ReturnType<typeof shopper>;

const ADDRESS = { label: 'Home', first_name: 'Alice', last_name: 'Owner', line1: '1 Hijack St', line2: '', city: 'Austin', region: 'TX', postal_code: '78701', country: 'US', phone: '' };

/** Fields that pass each route's validator, so that only ownership can refuse. */
function plausible(url: string): Record<string, string> {
  if (/\/account\/addresses\/\d+$/.test(url)) return { ...ADDRESS, first_name: 'Mallory', is_default: 'on' };
  if (url.startsWith('/cart/items/') && !url.endsWith('/delete')) return { quantity: '3' };
  return {};
}

/** Posts as a browser would: multipart (token in the address) for the routes that take photos, a form otherwise. */
function send(s: Shopper, method: string, url: string) {
  if (method === 'get') return s.agent.get(url);
  if (url.endsWith('/messages')) return s.agent.post(`${url}?_csrf=${encodeURIComponent(s.token)}`).field('message', 'Let me in').attach('photos', Buffer.alloc(0), { filename: '' });
  return s.post(url, plausible(url));
}

/**
 * Customer B tries every route that names one of customer A's objects —
 * orders, agreements, addresses, claims (and their photos), notifications,
 * cart lines — by its id or number. Each answer is the same 404 as for an
 * object that does not exist, and nothing in the database changes.
 */
describe('ASVS 8.2.2 object-level access: another customer’s orders, rentals, addresses, disputes and notifications are a 404, read or written', () => {
  let t: Shop;
  let a: TestUser;
  let b: TestUser;
  let alice: Shopper;
  let mallory: Shopper;
  /** Route parameter → A's value, per family of routes. */
  const owned: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    t = await startShop();
    const laptop = await t.product({ name: 'ThinkPad T14', priceCents: 45_000, units: 6 });
    a = await createUser(t.db, { email: 'alice@example.com', firstName: 'Alice', lastName: 'Owner' });
    b = await createUser(t.db, { email: 'mallory@example.com' });
    const order = await paidOrder(t, a, laptop);
    await paidOrder(t, b, laptop);
    await activeRental(t, b.id, laptop);

    alice = shopper(t.app);
    await alice.login(a.email, a.password);
    // A signed agreement (its text and PDF exist), waiting for its first payment.
    await alice.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const signed = await alice.post('/rentals', { product_id: laptop, term_months: '12', signature_name: 'Alice Owner', agree: 'on' });
    const rental = { number: /(RA-\d+)/.exec(String(signed.headers.location))![1]! };
    await alice.refreshToken('/account/addresses/new');
    expect((await alice.post('/account/addresses', ADDRESS)).status).toBe(303);
    const address = await t.db('addresses').where({ user_id: a.id }).first('id');
    await alice.refreshToken('/account/disputes/new');
    const claim = await alice.agent
      .post(`/account/disputes?_csrf=${encodeURIComponent(alice.token)}`)
      .field('subject', `order:${order.number}`).field('kind', 'damaged').field('message', 'The lid is cracked.')
      .attach('photos', await png(), { filename: 'lid.png', contentType: 'image/png' });
    expect(claim.status).toBe(303);
    const dispute = await t.db('disputes').where({ user_id: a.id }).first('id');
    const photoName = JSON.parse((await t.db('dispute_messages').where({ dispute_id: dispute.id }).first('attachments')).attachments)[0];
    await notify(t.db, { userId: a.id, kind: 'order', title: 'Alice’s order shipped', url: `/account/orders/${order.number}` }, t.clock.now());
    const notification = await t.db('notifications').where({ user_id: a.id }).first('id');
    await alice.add(laptop, 1);
    const line = await t.db('cart_items').join('carts', 'carts.id', 'cart_items.cart_id').where('carts.user_id', a.id).first('cart_items.id');

    Object.assign(owned, {
      '/account/orders/': { number: order.number },
      '/orders/': { number: order.number },
      '/account/rentals/': { number: rental.number },
      '/account/addresses/': { id: String(address.id) },
      '/account/disputes/': { id: String(dispute.id), name: `${photoName}-large.webp` },
      '/account/notifications/': { id: String(notification.id) },
      '/cart/items/': { id: String(line.id) },
    });
    mallory = shopper(t.app);
    await mallory.login(b.email, b.password);
    await mallory.refreshToken('/account');
  });
  afterAll(() => t.destroy());

  /** Every route naming a customer's object by a parameter, with A's values filled in. */
  const targets = () =>
    appRoutes(t.app)
      .filter((r) => r.path.includes('/:') && !r.path.startsWith('/admin') && Object.keys(owned).some((p) => r.path.startsWith(p)))
      .map((r) => ({ method: r.method, url: sampleUrl(r.path, owned[Object.keys(owned).find((p) => r.path.startsWith(p))!]) }));

  it('covers every route of those five kinds (and cart lines); a new route of theirs is covered without editing this test', () => {
    const listed = targets().map((r) => `${r.method.toUpperCase()} ${r.url.replace(/\d+/g, 'N')}`);
    for (const known of [
      'GET /account/orders/GG-N', 'POST /account/orders/GG-N/cancel', 'GET /orders/GG-N/confirmation', 'POST /orders/GG-N/pay',
      'GET /account/rentals/RA-N', 'GET /account/rentals/RA-N/agreement.pdf', 'POST /account/rentals/RA-N/pay', 'POST /account/rentals/RA-N/buyout', 'POST /account/rentals/RA-N/return',
      'GET /account/addresses/N/edit', 'POST /account/addresses/N', 'POST /account/addresses/N/delete', 'POST /account/addresses/N/default',
      'GET /account/disputes/N', 'POST /account/disputes/N/messages', 'POST /account/notifications/N/read', 'POST /cart/items/N', 'POST /cart/items/N/delete',
    ]) {
      expect(listed).toContain(known);
    }
    expect(listed.some((r) => /^GET \/account\/disputes\/N\/photos\/\w/.test(r))).toBe(true);
  });

  it('the owner reaches each of them (control: the ids are real)', async () => {
    for (const { method, url } of targets().filter((r) => r.method === 'get' && !r.url.startsWith('/orders/'))) {
      expect((await alice.agent.get(url)).status, url).toBe(200);
    }
  });

  it('another customer gets 404 on every one of them, reading or writing, and nothing changes', async () => {
    const before = await databaseFingerprint(t.db);
    const answers: string[] = [];
    for (const { method, url } of targets()) {
      const res = await send(mallory, method, url);
      if (res.status !== 404) answers.push(`${method.toUpperCase()} ${url} → ${res.status}`);
    }
    expect(answers).toEqual([]);
    expect(await databaseFingerprint(t.db)).toEqual(before);
    // And nothing of A's shows in B's lists.
    for (const page of ['/account', '/account/orders', '/account/rentals', '/account/addresses', '/account/disputes', '/account/notifications', '/cart']) {
      const text = (await mallory.agent.get(page)).text;
      for (const secret of [owned['/account/orders/']!.number, owned['/account/rentals/']!.number, '1 Hijack St', 'The lid is cracked', 'Alice’s order shipped']) {
        expect(text, `${page} shows ${secret}`).not.toContain(secret);
      }
    }
  });

  it('ids that are not ids (letters, 0, negative, huge) are a 404 too, never a 500', async () => {
    for (const bogus of ['abc', '0', '-1', '99999999999', '1e3', '%00']) {
      for (const path of [`/account/addresses/${bogus}/edit`, `/account/disputes/${bogus}`, `/account/orders/${bogus}`, `/account/rentals/${bogus}`]) {
        expect((await mallory.agent.get(path)).status, path).toBe(404);
      }
      expect((await mallory.post(`/account/notifications/${bogus}/read`)).status).toBe(404);
    }
  });

  it('another customer cannot open a claim on A’s order or agreement, nor see it offered', async () => {
    const before = await t.db('disputes').count({ n: '*' }).first();
    await mallory.refreshToken(`/account/disputes/new?order=${owned['/account/orders/']!.number}`);
    const form = await mallory.agent.get(`/account/disputes/new?order=${owned['/account/orders/']!.number}`);
    expect(form.text).not.toContain(`value="order:${owned['/account/orders/']!.number}"`);
    for (const subject of [`order:${owned['/account/orders/']!.number}`, `rental:${owned['/account/rentals/']!.number}`]) {
      const res = await mallory.agent
        .post(`/account/disputes?_csrf=${encodeURIComponent(mallory.token)}`)
        .field('subject', subject).field('kind', 'damaged').field('message', 'Mine now')
        .attach('photos', Buffer.alloc(0), { filename: '' });
      expect([404, 422]).toContain(res.status);
      expect(res.text).not.toContain('The lid is cracked');
    }
    expect(await t.db('disputes').count({ n: '*' }).first()).toEqual(before);
  });
});
