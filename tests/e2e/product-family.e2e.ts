import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, expectFitsScreen, launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/**
 * The demo ThinkPad T14 Gen 2 family: its listing card says how many
 * conditions it comes in, and its page's chooser lands on the chosen product,
 * in place with JS (address, history and focus kept in step) and as a plain
 * link without.
 */
describe('product family: listing card and chooser', () => {
  let store: Store;
  let browser: Browser;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  const chosen = (page: Page, row: string) => page.locator(`[data-family-option][data-choice="${row}"][aria-current="page"] .option-label`).innerText();

  for (const width of [390, 1366]) {
    it(`at ${width} px: one card for the family, and with JS the chooser swaps the product in place`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
      const page = await ctx.newPage();
      await page.goto(`${store.baseUrl}/categories/business-laptops?sort=price_asc`);
      const cards = page.locator('.product-card', { hasText: 'ThinkPad T14 Gen 2' });
      expect(await cards.count()).toBe(1);
      expect(await cards.locator('.family-offer').innerText()).toBe('3 conditions');
      expect(await cards.locator('.price').innerText()).toMatch(/^From \$328\.99/);

      await cards.locator('a.product-card-link').click();
      await page.waitForURL(/\/products\/lenovo-thinkpad-t14-gen-2-8-gb-256-gb$/);
      expect(await chosen(page, 'grade')).toBe('Grade B');
      expect(await chosen(page, 'ram_gb')).toBe('8 GB');
      await saveScreenshot(page, `product-family-${width}`);
      await expectAccessible(page);
      await expectFitsScreen(page, `a family product page at ${width} px`);
      // The sold-out grade C is offered, marked.
      expect(await page.locator('[data-family-option].is-sold-out .option-label').allInnerTexts()).toEqual(['Grade C']);

      // Choosing 32 GB lands on the one product with it, swapped in without a reload (the marker survives).
      await page.evaluate('window.marker = 42');
      await page.locator('[data-family-option][data-choice="ram_gb"]', { hasText: '32 GB' }).click();
      await page.waitForURL(/\/products\/lenovo-thinkpad-t14-gen-2-32-gb-1-tb$/);
      await expect.poll(() => page.locator('#product-title').innerText()).toBe('Lenovo ThinkPad T14 Gen 2 (32 GB, 1 TB)');
      expect(await page.evaluate('window.marker')).toBe(42);
      expect(await chosen(page, 'ram_gb')).toBe('32 GB');
      expect(await page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-current')")).toBe('page');
      expect(await page.title()).toContain('(32 GB, 1 TB)');
      expect(await page.locator('input[name="product_id"]').first().inputValue()).toBe(String((await store.db('products').where({ slug: 'lenovo-thinkpad-t14-gen-2-32-gb-1-tb' }).first('id')).id));

      await page.goBack();
      await page.waitForURL(/\/products\/lenovo-thinkpad-t14-gen-2-8-gb-256-gb$/);
      await expect.poll(() => chosen(page, 'ram_gb')).toBe('8 GB');
      await ctx.close();
    });
  }

  it('without JS a chooser option is a plain link to that product', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(`${store.baseUrl}/products/lenovo-thinkpad-t14-gen-2`);
    expect(await chosen(page, 'grade')).toBe('Grade A');
    await page.locator('[data-family-option][data-choice="grade"]', { hasText: 'Grade B' }).click();
    await page.waitForURL(/\/products\/lenovo-thinkpad-t14-gen-2-grade-b$/);
    expect(await page.locator('#product-title').innerText()).toBe('Lenovo ThinkPad T14 Gen 2');
    expect(await chosen(page, 'grade')).toBe('Grade B');
    expect(await page.locator('.price-big').innerText()).toMatch(/^\$398\.99/);
    await ctx.close();
  });
});
