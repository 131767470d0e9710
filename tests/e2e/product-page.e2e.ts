import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, saveScreenshot, startStore, type Store, expectFitsScreen } from './harness';

/**
 * A product page with three photos at a phone's and a laptop's width: it fits
 * the screen and passes axe; with JS a thumbnail swaps the main photo in place,
 * without JS it shows that photo's figure in the page.
 */
describe('product page gallery and buy box', () => {
  let store: Store;
  let browser: Browser;
  let slug: string;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const [product, other] = await store.db('products').where({ status: 'active' }).orderBy('id').limit(2).select('id', 'slug', 'images');
    slug = product.slug;
    const images = [...JSON.parse(product.images), JSON.parse(other.images)[0]];
    expect(images).toHaveLength(3);
    await store.db('products').where({ id: product.id }).update({ images: JSON.stringify(images) });
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  for (const width of [390, 1366]) {
    it(`at ${width} px it fits, passes axe, and a thumbnail swaps the main photo`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
      const page = await ctx.newPage();
      await page.goto(`${store.baseUrl}/products/${slug}`);
      await expect.poll(() => page.locator('.gallery.is-enhanced').count()).toBe(1);
      await saveScreenshot(page, `product-page-${width}`);
      await expectAccessible(page);
      await expectFitsScreen(page, `the product page at ${width} px`);
      expect(await page.locator('.assurances li').allInnerTexts()).toEqual([expect.stringMatching(/\d+-month warranty$/), expect.stringMatching(/\d+-day free returns$/), expect.stringMatching(/Grade [A-D]: .+ — what that means$/)]);

      const main = page.locator('[data-gallery-main]');
      const before = await main.getAttribute('src');
      const second = page.getByRole('link', { name: 'Show photo 2 of 3' });
      await second.click();
      await expect.poll(() => main.getAttribute('src')).not.toBe(before);
      expect(await main.getAttribute('src')).toBe(await second.getAttribute('data-src'));
      expect(await main.getAttribute('alt')).toMatch(/, photo 2 of 3$/);
      expect(await second.getAttribute('aria-current')).toBe('true');
      expect(await page.locator('[data-gallery-thumb][aria-current]').count()).toBe(1);
      expect(page.url()).not.toContain('#photo-');
      // Keyboard: Enter on the third thumbnail picks it.
      await page.getByRole('link', { name: 'Show photo 3 of 3' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => main.getAttribute('alt')).toMatch(/, photo 3 of 3$/);
      await saveScreenshot(page, `product-page-${width}-photo-3`);
      await ctx.close();
    });
  }

  it('without JS a thumbnail shows its photo in the page, one at a time', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${store.baseUrl}/products/${slug}`);
    expect(await page.locator('#photo-1').isVisible()).toBe(true);
    expect(await page.locator('#photo-2').isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Show photo 2 of 3' }).click();
    await page.waitForURL(/#photo-2$/);
    await expect.poll(() => page.locator('#photo-2').isVisible()).toBe(true);
    expect(await page.locator('#photo-1').isVisible()).toBe(false);
    expect(await page.locator('#photo-3').isVisible()).toBe(false);
    await saveScreenshot(page, 'product-page-390-nojs-photo-2');
    await ctx.close();
  });
});
