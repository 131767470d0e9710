import sharp from 'sharp';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { UPLOADS_DIR } from '../../src/app';
import { encodeImage, saveImage } from '../../src/catalog/images';
import { imageFiles } from '../../src/catalog/image-paths';
import { expectFitsScreen, launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/**
 * Real photos of awkward shapes: a very wide (1600×400) and a very tall
 * (400×1600) one, stored the way the admin upload stores them. On the
 * category page, the product page and in the cart, at a phone's and a
 * laptop's width, each shows whole in a 4:3 box that has its size before
 * the photo arrives.
 */

/** A photo with a frame and a label, so a crop or a stretch would show on the screenshots. */
function photo(width: number, height: number, label: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="${width}" height="${height}" fill="#3a6ea5"/>
    <rect x="12" y="12" width="${width - 24}" height="${height - 24}" fill="none" stroke="#ffcc00" stroke-width="24"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#ffffff"/>
    <text x="${width / 2}" y="${height / 2 + 20}" font-family="sans-serif" font-size="60" text-anchor="middle" fill="#17211f">${label}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

// What the tests read in the page; this project compiles without the DOM library.
interface PageImage { complete: boolean; naturalWidth: number; naturalHeight: number; clientWidth: number; clientHeight: number; getAttribute(name: string): string | null; getBoundingClientRect(): { width: number; height: number } }
interface Rect { width: number; height: number }
declare function getComputedStyle(el: unknown): { objectFit: string; paddingLeft: string; paddingRight: string; paddingTop: string; paddingBottom: string };
declare const PerformanceObserver: new (report: (list: { getEntries(): unknown[] }) => void) => { observe(options: { type: string; buffered: boolean }): void };

interface Fit {
  box: { width: number; height: number };
  /** The attributes' ratio: what the browser reserves before the image and the stylesheet load. */
  attrRatio: number;
  natural: { width: number; height: number };
  /** The part of the box the image covers (object-fit: contain). */
  shown: { width: number; height: number };
  objectFit: string;
}

async function fitOf(img: Locator): Promise<Fit> {
  await expect.poll(() => img.evaluate((el) => (el as unknown as PageImage).complete && (el as unknown as PageImage).naturalWidth > 0)).toBe(true);
  return img.evaluate((node) => {
    const el = node as unknown as PageImage;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const inner = { width: el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight), height: el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) };
    const scale = Math.min(inner.width / el.naturalWidth, inner.height / el.naturalHeight);
    return {
      box: { width: rect.width, height: rect.height },
      attrRatio: Number(el.getAttribute('width')) / Number(el.getAttribute('height')),
      natural: { width: el.naturalWidth, height: el.naturalHeight },
      shown: { width: el.naturalWidth * scale, height: el.naturalHeight * scale },
      objectFit: style.objectFit,
    };
  });
}

/** A 4:3 box, its image whole inside it, of the photo's own shape. */
function expectContained(fit: Fit, shape: number, what: string): void {
  expect(fit.attrRatio, `${what}: width/height attributes`).toBeCloseTo(4 / 3, 2);
  expect(Math.abs(fit.box.height - (fit.box.width * 3) / 4), `${what}: box ${fit.box.width}×${fit.box.height} is 4:3`).toBeLessThanOrEqual(1);
  expect(fit.objectFit, what).toBe('contain');
  expect(fit.shown.width, `${what}: image no wider than its box`).toBeLessThanOrEqual(fit.box.width + 0.5);
  expect(fit.shown.height, `${what}: image no taller than its box`).toBeLessThanOrEqual(fit.box.height + 0.5);
  expect(fit.natural.width / fit.natural.height, `${what}: the photo keeps its shape`).toBeCloseTo(shape, 1);
  // Whole and as large as the box allows: one side fills it.
  expect(Math.max(fit.shown.width / fit.box.width, fit.shown.height / fit.box.height), what).toBeGreaterThan(0.95);
}

/**
 * Images that changed size after they were laid out, from Chromium's layout-shift
 * records: an image box sized by its photo would grow when the photo arrives.
 * (Other parts of a page moving, which moves the images along, are not counted.)
 */
function resizedImages(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const out: string[] = [];
        type Source = { node?: { nodeName: string; src?: string }; previousRect: Rect; currentRect: Rect };
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as Array<{ sources: Source[] }>) {
            for (const s of e.sources) {
              const resized = Math.abs(s.previousRect.width - s.currentRect.width) > 1 || Math.abs(s.previousRect.height - s.currentRect.height) > 1;
              if (s.node?.nodeName === 'IMG' && s.previousRect.height > 0 && resized) out.push(`${s.node.src}: ${s.previousRect.width}×${s.previousRect.height} → ${s.currentRect.width}×${s.currentRect.height}`);
            }
          }
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(out), 300);
      }),
  );
}

describe('product photos of any shape', () => {
  let store: Store;
  let browser: Browser;
  const stored: string[] = [];
  let wideSlug: string;
  let tallSlug: string;
  let category: string;

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    for (const [w, h, label] of [[1600, 400, 'WIDE 1600×400'], [400, 1600, 'TALL']] as const) {
      const encoded = await encodeImage({ name: `${label}.jpg`, declaredType: 'image/jpeg', bytes: await photo(w, h, label) });
      stored.push(await saveImage(UPLOADS_DIR, encoded));
    }
    const [wide, tall] = stored;
    const [one, two] = await store.db('products as p').join('categories as c', 'c.id', 'p.category_id').where({ 'p.status': 'active', 'c.slug': 'monitors' }).orderBy('p.id').limit(2).select('p.id', 'p.slug', 'c.slug as category');
    wideSlug = one.slug;
    tallSlug = two.slug;
    category = one.category;
    // As the admin upload lists them: the main photo first.
    await store.db('products').where({ id: one.id }).update({ images: JSON.stringify([wide, tall]) });
    await store.db('products').where({ id: two.id }).update({ images: JSON.stringify([tall, wide]) });
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
    for (const file of stored.flatMap((src) => imageFiles(UPLOADS_DIR, src))) fs.rmSync(file, { force: true });
  });

  for (const width of [390, 1366]) {
    it(`at ${width} px cards, the gallery and the cart show each photo whole in a 4:3 box`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
      const page = await ctx.newPage();

      await page.goto(`${store.baseUrl}/categories/${category}`);
      const card = (slug: string) => page.locator(`.product-card:has(a[href="/products/${slug}"]) img`);
      await card(tallSlug).scrollIntoViewIfNeeded();
      expectContained(await fitOf(card(wideSlug)), 4, 'wide card');
      expectContained(await fitOf(card(tallSlug)), 0.25, 'tall card');
      const [wideCard, tallCard] = [await card(wideSlug).boundingBox(), await card(tallSlug).boundingBox()];
      expect(tallCard!.width, 'cards of both shapes are the same size').toBeCloseTo(wideCard!.width, 0);
      expect(tallCard!.height).toBeCloseTo(wideCard!.height, 0);
      expect(await resizedImages(page), 'images resized on the category page').toEqual([]);
      await expectFitsScreen(page, `the category page at ${width} px`);
      await saveScreenshot(page, `photo-shapes-category-${width}`);

      for (const [slug, shape, other] of [[wideSlug, 4, 0.25], [tallSlug, 0.25, 4]] as const) {
        await page.goto(`${store.baseUrl}/products/${slug}`);
        expectContained(await fitOf(page.locator('[data-gallery-main]')), shape, `${slug} main photo`);
        const thumbs = page.locator('.gallery-thumbs img');
        expect(await thumbs.count()).toBe(2);
        expectContained(await fitOf(thumbs.nth(0)), shape, `${slug} first thumbnail`);
        expectContained(await fitOf(thumbs.nth(1)), other, `${slug} second thumbnail`);
        expect(await resizedImages(page), `images resized on ${slug}`).toEqual([]);
        await expectFitsScreen(page, `${slug} at ${width} px`);
        await saveScreenshot(page, `photo-shapes-product-${slug}-${width}`);
      }

      // In the cart, the tall photo's thumbnail.
      await page.getByRole('button', { name: 'Add to cart' }).first().click();
      await page.goto(`${store.baseUrl}/cart`);
      expectContained(await fitOf(page.locator('.cart-thumb').first()), 0.25, 'cart thumbnail');
      await saveScreenshot(page, `photo-shapes-cart-${width}`);
      await ctx.close();
    });
  }

  it('gives each 4:3 box its size before the photo arrives, and keeps it after', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // Photos are held back until the page's boxes have been measured.
    let release = () => {};
    let arrived = Promise.resolve();
    await ctx.route(/\/uploads\/products\/[0-9a-f]{32}-\d+\.webp$/, async (route) => {
      await arrived;
      await route.continue().catch(() => undefined);
    });
    const page = await ctx.newPage();
    for (const [url, selector] of [[`/categories/${category}`, `.product-card:has(a[href="/products/${tallSlug}"]) img`], [`/products/${wideSlug}`, '[data-gallery-main]']] as const) {
      arrived = new Promise<void>((resolve) => (release = resolve));
      await page.goto(`${store.baseUrl}${url}`, { waitUntil: 'domcontentloaded' });
      const img = page.locator(selector);
      await img.scrollIntoViewIfNeeded();
      expect(await img.evaluate((el) => (el as unknown as PageImage).naturalWidth), `${url}: the photo has not arrived`).toBe(0);
      const before = (await img.boundingBox())!;
      expect(before.width, url).toBeGreaterThan(100);
      expect(Math.abs(before.height - (before.width * 3) / 4), `${url}: ${before.width}×${before.height}`).toBeLessThanOrEqual(1);
      release();
      await expect.poll(() => img.evaluate((el) => (el as unknown as PageImage).complete && (el as unknown as PageImage).naturalWidth > 0)).toBe(true);
      expect(await img.boundingBox(), `${url}: the box is the same once the photo is in`).toEqual(before);
    }
    await ctx.close();
  });
});
