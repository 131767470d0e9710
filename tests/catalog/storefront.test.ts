import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { GRADES } from '../../src/catalog/grades';
import { FREE_RETURNS_DAYS } from '../../src/catalog/returns';
import { rentalQuote } from '../../src/rentals/quote';
import { rentalSchedule } from '../../src/rentals/schedule';
import { DEFAULT_RENTAL_POLICY } from '../../src/rentals/policy';
import { longDate } from '../../src/lib/dates';
import { dateOnly } from '../../src/lib/dates';
import { formatMoney } from '../../src/lib/money';
import { cardNames, decode, NEWEST_FIRST, seedCatalogFixture } from './fixture';

let t: TestApp;
let ids: Record<string, number>;
beforeAll(async () => {
  t = await testApp();
  ids = (await seedCatalogFixture(t.db)).products;
});
afterAll(() => t.destroy());

const get = (url: string) => request(t.app).get(url);
/** Names on the result grid (an empty result's "popular right now" cards are not results). */
async function names(url: string): Promise<string[]> {
  const res = await get(url).expect(200);
  return cardNames(res.text.split('Popular right now')[0]!);
}

describe('GET /products: filters and sorts', () => {
  it.each([
    ['/products', NEWEST_FIRST],
    ['/products?sort=newest', NEWEST_FIRST],
    ['/products?sort=price_asc', ['HP ProDesk 400', 'Dell UltraSharp U2720Q', 'Dell Latitude 5420', 'HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Dell OptiPlex 7090', 'Apple MacBook Air M1', 'Dell XPS 13', 'Lenovo ThinkPad X1 Carbon']],
    ['/products?sort=price_desc', ['Lenovo ThinkPad X1 Carbon', 'Dell XPS 13', 'Apple MacBook Air M1', 'Lenovo ThinkPad T14', 'Dell OptiPlex 7090', 'HP EliteBook 840 G8', 'Dell Latitude 5420', 'Dell UltraSharp U2720Q', 'HP ProDesk 400']],
    ['/products?sort=name', ['Apple MacBook Air M1', 'Dell Latitude 5420', 'Dell OptiPlex 7090', 'Dell UltraSharp U2720Q', 'Dell XPS 13', 'HP EliteBook 840 G8', 'HP ProDesk 400', 'Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['/products?sort=rating', ['Apple MacBook Air M1', 'Lenovo ThinkPad X1 Carbon', 'Lenovo ThinkPad T14', 'HP EliteBook 840 G8', 'Dell Latitude 5420', 'Dell XPS 13', 'Dell OptiPlex 7090', 'HP ProDesk 400', 'Dell UltraSharp U2720Q']],
    ['/products?min_price=400&max_price=600&sort=price_asc', ['HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Dell OptiPlex 7090', 'Apple MacBook Air M1', 'Dell XPS 13']],
    ['/products?min_price=600&max_price=400&sort=price_asc', ['HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Dell OptiPlex 7090', 'Apple MacBook Air M1', 'Dell XPS 13']],
    ['/products?min_price=449&max_price=449.00&sort=name', ['Dell OptiPlex 7090', 'Lenovo ThinkPad T14']],
    ['/products?in_stock=1&sort=price_asc', ['HP ProDesk 400', 'Dell UltraSharp U2720Q', 'HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Dell OptiPlex 7090', 'Apple MacBook Air M1', 'Dell XPS 13', 'Lenovo ThinkPad X1 Carbon']],
    ['/products?brand=HP&brand=Apple&sort=name', ['Apple MacBook Air M1', 'HP EliteBook 840 G8', 'HP ProDesk 400']],
    ['/products?brand=hp&sort=name', ['HP EliteBook 840 G8', 'HP ProDesk 400']],
    ['/products?condition=a&sort=name', ['Apple MacBook Air M1', 'Dell OptiPlex 7090', 'Dell UltraSharp U2720Q', 'Lenovo ThinkPad T14']],
    ['/products?ram_gb=16&sort=name', ['Dell OptiPlex 7090', 'Dell XPS 13', 'HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['/products?cpu_family=Intel+Core+i7&cpu_family=Apple+M1&sort=price_asc', ['Dell OptiPlex 7090', 'Apple MacBook Air M1', 'Dell XPS 13', 'Lenovo ThinkPad X1 Carbon']],
    ['/products?screen_in=13.3', ['Apple MacBook Air M1']],
    ['/products?storage_gb=256&condition=D', ['HP ProDesk 400']],
    ['/products?category=desktops&sort=price_desc', ['Dell OptiPlex 7090', 'HP ProDesk 400']],
    ['/products?category=laptops&brand=Dell&in_stock=1', ['Dell XPS 13']],
  ])('%s', async (url, expected) => {
    expect(await names(url)).toEqual(expected);
  });

  it('empty form fields are ignored, so an untouched filter form shows everything', async () => {
    expect(await names('/products?min_price=&max_price=&sort=&q=')).toEqual(NEWEST_FIRST);
  });

  it('shows facet counts that apply the other facets but not their own', async () => {
    const res = await get('/products?ram_gb=16').expect(200);
    const count = (label: string) => new RegExp(`> <span>${label} <span class="count">\\((\\d+)\\)</span>`).exec(decode(res.text))?.[1];
    expect(count('Dell')).toBe('2');
    expect(count('Lenovo')).toBe('2');
    expect(count('HP')).toBe('1');
    expect(count('Apple')).toBeUndefined();
    expect(count('8 GB')).toBe('3');
    expect(count('16 GB')).toBe('5');
    expect(count('Intel Core i7')).toBe('3');
    expect(count('14″')).toBe('3');
    expect(res.text).toMatch(/name="ram_gb" value="16" checked/);
    expect(res.text).toContain('5 products');
  });
});

describe('GET /categories/:slug', () => {
  it('includes the products of its sub-categories and links to them with counts', async () => {
    const res = await get('/categories/laptops').expect(200);
    expect(cardNames(res.text)).toEqual(['Dell XPS 13', 'Apple MacBook Air M1', 'HP EliteBook 840 G8', 'Dell Latitude 5420', 'Lenovo ThinkPad X1 Carbon', 'Lenovo ThinkPad T14']);
    expect(res.text).toMatch(/<a href="\/categories\/business-laptops">Business Laptops<\/a> <span class="count">\(4\)<\/span>/);
    expect(res.text).toContain('<link rel="canonical" href="http://store.test/categories/laptops">');
  });

  it.each([
    ['/categories/business-laptops?brand=Dell', ['Dell Latitude 5420']],
    ['/categories/laptops?condition=A&condition=B&sort=price_asc', ['Dell Latitude 5420', 'Lenovo ThinkPad T14', 'Apple MacBook Air M1', 'Dell XPS 13', 'Lenovo ThinkPad X1 Carbon']],
    ['/categories/monitors', ['Dell UltraSharp U2720Q']],
  ])('%s', async (url, expected) => {
    expect(await names(url)).toEqual(expected);
  });

  it('unknown category → 404 page', async () => {
    const res = await get('/categories/no-such-thing').expect(404);
    expect(res.text).toContain('could not find that category');
  });
});

// Searches are answered by the in-memory index once it is built and by the database's full-text index before
// that (or always, with SEARCH_INDEX=database): both must give the same answers.
describe.each(['database', 'memory'] as const)('full-text search (%s)', (engine) => {
  let e: TestApp;
  beforeAll(async () => {
    e = await testApp({ env: { SEARCH_INDEX: engine } });
    await seedCatalogFixture(e.db);
    expect(await e.app.context.catalog.warmSearchIndex()).toBe(engine === 'memory');
  });
  afterAll(() => e.destroy());
  const get = (url: string) => request(e.app).get(url);
  const names = async (url: string) => cardNames((await get(url).expect(200)).text.split('Popular right now')[0]!);

  it('ranks name matches before products that only mention the word in their specifications', async () => {
    const found = await names('/products?q=thinkpad');
    expect(found).toHaveLength(3);
    expect(found.slice(0, 2).sort()).toEqual(['Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']);
    expect(found[2]).toBe('Dell UltraSharp U2720Q');
  });

  it.each([
    ['lenovo', ['Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['LENOVO', ['Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['hp', ['HP EliteBook 840 G8', 'HP ProDesk 400']],
    ['i7', ['Dell OptiPlex 7090', 'Dell XPS 13', 'Lenovo ThinkPad X1 Carbon']],
    ['16GB', ['Dell OptiPlex 7090', 'Dell XPS 13', 'HP EliteBook 840 G8', 'Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['THINKPAD x1!!', ['Lenovo ThinkPad X1 Carbon']],
    ['"thinkpad', ['Dell UltraSharp U2720Q', 'Lenovo ThinkPad T14', 'Lenovo ThinkPad X1 Carbon']],
    ['think* OR (pad', []],
    ['dell 4k', ['Dell UltraSharp U2720Q']],
    ['i5-1145G7', ['Dell Latitude 5420', 'HP EliteBook 840 G8', 'Lenovo ThinkPad T14']],
    ['elite', ['HP EliteBook 840 G8']],
    ['the', []],
  ])('q=%s finds %j', async (q, expected) => {
    expect((await names(`/products?q=${encodeURIComponent(q)}`)).sort()).toEqual(expected);
  });

  it('combines search with filters and sorts', async () => {
    expect(await names('/products?q=dell&sort=price_asc')).toEqual(['Dell UltraSharp U2720Q', 'Dell Latitude 5420', 'Dell OptiPlex 7090', 'Dell XPS 13']);
    expect(await names('/products?q=dell&category=desktops')).toEqual(['Dell OptiPlex 7090']);
    expect(await names('/categories/laptops?q=dell&in_stock=1')).toEqual(['Dell XPS 13']);
  });

  it('an empty result says so and suggests a spelling, categories and popular products', async () => {
    const res = await get('/products?q=macbok').expect(200);
    expect(res.text).toContain('No products match “macbok”');
    expect(res.text).toMatch(/Did you mean <a href="\/products\?q=macbook">macbook<\/a>/);
    expect(res.text).toContain('href="/categories/laptops"');
    expect(res.text).toContain('Popular right now');
    expect(cardNames(res.text).sort()).toEqual(['Apple MacBook Air M1', 'Lenovo ThinkPad T14']);
  });

  it('a query of punctuation only finds nothing, without an error', async () => {
    const res = await get('/products?q=' + encodeURIComponent('!!! ""* ()')).expect(200);
    expect(res.text).toContain('No products match');
  });
});

describe('pagination and bad input', () => {
  it('a page past the end redirects to the last page, keeping the filters', async () => {
    const res = await get('/products?brand=Dell&page=7').expect(302);
    expect(res.headers.location).toBe('/products?brand=Dell');
  });

  it.each([
    ['/products?page=abc', 'page must be a whole number'],
    ['/products?page=0', 'page must be at least 1'],
    ['/products?page=1.5', 'page must be a whole number'],
    ['/products?min_price=-5', 'min_price cannot be negative'],
    ['/products?max_price=lots', 'max_price must be an amount in dollars'],
    ['/products?sort=cheapest', 'sort must be one of relevance, price_asc, price_desc, newest, name, rating'],
    ['/products?condition=Z', 'condition must be one of A, B, C, D'],
    ['/products?ram_gb=lots', 'ram_gb must be a whole number'],
    ['/products?in_stock=maybe', 'in_stock must be 1 or 0'],
    ['/products?category=no-such', 'There is no category'],
    ['/products?category=' + encodeURIComponent("x' OR 1=1 --"), 'category must be a category slug'],
    ['/categories/laptops?page=-1&sort=up', 'sort must be one of relevance, price_asc, price_desc, newest, name, rating; page must be at least 1'],
    ['/products?condition=A&condition=Z', 'condition must be one of A, B, C, D'],
  ])('%s → 400 naming the problem', async (url, message) => {
    const res = await get(url).expect(400);
    expect(decode(res.text)).toContain(message);
    expect(res.text).not.toMatch(/select |sqlite|SQLITE|ER_|syntax/i);
  });

  it('a 10,000-character query is cut down, not an error', async () => {
    const res = await get('/products?q=' + 'thinkpad%20'.repeat(1000)).expect(200);
    expect(cardNames(res.text)).toHaveLength(3);
  });

  it('unknown product → 404 page; drafts are never shown', async () => {
    await get('/products/no-such-product').expect(404);
    const res = await get('/products/lenovo-draft-laptop').expect(404);
    expect(res.text).toContain('Page not found');
    expect(await names('/products?q=draft')).toEqual([]);
  });
});

describe('GET /products/:slug', () => {
  it('shows photos, specs, grade, warranty, stock, price and a buy form posting to the cart', async () => {
    const res = await get('/products/lenovo-thinkpad-t14').expect(200);
    const html = decode(res.text);
    expect(html).toContain('<h1 id="product-title">Lenovo ThinkPad T14</h1>');
    expect(html).toContain('$449.00');
    expect(html).toContain('In stock: 3 available');
    expect(html).toContain(GRADES.A.text);
    expect(html).toContain('12 months parts and labour');
    expect(html).toContain('src="/uploads/products/lenovo-thinkpad-t14-1.svg"');
    for (const [label, value] of [['Processor', 'Intel Core i5-1145G7'], ['Memory', '16 GB'], ['Storage', '512 GB NVMe SSD'], ['Screen size', '14″'], ['Panel', 'IPS']]) {
      expect(html).toContain(`<th scope="row">${label}</th><td>${value}</td>`);
    }
    const form = /<form class="buy-form" method="post" action="\/cart\/items">([\s\S]*?)<\/form>/.exec(html)?.[1];
    expect(form).toBeDefined();
    expect(form).toContain('name="_csrf"');
    expect(form).toContain(`name="product_id" value="${ids['Lenovo ThinkPad T14']}"`);
    expect(form).toMatch(/name="quantity" value="1" min="1" max="3"/);
    // Next to it, rent to own: a plain GET form to the agreement, the term chosen by radio buttons that say the price.
    const rent = /<form class="rent-form" method="get" action="\/rentals\/new">([\s\S]*?)<\/form>/.exec(html)?.[1];
    expect(rent).toContain('<input type="hidden" name="product" value="lenovo-thinkpad-t14">');
    expect(rent).toMatch(/name="term" value="12" checked>\s*<label for="buy-term-12">\$65\.48\/mo × 12<\/label>/);
    expect(rent).toContain('$172.12/mo × 3');
    expect(rent).toContain('<button type="submit" class="secondary">Rent to own</button>');
    expect(html).toContain('<a class="rent" href="#rent-to-own">or from $65.48/month to own</a>');
  });

  it('says the warranty, the free returns window and the grade next to the price', async () => {
    const html = decode((await get('/products/lenovo-thinkpad-t14').expect(200)).text);
    const items = /<ul class="assurances">([\s\S]*?)<\/ul>/.exec(html)![1]!;
    expect([...items.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1])).toEqual(['12-month warranty', `${FREE_RETURNS_DAYS}-day free returns`, 'Grade A: like new — <a href="#condition">what that means</a>']);
    expect(html).toMatch(/<div id="condition"><dt>Condition<\/dt>/);
    expect(html).toContain(`<dt>Returns</dt><dd>Free within ${FREE_RETURNS_DAYS} days of delivery or collection</dd>`);
  });

  it('shows every photo in the page: thumbnails link to in-page figures, not image files, and alt texts number the photos', async () => {
    const images = [1, 2, 3].map((n) => `/uploads/products/dell-xps-13-${n}.svg`);
    await t.db('products').where({ id: ids['Dell XPS 13'] }).update({ images: JSON.stringify(images) });
    const html = decode((await get('/products/dell-xps-13').expect(200)).text);
    const thumbs = /<ul class="gallery-thumbs">([\s\S]*?)<\/ul>/.exec(html)![1]!;
    expect([...thumbs.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])).toEqual(['#photo-1', '#photo-2', '#photo-3']);
    expect(thumbs).not.toMatch(/href="\/uploads/);
    expect([...thumbs.matchAll(/<img [^>]*alt="([^"]*)"/g)].map((m) => m[1])).toEqual(['Show photo 1 of 3', 'Show photo 2 of 3', 'Show photo 3 of 3']);
    expect(thumbs).toMatch(/<a href="#photo-1"[^>]* aria-current="true">/);
    images.forEach((src, i) => {
      expect(html).toMatch(new RegExp(`<figure class="gallery-main" id="photo-${i + 1}">\\s*<img src="${src}" alt="Dell XPS 13, photo ${i + 1} of 3" width="800" height="600"`));
    });
    // Thumbnails keep their size too, so nothing moves as they load.
    expect([...thumbs.matchAll(/<img [^>]*width="120" height="90"/g)]).toHaveLength(3);
  });

  it('renders the rent-to-own calculator for 3, 6 and 12 months, each schedule dated for signing today with the day-90 mark', async () => {
    const res = await get('/products/lenovo-thinkpad-t14').expect(200);
    const html = decode(res.text);
    const rent = { 3: 17_212, 6: 10_103, 12: 6_548 } as const;
    const today = dateOnly(new Date());
    for (const term of [3, 6, 12] as const) {
      const q = rentalQuote(44_900, rent[term], term);
      const column = `data-term-col="${term}">`;
      expect(html).toContain(`${column}${formatMoney(q.monthlyCents)}</td>`);
      expect(html).toContain(`${column}${q.numberOfPayments}</td>`);
      expect(html).toContain(`${column}${formatMoney(q.totalOfPaymentsCents)}</td>`);
      expect(html).toContain(`${column}${formatMoney(q.costOfRentalCents)}</td>`);
      const schedule = rentalSchedule({ cashPriceCents: 44_900, monthlyCents: rent[term], termMonths: term, startOn: today, policy: DEFAULT_RENTAL_POLICY });
      const section = new RegExp(`<section class="rto-schedule" data-rto-schedule data-term="${term}"[^>]*>([\\s\\S]*?)</section>`).exec(html)![1]!;
      const prices = [...section.matchAll(/<td class="num">([^<]*)<\/td>\s*<\/tr>/g)].map((m) => m[1]);
      expect(prices).toEqual(schedule.rows.map((r) => (r.rule === 'owned' ? 'Yours: nothing more to pay' : formatMoney(r.earlyPurchaseCents))));
      expect([...section.matchAll(/<td><time datetime="([\d-]+)">/g)].map((m) => m[1])).toEqual(schedule.rows.map((r) => r.dueOn));
      const end = schedule.firstPeriodEnd;
      if (end.ownedBefore) expect(section).not.toContain('class="period-end"');
      else {
        // The mark follows the last payment made within the first 90 days and gives the date they end.
        expect(section).toMatch(new RegExp(`${end.paymentsByThen} of ${term}</th>[\\s\\S]*?</tr>\\s*<tr class="period-end">\\s*<td colspan="4"><strong>Day 90 ends on <time datetime="${end.lastDayOn}">`));
        expect(section).toContain(`The first 90 days end on ${longDate(end.lastDayOn)}.`);
      }
    }
    expect(html).toContain(`an agreement signed today, ${longDate(today)}`);
    expect(res.text).toMatch(/href="\/rentals\/new\?product=lenovo-thinkpad-t14&amp;term=12" data-rto-link/);
    expect(html).toMatch(/<section class="rto-schedule" data-rto-schedule data-term="12" aria-labelledby="schedule-12-title">/);
    expect(html).toMatch(/data-term="3" aria-labelledby="schedule-3-title" hidden>/);
  });

  it('?term=3 picks the 3-month term without JavaScript', async () => {
    const html = (await get('/products/lenovo-thinkpad-t14?term=3').expect(200)).text;
    expect(html).toMatch(/id="term-3" type="radio" name="term" value="3" checked/);
    expect(html).toMatch(/data-term="3" aria-labelledby="schedule-3-title">/);
    expect(html).toMatch(/data-term="12" aria-labelledby="schedule-12-title" hidden>/);
    expect(html).toMatch(/href="\/rentals\/new\?product=lenovo-thinkpad-t14&amp;term=3" data-rto-link/);
    expect(html).toContain('$172.12 a month for 3 months');
    expect((await get('/products/lenovo-thinkpad-t14?term=7').expect(200)).text).toMatch(/value="12" checked/);
  });

  it('product cards say the term of the monthly price', async () => {
    const html = decode((await get('/products?q=thinkpad+t14').expect(200)).text);
    expect(html).toContain('<span class="rent">or $65.48/mo × 12</span>');
  });

  it('related products come from the same category, nearest in price first', async () => {
    const html = (await get('/products/lenovo-thinkpad-t14').expect(200)).text;
    const related = html.slice(html.indexOf('id="related-title"'));
    expect(cardNames(related)).toEqual(['HP EliteBook 840 G8', 'Dell Latitude 5420', 'Lenovo ThinkPad X1 Carbon']);
  });

  it('out of stock: no buy form; archived: shown as no longer sold, without the calculator', async () => {
    const out = (await get('/products/dell-latitude-5420').expect(200)).text;
    expect(out).toContain('Out of stock');
    expect(out).not.toContain('action="/cart/items"');
    expect(out).not.toContain('class="rent-form"');
    const archived = (await get('/products/lenovo-thinkpad-t460-archived').expect(200)).text;
    expect(archived).toContain('No longer sold');
    expect(archived).not.toContain('action="/cart/items"');
    expect(archived).not.toContain('data-rto');
    expect(archived).not.toContain('/rentals/new');
  });
});

describe('pages work without inline script or style', () => {
  it.each(['/', '/products', '/products?q=dell&ram_gb=16', '/categories/laptops', '/products/lenovo-thinkpad-t14', '/rent-to-own', '/products?q=zzzz'])('%s', async (url) => {
    const html = (await get(url).expect(200)).text;
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('<main id="main"');
  });
});

describe('the filters panel and active-filter chips', () => {
  /** Each chip's label and link, in order, from the list above the results. */
  function chips(html: string): Array<[string, string]> {
    const list = /<ul class="chips"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
    return [...list.matchAll(/<a href="([^"]*)"><span class="visually-hidden">Remove filter <\/span>(.*?) <span aria-hidden="true">×<\/span><\/a>/g)].map((m) => [m[2]!, m[1]!]);
  }
  const clearAll = (html: string) => /<a class="clear-filters" href="([^"]*)">Clear all/.exec(html)?.[1];

  it('shows each active filter as a chip linking to the same listing without it, and "Clear all"', async () => {
    const html = decode((await get('/products?brand=HP&condition=B&in_stock=1&sort=price_asc').expect(200)).text);
    expect(chips(html)).toEqual([
      ['HP', '/products?condition=B&in_stock=1&sort=price_asc'],
      ['Grade B', '/products?brand=HP&in_stock=1&sort=price_asc'],
      ['In stock', '/products?brand=HP&condition=B&sort=price_asc'],
    ]);
    expect(clearAll(html)).toBe('/products');
    expect(html).toContain('Filters <span class="filters-active">(3 active)</span>');
    // The form reflects them, so a change keeps the others.
    expect(html).toMatch(/name="brand" value="HP" checked/);
    expect(html).toMatch(/name="condition" value="B" checked/);
    expect(html).toMatch(/id="in_stock" type="checkbox" name="in_stock" value="1" checked/);
  });

  it('a chip is a plain link: following it lists what the remaining filters match', async () => {
    const html = decode((await get('/products?brand=HP&brand=Apple&sort=name').expect(200)).text);
    const [, withoutHp] = chips(html).find(([label]) => label === 'HP')!;
    expect(withoutHp).toBe('/products?brand=Apple&sort=name');
    expect(await names(withoutHp)).toEqual(['Apple MacBook Air M1']);
  });

  it('on a category page the chips and "Clear all" stay in the category; a search keeps its words', async () => {
    const category = decode((await get('/categories/laptops?condition=A').expect(200)).text);
    expect(chips(category)).toEqual([['Grade A', '/categories/laptops']]);
    expect(clearAll(category)).toBe('/categories/laptops');
    const search = decode((await get('/products?q=thinkpad&ram_gb=16').expect(200)).text);
    expect(chips(search).map(([label]) => label)).toEqual(['“thinkpad”', '16 GB RAM']);
    expect(clearAll(search)).toBe('/products?q=thinkpad');
  });

  it('without filters there are no chips and no "Clear all"', async () => {
    const html = (await get('/products').expect(200)).text;
    expect(html).not.toContain('class="chips"');
    expect(html).not.toContain('Clear all');
    expect(html).toContain('<h2 id="filters-title">Filters</h2>');
  });

  it('keeps "Apply filters" for visitors without JS, first in the form as well as after the last filter', async () => {
    const html = (await get('/products?brand=HP').expect(200)).text;
    const form = /<form id="filter-form"[\s\S]*?<\/form>/.exec(html)![0];
    const buttons = [...form.matchAll(/<button type="submit" class="apply-filters" data-filter-apply>Apply filters<\/button>/g)];
    expect(buttons).toHaveLength(2);
    expect(form.indexOf('Apply filters')).toBeLessThan(form.indexOf('<fieldset'));
    expect(form.lastIndexOf('Apply filters')).toBeGreaterThan(form.lastIndexOf('</fieldset>'));
    // The panel is a <details>, so it opens without JS too.
    expect(html).toMatch(/<details class="filters-panel" data-filters-panel>\s*<summary>/);
  });

  it.each(['/products', '/categories/laptops', '/products?q=thinkpad'])('names every navigation landmark of %s differently', async (url) => {
    const html = decode((await get(url).expect(200)).text);
    const labels = [...html.matchAll(/<nav\b[^>]*aria-label="([^"]*)"/g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(2);
    expect(new Set(labels).size).toBe(labels.length);
    // All products lists the top-level categories under a name of their own, apart from the header's "Categories".
    if (url === '/products') expect(labels).toContain('Shop by category');
  });
});

describe('home and rent-to-own pages', () => {
  it('home shows featured products, categories, rent-to-own steps and grades', async () => {
    const html = decode((await get('/').expect(200)).text);
    expect(cardNames(html)).toEqual(['Apple MacBook Air M1', 'Lenovo ThinkPad T14']);
    expect(html).toMatch(/href="\/categories\/laptops"><strong>Laptops<\/strong>\s*<span>Business Laptops<\/span>/);
    // A category without sub-categories says what it sells instead of showing a bare name.
    expect(html).toMatch(/href="\/categories\/monitors"><strong>Monitors<\/strong>\s*<span>Monitors we tested\.<\/span>/);
    expect(html).toContain('How rent-to-own works');
    expect(html).toContain(GRADES.D.text);
  });

  it('/rent-to-own explains return, ownership, the buyout formula and late fees, with a worked example', async () => {
    const html = decode((await get('/rent-to-own').expect(200)).text);
    expect(html).toContain('Return it any time, without penalty');
    expect(html).toContain('You own it after the last payment');
    expect(html).toContain('the cash price minus the payments you have made');
    expect(html).toContain('the cash price × the payments still to make ÷ the number of payments');
    expect(html).toContain('no late fee for the first 7 days');
    expect(html).toContain('never more than $5.00');
    // $600 on 12 × $87.50: after payment 4 (day 91) → $600 × 8 ÷ 12.
    expect(html).toMatch(/4 \(day 91\)<\/th>\s*<td class="num">\$350\.00<\/td>\s*<td class="num">\$400\.00<\/td>/);
  });
});

describe('rendered-page cache', () => {
  it('shares the page body but gives each visitor their own CSRF token in the buy form', async () => {
    const token = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
    const a = await get('/products/lenovo-thinkpad-t14').expect(200);
    const b = await get('/products/lenovo-thinkpad-t14').expect(200);
    expect(token(a.text)).toBeTruthy();
    expect(a.text).not.toContain('gg-csrf-slot');
    expect(token(a.text)).not.toBe(token(b.text));
    const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');
    expect(withoutTokens(a.text)).toBe(withoutTokens(b.text));
  });
});

describe('catalog cache', () => {
  it('serves cached reads until changed() is called after a product change', async () => {
    const url = '/products/dell-xps-13';
    expect((await get(url)).text).toContain('$579.00');
    expect(await names('/products?q=xps')).toEqual(['Dell XPS 13']);
    await t.db('products').where({ slug: 'dell-xps-13' }).update({ price_cents: 49_900, name: 'Dell XPS 13 Plus' });
    expect((await get(url)).text).toContain('$579.00');
    await t.app.context.catalog.changed({ what: 'product', productIds: [ids['Dell XPS 13']!] });
    const html = (await get(url)).text;
    expect(html).toContain('$499.00');
    expect(html).toContain('Dell XPS 13 Plus');
    expect(await names('/products?q=xps')).toEqual(['Dell XPS 13 Plus']);
  });
});
