import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/**
 * The amount on the "Place order" button is the amount charged, even when the
 * shopper changes the state and shipping method without pressing "Update
 * totals": with JavaScript the button follows the choices; without, the server
 * refuses a total the shopper was not shown and shows the new one.
 */

// Under the $500 free-shipping threshold, so standard and express shipping give different totals.
const PRODUCT = 'Dell Latitude 5420';
const STANDARD_CENTS = 999;
const EXPRESS_CENTS = 2499;
const TAX_BPS = { NY: 400, CA: 725 } as const;

const cents = (text: string | null | undefined): number => Number((text ?? '').replace(/[^\d]/g, ''));

/** Worked out here rather than asked of the store, so a wrong figure on the page shows. */
const totalFor = (priceCents: number, region: keyof typeof TAX_BPS, shippingCents: number): number =>
  priceCents + Math.round((priceCents * TAX_BPS[region]) / 10_000) + shippingCents;

const placeButton = (page: Page) => page.getByRole('button', { name: /Place order/ });
const buttonCents = async (page: Page) => cents(await page.locator('[data-amount-due]').textContent());

async function addToCartAndCheckOut(page: Page, baseUrl: string, slug: string): Promise<void> {
  await page.goto(`${baseUrl}/products/${slug}`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL(/\/cart/);
  await page.getByRole('link', { name: 'Check out' }).click();
  await page.waitForURL(/\/checkout$/);
}

async function fillForm(page: Page, email: string): Promise<void> {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('First name').fill('Tova');
  await page.getByLabel('Last name').fill('Total');
  await page.getByLabel('Street address').fill('40 Broad Street');
  await page.getByLabel('City').fill('New York');
  await page.locator('#f-region').selectOption('NY');
  await page.getByLabel('ZIP code').fill('10004');
  await page.locator('#ship-standard').check();
  if (await page.locator('#pay-manual').count()) await page.locator('#pay-manual').check();
}

async function changeStateAndShipping(page: Page): Promise<void> {
  await page.locator('#f-region').selectOption('CA');
  await page.locator('#ship-express').check();
}

/** Waits for the button to show `amount` and be pressable again (it is disabled while new totals load). */
async function waitForButton(page: Page, amount: number): Promise<void> {
  await expect.poll(() => buttonCents(page), { timeout: 10_000 }).toBe(amount);
  await expect.poll(() => placeButton(page).isEnabled(), { timeout: 10_000 }).toBe(true);
}

/** Presses "Place order" and returns the status of the POST it sends. */
async function placeOrder(page: Page): Promise<number> {
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/checkout');
  await placeButton(page).click();
  return (await response).status();
}

async function confirmedOrder(page: Page, store: Store) {
  await page.waitForURL(/\/orders\/GG-\d+\/confirmation/);
  const number = (await page.locator('.order-number strong').textContent())!.trim();
  const shownTotal = cents(await page.locator('.totals .grand dd').last().textContent());
  const row = await store.db('orders').where({ number }).first('total_cents');
  return { shownTotal, dbTotal: Number(row.total_cents) };
}

const ordersFor = async (store: Store, email: string) => (await store.db('orders').where({ email }).select('id')).length;

describe('the amount on the Place order button is the amount charged', () => {
  let store: Store;
  let browser: Browser;
  let slug: string;
  let priceCents: number;
  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const product = await store.db('products').where({ name: PRODUCT }).first('slug', 'price_cents');
    slug = product.slug;
    priceCents = Number(product.price_cents);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function inContext(javaScriptEnabled: boolean, name: string, journey: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    try {
      await journey(page);
    } catch (err) {
      await saveScreenshot(page, name);
      throw err;
    } finally {
      await context.close();
    }
  }

  it('with JavaScript the button follows the state and shipping method, and that amount is charged', async (ctx) => {
    await inContext(true, ctx.task.name, async (page) => {
      await addToCartAndCheckOut(page, store.baseUrl, slug);
      await expect.poll(() => page.getByRole('button', { name: 'Update totals' }).isHidden()).toBe(true);

      await fillForm(page, 'js.on@example.com');
      await waitForButton(page, totalFor(priceCents, 'NY', STANDARD_CENTS));

      await changeStateAndShipping(page);
      const expected = totalFor(priceCents, 'CA', EXPRESS_CENTS);
      await waitForButton(page, expected);
      const onButton = await buttonCents(page);
      expect(cents(await page.locator('[data-checkout-totals] .grand dd').last().textContent())).toBe(onButton);

      expect(await placeOrder(page)).toBe(303);
      const order = await confirmedOrder(page, store);
      expect(order).toEqual({ shownTotal: onButton, dbTotal: onButton });
    });
  });

  it('without JavaScript a total other than the one on the button is refused, then charged as shown', async (ctx) => {
    await inContext(false, ctx.task.name, async (page) => {
      const email = 'js.off@example.com';
      await addToCartAndCheckOut(page, store.baseUrl, slug);
      expect(await page.getByRole('button', { name: 'Update totals' }).isVisible()).toBe(true);
      const firstShown = await buttonCents(page);

      await fillForm(page, email);
      await changeStateAndShipping(page);
      expect(await buttonCents(page)).toBe(firstShown);

      expect(await placeOrder(page)).toBe(409);
      const newTotal = totalFor(priceCents, 'CA', EXPRESS_CENTS);
      expect(newTotal).not.toBe(firstShown);
      const message = (await page.locator('#form-error').textContent()) ?? '';
      const [, now, shown] = message.match(/The total for the shipping method and state you chose is (\$[\d,.]+), not the (\$[\d,.]+) shown/) ?? [];
      expect([cents(now), cents(shown)]).toEqual([newTotal, firstShown]);
      expect(await buttonCents(page)).toBe(newTotal);
      expect(await ordersFor(store, email)).toBe(0);

      const onButton = await buttonCents(page);
      expect(await placeOrder(page)).toBe(303);
      const order = await confirmedOrder(page, store);
      expect(order).toEqual({ shownTotal: onButton, dbTotal: onButton });
      expect(await ordersFor(store, email)).toBe(1);
    });
  });
});
