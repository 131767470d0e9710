import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, saveScreenshot, startStore, type Store, expectFitsScreen } from './harness';

/**
 * The pages a shopper browses (home, /products with two filters, a category)
 * at a phone's and a laptop's width, as a guest (axe runs on each in
 * every-page.e2e.ts; here on the phone's opened filters panel): nothing is
 * wider than the screen, the category bar lines up, and on the phone the
 * first product comes within the first screen and a half. With JS, ticking
 * a filter box applies it without the "Apply filters" button.
 */
describe('listing pages in a browser', () => {
  let store: Store;
  let browser: Browser;
  let categorySlug: string;
  let brand: string;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const category = await store.db('categories').whereNull('parent_id').orderBy('position').first('slug');
    categorySlug = category.slug;
    const product = await store.db('products').where({ status: 'active' }).orderBy('id').first('brand');
    brand = product.brand;
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function open(width: number): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
    return ctx.newPage();
  }

  for (const width of [390, 1366]) {
    it(`at ${width} px the home page, a filtered listing and a category page fit the screen, the open filters pass axe`, async () => {
      const page = await open(width);
      const paths = ['/', `/products?brand=${encodeURIComponent(brand)}&in_stock=1`, `/categories/${categorySlug}`];
      for (const path of paths) {
        await page.goto(store.baseUrl + path);
        await saveScreenshot(page, `listing-${width}-${path === '/' ? 'home' : path.split('?')[0]!.slice(1)}`);
        await expectFitsScreen(page, path);
        // The category bar lines up with the logo above it.
        const [logo, firstCategory] = await page.evaluate(`[document.querySelector('.logo').getBoundingClientRect().left, document.querySelector('.category-nav a').getBoundingClientRect().left]`) as number[];
        expect(Math.abs(logo! - firstCategory!), 'category bar aligned with the logo').toBeLessThanOrEqual(2);
        if (path === '/') {
          // Featured products fill whole rows of the 2- or 4-column grid.
          expect((await page.locator('.featured .product-card').count()) % 4).toBe(0);
        } else {
          const panel = page.locator('[data-filters-panel]');
          const isOpen = () => panel.evaluate((d) => (d as unknown as { open: boolean }).open);
          // Phones get the results first: the filters panel starts closed, and the first card is near the top.
          expect(await isOpen(), 'filters open').toBe(width >= 500);
          const top = Number(await page.evaluate(`document.querySelector('.results .product-card').getBoundingClientRect().top + window.scrollY`));
          if (width < 500) expect(top, `first product on ${path}`).toBeLessThan(844 * 1.5);
          // The panel opens from its summary; its boxes are at least 24 × 24 px (axe target-size).
          if (!(await isOpen())) {
            await panel.locator('summary').click();
            await saveScreenshot(page, `listing-${width}-${path.split('?')[0]!.slice(1)}-filters-open`);
            await expectAccessible(page);
          }
          const box = await page.locator('.filters input[type=checkbox]').first().boundingBox();
          expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(24);
          if (path.includes('?')) expect(await page.locator('.chips a').count()).toBe(2);
        }
      }
      await page.context().close();
    });
  }

  it('with JS a ticked filter box applies at once', async () => {
    const page = await open(1366);
    await page.goto(`${store.baseUrl}/products`);
    expect(await page.locator('[data-filter-apply]').first().isVisible()).toBe(false);
    const box = page.locator('form[data-filter-form] input[name=condition]').first();
    const grade = await box.getAttribute('value');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('condition') === grade), box.check()]);
    expect(await page.locator('.chips a').count()).toBe(1);
    await page.context().close();
  });
});
