import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASH_COOKIE } from '../../src/http/flash';
import { orderNumberFrom, shopper, startShop, createCustomer, type Shop } from '../checkout/shop';

describe('pages with personal data are never stored', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 44_900, units: 5 });
  });
  afterAll(() => t.destroy());

  it('account, cart, checkout, confirmation, log-in pages send Cache-Control: no-store; catalog pages do not', async () => {
    const customer = await createCustomer(t.db);
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const placed = await s.checkout({ email: 'guest@example.com' });
    expect(placed.status).toBe(303);
    const number = orderNumberFrom(placed.headers.location);

    for (const path of ['/cart', '/checkout', placed.headers.location as string, '/login', '/register', '/forgot-password']) {
      const res = await s.agent.get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    const member = shopper(t.app);
    await member.login(customer.email, customer.password);
    for (const path of ['/account', '/account/orders', '/account/profile', '/account/addresses']) {
      const res = await member.agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    expect(number).toMatch(/^GG-/);
    for (const path of ['/', '/products']) {
      expect((await request(t.app).get(path)).headers['cache-control'] ?? '', path).not.toContain('no-store');
    }
  });
});

describe('cookies in production', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop({ env: { NODE_ENV: 'production', DATABASE_URL: 'mysql://unused@127.0.0.1:3306/unused' } });
  });
  afterAll(() => t.destroy());

  it('the flash message cookie is Secure, HttpOnly and SameSite', async () => {
    const res = await request(t.app).get('/checkout'); // empty cart: a message and back to the cart
    expect(res.status).toBe(303);
    const flash = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${FLASH_COOKIE}=`));
    expect(flash).toBeDefined();
    expect(flash).toMatch(/; Secure/);
    expect(flash).toMatch(/; HttpOnly/);
    expect(flash).toMatch(/; SameSite=Lax/);
  });
});
