import { describe, expect, it } from 'vitest';
import { rentalPrices, SEARCH_TEXT_MAX, searchText, slugify, specFacets, toProductRow, type Specs } from '../../src/catalog/product-row';
import { RENTAL_TERMS, withinPricingGuard } from '../../src/rentals/quote';

describe('slugify', () => {
  it.each([
    ['Lenovo ThinkPad T14 Gen 2', 'lenovo-thinkpad-t14-gen-2'],
    ['Apple MacBook Air 13" M1 (2020)', 'apple-macbook-air-13-m1-2020'],
    ['Écran Dell — 27″ 4K/UHD', 'ecran-dell-27-4k-uhd'],
    ['Crème brûlée Café', 'creme-brulee-cafe'],
    ['  --HP   EliteBook!!  ', 'hp-elitebook'],
    ['i7-1185G7 / 16GB + 512GB', 'i7-1185g7-16gb-512gb'],
    ['日本語', ''],
  ])('%s → %s', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });
});

describe('rentalPrices', () => {
  it.each([
    { price: 100, rent3: 39, rent6: 23, rent12: 15 },
    { price: 4899, rent3: 1878, rent6: 1103, rent12: 715 },
    { price: 44899, rent3: 17212, rent6: 10103, rent12: 6548 },
    { price: 229899, rent3: 88128, rent6: 51728, rent12: 33527 },
  ])('$price cents → $rent3 / $rent6 / $rent12', ({ price, rent3, rent6, rent12 }) => {
    expect(rentalPrices(price)).toEqual({ rent3, rent6, rent12 });
  });

  it.each([1, 2, 3, 99, 100, 4899, 44899, 229899, 1_000_000_00])('keeps the total of payments within 2.25 × %i cents on every term', (price) => {
    const rent = rentalPrices(price);
    const monthly = { 3: rent.rent3, 6: rent.rent6, 12: rent.rent12 };
    for (const term of RENTAL_TERMS) expect(withinPricingGuard(price, monthly[term], term), `${term} × ${monthly[term]}`).toBe(true);
  });
});

describe('specFacets', () => {
  it.each<[string, Specs, ReturnType<typeof specFacets>]>([
    ['a laptop', { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, screen_in: 14 }, { cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, screen_in: 14 }],
    ['a monitor', { screen_in: 27.5, panel: 'IPS' }, { cpu_family: null, ram_gb: null, storage_gb: null, screen_in: 27.5 }],
    ['a switch', { ports: 8, managed: 'Layer 2' }, { cpu_family: null, ram_gb: null, storage_gb: null, screen_in: null }],
    ['fields of the wrong type', { cpu_family: 7 as unknown as string, ram_gb: '16' as unknown as number, storage_gb: Number.NaN }, { cpu_family: null, ram_gb: null, storage_gb: null, screen_in: null }],
  ])('%s', (_what, specs, columns) => {
    expect(specFacets(specs)).toEqual(columns);
  });
});

describe('searchText', () => {
  it.each<[string, Specs, string]>([
    ['spec words, capacity without a space', { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14 }, 'Intel Core i5-1145G7 Intel Core i5 16GB RAM 512GB NVMe SSD 14"'],
    ['terabytes', { storage_gb: 2000, storage_type: 'HDD' }, '2TB HDD'],
    ['a capacity without a type', { storage_gb: 1500 }, '1500GB'],
    ['port counts and other text fields, each once', { ports: 24, managed: 'Layer 3', uplinks: '4× SFP+', gpu: 'Layer 3' }, 'Layer 3 24-port 4× SFP+'],
    ['no booleans or bare numbers', { poe: true, weight_kg: 1.2 }, ''],
  ])('%s', (_what, specs, text) => {
    expect(searchText(specs)).toBe(text);
  });

  it(`cuts at the last whole word within ${SEARCH_TEXT_MAX} characters`, () => {
    const specs: Specs = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, `word${String(i).padStart(3, '0')}`]));
    const text = searchText(specs);
    expect(text.length).toBeLessThanOrEqual(SEARCH_TEXT_MAX);
    expect(text.length).toBeGreaterThan(SEARCH_TEXT_MAX - 10);
    expect(text.split(' ').every((w) => /^word\d{3}$/.test(w))).toBe(true);
    expect(searchText({ note: 'x'.repeat(10) })).toBe('x'.repeat(10));
  });
});

describe('toProductRow', () => {
  const input = {
    slug: 'dell-xps-13', name: 'Dell XPS 13', brand: 'Dell', description: 'Tested.', grade: 'B' as const,
    priceCents: 57_900, unitCostCents: 35_000, warrantyMonths: 12, featured: false,
    specs: { cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, screen_in: 13.4 }, images: ['/a.svg'],
  };

  it('fills the derived columns: facets, search text, rental prices; active by default', () => {
    expect(toProductRow(input, 7, '2026-01-01 00:00:00.000')).toEqual({
      slug: 'dell-xps-13', name: 'Dell XPS 13', brand: 'Dell', description: 'Tested.', category_id: 7,
      specifications: JSON.stringify(input.specs),
      cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, screen_in: 13.4,
      search_text: 'Intel Core i7 16GB RAM 512GB 13.4"',
      condition_grade: 'B', price_cents: 57_900, unit_cost_cents: 35_000,
      rent_3_cents: 22_195, rent_6_cents: 13_028, rent_12_cents: 8_444,
      warranty_months: 12, images: '["/a.svg"]', featured: false, status: 'active', family_key: null,
      created_at: '2026-01-01 00:00:00.000', updated_at: '2026-01-01 00:00:00.000',
    });
  });

  it('keeps a given status', () => {
    expect(toProductRow({ ...input, status: 'draft' }, 7, '2026-01-01 00:00:00.000').status).toBe('draft');
  });
});
