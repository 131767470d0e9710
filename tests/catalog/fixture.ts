import type { Db } from '../../src/db';
import { insertProduct } from '../helpers/fixtures';

/**
 * A small catalog with known answers. created_at increases down the list, so
 * "newest" is this list reversed.
 */
export async function seedCatalogFixture(db: Db): Promise<{ categories: Record<string, number>; products: Record<string, number> }> {
  const categories: Record<string, number> = {};
  const addCategory = async (slug: string, name: string, position: number, parent: string | null = null) => {
    await db('categories').insert({ slug, name, position, parent_id: parent ? categories[parent] : null, description: `${name} we tested.` });
    categories[slug] = (await db('categories').where({ slug }).first('id')).id;
  };
  await addCategory('laptops', 'Laptops', 1);
  await addCategory('desktops', 'Desktops', 2);
  await addCategory('monitors', 'Monitors', 3);
  await addCategory('business-laptops', 'Business Laptops', 1, 'laptops');

  const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12));
  const products: Record<string, number> = {};
  const rows: Array<Parameters<typeof insertProduct>[1]> = [
    { categoryId: categories['business-laptops']!, name: 'Lenovo ThinkPad T14', brand: 'Lenovo', priceCents: 44_900, grade: 'A', units: 3, featured: true, specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 512, storage_type: 'NVMe SSD', screen_in: 14, panel: 'IPS' }, searchText: 'Intel Core i5-1145G7 Intel Core i5 16GB RAM 512GB NVMe SSD 14" IPS', createdAt: day(1), ratingAvgX100: 450 },
    { categoryId: categories['business-laptops']!, name: 'Lenovo ThinkPad X1 Carbon', brand: 'Lenovo', priceCents: 69_900, grade: 'B', units: 1, specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, screen_in: 14 }, searchText: 'Intel Core i7-1185G7 Intel Core i7 16GB RAM 512GB SSD 14"', createdAt: day(2), ratingAvgX100: 480 },
    { categoryId: categories['business-laptops']!, name: 'Dell Latitude 5420', brand: 'Dell', priceCents: 34_900, grade: 'B', units: 0, specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 8, storage_gb: 256, screen_in: 14 }, searchText: 'Intel Core i5-1145G7 Intel Core i5 8GB RAM 256GB SSD 14"', createdAt: day(3) },
    { categoryId: categories['business-laptops']!, name: 'HP EliteBook 840 G8', brand: 'HP', priceCents: 42_900, grade: 'C', units: 2, specs: { cpu: 'Intel Core i5-1145G7', cpu_family: 'Intel Core i5', ram_gb: 16, storage_gb: 256, screen_in: 14 }, searchText: 'Intel Core i5-1145G7 Intel Core i5 16GB RAM 256GB SSD 14"', createdAt: day(4), ratingAvgX100: 300 },
    { categoryId: categories.laptops!, name: 'Apple MacBook Air M1', brand: 'Apple', priceCents: 54_900, grade: 'A', units: 2, featured: true, specs: { cpu: 'Apple M1 8-core', cpu_family: 'Apple M1', ram_gb: 8, storage_gb: 256, screen_in: 13.3 }, searchText: 'Apple M1 8-core Apple M1 8GB RAM 256GB SSD 13.3" Retina', createdAt: day(5), ratingAvgX100: 490 },
    { categoryId: categories.laptops!, name: 'Dell XPS 13', brand: 'Dell', priceCents: 57_900, grade: 'B', units: 1, specs: { cpu: 'Intel Core i7-1185G7', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512, screen_in: 13.4 }, searchText: 'Intel Core i7-1185G7 Intel Core i7 16GB RAM 512GB SSD 13.4"', createdAt: day(6) },
    { categoryId: categories.desktops!, name: 'Dell OptiPlex 7090', brand: 'Dell', priceCents: 44_900, grade: 'A', units: 2, specs: { cpu: 'Intel Core i7-10700', cpu_family: 'Intel Core i7', ram_gb: 16, storage_gb: 512 }, searchText: 'Intel Core i7-10700 Intel Core i7 16GB RAM 512GB SSD Tower', createdAt: day(7) },
    { categoryId: categories.desktops!, name: 'HP ProDesk 400', brand: 'HP', priceCents: 19_900, grade: 'D', units: 1, specs: { cpu: 'Intel Core i3-8100', cpu_family: 'Intel Core i3', ram_gb: 8, storage_gb: 256 }, searchText: 'Intel Core i3-8100 Intel Core i3 8GB RAM 256GB SSD', createdAt: day(8) },
    { categoryId: categories.monitors!, name: 'Dell UltraSharp U2720Q', brand: 'Dell', priceCents: 32_900, grade: 'A', units: 4, specs: { screen_in: 27, resolution: '3840×2160', panel: 'IPS' }, searchText: '27" 4K IPS USB-C ThinkPad dock compatible', createdAt: day(9) },
    { categoryId: categories.laptops!, name: 'Lenovo Draft Laptop', brand: 'Lenovo', priceCents: 10_000, status: 'draft', createdAt: day(10) },
    { categoryId: categories['business-laptops']!, name: 'Lenovo ThinkPad T460 Archived', brand: 'Lenovo', priceCents: 12_000, status: 'archived', units: 0, createdAt: day(11) },
  ];
  for (const row of rows) products[row.name] = await insertProduct(db, row);
  return { categories, products };
}

export const NEWEST_FIRST = [
  'Dell UltraSharp U2720Q', 'HP ProDesk 400', 'Dell OptiPlex 7090', 'Dell XPS 13', 'Apple MacBook Air M1',
  'HP EliteBook 840 G8', 'Dell Latitude 5420', 'Lenovo ThinkPad X1 Carbon', 'Lenovo ThinkPad T14',
];

/** Product names of the cards on a listing page, in order. */
export function cardNames(html: string): string[] {
  return [...html.matchAll(/<article class="product-card">[\s\S]*?<h3>([^<]*)<\/h3>/g)].map((m) => decode(m[1]!));
}

export function decode(s: string): string {
  return s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');
}
