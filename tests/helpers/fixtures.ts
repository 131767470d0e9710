import type { Grade } from '../../src/catalog/grades';
import { specFacets, type Specs } from '../../src/catalog/product-row';
import type { Db } from '../../src/db';
import { toDbTime } from '../../src/lib/clock';

let serial = 0;

export interface ProductFixture {
  categoryId: number;
  name: string;
  slug?: string;
  brand?: string;
  priceCents?: number;
  grade?: Grade;
  featured?: boolean;
  status?: 'draft' | 'active' | 'archived';
  units?: number;
  specs?: Specs;
  searchText?: string;
  createdAt?: Date;
  ratingAvgX100?: number;
  family?: string;
}

/** Inserts one product with `units` in-stock units; returns its id. */
export async function insertProduct(db: Db, p: ProductFixture): Promise<number> {
  const price = p.priceCents ?? 50_000;
  const specs = p.specs ?? {};
  const at = toDbTime(p.createdAt ?? new Date());
  const slug = p.slug ?? p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
  await db('products').insert({
    slug,
    name: p.name,
    brand: p.brand ?? 'Lenovo',
    description: `${p.name}, refurbished and tested.`,
    category_id: p.categoryId,
    specifications: JSON.stringify(specs),
    ...specFacets(specs),
    search_text: p.searchText ?? '',
    condition_grade: p.grade ?? 'A',
    price_cents: price,
    unit_cost_cents: Math.round(price * 0.6),
    rent_3_cents: Math.ceil((price * 1.15) / 3),
    rent_6_cents: Math.ceil((price * 1.35) / 6),
    rent_12_cents: Math.ceil((price * 1.75) / 12),
    warranty_months: 12,
    images: JSON.stringify([`/uploads/products/${slug}-1.svg`]),
    featured: p.featured ?? false,
    status: p.status ?? 'active',
    rating_avg_x100: p.ratingAvgX100 ?? 0,
    family_key: p.family ?? null,
    created_at: at,
    updated_at: at,
  });
  const { id } = await db('products').where({ slug }).first('id');
  for (let i = 0; i < (p.units ?? 1); i++) {
    serial++;
    await db('inventory_units').insert({ product_id: id, serial_number: `FX-${id}-${serial}-${i}`, condition_grade: p.grade ?? 'A', status: 'in_stock' });
  }
  return id;
}
