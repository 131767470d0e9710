import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../checkout/shop';

const VIEWS = path.resolve(__dirname, '../../views');

function viewFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? viewFiles(path.join(dir, e.name)) : e.name.endsWith('.ejs') ? [path.join(dir, e.name)] : []));
}

/** Wide tables scroll inside a wrapper that keyboard users can focus (axe scrollable-region-focusable): one partial writes its attributes. */
describe('scrolling table wrappers', () => {
  it('every storefront and account view writes its .table-wrap with partials/scroll-region', () => {
    const bare = viewFiles(VIEWS)
      .filter((f) => !f.includes(`${path.sep}admin${path.sep}`) && !f.endsWith('scroll-region.ejs'))
      .filter((f) => /class="table-wrap/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(VIEWS, f));
    expect(bare).toEqual([]);
  });

  describe('rendered', () => {
    let t: Shop;
    let slug: string;
    beforeAll(async () => {
      t = await startShop();
      const id = await t.product({ name: 'Latitude 7420', priceCents: 39_900, units: 2 });
      slug = (await t.db('products').where({ id }).first('slug')).slug;
    });
    afterAll(() => t.destroy());

    it('the calculator, its schedules and /rent-to-own are named, focusable regions; the calculator brings the chosen term into view', async () => {
      const product = await request(t.app).get(`/products/${slug}`);
      expect(product.status).toBe(200);
      expect(product.text).toContain('class="table-wrap" tabindex="0" role="region" aria-label="Rent-to-own terms compared" data-scroll-to=".is-selected"');
      expect(product.text).toContain('class="table-wrap" tabindex="0" role="region" aria-label="Payment schedule, 12 months"');
      const page = await request(t.app).get('/rent-to-own');
      expect(page.text).toContain('class="table-wrap" tabindex="0" role="region" aria-label="Example of early purchase prices"');
    });
  });
});
