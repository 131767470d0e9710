import { z } from 'zod';

/** GET /rentals/new: the term is checked by the service, so a wrong one gets the agreement page's own message. */
export const NewRentalQuery = z.object({
  product: z.string().trim().min(1, 'Choose a product.').max(160),
  term: z.string().max(10).optional(),
});

/** POST /rentals (SPEC §7: product_id, term_months, signature_name, agree=on). */
export const SignRentalForm = z
  .object({
    product_id: z.coerce.number().int().positive().max(2 ** 31 - 1),
    term_months: z.coerce.number().int(),
    signature_name: z.string().trim().min(1, 'Type your full name to sign.').max(200, 'At most 200 characters.'),
    agree: z.literal('on', { message: 'Tick the box to agree to the terms.' }),
    /** The SHA-256 of the text the page showed; a changed agreement is shown again instead of being signed unseen. */
    shown_sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();
export type SignRentalInput = z.infer<typeof SignRentalForm>;

export const RentalParams = z.object({ number: z.string().regex(/^RA-\d{1,12}$/) });
