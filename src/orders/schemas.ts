import { z } from 'zod';

/** Order pages: the number in the path, the list's page, the cancel form. */

export const OrderParams = z.object({ number: z.string().regex(/^GG-\d{1,12}$/) });
export const OrderListQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });
export const CancelInput = z.object({ refund_to: z.enum(['original', 'store_credit'], { error: 'Choose where the refund goes.' }).optional().default('original') });
