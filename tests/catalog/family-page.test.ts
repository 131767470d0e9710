import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../checkout/shop';

/** A product family's page offers every grade and configuration in the family as plain links with price and stock. */
describe('product family chooser', () => {
  let t: Shop;
  const specs = (ram: number, storage: number) => ({ cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: ram, storage_gb: storage, storage_type: 'NVMe SSD', screen_in: 14 });

  beforeAll(async () => {
    t = await startShop();
    const family = 'thinkpad-t14';
    await t.product({ name: 'ThinkPad T14 A', slug: 't14-a', grade: 'A', priceCents: 52_900, units: 2, specs: specs(16, 512), family });
    await t.product({ name: 'ThinkPad T14 B', slug: 't14-b', grade: 'B', priceCents: 47_900, units: 1, specs: specs(16, 512), family });
    await t.product({ name: 'ThinkPad T14 C', slug: 't14-c', grade: 'C', priceCents: 41_900, units: 0, specs: specs(16, 512), family });
    await t.product({ name: 'ThinkPad T14 A 32', slug: 't14-a-32', grade: 'A', priceCents: 64_900, units: 1, specs: specs(32, 1000), family });
    await t.product({ name: 'ThinkPad T14 draft', slug: 't14-draft', grade: 'D', priceCents: 30_000, units: 1, specs: specs(16, 512), family, status: 'draft' });
    await t.product({ name: 'Lone laptop', slug: 'lone', grade: 'A', priceCents: 30_000, units: 1, specs: specs(8, 256) });
  });
  afterAll(() => t.destroy());

  /** The chooser's options as "row: label, price, stock → link [current]". */
  function options(html: string): string[] {
    const out: string[] = [];
    for (const group of html.matchAll(/<h2 class="family-choice-title" id="choice-[^"]+">([^<]+)<\/h2>([\s\S]*?)<\/ul>/g)) {
      for (const a of group[2]!.matchAll(/<a class="family-option[^"]*" href="([^"]+)"[^>]*?( aria-current="page")?>([\s\S]*?)<\/a>/g)) {
        const text = a[3]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
        out.push(`${group[1]}: ${text} → ${a[1]}${a[2] ? ' [current]' : ''}`);
      }
    }
    return out;
  }

  it('offers each grade and configuration of the family with its price and stock; sold-out shown and marked; drafts left out', async () => {
    const res = await request(t.app).get('/products/t14-b');
    expect(res.status).toBe(200);
    expect(options(res.text)).toEqual([
      'Condition: Grade A Like new $529.00 In stock → /products/t14-a',
      'Condition: Grade B Excellent $479.00 In stock → /products/t14-b [current]',
      'Condition: Grade C Good $419.00 Sold out → /products/t14-c',
      'Memory: 16 GB $479.00 In stock → /products/t14-b [current]',
      'Memory: 32 GB $649.00 In stock → /products/t14-a-32',
    ]);
    expect(res.text).toContain('class="family-option is-sold-out"');
  });

  it('every option lands on the product it names, whose page marks it as chosen', async () => {
    const first = await request(t.app).get('/products/t14-a');
    for (const line of options(first.text)) {
      const href = line.split(' → ')[1]!.replace(' [current]', '');
      const page = await request(t.app).get(href);
      expect(page.status, href).toBe(200);
      expect(options(page.text).filter((o) => o.endsWith('[current]')).every((o) => o.includes(href))).toBe(true);
    }
    const big = await request(t.app).get('/products/t14-a-32');
    expect(options(big.text)).toContain('Memory: 32 GB $649.00 In stock → /products/t14-a-32 [current]');
    expect(options(big.text)).toContain('Memory: 16 GB $529.00 In stock → /products/t14-a');
  });

  it('a product without a family has no chooser, and similar products leave out the family members', async () => {
    const lone = await request(t.app).get('/products/lone');
    expect(lone.text).not.toContain('data-family');
    const a = await request(t.app).get('/products/t14-a');
    const start = a.text.indexOf('id="related-title"');
    const similar = a.text.slice(start, a.text.indexOf('</section>', start));
    expect(similar).toContain('/products/lone');
    expect(similar).not.toMatch(/<a href="\/products\/t14-/);
  });
});
