import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { insertProduct } from '../helpers/fixtures';
import { pageLinks } from '../../src/catalog/present';
import { filtersToQuery, toFilters } from '../../src/catalog/schemas';
import { cardNames } from './fixture';

let t: TestApp;
const probe = (n: number) => `Probe ${String(n).padStart(2, '0')}`;
beforeAll(async () => {
  t = await testApp();
  await t.db('categories').insert({ slug: 'cables', name: 'Cables', position: 1 });
  const { id } = await t.db('categories').where({ slug: 'cables' }).first('id');
  for (let n = 1; n <= 50; n++) {
    await insertProduct(t.db, { categoryId: id, name: probe(n), brand: n % 2 ? 'Odd' : 'Even', priceCents: n * 1_000, createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)), units: 1 });
  }
});
afterAll(() => t.destroy());

const get = (url: string) => request(t.app).get(url);

describe('numbered pagination, 24 per page', () => {
  it('splits 50 products into pages of 24, 24 and 2', async () => {
    const page = async (n: number) => cardNames((await get(`/products?page=${n}`).expect(200)).text);
    expect(await page(1)).toEqual(Array.from({ length: 24 }, (_, i) => probe(50 - i)));
    expect(await page(2)).toEqual(Array.from({ length: 24 }, (_, i) => probe(26 - i)));
    expect(await page(3)).toEqual([probe(2), probe(1)]);
  });

  it('links keep the filters and sort; canonical names the page', async () => {
    const res = await get('/categories/cables?sort=price_asc&min_price=50&page=2').expect(200);
    expect(cardNames(res.text)).toEqual(Array.from({ length: 22 }, (_, i) => probe(29 + i)));
    expect(res.text).toContain('<link rel="canonical" href="http://store.test/categories/cables?min_price=50&amp;sort=price_asc&amp;page=2">');
    expect(res.text).toContain('<a href="/categories/cables?min_price=50&amp;sort=price_asc" rel="prev">Previous</a>');
    expect(res.text).not.toContain('rel="next"');
    expect(res.text).toMatch(/<a href="\/categories\/cables\?min_price=50&amp;sort=price_asc&amp;page=2" aria-current="page"><span class="visually-hidden">Page <\/span>2<\/a>/);
    expect(res.text).toContain('46 products, page 2 of 2');
  });

  it('filters narrow the page count; a page past the end goes to the last page', async () => {
    const res = await get('/products?brand=Odd&page=2').expect(200);
    expect(cardNames(res.text)).toEqual([probe(1)]);
    expect((await get('/products?brand=Odd&page=3').expect(302)).headers.location).toBe('/products?brand=Odd&page=2');
    expect((await get('/products?page=99999').expect(302)).headers.location).toBe('/products?page=3');
  });

  it('long page lists collapse into first, neighbours and last', () => {
    const f = toFilters({ brand: ['Odd'], page: 10 });
    const links = pageLinks('/products', f, 20, false).map((l) => ('gap' in l ? '…' : `${l.page}${l.current ? '*' : ''}`));
    expect(links).toEqual(['1', '…', '8', '9', '10*', '11', '12', '…', '20']);
    const first = pageLinks('/products', f, 20, false)[0]!;
    expect(first).toEqual({ page: 1, href: '/products?brand=Odd', current: false });
  });

  it('canonical query strings are stable whatever order the parameters came in', () => {
    const a = toFilters({ sort: 'name', brand: ['HP', 'Dell', 'HP'], min_price: 600, max_price: 400, condition: ['B', 'A'] });
    expect(filtersToQuery(a)).toBe('?brand=HP&brand=Dell&condition=A&condition=B&min_price=400&max_price=600&sort=name');
    expect(filtersToQuery(toFilters({ q: 'dell', sort: 'relevance' }))).toBe('?q=dell');
    expect(filtersToQuery(toFilters({ sort: 'newest', page: 1 }))).toBe('');
  });
});
