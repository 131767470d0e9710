import { z } from 'zod';
import { BadRequestError } from '../http/errors';
import { emptySelection, FILTERS, PRODUCT_FILTERS, SPEC_FILTERS, toSelection, wholeNumber, type FilterDef } from './filters';
import type { AttributeFilters } from './repo';

/**
 * The catalog's query contract (SPEC §7), shared by the storefront pages, the
 * JSON API and the OpenAPI document. Schemas describe the wire format (query
 * strings); transforms turn it into ProductFilters.
 */

export const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'name', 'rating'] as const;
export type Sort = (typeof SORTS)[number];

export const PAGE_SIZE = 24;
export const MAX_PER_PAGE = 100;
export const MAX_Q_LENGTH = 200;
const MAX_VALUES = 20;

/** One value or the same parameter repeated (?brand=Dell&brand=HP). */
function multi<T extends z.ZodType>(item: T, what: string) {
  return z
    .union([z.array(item).max(MAX_VALUES, { error: `${what}: at most ${MAX_VALUES} values` }), item])
    .transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));
}

const dollars = (name: string) =>
  z.coerce
    .number({ error: `${name} must be an amount in dollars, like 250 or 249.99` })
    .min(0, { error: `${name} cannot be negative` })
    .max(1_000_000, { error: `${name} must be at most 1000000` })
    .meta({ description: `${name === 'min_price' ? 'Lowest' : 'Highest'} cash price in whole or decimal dollars.` });

type Multi<T extends z.ZodType> = ReturnType<typeof multi<T>>;
type FilterParams<D extends FilterDef> = { [E in D as E['param']]: Multi<E['value']> };

/** The query parameters of these filters (filters.ts), each repeatable. */
function filterParams<D extends FilterDef>(defs: readonly D[]): FilterParams<D> {
  return Object.fromEntries(defs.map((d) => [d.param, multi(d.value, d.param).meta({ description: d.description })])) as FilterParams<D>;
}

export const productQueryShape = {
  q: z
    .string({ error: 'q must be text' })
    .transform((s) => s.replace(/\s+/g, ' ').trim().slice(0, MAX_Q_LENGTH).trim())
    .meta({ description: `Full-text search over name, brand and specifications; longer text is cut to ${MAX_Q_LENGTH} characters.` }),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,120}$/, { error: 'category must be a category slug such as "laptops"' })
    .meta({ description: 'Category slug; includes its sub-categories.' }),
  ...filterParams(PRODUCT_FILTERS),
  min_price: dollars('min_price'),
  max_price: dollars('max_price'),
  in_stock: z
    .enum(['1', '0', 'true', 'false', 'on', 'yes', 'no'], { error: 'in_stock must be 1 or 0' })
    .transform((v) => ['1', 'true', 'on', 'yes'].includes(v))
    .meta({ description: 'Only products with units in stock.' }),
  ...filterParams(SPEC_FILTERS),
  sort: z
    .enum(SORTS, { error: `sort must be one of ${SORTS.join(', ')}` })
    .meta({ description: 'Order of results; default relevance when q is given, otherwise newest.' }),
  page: wholeNumber('page', 1, 100_000).meta({ description: 'Page number, from 1.' }),
};

export const ProductQuery = z.object(Object.fromEntries(Object.entries(productQueryShape).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof productQueryShape]: z.ZodOptional<(typeof productQueryShape)[K]>;
});

export const ApiProductQuery = ProductQuery.extend({
  per_page: wholeNumber('per_page', 1, MAX_PER_PAGE).optional().meta({ description: `Results per page, 1–${MAX_PER_PAGE} (default ${PAGE_SIZE}).` }),
});

export const RentalQuoteQuery = z.object({
  term: z.enum(['3', '6', '12'], { error: 'term must be 3, 6 or 12' }).transform(Number).meta({ description: 'Number of monthly payments.' }),
});

export interface ProductFilters extends AttributeFilters {
  q: string;
  category: string | null;
  sort: Sort;
  page: number;
  perPage: number;
}

/** Empty fields (an unfilled form input) mean "no filter". */
function compact(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) {
      const kept = v.filter((x) => typeof x !== 'string' || x.trim() !== '');
      if (kept.length) out[k] = kept;
    } else if (!(typeof v === 'string' && v.trim() === '')) {
      out[k] = v;
    }
  }
  return out;
}

/** Parses a query object with a schema; failures become one 400 naming every bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(compact((query ?? {}) as Record<string, unknown>));
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  const input = (query ?? {}) as Record<string, unknown>;
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? 'query');
    const message = innermostMessage(issue, Array.isArray(input[name]));
    fields[name] ??= message.startsWith(name) ? message : `${name}: ${message}`;
  }
  throw new BadRequestError(`Some search filters could not be used: ${Object.values(fields).join('; ')}.`, { fields });
}

/** A repeatable parameter fails as a union (list | single value): report the branch matching what was sent. */
function innermostMessage(issue: z.core.$ZodIssue, sentList: boolean): string {
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const branch = sentList ? issue.errors[0] : issue.errors[issue.errors.length - 1];
    if (branch?.[0]) return innermostMessage(branch[0], sentList);
  }
  return issue.message;
}

/** Turns the parsed query into filters: defaults, de-duplication, price in cents, min ≤ max. */
export function toFilters(p: z.output<typeof ApiProductQuery>, perPage = PAGE_SIZE): ProductFilters {
  let min = p.min_price === undefined ? null : Math.round(p.min_price * 100);
  let max = p.max_price === undefined ? null : Math.round(p.max_price * 100);
  if (min !== null && max !== null && min > max) [min, max] = [max, min];
  const q = p.q ?? '';
  return {
    q,
    category: p.category ?? null,
    ...toSelection(p),
    minPriceCents: min,
    maxPriceCents: max,
    inStock: p.in_stock ?? false,
    sort: p.sort ?? (q ? 'relevance' : 'newest'),
    page: p.page ?? 1,
    perPage: p.per_page ?? perPage,
  };
}

/**
 * The canonical query string for filters, parameters in a fixed order and
 * defaults left out, so one result set has one URL. `omitCategory` is for
 * /categories/:slug, where the category is in the path.
 */
export function filtersToQuery(f: ProductFilters, overrides: { page?: number; omitCategory?: boolean; perPage?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (f.q) params.append('q', f.q);
  if (f.category && !overrides.omitCategory) params.append('category', f.category);
  appendSelected(params, f, PRODUCT_FILTERS);
  if (f.minPriceCents !== null) params.append('min_price', centsToDollars(f.minPriceCents));
  if (f.maxPriceCents !== null) params.append('max_price', centsToDollars(f.maxPriceCents));
  if (f.inStock) params.append('in_stock', '1');
  appendSelected(params, f, SPEC_FILTERS);
  if (f.sort !== (f.q ? 'relevance' : 'newest')) params.append('sort', f.sort);
  const page = overrides.page ?? f.page;
  if (page > 1) params.append('page', String(page));
  if (overrides.perPage && f.perPage !== PAGE_SIZE) params.append('per_page', String(f.perPage));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function appendSelected(params: URLSearchParams, f: ProductFilters, defs: ReadonlyArray<(typeof FILTERS)[number]>): void {
  for (const d of defs) for (const v of f[d.key]) params.append(d.param, String(v));
}

export function centsToDollars(cents: number): string {
  return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2);
}

/** True when any filter beyond q/sort/page narrows the result. */
export function hasNarrowingFilters(f: ProductFilters): boolean {
  return FILTERS.some((d) => f[d.key].length > 0) || f.minPriceCents !== null || f.maxPriceCents !== null || f.inStock;
}

/** The same filters with nothing but q, category and sort left (first page). */
export function withoutNarrowing(f: ProductFilters): ProductFilters {
  return { ...f, ...emptySelection(), minPriceCents: null, maxPriceCents: null, inStock: false, page: 1 };
}
