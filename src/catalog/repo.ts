import type { Conn } from '../db';

export type ConditionGrade = 'A' | 'B' | 'C' | 'D';

export interface Category {
  id: number;
  parentId: number | null;
  slug: string;
  name: string;
  description: string | null;
  position: number;
}

export interface ProductSummary {
  id: number;
  slug: string;
  name: string;
  brand: string;
  categoryId: number;
  conditionGrade: ConditionGrade;
  priceCents: number;
  rent12Cents: number;
  image: string | null;
  inStock: number;
}

type Row = Record<string, any>;

export function toCategory(r: Row): Category {
  return {
    id: r.id,
    parentId: r.parent_id ?? null,
    slug: r.slug,
    name: r.name,
    description: r.description ?? null,
    position: r.position,
  };
}

export function toProductSummary(r: Row): ProductSummary {
  const images = JSON.parse(r.images ?? '[]') as string[];
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    brand: r.brand,
    categoryId: r.category_id,
    conditionGrade: r.condition_grade,
    priceCents: r.price_cents,
    rent12Cents: r.rent_12_cents,
    image: images[0] ?? null,
    inStock: Number(r.in_stock ?? 0),
  };
}

export const SUMMARY_COLUMNS = [
  'p.id', 'p.slug', 'p.name', 'p.brand', 'p.category_id', 'p.condition_grade',
  'p.price_cents', 'p.rent_12_cents', 'p.images',
];

/** Saleable stock as a correlated sub-select: units currently in stock. */
export function inStockSubquery(db: Conn) {
  return db('inventory_units as u').count('*').where('u.product_id', db.ref('p.id')).andWhere('u.status', 'in_stock').as('in_stock');
}

export async function listCategories(db: Conn): Promise<Category[]> {
  const rows = await db('categories').select('*').orderBy([{ column: 'position' }, { column: 'name' }]);
  return rows.map(toCategory);
}

export async function featuredProducts(db: Conn, limit: number): Promise<ProductSummary[]> {
  const rows = await db('products as p')
    .select(...SUMMARY_COLUMNS, inStockSubquery(db))
    .where({ 'p.status': 'active', 'p.featured': true })
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit);
  return rows.map(toProductSummary);
}
