import { z } from 'zod';
import { blankAsMissing, optionalField } from '../http/validate';
import { formatCount } from '../lib/locale';
import { REVIEW_STATUSES } from './transitions';

/** The review form (SPEC §7: rating, title, body) and the moderation pages' inputs. */

export const TITLE_MAX = 120;
export const BODY_MAX = 5000;

const RATING_MESSAGE = 'Choose a rating from 1 to 5 stars.';

export const ReviewInput = z
  .object({
    rating: z
      .string({ error: RATING_MESSAGE })
      .trim()
      .regex(/^[1-5]$/, RATING_MESSAGE)
      .transform((v) => Number(v) as 1 | 2 | 3 | 4 | 5),
    title: z
      .string({ error: 'Give your review a title.' })
      .trim()
      .min(1, 'Give your review a title.')
      .max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters.`),
    body: z
      .string({ error: 'Write your review.' })
      .trim()
      .min(1, 'Write your review.')
      .max(BODY_MAX, `Keep your review to ${formatCount(BODY_MAX)} characters; it is longer than that.`),
  })
  .strict();
export type ReviewFields = z.output<typeof ReviewInput>;

export const ProductSlugParams = z.object({ slug: z.string().min(1).max(160) });

export const ReviewIdParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export const RejectInput = z.object({
  reason: z
    .string({ error: 'Say why the review is rejected: the author is sent this.' })
    .trim()
    .min(3, 'Say why the review is rejected: the author is sent this.')
    .max(500, 'Keep the reason to 500 characters.'),
  back: z.string().optional(),
});

export const ApproveInput = z.object({ back: z.string().optional() });

const optional = optionalField;

export const AdminReviewQuery = z.object({
  status: optional(z.enum(REVIEW_STATUSES, { error: 'Pick a status from the list.' })),
  rating: optional(z.string().regex(/^[1-5]$/, 'Pick a rating from the list.').transform(Number)),
  verified: optional(z.enum(['yes', 'no'], { error: 'Pick yes or no.' })),
  q: optional(z.string().trim().max(200, 'Search by product or author (at most 200 characters).')),
  page: z.preprocess(blankAsMissing, z.coerce.number().int().min(1).max(100_000).optional().default(1)),
});
export type AdminReviewFilters = z.output<typeof AdminReviewQuery>;
