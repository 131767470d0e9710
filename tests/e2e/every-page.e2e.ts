import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { notify } from '../../src/notifications/repo';
import { insertOrder } from '../../src/orders/repo';
import { addCreditEntry } from '../../src/payments/store-credit';
import { storeValue } from '../../src/settings/repo';
import { createUser, type TestUser } from '../helpers/auth';
import { linkTo } from '../helpers/mail';
import { expectAccessible, expectFitsScreen, launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/**
 * Every storefront and account page at a laptop's (1366 × 900) and a phone's
 * (390 × 844) size: axe with the WCAG 2.2 AA and best-practice rules finds no
 * serious or critical violation, the document is no wider than the screen
 * and no element is wider than it or sticks out past its right edge. Each
 * page is also checked for what it is about (its heading and, where it says
 * something particular, that), so a page that renders an error instead fails.
 *
 * The customer's data (an order placed through checkout, a delivered order, a
 * signed rent-to-own agreement, a claim, an address, a wishlist entry, a
 * notification, store credit) is made once, through the store's own forms
 * where there is one; the pages are then visited read-only at both sizes.
 */

interface Visit {
  /** A short name, used in messages and screenshot file names. */
  name: string;
  path: string;
  /** The page's <h1>. */
  heading: RegExp;
  status?: number;
  /** Text the page's main content must also contain. */
  says?: string | RegExp;
  /** Something to do before the checks (open a panel…). */
  prepare?: (page: Page) => Promise<void>;
}

/** Some twenty-five axe runs per test, two tests at a time on a shared machine: more time than the suite's default. */
const TEST_TIMEOUT = 900_000;

const SIZES = [
  { width: 1366, height: 900 },
  { width: 390, height: 844 },
] as const;

describe('every storefront and account page on a laptop and a phone', () => {
  let store: Store;
  let browser: Browser;
  let customer: TestUser;
  let signedInState: Awaited<ReturnType<BrowserContext['storageState']>>;
  const data = {
    slug: '',
    productName: '',
    categorySlug: '',
    categoryName: '',
    brand: '',
    orderNumber: '',
    rentalNumber: '',
    disputeId: 0,
    addressId: 0,
    verifyPath: '',
    resetPath: '',
  };

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const now = new Date();
    await storeValue(store.db, 'bank_transfer', { account_name: 'GigGatek Texas LLC', bank_name: 'Lone Star Bank', routing_number: '111000025', account_number: '9876543210', swift: '' }, now);

    const product = await store.db('products as p')
      .join('categories as c', 'c.id', 'p.category_id')
      .where({ 'p.status': 'active', 'c.slug': 'laptops' })
      .whereExists(store.db('inventory_units as u').select(store.db.raw('1')).where('u.product_id', store.db.ref('p.id')).andWhere('u.status', 'in_stock'))
      .orderBy('p.id')
      .first('p.id', 'p.slug', 'p.name', 'p.brand', 'c.slug as categorySlug', 'c.name as categoryName');
    Object.assign(data, { slug: product.slug, productName: product.name, brand: product.brand, categorySlug: product.categorySlug, categoryName: product.categoryName });

    // A long address, as some customers have: it must wrap, not widen a phone's page.
    customer = await createUser(store.db, { email: 'casey.customer.refurbishedhardware@familymailbox.example.com', firstName: 'Casey', lastName: 'Customer' });
    const reviewer = await createUser(store.db, { email: 'reviewer@example.com' });
    await store.db('reviews').insert({ product_id: product.id, user_id: reviewer.id, rating: 4, title: 'Works like new', body: 'Battery holds a full day.', status: 'approved', verified_purchase: true });
    await store.db('products').where({ id: product.id }).update({ rating_avg_x100: 400, rating_count: 1 });
    await store.db('wishlist_items').insert({ user_id: customer.id, product_id: product.id });
    await store.db('addresses').insert({
      user_id: customer.id, label: 'Home', first_name: 'Casey', last_name: 'Customer', line1: '100 Congress Avenue', line2: 'Suite 1200',
      city: 'Austin', region: 'TX', postal_code: '78701', country: 'US', phone: '512-555-0100', is_default: true,
    });
    data.addressId = (await store.db('addresses').where({ user_id: customer.id }).first('id')).id;
    // A delivered order, so a claim can be about something that arrived.
    const delivered = await insertOrder(store.db, {
      userId: customer.id, email: customer.email, currency: 'USD', subtotalCents: 54_899, discountCents: 0, storeCreditCents: 0, shippingCents: 0, taxCents: 0, totalCents: 54_899,
      promoCodeId: null, shippingMethod: 'standard', paymentMethod: 'manual', expiresAt: null, now,
      shippingAddress: { firstName: 'Casey', lastName: 'Customer', line1: '100 Congress Ave', line2: '', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US', phone: '' },
    });
    await store.db('orders').where({ id: delivered.id }).update({ status: 'delivered' });
    await notify(store.db, { userId: customer.id, kind: 'order', title: 'Your order has been delivered', url: '/account/orders' }, now);
    await addCreditEntry(store.db, { userId: customer.id, amountCents: 2_500, kind: 'goodwill', reason: 'Late delivery', now });

    // Through the store's forms: an order, a rent-to-own agreement, a claim; then the e-mailed links.
    const ctx = await browser.newContext({ viewport: SIZES[0] });
    const page = await ctx.newPage();
    await signIn(page);

    await page.goto(`${store.baseUrl}/products/${data.slug}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart/);
    await page.goto(`${store.baseUrl}/checkout`);
    const fillIfEmpty = async (label: string, value: string) => {
      const field = page.getByLabel(label, { exact: true });
      if (!(await field.inputValue())) await field.fill(value);
    };
    await fillIfEmpty('First name', 'Casey');
    await fillIfEmpty('Last name', 'Customer');
    await fillIfEmpty('Street address', '100 Congress Avenue');
    await fillIfEmpty('City', 'Austin');
    await page.locator('#f-region').selectOption('TX');
    await fillIfEmpty('ZIP code', '78701');
    await page.locator('#ship-standard').check();
    if (await page.locator('#pay-manual').count()) await page.locator('#pay-manual').check();
    await page.getByRole('button', { name: /Place order/ }).click();
    await page.waitForURL(/\/orders\/GG-\d+\/confirmation/);
    data.orderNumber = /GG-\d+/.exec(page.url())![0];

    await page.goto(`${store.baseUrl}/rentals/new?product=${data.slug}&term=12`);
    await page.getByLabel('Type your full name to sign').fill('Casey Customer');
    await page.getByLabel(/I have read this agreement and agree to its terms/).check();
    await page.getByRole('button', { name: 'Sign the agreement' }).click();
    await page.waitForURL(/\/account\/rentals\/RA-\d+(#sign)?$/);
    data.rentalNumber = /RA-\d+/.exec(page.url())![0];

    await page.goto(`${store.baseUrl}/account/disputes/new`);
    await page.locator('#f-subject').selectOption(`order:${delivered.number}`);
    await page.locator('input[name=kind]').first().check();
    await page.getByLabel('Tell us what happened').fill('The charger in the box does not fit the laptop. Please send the right one.');
    await page.getByRole('button', { name: 'Open the claim' }).click();
    await page.waitForURL(/\/account\/disputes\/\d+$/);
    data.disputeId = Number(/\/account\/disputes\/(\d+)$/.exec(page.url())![1]);
    signedInState = await ctx.storageState();

    // A password reset link for the customer, and a new account's confirmation link.
    const guest = await browser.newContext({ viewport: SIZES[0] });
    const guestPage = await guest.newPage();
    await guestPage.goto(`${store.baseUrl}/forgot-password`);
    await guestPage.getByLabel('E-mail address').fill(customer.email);
    await guestPage.locator('main form button[type=submit]').click();
    await guestPage.waitForURL(/\/forgot-password\/sent$/);
    await guestPage.goto(`${store.baseUrl}/register`);
    await guestPage.getByLabel('First name').fill('Robin');
    await guestPage.getByLabel('Last name').fill('Newcomer');
    await guestPage.getByLabel('E-mail address').fill('robin.new@example.com');
    await guestPage.getByLabel('Password').fill('four unrelated words here');
    await guestPage.getByRole('button', { name: 'Create account' }).click();
    await guestPage.waitForURL(/\/register\/done$/);
    await store.runJobs();
    data.resetPath = linkTo(store.mailTo(customer.email).find((m) => m.includes('/reset-password'))!, '/reset-password');
    data.verifyPath = linkTo(store.mailTo('robin.new@example.com')[0]!, '/verify-email');
    await guest.close();
    await ctx.close();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${store.baseUrl}/login`);
    await page.getByLabel('E-mail address').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('main form button[type=submit]').first().click()]);
  }

  /**
   * Opens the page and checks what it says, then axe and the screen's width,
   * with a screenshot of each. A failure is noted and the walk goes on, so
   * one run lists every page that needs work.
   */
  async function check(page: Page, visit: Visit, width: number, problems: string[]): Promise<void> {
    try {
      const res = await page.goto(store.baseUrl + visit.path);
      expect(res?.status(), visit.path).toBe(visit.status ?? 200);
      await visit.prepare?.(page);
      await saveScreenshot(page, `every-page-${visit.name}-${width}`);
      expect(await page.getByRole('heading', { level: 1 }).first().textContent(), `heading of ${visit.path}`).toMatch(visit.heading);
      if (visit.says) expect((await page.locator('main').innerText()).replace(/\s+/g, ' '), visit.path).toMatch(visit.says);
      await expectAccessible(page);
      await expectFitsScreen(page, `${visit.path} at ${width} px`);
    } catch (err) {
      problems.push(`${visit.name} at ${width} px: ${(err as Error).message}`);
    }
  }

  /** Fills the main form's fields by label and submits it past the browser's own checks, so the store's answer shows. */
  function submitWith(fields: Record<string, string>): (page: Page) => Promise<void> {
    return async (page) => {
      for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
      await page.evaluate(`document.querySelectorAll('main form').forEach((f) => { f.noValidate = true; })`);
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('main form button[type=submit]').last().click()]);
      await page.waitForLoadState('load');
    };
  }

  const storefront = (): Visit[] => [
    { name: 'home', path: '/', heading: /./, says: 'Featured' },
    { name: 'products', path: '/products', heading: /^All products$/ },
    { name: 'products-filtered', path: `/products?brand=${encodeURIComponent(data.brand)}&in_stock=1&sort=price_asc`, heading: /^All products$/, says: data.brand },
    { name: 'products-no-results', path: '/products?q=zzqxv+unobtainium', heading: /Results for “zzqxv unobtainium”/, says: /no|nothing/i },
    { name: 'products-page-2', path: '/products?page=2', heading: /^All products$/ },
    { name: 'category', path: `/categories/${data.categorySlug}`, heading: new RegExp(`^${data.categoryName}$`) },
    { name: 'product', path: `/products/${data.slug}`, heading: new RegExp(escape(data.productName)), says: 'Works like new' },
    { name: 'rent-to-own', path: '/rent-to-own', heading: /rent/i },
    { name: 'cart-empty', path: '/cart', heading: /cart/i, says: /empty/i },
    { name: 'login', path: '/login', heading: /^Log in$/ },
    { name: 'login-refused', path: '/login', heading: /^Log in$/, says: /e-mail address or password/i, prepare: submitWith({ 'E-mail address': 'nobody@example.com', Password: 'not the password' }) },
    { name: 'register', path: '/register', heading: /account/i },
    { name: 'register-errors', path: '/register', heading: /account/i, says: /enter|required|valid/i, prepare: submitWith({}) },
    { name: 'register-done', path: '/register/done', heading: /inbox/i },
    { name: 'forgot-password', path: '/forgot-password', heading: /password/i },
    { name: 'forgot-sent', path: '/forgot-password/sent', heading: /inbox/i },
    { name: 'reset-password', path: data.resetPath, heading: /new password/i },
    { name: 'reset-link-invalid', path: '/reset-password?token=not-a-real-token', status: 400, heading: /./, says: /link/i },
    { name: 'verify-email', path: data.verifyPath, heading: /your e-mail address is (already )?confirmed/i },
    { name: 'verify-link-invalid', path: '/verify-email?token=not-a-real-token', status: 400, heading: /./, says: /link/i },
    { name: 'not-found', path: '/no-such-page', status: 404, heading: /./, says: /not find|not found/i },
    { name: 'product-not-found', path: '/products/no-such-product', status: 404, heading: /./, says: /could not find that product/i },
  ];

  const account = (): Visit[] => [
    { name: 'account', path: '/account', heading: /Casey|account/i },
    { name: 'profile', path: '/account/profile', heading: /profile|details/i },
    { name: 'password', path: '/account/password', heading: /password/i },
    { name: 'addresses', path: '/account/addresses', heading: /address/i, says: '100 Congress Avenue' },
    { name: 'address-new', path: '/account/addresses/new', heading: /address/i },
    { name: 'address-edit', path: `/account/addresses/${data.addressId}/edit`, heading: /address/i },
    { name: 'orders', path: '/account/orders', heading: /orders/i, says: data.orderNumber },
    { name: 'order', path: `/account/orders/${data.orderNumber}`, heading: new RegExp(data.orderNumber), says: data.productName },
    { name: 'confirmation', path: `/orders/${data.orderNumber}/confirmation`, heading: /./, says: 'Lone Star Bank' },
    { name: 'rentals', path: '/account/rentals', heading: /rent/i, says: data.rentalNumber },
    { name: 'rental', path: `/account/rentals/${data.rentalNumber}`, heading: new RegExp(data.rentalNumber), says: /first payment/i },
    { name: 'rental-new', path: `/rentals/new?product=${data.slug}&term=12`, heading: /^Rent-to-own agreement$/, says: 'Number of payments 12' },
    { name: 'wishlist', path: '/account/wishlist', heading: /wishlist/i, says: data.productName },
    { name: 'notifications', path: '/account/notifications', heading: /notifications/i, says: 'Your order has been delivered' },
    { name: 'credit', path: '/account/credit', heading: /credit/i, says: 'Late delivery' },
    { name: 'review', path: `/products/${data.slug}/review`, heading: /review/i },
    { name: 'disputes', path: '/account/disputes', heading: /claims|disputes/i },
    { name: 'dispute-new', path: '/account/disputes/new', heading: /^Open a claim$/ },
    { name: 'dispute', path: `/account/disputes/${data.disputeId}`, heading: /./, says: 'does not fit the laptop' },
    { name: 'product-signed-in', path: `/products/${data.slug}`, heading: new RegExp(escape(data.productName)) },
  ];

  // The two sizes' walks run side by side: each axe run keeps one core busy.
  for (const size of SIZES) {
    it.concurrent(`at ${size.width} × ${size.height} every storefront page passes axe and fits the screen`, async () => {
      const ctx = await browser.newContext({ viewport: size });
      ctx.setDefaultTimeout(15_000);
      const page = await ctx.newPage();
      const problems: string[] = [];
      try {
        for (const visit of storefront()) await check(page, visit, size.width, problems);
        // The cart with an item, then checkout with it.
        await page.goto(`${store.baseUrl}/products/${data.slug}`);
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.waitForURL(/\/cart/);
        await check(page, { name: 'cart', path: '/cart', heading: /cart/i, says: data.productName }, size.width, problems);
        await check(page, { name: 'checkout', path: '/checkout', heading: /checkout/i, says: data.productName }, size.width, problems);
        await check(page, { name: 'checkout-errors', path: '/checkout', heading: /checkout/i, says: /enter|required|valid/i, prepare: submitWith({}) }, size.width, problems);
      } finally {
        await ctx.close();
      }
      expect(problems).toEqual([]);
    }, TEST_TIMEOUT);

    it.concurrent(`at ${size.width} × ${size.height} every account page passes axe and fits the screen`, async () => {
      const ctx = await browser.newContext({ viewport: size, storageState: signedInState });
      ctx.setDefaultTimeout(15_000);
      const page = await ctx.newPage();
      const problems: string[] = [];
      try {
        for (const visit of account()) await check(page, visit, size.width, problems);
      } finally {
        await ctx.close();
      }
      expect(problems).toEqual([]);
    }, TEST_TIMEOUT);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
