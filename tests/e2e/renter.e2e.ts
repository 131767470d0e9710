import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatMoney } from '../../src/lib/money';
import { longDate } from '../../src/lib/dates';
import { linkTo } from '../helpers/mail';
import { startStripeServer, type FakeStripe } from '../helpers/stripe-server';
import { expectAccessible, launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/**
 * A new customer rents to own: registers, confirms the address by the e-mailed
 * link, signs a 12-month agreement, pays the first installment on the (local)
 * Stripe Checkout page, whose signed webhooks reach the store, sees the
 * dashboard with the next payment and the early purchase price, buys the
 * device out the same way and sees it is theirs. axe checks the agreement and
 * the dashboard; both are photographed at phone and laptop widths.
 */
describe('renter: sign, pay the first installment by Stripe, buy out', () => {
  let stripe: FakeStripe;
  let store: Store;
  let browser: Browser;
  let page: Page | undefined;
  const renter = { first: 'Casey', last: 'Renter', email: 'casey.renter@example.com', password: 'four unrelated words here' };
  const text = async (p: Page) => (await p.locator('main').innerText()).replace(/\s+/g, ' ');

  beforeAll(async () => {
    stripe = await startStripeServer({ checkoutPage: { webhookUrl: () => `${store.baseUrl}/webhooks/stripe` } });
    store = await startStore(stripe.env);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
    await stripe?.close();
  });

  /** Full-page screenshots at 390 px (a phone) and 1366 px (a laptop). */
  async function photograph(p: Page, name: string) {
    for (const width of [390, 1366]) {
      await p.setViewportSize({ width, height: 900 });
      await saveScreenshot(p, `renter-${name}-${width}`);
    }
  }

  /** Press a pay button on the dashboard, pay on the stand-in's Checkout page, come back. */
  async function payOnCheckout(p: Page, button: RegExp, amountCents: number, number: string) {
    await p.getByRole('button', { name: button }).click();
    await p.waitForURL(new RegExp(`^${stripe.url}/c/pay/cs_test_\\w+$`));
    expect(await p.locator('[data-amount]').getAttribute('data-amount')).toBe(String(amountCents));
    const delivered = stripe.deliveries.length;
    await p.getByRole('button', { name: 'Pay' }).click();
    await p.waitForURL(new RegExp(`/account/rentals/${number}\\?payment=done&session_id=cs_test_\\w+$`));
    expect(stripe.deliveries.slice(delivered).map((d) => [d.type, d.status])).toEqual([
      ['checkout.session.completed', 200],
      ['payment_intent.succeeded', 200],
    ]);
  }

  it('registers, confirms, signs, pays, sees the dashboard, buys out and owns it', async (ctx) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    try {
      // Register, then confirm the address by the link in the e-mail.
      await page.goto(`${store.baseUrl}/register`);
      await page.getByLabel('First name').fill(renter.first);
      await page.getByLabel('Last name').fill(renter.last);
      await page.getByLabel('E-mail address').fill(renter.email);
      await page.getByLabel('Password').fill(renter.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/register\/done$/);
      await store.runJobs();
      const welcome = store.mailTo(renter.email);
      expect(welcome).toHaveLength(1);
      await page.goto(`${store.baseUrl}${linkTo(welcome[0]!, '/verify-email')}`);
      await expect.poll(() => page!.getByRole('heading', { level: 1 }).textContent()).toContain('your e-mail address is confirmed');

      await page.getByRole('link', { name: 'Log in' }).last().click();
      await page.getByLabel('E-mail address').fill(renter.email);
      await page.getByLabel('Password').fill(renter.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/account$/);

      // A laptop from the demo catalog: 12 months, "Rent to own".
      const product = await store.db('products as p')
        .join('categories as c', 'c.id', 'p.category_id')
        .where({ 'p.status': 'active', 'c.slug': 'laptops' })
        .whereExists(store.db('inventory_units as u').select(store.db.raw('1')).where('u.product_id', store.db.ref('p.id')).andWhere('u.status', 'in_stock'))
        .orderBy('p.id')
        .first('p.id', 'p.slug', 'p.name');
      await page.goto(`${store.baseUrl}/products/${product.slug}`);
      const rentForm = page.locator('form.rent-form');
      await rentForm.getByLabel(/× 12$/).check();
      await rentForm.getByRole('button', { name: 'Rent to own' }).click();
      await page.waitForURL(new RegExp(`/rentals/new\\?product=${product.slug}&term=12$`));

      // The agreement: read it, type the name, agree, sign.
      await expect.poll(() => page!.getByRole('heading', { level: 1 }).textContent()).toBe('Rent-to-own agreement');
      const agreement = await text(page);
      expect(agreement).toContain(product.name);
      expect(agreement).toContain('Number of payments 12');
      expect(await page.getByRole('table', { name: /12 payments of/ }).locator('tbody tr th[scope=row]').count()).toBe(12);
      await expectAccessible(page);
      await photograph(page, 'agreement');

      await page.getByLabel('Type your full name to sign').fill(`${renter.first} ${renter.last}`);
      await page.getByLabel(/I have read this agreement and agree to its terms/).check();
      await page.getByRole('button', { name: 'Sign the agreement' }).click();
      // The form posts to /rentals#sign; the browser keeps the fragment through the redirect.
      await page.waitForURL(/\/account\/rentals\/RA-\d+(#sign)?$/);
      const number = /RA-\d+/.exec(page.url())![0];
      const rental = await store.db('rentals').where({ number }).first('id', 'status', 'monthly_cents', 'term_months');
      expect(rental).toMatchObject({ status: 'pending_payment', term_months: 12 });
      const monthly = formatMoney(rental.monthly_cents);
      expect(await text(page)).toContain(`Agreement ${number} is signed`);
      expect(await text(page)).toContain(`Waiting for the first payment of ${monthly}`);

      // The first installment through Stripe Checkout.
      await payOnCheckout(page, new RegExp(`^Pay \\${monthly} by card$`), rental.monthly_cents, number);
      expect(await store.db('rentals').where({ id: rental.id }).first('status')).toEqual({ status: 'active' });
      const second = await store.db('rental_installments').where({ rental_id: rental.id, seq: 2 }).first('due_on', 'amount_cents');
      const dashboard = await text(page);
      expect(dashboard).toContain('Status: Active');
      expect(dashboard).toContain(`Next payment ${formatMoney(second.amount_cents)} due ${longDate(String(second.due_on).slice(0, 10))}, charged to your saved card`);
      expect(dashboard).toContain('Payments made 1 of 12');
      const earlyPurchase = /Buy it today for (\$[\d,]+\.\d\d)/.exec(dashboard)?.[1];
      expect(earlyPurchase).toBeDefined();
      const buyNow = page.getByRole('button', { name: `Buy it now for ${earlyPurchase}` });
      expect(await buyNow.isVisible()).toBe(true);
      await expectAccessible(page);
      await photograph(page, 'dashboard-active');

      // Buy it out the same way.
      const buyoutCents = Math.round(Number(earlyPurchase!.replace(/[$,]/g, '')) * 100);
      await payOnCheckout(page, new RegExp(`^Buy it now for \\${earlyPurchase}$`), buyoutCents, number);
      expect(await store.db('rentals').where({ id: rental.id }).first('status')).toEqual({ status: 'owned' });
      expect(await store.db('payments').where({ rental_id: rental.id, status: 'succeeded' }).orderBy('id').select('purpose', 'amount_cents')).toEqual([
        { purpose: 'installment', amount_cents: rental.monthly_cents },
        { purpose: 'buyout', amount_cents: buyoutCents },
      ]);
      const owned = await text(page);
      expect(owned).toContain('Status: Owned');
      expect(owned).toContain('It is yours');
      expect(await page.locator('.rental-payments tbody td', { hasText: 'Bought out' }).count()).toBe(11);
      expect(await page.getByRole('button', { name: /^(Pay|Buy it now)/ }).count()).toBe(0);
      await expectAccessible(page);
      await photograph(page, 'dashboard-owned');

      await store.runJobs();
      expect(store.mailTo(renter.email).filter((m) => m.includes(number)).length).toBeGreaterThanOrEqual(2);
    } catch (err) {
      await saveScreenshot(page, ctx.task.name);
      throw err;
    } finally {
      await context.close();
    }
  });
});
