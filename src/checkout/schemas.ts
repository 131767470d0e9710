import { z } from 'zod';
import { blankAsMissing } from '../http/validate';
import { US_STATES } from './regions';

const text = (label: string, max: number) =>
  z.string({ error: `${label} is required.` }).trim().min(1, `${label} is required.`).max(max, `${label} is too long (at most ${max} characters).`);
const optionalText = (label: string, max: number) =>
  z.string().trim().max(max, `${label} is too long (at most ${max} characters).`).optional().transform((v) => (v ? v : null));

/** We ship within the United States; the region is the state code and sets the tax rate. */
export const SHIP_COUNTRIES = { US: 'United States' } as const;

const email = z.string().trim().toLowerCase().max(254, 'That e-mail address is too long.').pipe(z.email('Enter a valid e-mail address, like you@example.com.'));

/** The checkout form of a signed-in shopper (the receipt goes to the account's address). */
export const CheckoutForm = z
  .object({
    email: z.preprocess(blankAsMissing, email.optional()),
    first_name: text('First name', 100),
    last_name: text('Last name', 100),
    line1: text('Address', 200),
    line2: optionalText('Address line 2', 200),
    city: text('City', 100),
    region: z.string({ error: 'Choose your state.' }).trim().toUpperCase().refine((v) => v in US_STATES, 'Choose your state.'),
    postal_code: z.string({ error: 'ZIP code is required.' }).trim().regex(/^\d{5}(-\d{4})?$/, 'Enter a 5-digit ZIP code, like 78744.'),
    country: z.string({ error: 'Choose a country.' }).trim().toUpperCase().refine((v) => v in SHIP_COUNTRIES, 'We currently ship within the United States only.'),
    phone: z
      .string()
      .trim()
      .max(40, 'That phone number is too long.')
      .refine((v) => v === '' || /^\+?[0-9 ().-]{7,40}$/.test(v), 'Enter a phone number using digits, spaces, +, ( ) or -.')
      .optional()
      .transform((v) => (v ? v : null)),
    shipping_method: z.string({ error: 'Choose a shipping method.' }).trim().min(1, 'Choose a shipping method.').max(40),
    use_store_credit: z.enum(['on', '1', 'true', 'yes']).optional().transform((v) => v !== undefined),
    payment_method: z.enum(['stripe', 'manual'], { error: 'Choose how you want to pay.' }),
    /** The amount on the button the shopper pressed: the order is refused if the total is no longer that. */
    expected_amount_cents: z.preprocess(blankAsMissing, z.string().regex(/^\d{1,10}$/, 'The total shown could not be read. Please check the order and try again.').transform(Number).optional()),
  });

/** A guest's checkout form: the e-mail address is where the receipt goes. */
export const GuestCheckoutForm = CheckoutForm.extend({
  email: z.preprocess(blankAsMissing, z.string({ error: 'Enter your e-mail address so we can send your receipt.' }).pipe(email)),
});

export type CheckoutInput = z.infer<typeof CheckoutForm>;

/** What the live total on the checkout page is computed from (GET /checkout/totals). */
export const TotalsQuery = z.object({
  shipping_method: z.string().max(40).optional(),
  region: z.string().max(10).optional(),
  use_store_credit: z.string().max(10).optional(),
});

export const Quantity = z
  .string({ error: 'Enter a quantity.' })
  .trim()
  .regex(/^\d{1,6}$/, 'Quantity must be a whole number from 1 to 99.')
  .transform(Number)
  .pipe(z.number().int().min(1, 'Quantity must be at least 1.').max(99, 'Quantity must be at most 99.'));
