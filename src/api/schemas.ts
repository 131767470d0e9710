import { z } from 'zod';
import { GRADE_VALUES } from '../catalog/grades';

/** JSON shapes of the public API; the OpenAPI document is generated from these. */

export const ProductIdParams = z.object({
  id: z.coerce
    .number({ error: 'id must be a whole number' })
    .int({ error: 'id must be a whole number' })
    .min(1, { error: 'id must be 1 or more' })
    .max(2_147_483_647, { error: 'id is too large' })
    .meta({ description: 'Product id.' }),
});

const cents = (description: string) => z.number().int().meta({ description });

export const ProductSummaryOut = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    brand: z.string(),
    category_id: z.number().int(),
    condition_grade: z.enum(GRADE_VALUES),
    price_cents: cents('Cash price in cents.'),
    rent_12_cents: cents('Monthly payment on a 12-month rent-to-own term, in cents.'),
    image: z.string().nullable(),
    in_stock: z.number().int().meta({ description: 'Units available now.' }),
    rating_avg: z.number().nullable().meta({ description: 'Average approved review rating 1–5, null without reviews.' }),
    rating_count: z.number().int(),
    url: z.string().meta({ description: 'Product page path.' }),
  });

export const FacetOut = z
  .object({
    param: z.string().meta({ description: 'Query parameter that filters on this facet.' }),
    title: z.string(),
    values: z.array(z.object({ value: z.string(), label: z.string(), count: z.number().int(), selected: z.boolean() })),
  });

export const ProductListOut = z
  .object({
    items: z.array(ProductSummaryOut),
    page: z.number().int(),
    per_page: z.number().int(),
    total: z.number().int().meta({ description: 'Products matching the filters, on all pages.' }),
    total_pages: z.number().int(),
    facets: z.array(FacetOut),
  });

const SpecValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ProductDetailOut = ProductSummaryOut.extend({
  description: z.string(),
  specifications: z.record(z.string(), SpecValue),
  cpu_family: z.string().nullable(),
  ram_gb: z.number().int().nullable(),
  storage_gb: z.number().int().nullable(),
  screen_in: z.number().nullable(),
  rent_3_cents: cents('Monthly payment on a 3-month term, in cents.'),
  rent_6_cents: cents('Monthly payment on a 6-month term, in cents.'),
  warranty_months: z.number().int(),
  images: z.array(z.string()),
  status: z.enum(['active', 'archived']),
  category: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).nullable(),
});

export const RentalQuoteOut = z
  .object({
    product_id: z.number().int(),
    term_months: z.union([z.literal(3), z.literal(6), z.literal(12)]),
    cash_price_cents: z.number().int(),
    monthly_cents: z.number().int(),
    number_of_payments: z.number().int(),
    total_of_payments_cents: z.number().int(),
    cost_of_rental_cents: cents('Total of payments minus the cash price.'),
    within_pricing_guard: z.boolean().meta({ description: 'Total of payments is at most 2.25 × the cash price.' }),
    early_purchase: z
      .array(
        z.object({
          after_payment: z.number().int(),
          day: z.number().int().meta({ description: 'Day of the agreement the payment falls on, counting 30-day months (start = day 1).' }),
          paid_to_date_cents: z.number().int(),
          remaining_payments_cents: z.number().int(),
          early_purchase_cents: z.number().int(),
          rule: z.enum(['first_90_days', 'after_90_days', 'owned']),
        }),
      )
      .meta({ description: 'Early purchase price right after each payment.' }),
    rounding: z.string(),
  });

export const ErrorOut = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().nullable(),
      id: z.string().optional().meta({ description: 'Reference of a logged server error.' }),
    }),
  });

export type ProductSummaryJson = z.infer<typeof ProductSummaryOut>;
export type ProductDetailJson = z.infer<typeof ProductDetailOut>;
export type ProductListJson = z.infer<typeof ProductListOut>;
export type RentalQuoteJson = z.infer<typeof RentalQuoteOut>;
