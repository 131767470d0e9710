import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { notify } from '../../src/notifications/repo';
import { insertOrder } from '../../src/orders/repo';
import { addCreditEntry } from '../../src/payments/store-credit';
import { createUser, type TestUser } from '../helpers/auth';
import { expectAccessible, launchBrowser, saveScreenshot, startStore, type Store, expectFitsScreen } from './harness';

/**
 * The customer's own pages (wishlist, notifications, store credit, disputes,
 * writing a review) and a product page with reviews, signed in, at a phone's
 * and a laptop's width: each passes axe (no serious or critical violation)
 * and nothing is wider than the screen.
 */
describe('customer pages in a browser', () => {
  let store: Store;
  let browser: Browser;
  let user: TestUser;
  let slug: string;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    user = await createUser(store.db, { email: 'pages@example.com', firstName: 'Casey', lastName: 'Customer' });
    const product = await store.db('products').where({ status: 'active' }).orderBy('id').first('id', 'slug');
    slug = product.slug;
    const reviewer = await createUser(store.db, { email: 'reviewer@example.com' });
    await store.db('reviews').insert({ product_id: product.id, user_id: reviewer.id, rating: 4, title: 'Works like new', body: 'Battery holds a full day.', status: 'approved', verified_purchase: true });
    await store.db('products').where({ id: product.id }).update({ rating_avg_x100: 400, rating_count: 1 });
    const now = new Date();
    await store.db('wishlist_items').insert({ user_id: user.id, product_id: product.id });
    // A delivered order of theirs, so the claim form has something to be about.
    const order = await insertOrder(store.db, {
      userId: user.id, email: user.email, currency: 'USD', subtotalCents: 54_899, discountCents: 0, storeCreditCents: 0, shippingCents: 0, taxCents: 0, totalCents: 54_899,
      promoCodeId: null, shippingMethod: 'standard', paymentMethod: 'manual', expiresAt: null, now,
      shippingAddress: { firstName: 'Casey', lastName: 'Customer', line1: '100 Congress Ave', line2: '', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US', phone: '' },
    });
    await store.db('orders').where({ id: order.id }).update({ status: 'delivered' });
    await notify(store.db, { userId: user.id, kind: 'order', title: 'Order GG-100001 has shipped', url: '/account/orders/GG-100001' }, now);
    await addCreditEntry(store.db, { userId: user.id, amountCents: 2_500, kind: 'goodwill', reason: 'Late delivery', now });
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function signedIn(width: number): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
    const page = await ctx.newPage();
    await page.goto(`${store.baseUrl}/login`);
    await page.fill('input[name=email]', user.email);
    await page.fill('input[name=password]', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('main form button[type=submit]').first().click()]);
    return page;
  }

  for (const width of [390, 1366]) {
    it(`at ${width} px every page passes axe and fits the screen`, async () => {
      const page = await signedIn(width);
      for (const path of ['/account/wishlist', '/account/notifications', '/account/credit', '/account/disputes', '/account/disputes/new', `/products/${slug}/review`, `/products/${slug}`]) {
        const res = await page.goto(`${store.baseUrl}${path}`);
        expect(res?.status(), path).toBe(200);
        await expectAccessible(page);
        await expectFitsScreen(page, path);
        await saveScreenshot(page, `customer${path.replace(/\//g, '-')}-${width}`);
      }
      await page.context().close();
    });
  }
});
