import type { CatalogEvents } from '../catalog/changes';
import { inTransaction, type Db, type Trx } from '../db';
import { isUniqueViolation } from '../db/errors';
import { recordAudit, type StaffContext } from '../audit/repo';
import { ConflictError, NotFoundError } from '../http/errors';
import { toDbTime, type Clock } from '../lib/clock';
import { enqueueMail } from '../mail/service';
import { notify } from '../notifications/repo';
import * as repo from './repo';
import type { AdminReviewFilters, ReviewFields } from './schemas';
import { summarizeRatings, type RatingSummary } from './summary';
import { reviewMachine } from './transitions';

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  catalog: CatalogEvents;
}

/** What the review form shows a customer about their own review of a product. */
export interface OwnReviewState {
  review: repo.OwnReview | null;
  /** Whether a review sent now would be marked "Verified purchase". */
  verified: boolean;
  /** Why staff rejected it, while it is rejected. */
  rejectionReason: string | null;
}

export type Moderation = { to: 'approved' } | { to: 'rejected'; reason: string };

export const REVIEWS_PER_PAGE = 10;

/**
 * Customer reviews: one per customer and product (sending another edits it),
 * marked "Verified purchase" when the customer has received the product, shown
 * once staff approve it. The product's rating (products.rating_avg_x100 and
 * rating_count: cards, the buy box, sort=rating) counts approved reviews only
 * and is rewritten in the same transaction as any change that moves a review
 * into or out of "approved"; the catalog is told after the commit.
 */
export class ReviewService {
  constructor(private readonly deps: ReviewDeps) {}

  /** The approved reviews of one page and the product's rating summary (for the product page). */
  async productReviews(productId: number, page: number): Promise<{ summary: RatingSummary; reviews: repo.PublishedReview[] }> {
    const { db } = this.deps;
    const [counts, reviews] = await Promise.all([repo.approvedRatingCounts(db, productId), repo.approvedReviews(db, productId, page, REVIEWS_PER_PAGE)]);
    return { summary: summarizeRatings(counts), reviews };
  }

  async ownReview(productId: number, userId: number): Promise<OwnReviewState> {
    const { db } = this.deps;
    const [review, verified] = await Promise.all([repo.findOwnReview(db, productId, userId), repo.hasReceived(db, userId, productId)]);
    const rejectionReason = review?.status === 'rejected' ? await repo.lastRejectionReason(db, review.id) : null;
    return { review, verified, rejectionReason };
  }

  /**
   * Writes the customer's review of the product: a new one, or new text for
   * theirs, which then waits for staff again (an approved one stops showing).
   */
  async submit(productId: number, userId: number, fields: ReviewFields): Promise<{ created: boolean; verified: boolean }> {
    const now = this.deps.clock.now();
    let ratingChanged = false;
    const result = await inTransaction(this.deps.db, async (trx) => {
      if (!(await repo.lockProduct(trx, productId))) throw new NotFoundError('We could not find that product.');
      const own = await repo.findOwnReview(trx, productId, userId);
      const verified = await repo.hasReceived(trx, userId, productId);
      if (!own) {
        const id = await repo.insertReview(trx, { productId, userId, fields, verified, now });
        await reviewMachine.recordInitial(trx, id, 'pending', { actor: `user:${userId}`, at: now });
        return { created: true, verified };
      }
      await repo.updateReviewText(trx, own.id, { fields, verified, now });
      if (own.status !== 'pending') await reviewMachine.transition(trx, own.id, 'pending', { actor: `user:${userId}`, at: now, note: 'Edited by the author' });
      if (own.status === 'approved') {
        await this.recount(trx, productId);
        ratingChanged = true;
      }
      return { created: false, verified };
    }).catch((err: unknown) => {
      // Defensive: the product lock serialises a product's review writes; should two first reviews still meet, the unique key refuses one.
      if (isUniqueViolation(err)) throw new ConflictError('Your review was sent twice at the same time. Please check it and send it again.');
      throw err;
    });
    if (ratingChanged) await this.deps.catalog.changed({ what: 'rating', productIds: [productId] });
    return result;
  }

  /** The moderation queue. */
  list(filters: AdminReviewFilters, perPage: number) {
    return repo.listForStaff(this.deps.db, filters, perPage);
  }

  /**
   * Approves or rejects a review (staff). Approval checks the verified
   * purchase mark again; a rejection's reason goes to the author by e-mail
   * and as a notification. Moderating a review into the state it is in
   * changes nothing (a second click). Returns the review as it was.
   */
  async moderate(id: number, m: Moderation, by: StaffContext): Promise<{ review: repo.StaffReview; changed: boolean }> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const found = await repo.findReviewForStaff(db, id);
    if (!found) throw new NotFoundError('We could not find that review.');
    let ratingChanged = false;
    const outcome = await inTransaction(db, async (trx) => {
      // The product first, as submit() does: one lock order for every write to a product's reviews.
      await repo.lockProduct(trx, found.productId);
      const review = await repo.findReviewForStaff(trx, id);
      if (!review) throw new NotFoundError('We could not find that review.');
      if (review.status === m.to) return { review, changed: false };
      const reason = m.to === 'rejected' ? m.reason : null;
      await reviewMachine.transition(trx, id, m.to, {
        actor: by.actor.label,
        at: now,
        ...(reason ? { note: reason } : {}),
        set: { moderated_by: by.actor.userId, moderated_at: toDbTime(now) },
      });
      // Verified is decided again when a review is published: the order may have been delivered since it was written.
      if (m.to === 'approved') {
        const verified = await repo.hasReceived(trx, review.userId, review.productId);
        if (verified !== review.verifiedPurchase) await repo.setVerified(trx, id, verified);
      }
      await recordAudit(trx, by, { action: m.to === 'approved' ? 'review.approve' : 'review.reject', entity: 'review', entityId: id, before: { status: review.status }, after: { status: m.to, ...(reason ? { reason } : {}) } }, now);
      if (review.status === 'approved' || m.to === 'approved') {
        await this.recount(trx, review.productId);
        ratingChanged = true;
      }
      if (reason) await this.tellRejected(trx, review, reason, now);
      return { review, changed: true };
    });
    if (ratingChanged) await this.deps.catalog.changed({ what: 'rating', productIds: [found.productId] });
    return outcome;
  }

  private async recount(trx: Trx, productId: number): Promise<void> {
    await repo.setProductRating(trx, productId, summarizeRatings(await repo.approvedRatingCounts(trx, productId)));
  }

  private async tellRejected(trx: Trx, review: repo.StaffReview, reason: string, now: Date): Promise<void> {
    const reviewPath = `/products/${review.productSlug}/review`;
    await notify(trx, { userId: review.userId, kind: 'review', title: `Your review of the ${review.productName} was not published`, body: reason, url: reviewPath }, now);
    await enqueueMail(trx, {
      to: review.authorEmail,
      template: 'review-rejected',
      data: { firstName: review.authorFirstName, productName: review.productName, reviewTitle: review.title, rating: review.rating, reason, reviewPath },
    }, { clock: this.deps.clock });
  }
}
