import { z } from 'zod';
import { ORDER_STATUSES } from '../orders/transitions';
import { PAYMENT_STATUSES } from '../payments/status';
import { productColumns, specsFromRows, toProductFields } from '../catalog/product-input';
import { blankAsMissing, optionalField } from '../http/validate';
import { RentalParams } from '../rentals/schemas';
import { RENTAL_STATUSES } from '../rentals/transitions';

/** The admin pages' forms and filters. */

const optional = optionalField;
const page = z.preprocess(blankAsMissing, z.coerce.number().int().min(1).max(100_000).optional().default(1));
/** A calendar day (UTC), as a date input sends it. */
const day = optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates look like 2026-11-27.').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'That date does not exist.'));

export const OrderParams = z.object({ number: z.string().regex(/^GG-\d{1,12}$/) });

export const OrderListQuery = z.object({
  status: optional(z.enum(ORDER_STATUSES, { error: 'Pick a status from the list.' })),
  payment_status: optional(z.enum(PAYMENT_STATUSES, { error: 'Pick a payment status from the list.' })),
  q: optional(z.string().trim().max(254, 'Search by order number or e-mail (at most 254 characters).')),
  from: day,
  to: day,
  page,
});

export const MarkPaidInput = z.object({
  reference: optional(z.string().trim().max(120, 'The reference is at most 120 characters.')),
});

export const ShipInput = z.object({
  carrier: z.string({ error: 'Enter the carrier.' }).trim().min(1, 'Enter the carrier.').max(60, 'The carrier is at most 60 characters.'),
  tracking_number: z
    .string({ error: 'Enter the tracking number.' })
    .trim()
    .min(4, 'Enter the tracking number.')
    .max(100, 'The tracking number is at most 100 characters.')
    .regex(/^[A-Za-z0-9 -]+$/, 'Tracking numbers are letters, digits, spaces and dashes.'),
  serials: z
    .string({ error: 'Enter the serial number of each unit shipped.' })
    .max(5000)
    .transform((s) => s.split(/[\r\n,]+/).map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(100)).min(1, 'Enter the serial number of each unit shipped, one per line.')),
});

export const CancelInput = z.object({
  reason: z.string({ error: 'Say why the order is cancelled.' }).trim().min(3, 'Say why the order is cancelled.').max(300, 'At most 300 characters.'),
  refund_to: optional(z.enum(['original', 'store_credit'], { error: 'Choose where the refund goes.' })).transform((v) => v ?? 'original'),
});

/** Dollars and cents as typed ("25", "25.5", "1,250.00") → integer cents. */
const amount = z
  .string({ error: 'Enter the amount to refund.' })
  .trim()
  .transform((v) => v.replace(/[$,\s]/g, ''))
  .pipe(z.string().regex(/^\d{1,7}(\.\d{1,2})?$/, 'Enter an amount like 25 or 25.50.'))
  .transform((v) => Math.round(Number(v) * 100))
  .pipe(z.number().int().min(1, 'Enter an amount above zero.'));

/** Its own field names, so a refused refund does not fill in the cancel form on the same page. */
export const RefundInput = z.object({
  amount,
  destination: z.enum(['original', 'store_credit'], { error: 'Choose where the refund goes.' }),
  note: z.string({ error: 'Say why the money is given back.' }).trim().min(3, 'Say why the money is given back.').max(300, 'At most 300 characters.'),
});

export const NoInput = z.object({});

export const AuditQuery = z.object({
  action: optional(z.string().trim().max(60)),
  entity: optional(z.string().trim().max(40)),
  entity_id: optional(z.string().trim().max(40)),
  actor: optional(z.string().trim().toLowerCase().max(254)),
  from: day,
  to: day,
  page,
});

/** The day after `d` (a YYYY-MM-DD string): the exclusive end of a date range. */
export function dayStart(d: string | undefined, plusDays = 0): Date | null {
  if (!d) return null;
  return new Date(Date.parse(`${d}T00:00:00Z`) + plusDays * 86_400_000);
}

const orderNumbers = z
  .union([z.string(), z.array(z.string())], { error: 'Tick at least one order.' })
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])])
  .pipe(z.array(z.string().regex(/^GG-\d{1,12}$/, 'That is not an order number.')).min(1, 'Tick at least one order.').max(100, 'At most 100 orders at a time.'));

export const BULK_ACTIONS = { 'mark-paid': 'Mark paid', processing: 'Start preparing', deliver: 'Mark delivered' } as const;

export const BulkInput = z.object({
  bulk_action: z.enum(Object.keys(BULK_ACTIONS) as [keyof typeof BULK_ACTIONS], { error: 'Choose what to do with the ticked orders.' }),
  numbers: orderNumbers,
});

export const PackingSlipsQuery = z.object({ numbers: orderNumbers });

export const CustomerParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number) });

export const CustomerListQuery = z.object({
  q: optional(z.string().trim().max(254, 'Search by e-mail or name (at most 254 characters).')),
  page,
});

/** A signed amount of store credit: "+25", "25" add, "-10.50" takes away. */
export const CreditInput = z.object({
  amount: z
    .string({ error: 'Enter an amount, like 25 to add or -10 to take away.' })
    .trim()
    .transform((v) => v.replace(/[$,\s]/g, ''))
    .pipe(z.string().regex(/^[+-]?\d{1,6}(\.\d{1,2})?$/, 'Enter an amount, like 25 to add or -10 to take away.'))
    .transform((v) => Math.round(Number(v) * 100))
    .pipe(z.number().int().refine((c) => c !== 0, 'Enter an amount other than zero.')),
  reason: z.string({ error: 'Give the reason; the customer sees it in their credit history.' }).trim().min(3, 'Give the reason; the customer sees it in their credit history.').max(300, 'At most 300 characters.'),
});

export const NoteInput = z.object({
  body: z.string({ error: 'Write the note.' }).trim().min(1, 'Write the note.').max(2000, 'At most 2,000 characters.'),
});

export const RoleInput = z.object({
  email: z.string({ error: 'Enter the e-mail address of the account.' }).trim().toLowerCase().min(3, 'Enter the e-mail address of the account.').max(254).pipe(z.email('Enter a valid e-mail address.')),
  role: z.enum(['customer', 'staff', 'admin'], { error: 'Choose a role.' }),
});

export const PromoParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number) });

const wholeOrBlank = (label: string) => optional(z.string().trim().regex(/^\d{1,6}$/, `${label}: a whole number, or empty for no limit.`).transform(Number));

export const PromoInput = z
  .object({
    code: z.string({ error: 'Enter the code.' }).trim().toUpperCase().min(3, 'Codes are at least 3 characters.').max(40, 'At most 40 characters.').regex(/^[A-Z0-9-]+$/, 'Codes are letters, digits and dashes.'),
    kind: z.enum(['percent', 'fixed'], { error: 'Choose percent or fixed amount.' }),
    value: z.string({ error: 'Enter the discount.' }).trim().regex(/^\d{1,6}(\.\d{1,2})?$/, 'Enter the discount, like 10 (percent) or 25.00 (dollars).'),
    min_subtotal: optional(z.string().trim().regex(/^\d{1,7}(\.\d{1,2})?$/, 'Minimum order: an amount like 50, or empty.').transform((v) => Math.round(Number(v) * 100))),
    starts_at: day,
    ends_at: day,
    usage_limit: wholeOrBlank('Uses in all'),
    per_customer_limit: wholeOrBlank('Uses per customer'),
    active: z.string().optional().transform((v) => v !== undefined),
    description: optional(z.string().trim().max(200, 'At most 200 characters.')),
  })
  .transform((f) => ({
    code: f.code,
    kind: f.kind,
    // percent: whole percent; fixed: cents
    value: f.kind === 'percent' ? Math.round(Number(f.value)) : Math.round(Number(f.value) * 100),
    minSubtotalCents: f.min_subtotal ?? 0,
    startsAt: dayStart(f.starts_at),
    endsAt: dayStart(f.ends_at, 1),
    usageLimit: f.usage_limit ?? null,
    perCustomerLimit: f.per_customer_limit ?? null,
    active: f.active,
    description: f.description ?? null,
  }));

export const PRODUCT_SORTS = { newest: 'Newest first', name: 'Name', price: 'Price, low to high', price_desc: 'Price, high to low', stock: 'Fewest in stock' } as const;
export type ProductSort = keyof typeof PRODUCT_SORTS;

export const ProductListQuery = z.object({
  q: optional(z.string().trim().max(200)),
  status: optional(z.enum(['draft', 'active', 'archived'], { error: 'Pick a status from the list.' })),
  category: optional(z.string().regex(/^\d{1,10}$/, 'Pick a category from the list.').transform(Number)),
  sort: optional(z.enum(Object.keys(PRODUCT_SORTS) as [ProductSort], { error: 'Pick an order from the list.' })).transform((v) => v ?? 'newest'),
  page,
});

export const ProductParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number) });
export const UnitParams = ProductParams.extend({ unitId: z.string().regex(/^\d{1,10}$/).transform(Number) });

export const ReceiveInput = z.object({
  serials: z
    .string({ error: 'Enter at least one serial number.' })
    .max(20_000)
    .transform((s) => s.split(/\r?\n/).map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(100, 'Serial numbers are at most 100 characters.').regex(/^[A-Za-z0-9._/-]+$/, 'Serial numbers are letters, digits and . _ / -')).min(1, 'Enter at least one serial number, one per line.').max(500, 'At most 500 at a time.')),
  grade: z.enum(['A', 'B', 'C', 'D'], { error: 'Choose the grade.' }),
  cost: optional(z.string().trim().regex(/^\d{1,6}(\.\d{1,2})?$/, 'Cost: an amount like 180 or 179.50.').transform((v) => Math.round(Number(v) * 100))),
  notes: optional(z.string().trim().max(500, 'At most 500 characters.')),
});

export const MoveInput = z.object({
  to: z.enum(['in_stock', 'refurbishing', 'retired'], { error: 'Choose where the unit goes.' }),
  reason: z.string({ error: 'Give the reason.' }).trim().min(3, 'Give the reason.').max(300, 'At most 300 characters.'),
});

export const ThresholdInput = z.object({
  threshold: optional(z.string().trim().regex(/^\d{1,4}$/, 'A whole number of units, or empty for no e-mail.').transform(Number)),
});

const rows = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(1000)).max(100));

/** The product form: the shared product columns, a category from the list, "featured", and specification rows. */
export const ProductInput = z
  .object({
    ...productColumns,
    category: z.string({ error: 'Choose a category from the list.' }).regex(/^\d{1,10}$/, 'Choose a category from the list.').transform(Number),
    featured: z.string().optional().transform((v) => v !== undefined),
    spec_key: rows,
    spec_value: rows,
  })
  .transform((f, ctx) => {
    const specs = specsFromRows(f.spec_key, f.spec_value);
    if ('error' in specs) {
      ctx.addIssue({ code: 'custom', path: ['specs'], message: specs.error });
      return z.NEVER;
    }
    return toProductFields(f, { categoryId: f.category, featured: f.featured, specs: specs.specs });
  });

/** The version of the product the edit form was opened at. */
export const ProductVersionInput = z.object({ version: z.string({ error: 'Open the product again and make your changes.' }).regex(/^\d{1,9}$/, 'Open the product again and make your changes.').transform(Number) });

export const RENTAL_DUE_FILTERS = { overdue: 'Payment overdue', week: 'Payment due this week' } as const;

export const RentalListQuery = z.object({
  status: optional(z.enum(RENTAL_STATUSES, { error: 'Pick a status from the list.' })),
  due: optional(z.enum(['overdue', 'week'], { error: 'Pick overdue or due this week.' })),
  q: optional(z.string().trim().max(254, 'Search by agreement number or e-mail (at most 254 characters).')),
  page,
});

/** What a bank transfer pays (billing.dues() kinds) and its reference. */
export const RentalPaymentInput = z.object({
  kind: z.enum(['first', 'owed', 'installment', 'buyout'], { error: 'Choose what the transfer pays.' }),
  reference: z.string({ error: 'Enter the bank transfer reference.' }).trim().min(1, 'Enter the bank transfer reference.').max(100, 'The reference is at most 100 characters.'),
});

export const RentalWaiveParams = RentalParams.extend({ installmentId: z.coerce.number().int().positive().max(2 ** 31 - 1) });

export const WaiveLateFeeInput = z.object({
  reason: z.string({ error: 'Say why the late fee is waived.' }).trim().min(3, 'Say why the late fee is waived (at least 3 characters).').max(500, 'At most 500 characters.'),
});

export const AssignUnitInput = z.object({
  serial: z.string({ error: 'Enter the serial number of an in-stock unit.' }).trim().min(1, 'Enter the serial number of an in-stock unit.').max(100, 'Serial numbers are at most 100 characters.'),
});
