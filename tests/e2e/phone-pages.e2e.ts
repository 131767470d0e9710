import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { storeValue } from '../../src/settings/repo';
import { launchBrowser, saveScreenshot, startStore, type Store, expectFitsScreen } from './harness';

/**
 * The buying pages at a phone's and a laptop's width: the cart with an item,
 * checkout, the confirmation of an order paid by bank transfer and collected,
 * a product page's rent-to-own calculator and /rent-to-own. Nothing is wider
 * than the screen (wide tables scroll inside their region) and each does its
 * job there; axe runs on these pages in every-page.e2e.ts.
 */
describe('buying pages on a phone and a laptop', () => {
  let store: Store;
  let browser: Browser;
  let slug: string;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const now = new Date();
    await storeValue(store.db, 'bank_transfer', { account_name: 'GigGatek Texas LLC', bank_name: 'Lone Star Bank', routing_number: '111000025', account_number: '9876543210', swift: '' }, now);
    await storeValue(store.db, 'pickup', { address: '12 Dock Street, Austin, TX 78701', hours: 'Weekdays 8 am to 6 pm' }, now);
    const product = await store.db('products').where({ status: 'active' }).orderBy('id').first('slug');
    slug = product.slug;
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function check(page: Page, name: string, width: number): Promise<void> {
    await saveScreenshot(page, `phone-pages-${name}-${width}`);
    await expectFitsScreen(page, `${name} at ${width} px`);
  }

  for (const width of [390, 1366]) {
    it(`at ${width} px the cart, checkout, confirmation and rent-to-own pages fit and work`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
      const page = await ctx.newPage();

      await page.goto(`${store.baseUrl}/products/${slug}`);
      await expect.poll(() => page.locator('.rto-compare').count()).toBeGreaterThan(0);
      await check(page, 'product', width);

      await page.goto(`${store.baseUrl}/rent-to-own`);
      await check(page, 'rent-to-own', width);

      await page.goto(`${store.baseUrl}/products/${slug}`);
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(/\/cart/);
      await expect.poll(() => page.locator('.cart-table img').count()).toBe(1);
      await page.getByRole('textbox', { name: 'Promo code' }).fill('nosuchcode');
      await page.getByRole('button', { name: 'Apply code' }).click();
      await page.waitForLoadState('load');
      expect(await page.locator('main').getByText(/recognise the code/).count()).toBe(1);
      expect(await page.getByRole('textbox', { name: 'Promo code' }).inputValue()).toBe('nosuchcode');
      for (const name of [/Update quantity/, /Remove/]) await expect.poll(() => page.getByRole('button', { name }).first().isVisible()).toBe(true);
      await check(page, 'cart', width);

      await page.getByRole('link', { name: 'Check out' }).click();
      await page.waitForURL(/\/checkout/);
      expect(await page.locator('main').textContent()).toContain('Tax calculated once you choose a state');
      await check(page, 'checkout', width);

      await page.getByLabel('E-mail address').fill('phone.buyer@example.com');
      await page.getByLabel('First name').fill('Pat');
      await page.getByLabel('Last name').fill('Phone');
      await page.getByLabel('Street address').fill('12 Elm Street');
      await page.getByLabel('City').fill('Austin');
      await page.locator('#f-region').selectOption('TX');
      await page.getByLabel('ZIP code').fill('78701');
      await page.locator('#ship-pickup').check();
      if (await page.locator('#pay-manual').count()) await page.locator('#pay-manual').check();
      const updateTotals = page.getByRole('button', { name: 'Update totals' });
      if (await updateTotals.isVisible()) {
        await updateTotals.click();
        await page.waitForLoadState('load');
      }
      await page.getByRole('button', { name: /Place order/ }).click();
      await page.waitForURL(/\/orders\/GG-[0-9]+\/confirmation/);
      const main = (await page.locator('main').textContent())!;
      expect(main).toContain('Lone Star Bank');
      expect(main).toContain('12 Dock Street');
      await check(page, 'confirmation', width);
      await ctx.close();
    });
  }
});
