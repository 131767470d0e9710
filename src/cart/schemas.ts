import { z } from 'zod';
import { Quantity } from '../checkout/schemas';

/** Cart forms (SPEC §7 field names). */

const id = (message: string) => z.string().regex(/^\d{1,10}$/, message).transform(Number);

export const AddItemInput = z.object({ product_id: id('Unknown product.'), quantity: Quantity.optional().default(1) });
export const UpdateItemInput = z.object({ quantity: Quantity });
export const ItemParams = z.object({ id: id('That item is no longer in your cart.') });
export const PromoInput = z.object({
  code: z
    .string({ error: 'Enter a code.' })
    .trim()
    .min(1, 'Enter a code.')
    .max(40, 'That code is too long.')
    .regex(/^[\w-]+$/, 'Codes are letters, digits and dashes.'),
});
