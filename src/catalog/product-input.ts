import { z } from 'zod';
import { blankAsMissing } from '../http/validate';
import type { FieldErrors } from '../http/errors';
import { formatMoney, parseMoney } from '../lib/money';
import { maxTotalOfPayments, RENTAL_TERMS, withinPricingGuard, type RentalTerm } from '../rentals/quote';
import { SPEC_FILTERS } from './filters';
import { GRADE_VALUES, type Grade } from './grades';
import { rentalPrices, slugify, type ProductStatus, type Specs } from './product-row';

/**
 * What staff say about a product, and the rules it must keep, shared by the
 * admin product form and the CSV import: both parse their text into
 * ProductFields through the column schemas below and check productRuleErrors(),
 * so a row the import accepts is a product the form would save, and back.
 */

export interface ProductFields {
  slug: string;
  name: string;
  brand: string;
  description: string;
  categoryId: number;
  grade: Grade;
  priceCents: number;
  unitCostCents: number | null;
  /** Monthly price for each term; null takes the suggested price (rentalPrices). */
  rentCents: Record<RentalTerm, number | null>;
  warrantyMonths: number;
  featured: boolean;
  status: ProductStatus;
  specs: Specs;
  /** The model this product is one grade or configuration of (product-family.ts); null when it stands alone. */
  family: string | null;
}

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const satisfies readonly ProductStatus[];


/** Dollars as typed ("1299", "1,299.50", "$25") → integer cents. */
export function dollars(label: string, options: { min?: number; max?: number } = {}) {
  const min = options.min ?? 0;
  const max = options.max ?? 9_999_999;
  const message = `${label}: an amount like 1299 or 1299.50.`;
  return z
    .string({ error: message })
    .trim()
    .transform((v) => v.replace(/[$,\s]/g, ''))
    .pipe(z.string().regex(/^\d{1,7}(\.\d{1,2})?$/, message))
    .transform((v) => parseMoney(v)!)
    .pipe(
      z
        .number()
        .int()
        .min(min, `${label}: at least ${formatMoney(min)}.`)
        .max(max, `${label}: at most ${formatMoney(max)}.`),
    );
}

const optionalDollars = (label: string, options?: { min?: number; max?: number }) => z.preprocess(blankAsMissing, dollars(label, options).optional());

/** The columns both the form and the CSV import read, by their field (and CSV column) names. */
export const productColumns = {
  slug: z.preprocess(
    blankAsMissing,
    z
      .string()
      .trim()
      .toLowerCase()
      .max(160, 'The address name is at most 160 characters.')
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'The address name is lower-case letters and digits joined by single dashes, like thinkpad-t14-gen-2.')
      .optional(),
  ),
  name: z.string({ error: 'Enter the product name.' }).trim().min(2, 'Enter the product name.').max(200, 'The name is at most 200 characters.'),
  brand: z.string({ error: 'Enter the brand.' }).trim().min(1, 'Enter the brand.').max(80, 'The brand is at most 80 characters.'),
  description: z.string({ error: 'Describe the product.' }).trim().min(10, 'Describe the product in a sentence or more.').max(10_000, 'The description is at most 10,000 characters.'),
  grade: z.enum(GRADE_VALUES, { error: 'Choose the condition grade (A, B, C or D).' }),
  price: dollars('Cash price', { min: 100 }),
  unit_cost: optionalDollars('Unit cost'),
  rent_3: optionalDollars('3-month price', { min: 1 }),
  rent_6: optionalDollars('6-month price', { min: 1 }),
  rent_12: optionalDollars('12-month price', { min: 1 }),
  warranty_months: z.preprocess(
    (v) => blankAsMissing(v) ?? '0',
    z.string().trim().regex(/^\d{1,2}$/, 'Warranty: whole months from 0 to 60.').transform(Number).pipe(z.number().max(60, 'Warranty: whole months from 0 to 60.')),
  ),
  status: z.enum(PRODUCT_STATUSES, { error: 'Choose draft, active or archived.' }),
  family: z.preprocess(
    blankAsMissing,
    z
      .string()
      .trim()
      .toLowerCase()
      .max(80, 'The family key is at most 80 characters.')
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'The family key is lower-case letters and digits joined by single dashes, like thinkpad-t14-gen-2.')
      .optional(),
  ),
};

/** The common columns as ProductFields (category and specifications are read by each input its own way). */
export function toProductFields(
  c: {
    slug?: string;
    name: string;
    brand: string;
    description: string;
    grade: Grade;
    price: number;
    unit_cost?: number;
    rent_3?: number;
    rent_6?: number;
    rent_12?: number;
    warranty_months: number;
    status: ProductStatus;
    family?: string;
  },
  more: { categoryId: number; featured: boolean; specs: Specs },
): ProductFields {
  return {
    slug: c.slug ?? slugify(c.name),
    name: c.name,
    brand: c.brand,
    description: c.description,
    categoryId: more.categoryId,
    grade: c.grade,
    priceCents: c.price,
    unitCostCents: c.unit_cost ?? null,
    rentCents: { 3: c.rent_3 ?? null, 6: c.rent_6 ?? null, 12: c.rent_12 ?? null },
    warrantyMonths: c.warranty_months,
    featured: more.featured,
    status: c.status,
    specs: more.specs,
    family: c.family ?? null,
  };
}

/** The monthly prices a product is sold at: what staff set, else the suggested price for the term. */
export function monthlyPrices(f: Pick<ProductFields, 'priceCents' | 'rentCents'>): Record<RentalTerm, number> {
  const suggested = rentalPrices(f.priceCents);
  return { 3: f.rentCents[3] ?? suggested.rent3, 6: f.rentCents[6] ?? suggested.rent6, 12: f.rentCents[12] ?? suggested.rent12 };
}

/**
 * The rules a product's figures must keep, as field errors (empty when it
 * may be saved): every term's total of payments within 2.25 × the cash price
 * (SPEC §4), and a slug that is not empty once made from the name.
 */
export function productRuleErrors(f: ProductFields): FieldErrors {
  const errors: FieldErrors = {};
  if (!f.slug) errors.slug = 'Give the product an address name with letters or digits, like thinkpad-t14-gen-2.';
  const monthly = monthlyPrices(f);
  for (const term of RENTAL_TERMS) {
    if (!withinPricingGuard(f.priceCents, monthly[term], term)) {
      const max = Math.floor(maxTotalOfPayments(f.priceCents) / term);
      errors[`rent_${term}`] = `${term}-month price: at most ${formatMoney(max)} a month, so the ${term} payments total no more than 2.25 × the cash price (${formatMoney(maxTotalOfPayments(f.priceCents))}).`;
    }
  }
  return errors;
}

// ---- specifications

const SPEC_KEY = /^[a-z][a-z0-9_]{0,39}$/;
const NUMERIC_SPECS = new Set<string>(SPEC_FILTERS.filter((d) => d.kind === 'number').map((d) => d.column));
export const MAX_SPECS = 40;

/** "Battery life" → battery_life. */
export function specKey(typed: string): string {
  return typed.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * One specification value as stored: the filterable numbers (RAM, storage,
 * screen) must be numbers; other values that are plain numbers are stored as
 * numbers too ("24" ports), true and false as yes/no facts (PoE), everything
 * else as text.
 */
function specValue(key: string, typed: unknown): { value: string | number | boolean } | { error: string } {
  if (typeof typed === 'number' && Number.isFinite(typed)) return { value: typed };
  if (typeof typed === 'boolean' && !NUMERIC_SPECS.has(key)) return { value: typed };
  if (typeof typed === 'string' && /^(true|false)$/i.test(typed.trim()) && !NUMERIC_SPECS.has(key)) return { value: typed.trim().toLowerCase() === 'true' };
  if (typeof typed !== 'string' || !typed.trim()) return { error: `Give ${key} a value, or remove the row.` };
  const text = typed.trim();
  if (text.length > 300) return { error: `${key}: at most 300 characters.` };
  if (/^\d{1,9}(\.\d{1,3})?$/.test(text)) return { value: Number(text) };
  if (NUMERIC_SPECS.has(key)) return { error: `${key} is a number (${key === 'screen_in' ? 'inches, like 14 or 15.6' : 'gigabytes, like 16'}).` };
  return { value: text };
}

/** Key/value rows as typed in the form (blank rows skipped) → specifications, or the first problem. */
export function specsFromRows(keys: readonly string[], values: readonly string[]): { specs: Specs } | { error: string } {
  const specs: Specs = {};
  for (let i = 0; i < Math.max(keys.length, values.length); i++) {
    const typedKey = keys[i]?.trim() ?? '';
    const typedValue = values[i]?.trim() ?? '';
    if (!typedKey && !typedValue) continue;
    if (!typedKey) return { error: `Name the specification whose value is “${typedValue.slice(0, 40)}”.` };
    const checked = checkSpec(specs, specKey(typedKey), typedValue);
    if ('error' in checked) return checked;
  }
  return { specs };
}

/** A JSON object of specifications, as the CSV's specifications column holds it. */
export function specsFromJson(text: string): { specs: Specs } | { error: string } {
  if (!text.trim()) return { specs: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'specifications is not a JSON object like {"cpu":"Intel Core i5","ram_gb":16}.' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'specifications is not a JSON object like {"cpu":"Intel Core i5","ram_gb":16}.' };
  const specs: Specs = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null) continue; // a value left out
    const checked = checkSpec(specs, key, value);
    if ('error' in checked) return checked;
  }
  return { specs };
}

function checkSpec(specs: Specs, key: string, typed: unknown): { ok: true } | { error: string } {
  if (!SPEC_KEY.test(key)) return { error: `Specification names are lower-case words joined by underscores, like battery_life (not “${key.slice(0, 40)}”).` };
  if (key in specs) return { error: `${key} is listed twice.` };
  if (Object.keys(specs).length >= MAX_SPECS) return { error: `At most ${MAX_SPECS} specifications.` };
  const v = specValue(key, typed);
  if ('error' in v) return v;
  specs[key] = v.value;
  return { ok: true };
}
