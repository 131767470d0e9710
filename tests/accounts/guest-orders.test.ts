import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkTo } from '../helpers/mail';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** Orders placed as a guest join the account registered with that address once the address is confirmed, not before. */
describe('guest orders join the account on confirmation', () => {
  let t: Shop;
  let product: number;
  beforeAll(async () => {
    t = await startShop({ deps: { stripe: null } });
    product = await t.product({ name: 'EliteBook 840', priceCents: 40_000, units: 10 });
  });
  afterAll(() => t.destroy());

  async function guestOrder(email: string): Promise<string> {
    const g = shopper(t.app);
    await g.add(product, 1);
    await g.refreshToken('/checkout');
    const res = await g.checkout({ email });
    expect(res.status).toBe(303);
    return (await t.db('orders').where({ email: email.toLowerCase() }).orderBy('id', 'desc').first('number')).number;
  }

  it('registering is not enough; opening the confirmation link is', async () => {
    const mine = [await guestOrder('Joiner@Example.com'), await guestOrder('joiner@example.com')];
    const someoneElses = await guestOrder('other@example.com');

    const s = shopper(t.app);
    await s.refreshToken('/register');
    const reg = await s.post('/register', { email: 'joiner@example.com', password: 'a-long-enough-password-42', first_name: 'Jo', last_name: 'Iner' });
    expect(reg.status).toBe(303);
    expect((await s.login('joiner@example.com', 'a-long-enough-password-42')).status).toBe(303);
    const user = await t.db('users').where({ email: 'joiner@example.com' }).first('id');
    const listed = async () => (await s.agent.get('/account/orders')).text;
    const before = await listed();
    expect(before).toContain('Your orders');
    expect(before).not.toContain(mine[0]);
    expect(await t.db('orders').whereIn('number', mine).pluck('user_id')).toEqual([null, null]);

    await t.runJobs();
    const welcome = t.mail.find((m) => m.to === 'joiner@example.com' && m.text.includes('/verify-email'))!;
    expect((await s.agent.get(linkTo(welcome.text, '/verify-email'))).status).toBe(200);

    const page = await listed();
    for (const number of mine) expect(page).toContain(number);
    expect(page).not.toContain(someoneElses);
    expect(await t.db('orders').whereIn('number', mine).pluck('user_id')).toEqual([user.id, user.id]);
    expect(await t.db('orders').where({ number: someoneElses }).first('user_id')).toEqual({ user_id: null });
  });
});
