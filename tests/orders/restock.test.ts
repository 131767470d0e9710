import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, orderNumberFrom, shopper, startShop, type Shop } from '../checkout/shop';
import { DAY } from '../../src/lib/clock';

/** Units that go back on sale (cancellation, expiry) show in the catalog at once, not after its 30 s cache. */
describe('restocked units reach the catalog at once', () => {
  let t: Shop;
  let s: ReturnType<typeof shopper>;
  beforeAll(async () => {
    t = await startShop();
    const user = await createCustomer(t.db, 'restock@example.com');
    s = shopper(t.app);
    await s.login(user.email, user.password);
  });
  afterAll(() => t.destroy());

  const inStockListing = async () => (await request(t.app).get('/products?in_stock=1')).text;

  async function buyTheLastUnit(productId: number) {
    await s.add(productId, 1);
    await s.refreshToken('/checkout');
    const res = await s.post('/checkout', { first_name: 'Casey', last_name: 'Customer', line1: '5 Elm St', city: 'Austin', region: 'TX', postal_code: '78702', country: 'US', shipping_method: 'pickup', payment_method: 'manual' });
    expect(res.status).toBe(303);
    return orderNumberFrom(res.headers.location);
  }

  it('cancelling the order of the last unit lists the product as in stock again', async () => {
    const id = await t.product({ name: 'Solitary Latitude 7490', units: 1 });
    expect(await inStockListing()).toContain('Solitary Latitude 7490');
    const number = await buyTheLastUnit(id);
    expect(await inStockListing()).not.toContain('Solitary Latitude 7490');
    expect((await s.post(`/account/orders/${number}/cancel`)).status).toBe(303);
    expect(await inStockListing()).toContain('Solitary Latitude 7490');
  });

  it('an expired order of the last unit lists the product as in stock again', async () => {
    const id = await t.product({ name: 'Lonely OptiPlex 3080', units: 1 });
    await buyTheLastUnit(id);
    expect(await inStockListing()).not.toContain('Lonely OptiPlex 3080');
    t.clock.advance(7 * DAY + 1000);
    await t.runJobs();
    expect(await inStockListing()).toContain('Lonely OptiPlex 3080');
  });
});
