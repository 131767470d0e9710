import { z } from 'zod';
import { GRADE_VALUES, type Grade } from './grades';

/**
 * The catalog's facet filters, one row each. Everything that filters, counts
 * or links by a facet reads this table: the query contract and canonical URLs
 * (schemas.ts), the SQL filters and the facet combination query (repo.ts),
 * the search index's combinations (search-index.ts), the facet counts
 * (facets.ts), the active-filter chips (present.ts) and the facet columns of a
 * products row (product-row.ts). A new facet is a products column (migration)
 * and a row here.
 *
 * Price and "in stock" are filters too, but not facets: they have no values
 * to count, so they are written out where they are used.
 */

export type FilterKind = 'text' | 'grade' | 'number';

/** What a filter of each kind holds. Text compares case-insensitively; grades and numbers exactly. */
interface KindValue {
  text: string;
  grade: Grade;
  number: number;
}

export interface FilterDef {
  /** Field in filters, facet combinations and indexed products. */
  key: string;
  /** Query-string parameter (repeatable). */
  param: string;
  /** products column; for a spec filter also the specifications field it copies. */
  column: string;
  /** product: a column of its own, never empty; specs: a copy of a specifications field, null when a product has none. */
  source: 'product' | 'specs';
  kind: FilterKind;
  /** Facet heading. */
  title: string;
  /** A value as the facet lists it. */
  label: (value: string | number) => string;
  /** A selected value as its "remove this filter" chip names it. */
  chip: (value: string | number) => string;
  /** How one query-string value parses, with its limits. */
  value: z.ZodType;
  /** For the OpenAPI document. */
  description: string;
}

/** An integer query value within bounds, with messages naming the parameter. */
export const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` });

const gradeValue = z
  .enum([...GRADE_VALUES, 'a', 'b', 'c', 'd'], { error: 'condition must be one of A, B, C, D' })
  .transform((g) => g.toUpperCase() as Grade);

/** 512 → "512 GB", 2000 → "2 TB"; search text writes it without the space ("512GB"), as shoppers type it. */
export function formatCapacity(gb: number, separator = ' '): string {
  return gb >= 1000 && gb % 1000 === 0 ? `${gb / 1000}${separator}TB` : `${gb}${separator}GB`;
}

/** In display order of the facets. */
export const FILTERS = [
  {
    key: 'brand', param: 'brand', column: 'brand', source: 'product', kind: 'text',
    title: 'Brand', label: String, chip: String,
    value: z.string().min(1).max(80, { error: 'brand must be at most 80 characters' }),
    description: 'Brand; repeat for several.',
  },
  {
    key: 'condition', param: 'condition', column: 'condition_grade', source: 'product', kind: 'grade',
    title: 'Condition', label: (g) => `Grade ${g}`, chip: (g) => `Grade ${g}`,
    value: gradeValue,
    description: 'Condition grade A–D; repeat for several.',
  },
  {
    key: 'cpuFamily', param: 'cpu_family', column: 'cpu_family', source: 'specs', kind: 'text',
    title: 'Processor', label: String, chip: String,
    value: z.string().min(1).max(40, { error: 'cpu_family must be at most 40 characters' }),
    description: 'CPU family, e.g. "Intel Core i7"; repeat for several.',
  },
  {
    key: 'ramGb', param: 'ram_gb', column: 'ram_gb', source: 'specs', kind: 'number',
    title: 'Memory (RAM)', label: (v) => `${v} GB`, chip: (v) => `${v} GB RAM`,
    value: wholeNumber('ram_gb', 0, 100_000),
    description: 'Memory in GB; repeat for several.',
  },
  {
    key: 'storageGb', param: 'storage_gb', column: 'storage_gb', source: 'specs', kind: 'number',
    title: 'Storage', label: (v) => formatCapacity(Number(v)), chip: (v) => `${formatCapacity(Number(v))} storage`,
    value: wholeNumber('storage_gb', 0, 1_000_000),
    description: 'Storage in GB; repeat for several.',
  },
  {
    key: 'screenIn', param: 'screen_in', column: 'screen_in', source: 'specs', kind: 'number',
    title: 'Screen size', label: (v) => `${v}″`, chip: (v) => `${v}″ screen`,
    value: z.coerce
      .number({ error: 'screen_in must be a size in inches, like 14 or 15.6' })
      .min(0, { error: 'screen_in cannot be negative' })
      .max(100, { error: 'screen_in must be at most 100' }),
    description: 'Screen size in inches; repeat for several.',
  },
] as const satisfies readonly FilterDef[];

type Def = (typeof FILTERS)[number];
type ProductDef = Extract<Def, { source: 'product' }>;
type SpecDef = Extract<Def, { source: 'specs' }>;

export type FilterKey = Def['key'];

/** The values selected for each filter; an empty list does not filter. */
export type FacetSelection = { [D in Def as D['key']]: Array<KindValue[D['kind']]> };

/** One product's (or facet combination's) value for each filter. */
export type FacetValues = { [D in Def as D['key']]: KindValue[D['kind']] | (D extends SpecDef ? null : never) };

/** The spec filters' columns of a products row. */
export type SpecColumns = { [D in SpecDef as D['column']]: KindValue[D['kind']] | null };

export const FILTER_KEYS: readonly FilterKey[] = FILTERS.map((d) => d.key);

/**
 * Canonical URLs, the query contract and the chips list the product filters
 * (brand, condition), then price and stock, then the spec filters.
 */
export const PRODUCT_FILTERS = FILTERS.filter((d): d is ProductDef => d.source === 'product');
export const SPEC_FILTERS = FILTERS.filter((d): d is SpecDef => d.source === 'specs');

export function emptySelection(): FacetSelection {
  return Object.fromEntries(FILTERS.map((d) => [d.key, []])) as unknown as FacetSelection;
}

/** Only the filter fields of `from` (filters, or a product's values). */
export function pickFilters<T extends Record<FilterKey, unknown>>(from: T): Pick<T, FilterKey> {
  const out = {} as Pick<T, FilterKey>;
  for (const key of FILTER_KEYS) out[key] = from[key];
  return out;
}

/** Orders values of one kind: text and grades alphabetically, numbers by size. */
export function compareValues(kind: FilterKind, a: string | number, b: string | number): number {
  return kind === 'number' ? Number(a) - Number(b) : String(a).localeCompare(String(b));
}

/** Query values as a selection: repeats dropped; grades and numbers in order, text in the order given. */
export function toSelection(query: Partial<Record<Def['param'], ReadonlyArray<string | number>>>): FacetSelection {
  const out: Record<string, Array<string | number>> = {};
  for (const d of FILTERS) {
    const values = [...new Set(query[d.param] ?? [])];
    out[d.key] = d.kind === 'text' ? values : values.sort((a, b) => compareValues(d.kind, a, b));
  }
  return out as FacetSelection;
}

/** A row's filter columns as filter values (MySQL returns DECIMAL columns as text). */
export function facetValuesOf(row: Record<string, unknown>): FacetValues {
  const out: Record<string, unknown> = {};
  for (const d of FILTERS) {
    const v = row[d.column];
    out[d.key] = v === null || v === undefined ? null : d.kind === 'number' ? Number(v) : v;
  }
  return out as FacetValues;
}
