import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Conn } from '../db';
import { formatCount } from '../lib/locale';
import { decimalAmount } from '../lib/money';
import { fieldErrors } from '../http/validate';
import { productColumns, specsFromJson, toProductFields, type ProductFields } from './product-input';
import { toEditableProduct, type EditableProduct } from './repo';

/**
 * The products CSV: what GET /admin/products/export.csv writes and
 * POST /admin/products/import reads, one product per row, matched by slug
 * (an unknown slug creates a product, a known one updates it). Prices are
 * dollars ("649.00"); category is the category's slug; specifications is a
 * JSON object; featured is yes or no; family is the product family's key
 * (empty: the product stands alone); images are managed on their own page
 * and are neither exported nor imported.
 */

export const CSV_COLUMNS = [
  'slug', 'name', 'brand', 'category', 'family', 'grade', 'status', 'price', 'unit_cost', 'rent_3', 'rent_6', 'rent_12', 'warranty_months', 'featured', 'description', 'specifications',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns an import must have; the others may be left out (empty: unit cost unknown, suggested monthly prices, not featured, no specifications, no family). */
const REQUIRED_COLUMNS: readonly CsvColumn[] = ['slug', 'name', 'brand', 'category', 'grade', 'status', 'price', 'description'];

export const MAX_IMPORT_ROWS = 20_000;

/** A bad row (or the header, line 1) and why. */
export interface ImportProblem {
  line: number;
  slug: string | null;
  message: string;
}

export interface CsvProductRow {
  line: number;
  fields: ProductFields;
}

// Spreadsheets run a cell starting with = + - @ as a formula: exported text cells that do get a leading
// apostrophe (the usual guard), which the import takes off again.
const FORMULA_START = /^[=+\-@\t\r]/;
const guardCell = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
const unguardCell = (text: string) => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);

const cents = (c: number | null) => (c === null ? '' : decimalAmount(c));

/** One product as a CSV record. */
export function toCsvRecord(p: EditableProduct, categorySlug: string): Record<CsvColumn, string> {
  const f = p.fields;
  return {
    slug: f.slug,
    name: guardCell(f.name),
    brand: guardCell(f.brand),
    category: categorySlug,
    family: f.family ?? '',
    grade: f.grade,
    status: f.status,
    price: cents(f.priceCents),
    unit_cost: cents(f.unitCostCents),
    rent_3: cents(f.rentCents[3]),
    rent_6: cents(f.rentCents[6]),
    rent_12: cents(f.rentCents[12]),
    warranty_months: String(f.warrantyMonths),
    featured: f.featured ? 'yes' : 'no',
    description: guardCell(f.description),
    specifications: Object.keys(f.specs).length ? JSON.stringify(f.specs) : '',
  };
}

const yesNo = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.enum(['', 'yes', 'no', 'true', 'false', '1', '0', 'y', 'n'], { error: 'featured is yes or no.' }).transform((v) => ['yes', 'true', '1', 'y'].includes(v)),
);

const CsvRecord = z.object({
  ...productColumns,
  category: z.string({ error: 'Give the category slug, e.g. laptops.' }).trim().toLowerCase().min(1, 'Give the category slug, e.g. laptops.').max(100),
  featured: z.preprocess((v) => v ?? '', yesNo),
  specifications: z.string().max(20_000, 'specifications is at most 20,000 characters.').optional(),
});

/**
 * Reads a CSV file's rows as product fields, through the same column
 * schemas as the admin form. Returns the good rows and every problem: the
 * header, rows that do not parse, unknown categories and slugs listed twice.
 */
export function readProductCsv(text: string, categoryIds: ReadonlyMap<string, number>): { rows: CsvProductRow[]; problems: ImportProblem[]; total: number } {
  const problems: ImportProblem[] = [];
  let parsedRecords: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    parsedRecords = parse(text, { bom: true, skip_empty_lines: true, info: true, raw: true, relax_column_count: true, max_record_size: 100_000 }) as unknown as typeof parsedRecords;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    return { rows: [], total: 0, problems: [{ line: e.lines ?? 1, slug: null, message: `The file is not a readable CSV: ${e.message}` }] };
  }
  const [head, ...records] = parsedRecords;
  const header = (head?.record ?? []).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (missing.length) problems.push({ line: 1, slug: null, message: `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.` });
  if (unknown.length) problems.push({ line: 1, slug: null, message: `Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. The columns are: ${CSV_COLUMNS.join(', ')}.` });
  if (problems.length) return { rows: [], problems, total: records.length };
  if (records.length > MAX_IMPORT_ROWS) return { rows: [], total: records.length, problems: [{ line: 1, slug: null, message: `At most ${formatCount(MAX_IMPORT_ROWS)} products per file; this one has ${formatCount(records.length)}.` }] };

  const rows: CsvProductRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info, raw: text } of records) {
    // info.lines is the record's last line; a quoted field may hold line breaks (raw also holds skipped empty lines before it).
    const line = info.lines - (text.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
    const raw: Record<string, string | undefined> = Object.fromEntries(header.map((column, i) => [column, column === 'specifications' ? record[i] : unguardCell(record[i] ?? '')]));
    const slugGuess = raw.slug?.trim() || null;
    if (record.length !== header.length) {
      problems.push({ line, slug: slugGuess, message: `This row has ${record.length} fields; the header has ${header.length}. A field holding a comma or a line break needs double quotes around it.` });
      continue;
    }
    const parsed = CsvRecord.safeParse(raw);
    if (!parsed.success) {
      problems.push({ line, slug: slugGuess, message: [...new Set(Object.values(fieldErrors(parsed.error)))].join(' ') });
      continue;
    }
    const r = parsed.data;
    const categoryId = categoryIds.get(r.category);
    const specs = specsFromJson(r.specifications ?? '');
    const messages = [
      ...(categoryId === undefined ? [`There is no category ${r.category}.`] : []),
      ...('error' in specs ? [specs.error] : []),
    ];
    if (messages.length || 'error' in specs || categoryId === undefined) {
      problems.push({ line, slug: slugGuess, message: messages.join(' ') });
      continue;
    }
    const fields = toProductFields(r, { categoryId, featured: r.featured, specs: specs.specs });
    const first = seen.get(fields.slug);
    if (first !== undefined) {
      problems.push({ line, slug: fields.slug, message: `The slug ${fields.slug} is on line ${first} too.` });
      continue;
    }
    seen.set(fields.slug, line);
    rows.push({ line, fields });
  }
  return { rows, problems, total: records.length };
}

/** The products CSV (header, then every product by id), in chunks of `batch` products, for streaming. */
export async function* productCsvChunks(conn: Conn, batch = 1000): AsyncGenerator<string> {
  const categories = new Map((await conn('categories').select('id', 'slug')).map((c) => [Number(c.id), String(c.slug)]));
  yield stringify([[...CSV_COLUMNS]]);
  let after = 0;
  for (;;) {
    const rows = await conn('products').where('id', '>', after).orderBy('id').limit(batch).select();
    if (!rows.length) return;
    after = rows[rows.length - 1].id;
    yield stringify(rows.map((r) => {
      const record = toCsvRecord(toEditableProduct(r), categories.get(r.category_id) ?? '');
      return CSV_COLUMNS.map((c) => record[c]);
    }));
  }
}
