import { z } from 'zod';
import { CUSTOMER_DISPUTE_KINDS, DISPUTE_OUTCOMES, type QueueFilter } from './repo';

export const MESSAGE_MAX = 4000;

const message = z
  .string({ error: 'Please write a message.' })
  .trim()
  .min(1, 'Please write a message.')
  .max(MESSAGE_MAX, `Please keep the message under ${MESSAGE_MAX} characters (it has too many).`);

export const DisputeParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
/** A photo as linked from a dispute page: `<id>-large.webp` or `<id>-small.webp` (photos.ts checks the name). */
export const PhotoParams = DisputeParams.extend({ name: z.string().max(60) });
export const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** The customer's claim: `subject` is `order:GG-100001` or `rental:RA-100001` (one of theirs). */
export const OpenDisputeInput = z.object({
  subject: z.string({ error: 'Choose the order or agreement.' }).regex(/^(order|rental):[A-Z]{2}-\d{1,12}$/, 'Choose the order or agreement.').transform((s) => {
    const [type, number] = s.split(':') as ['order' | 'rental', string];
    return { type, number };
  }),
  kind: z.enum(CUSTOMER_DISPUTE_KINDS, { error: 'Choose what went wrong.' }),
  message,
}).strict();
export type OpenDisputeInput = z.infer<typeof OpenDisputeInput>;

export const MessageInput = z.object({ message }).strict();

/** Prefill of the new-claim form from an order or agreement page. */
export const NewDisputeQuery = z.object({
  order: z.string().regex(/^[A-Z]{2}-\d{1,12}$/).optional().catch(undefined),
  rental: z.string().regex(/^[A-Z]{2}-\d{1,12}$/).optional().catch(undefined),
});

const QUEUE_FILTERS = ['active', 'mine', 'unassigned', 'chargebacks', 'closed', 'all'] as const satisfies readonly QueueFilter[];
export const QueueQuery = z.object({
  show: z.enum(QUEUE_FILTERS).catch('active'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

export const AssignInput = z.object({
  assignee: z.union([z.literal(''), z.coerce.number().int().positive()], { error: 'Choose a staff member.' }).transform((v) => (v === '' ? null : v)),
}).strict();

const amount = z
  .string()
  .trim()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, 'Enter an amount such as 25 or 25.50.')
  .transform((s) => Math.round(Number(s) * 100))
  .refine((c) => c > 0, 'Enter an amount above zero.');

export const ResolveInput = z
  .object({
    outcome: z.enum(DISPUTE_OUTCOMES, { error: 'Choose how the claim is decided.' }),
    amount: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), amount.optional()),
    note: z.string({ error: 'Write what was decided, for the customer.' }).trim().min(1, 'Write what was decided, for the customer.').max(2000, 'Please keep the note under 2000 characters.'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.outcome === 'refund' || v.outcome === 'credit') && v.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Enter the amount to give back.' });
  });
export type ResolveInput = z.infer<typeof ResolveInput>;
