import { formatCapacity, SPEC_FILTERS, type SpecColumns } from './filters';
import type { Grade } from './grades';
import { maxTotalOfPayments } from '../rentals/quote';

/**
 * Builds a products row from what staff (or the seeds) say about a product:
 * the derived columns (slug, rental prices, facet columns, search text) are
 * computed here only, so the demo seed, the bulk generator, the admin panel
 * and CSV import store the same thing.
 */

export type SpecValue = string | number | boolean | null;

/** Known keys feed facet columns and search text; anything else is shown as-is. */
export interface Specs {
  cpu?: string;
  cpu_family?: string;
  ram_gb?: number;
  storage_gb?: number;
  storage_type?: string;
  screen_in?: number;
  gpu?: string;
  ports?: string | number;
  [key: string]: SpecValue | undefined;
}

export type ProductStatus = 'draft' | 'active' | 'archived';

/** Lower-case ASCII words joined by hyphens: "Café Pro 14\"" → "cafe-pro-14". */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Monthly rental prices in cents. The markups (15 %, 35 %, 75 %) keep the
 * total of payments far below the 2.25 × cash price guard of SPEC §4; rounding
 * up adds at most a cent per payment, which only a price under 24 cents could
 * push past the guard, so the guard caps it there.
 */
export function rentalPrices(priceCents: number): { rent3: number; rent6: number; rent12: number } {
  const monthly = (markupPercent: number, term: number) =>
    Math.min(Math.ceil((priceCents * (100 + markupPercent)) / (100 * term)), Math.floor(maxTotalOfPayments(priceCents) / term));
  return { rent3: monthly(15, 3), rent6: monthly(35, 6), rent12: monthly(75, 12) };
}

/** The facet columns copied from the specifications; a field of the wrong type counts as missing. */
export function specFacets(specs: Specs): SpecColumns {
  const out: Record<string, string | number | null> = {};
  for (const d of SPEC_FILTERS) {
    const v = specs[d.column];
    out[d.column] = (d.kind === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string') ? (v as string | number) : null;
  }
  return out as SpecColumns;
}

export const SEARCH_TEXT_MAX = 1000;

/** Spec words for full-text search, so "16GB", "i7" or "IPS" find products whose names lack them. */
export function searchText(specs: Specs): string {
  const parts: string[] = [];
  const add = (s: string | undefined) => {
    if (s && !parts.includes(s)) parts.push(s);
  };
  add(specs.cpu);
  add(specs.cpu_family);
  add(specs.gpu);
  if (specs.ram_gb) add(`${specs.ram_gb}GB RAM`);
  if (specs.storage_gb) add(`${formatCapacity(specs.storage_gb, '')} ${specs.storage_type ?? ''}`.trim());
  if (specs.screen_in) add(`${specs.screen_in}"`);
  if (typeof specs.ports === 'number') add(`${specs.ports}-port`);
  for (const [key, value] of Object.entries(specs)) {
    if (typeof value === 'string' && key !== 'storage_type') add(value);
  }
  let text = parts.join(' ');
  // Cut at a word boundary, so no half word becomes searchable.
  if (text.length > SEARCH_TEXT_MAX) text = text.slice(0, text.lastIndexOf(' ', SEARCH_TEXT_MAX));
  return text;
}

export interface ProductRowInput {
  slug: string;
  name: string;
  brand: string;
  description: string;
  grade: Grade;
  priceCents: number;
  unitCostCents: number | null;
  /** Monthly prices set by staff; default the suggested rentalPrices(). */
  rent?: { rent3: number; rent6: number; rent12: number };
  warrantyMonths: number;
  featured: boolean;
  specs: Specs;
  images: string[];
  /** Default active. */
  status?: ProductStatus;
  /** The product family (one model in several grades and configurations); default none. */
  family?: string | null;
}

/** A products row as inserted (a type, not an interface, so it passes as a plain record to insert helpers). */
export type ProductRow = {
  slug: string;
  name: string;
  brand: string;
  description: string;
  category_id: number;
  specifications: string;
  search_text: string;
  condition_grade: Grade;
  price_cents: number;
  unit_cost_cents: number | null;
  rent_3_cents: number;
  rent_6_cents: number;
  rent_12_cents: number;
  warranty_months: number;
  images: string;
  featured: boolean;
  status: ProductStatus;
  family_key: string | null;
  created_at: string;
  updated_at: string;
} & SpecColumns;

/** A products row (facet columns, search text and rental prices filled in) ready to insert. */
export function toProductRow(p: ProductRowInput, categoryId: number, createdAt: string): ProductRow {
  const rent = p.rent ?? rentalPrices(p.priceCents);
  return {
    slug: p.slug,
    name: p.name,
    brand: p.brand,
    description: p.description,
    category_id: categoryId,
    specifications: JSON.stringify(p.specs),
    ...specFacets(p.specs),
    search_text: searchText(p.specs),
    condition_grade: p.grade,
    price_cents: p.priceCents,
    unit_cost_cents: p.unitCostCents,
    rent_3_cents: rent.rent3,
    rent_6_cents: rent.rent6,
    rent_12_cents: rent.rent12,
    warranty_months: p.warrantyMonths,
    images: JSON.stringify(p.images),
    featured: p.featured,
    status: p.status ?? 'active',
    family_key: p.family ?? null,
    created_at: createdAt,
    updated_at: createdAt,
  };
}
