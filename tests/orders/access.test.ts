import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderAccessKey } from '../../src/orders/access';
import { orderNumberFrom, shopper, startShop, type Shop } from '../checkout/shop';

/** A guest's order is reached with its key; any wrong key looks exactly like an order that does not exist. */
describe('guest order access key', () => {
  let t: Shop;
  let number: string;
  let key: string;
  const missing = 'GG-987654321';

  beforeAll(async () => {
    t = await startShop();
    const product = await t.product({ name: 'Latitude 7440', priceCents: 55_000, units: 2 });
    const guest = shopper(t.app);
    await guest.add(product, 1);
    await guest.refreshToken('/checkout');
    const res = await guest.checkout({ email: 'keyed@example.com' });
    expect(res.status).toBe(303);
    number = orderNumberFrom(res.headers.location);
    key = orderAccessKey(number, t.config.secrets.cookie);
  });
  afterAll(() => t.destroy());

  const wrongKeys: Array<[string, string]> = [
    ['24 non-ASCII characters', 'é'.repeat(24)],
    ['24 characters, one of them non-ASCII', `${'a'.repeat(23)}ü`],
    ['a shorter key', 'abc'],
    ['a longer key', 'a'.repeat(200)],
    ['an empty key', ''],
  ];

  it('the right key opens the confirmation page', async () => {
    const res = await request(t.app).get(`/orders/${number}/confirmation`).query({ key });
    expect(res.status).toBe(200);
    expect(res.text).toContain(number);
  });

  it.each(wrongKeys)('GET with %s → the same 404 as for an order that does not exist', async (_, wrong) => {
    const existing = await request(t.app).get(`/orders/${number}/confirmation`).query({ key: wrong });
    const absent = await request(t.app).get(`/orders/${missing}/confirmation`).query({ key: wrong });
    expect(existing.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(existing.text).toContain('We could not find that order.');
    expect(absent.text).toContain('We could not find that order.');
  });

  it('a key one character off, even a multi-byte one, is a 404 too', async () => {
    for (const wrong of [`${key.slice(0, 23)}é`, `${key.slice(0, 22)}😀`, `${key}x`]) {
      expect((await request(t.app).get(`/orders/${number}/confirmation`).query({ key: wrong })).status).toBe(404);
    }
  });

  it('a key sent twice (an array) is a 404', async () => {
    const res = await request(t.app).get(`/orders/${number}/confirmation?key=${key}&key=${key}`);
    expect(res.status).toBe(404);
  });

  it.each(wrongKeys)('POST /orders/:number/pay with %s in the body → the same 404 as for an order that does not exist', async (_, wrong) => {
    const s = shopper(t.app);
    const existing = await s.post(`/orders/${number}/pay`, { key: wrong });
    const absent = await s.post(`/orders/${missing}/pay`, { key: wrong });
    expect(existing.status).toBe(404);
    expect(absent.status).toBe(404);
  });

  it('POST /orders/:number/pay with the right key goes back to the order (manual payment: no card page)', async () => {
    const res = await shopper(t.app).post(`/orders/${number}/pay`, { key });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/orders/${number}/confirmation?key=${key}`);
  });
});
