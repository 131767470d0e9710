import { countRows, LIKE_PREFIX, lockedInTransaction, prefixPattern, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import type { AdminReviewFilters, ReviewFields } from './schemas';
import { STARS, type RatingSummary, type Stars } from './summary';
import type { ReviewStatus } from './transitions';

/** Reviews: queries only. */

type Row = Record<string, any>;

/** A customer's own review, as the review form shows it. */
export interface OwnReview {
  id: number;
  rating: Stars;
  title: string;
  body: string;
  status: ReviewStatus;
  verifiedPurchase: boolean;
}

/** An approved review as every shopper sees it on the product page. */
export interface PublishedReview {
  id: number;
  rating: Stars;
  title: string;
  body: string;
  /** First name and initial: "Casey C." */
  author: string;
  verifiedPurchase: boolean;
  /** When it was first sent. */
  writtenAt: Date;
}

/** A review as staff moderate it. */
export interface StaffReview extends PublishedReview {
  status: ReviewStatus;
  productId: number;
  productSlug: string;
  productName: string;
  userId: number;
  authorEmail: string;
  authorFirstName: string;
  moderatedAt: Date | null;
  /** Why staff rejected it, while it is rejected. */
  rejectionReason: string | null;
}

const authorName = (first: string | null, last: string | null) => {
  const f = (first ?? '').trim();
  const l = (last ?? '').trim();
  return [f || 'A customer', l ? `${l[0]!.toUpperCase()}.` : ''].filter(Boolean).join(' ');
};

function toPublished(r: Row): PublishedReview {
  return {
    id: Number(r.id),
    rating: Number(r.rating) as Stars,
    title: r.title,
    body: r.body,
    author: authorName(r.first_name, r.last_name),
    verifiedPurchase: Boolean(r.verified_purchase),
    writtenAt: fromDbTime(r.created_at)!,
  };
}

/** Locks the product row until commit (MySQL/MariaDB), so the reviews of one product are written one transaction at a time. */
export async function lockProduct(conn: Conn, productId: number): Promise<boolean> {
  return Boolean(await lockedInTransaction(conn, conn('products').where({ id: productId }).first('id')));
}

/** The customer's review of the product (read locked in a MySQL/MariaDB transaction: the latest committed one). */
export async function findOwnReview(conn: Conn, productId: number, userId: number): Promise<OwnReview | null> {
  const r = await lockedInTransaction(conn, conn('reviews').where({ product_id: productId, user_id: userId }).first('id', 'rating', 'title', 'body', 'status', 'verified_purchase'));
  return r ? { id: Number(r.id), rating: Number(r.rating) as Stars, title: r.title, body: r.body, status: r.status, verifiedPurchase: Boolean(r.verified_purchase) } : null;
}

export async function insertReview(conn: Conn, r: { productId: number; userId: number; fields: ReviewFields; verified: boolean; now: Date }): Promise<number> {
  const at = toDbTime(r.now);
  const [id] = await conn('reviews').insert({
    product_id: r.productId,
    user_id: r.userId,
    rating: r.fields.rating,
    title: r.fields.title,
    body: r.fields.body,
    status: 'pending',
    verified_purchase: r.verified,
    created_at: at,
    updated_at: at,
  });
  return Number(id);
}

/** New text for a review (its status is moved separately, by the state machine). */
export async function updateReviewText(conn: Conn, id: number, r: { fields: ReviewFields; verified: boolean; now: Date }): Promise<void> {
  await conn('reviews').where({ id }).update({
    rating: r.fields.rating,
    title: r.fields.title,
    body: r.fields.body,
    verified_purchase: r.verified,
    moderated_by: null,
    moderated_at: null,
    updated_at: toDbTime(r.now),
  });
}

export async function setVerified(conn: Conn, id: number, verified: boolean): Promise<void> {
  await conn('reviews').where({ id }).update({ verified_purchase: verified });
}

/** True when the customer has received the product: an order of it delivered, or an agreement for it running or owned. */
export async function hasReceived(conn: Conn, userId: number, productId: number): Promise<boolean> {
  const [ordered, rented] = await Promise.all([
    conn('orders as o').join('order_items as oi', 'oi.order_id', 'o.id').where({ 'o.user_id': userId, 'o.status': 'delivered', 'oi.product_id': productId }).first('o.id'),
    conn('rentals').where({ user_id: userId, product_id: productId }).whereIn('status', ['active', 'past_due', 'owned']).first('id'),
  ]);
  return Boolean(ordered || rented);
}

/** How many approved reviews give each star value. In a transaction on MySQL/MariaDB the rows are read locked, so the latest committed state is counted. */
export async function approvedRatingCounts(conn: Conn, productId: number): Promise<Record<Stars, number>> {
  const rows = await lockedInTransaction(
    conn,
    conn('reviews').where({ product_id: productId, status: 'approved' }).select('rating').count({ n: '*' }).groupBy('rating'),
  );
  const counts = Object.fromEntries(STARS.map((s) => [s, 0])) as Record<Stars, number>;
  for (const r of rows as Row[]) if (STARS.includes(Number(r.rating) as Stars)) counts[Number(r.rating) as Stars] = Number(r.n);
  return counts;
}

/** The product's cached rating (what cards, the buy box and sort=rating read). */
export async function setProductRating(conn: Conn, productId: number, s: RatingSummary): Promise<void> {
  await conn('products').where({ id: productId }).update({ rating_avg_x100: s.avgX100, rating_count: s.count });
}

/** One page of a product's approved reviews, newest first. */
export async function approvedReviews(conn: Conn, productId: number, page: number, perPage: number): Promise<PublishedReview[]> {
  const rows = await conn('reviews as r')
    .join('users as u', 'u.id', 'r.user_id')
    .where({ 'r.product_id': productId, 'r.status': 'approved' })
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .select('r.id', 'r.rating', 'r.title', 'r.body', 'r.verified_purchase', 'r.created_at', 'u.first_name', 'u.last_name');
  return rows.map(toPublished);
}

/** Why the review was last rejected (the note of its last move to rejected), if it was. */
export async function lastRejectionReason(conn: Conn, reviewId: number): Promise<string | null> {
  return (await lastRejectionReasons(conn, [reviewId])).get(reviewId) ?? null;
}

/** lastRejectionReason() of several reviews at once. */
async function lastRejectionReasons(conn: Conn, reviewIds: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!reviewIds.length) return out;
  const rows = await conn('state_changes').where({ entity: 'review', to_state: 'rejected' }).whereIn('entity_id', reviewIds).orderBy('id').select('entity_id', 'note');
  for (const r of rows) if (r.note) out.set(Number(r.entity_id), r.note);
  return out;
}

const STAFF_COLUMNS = [
  'r.id', 'r.rating', 'r.title', 'r.body', 'r.verified_purchase', 'r.created_at', 'r.status', 'r.moderated_at', 'r.user_id',
  'u.first_name', 'u.last_name', 'u.email', 'p.id as product_id', 'p.slug as product_slug', 'p.name as product_name',
];

function toStaffReview(r: Row): StaffReview {
  return {
    ...toPublished(r),
    status: r.status,
    productId: Number(r.product_id),
    productSlug: r.product_slug,
    productName: r.product_name,
    userId: Number(r.user_id),
    authorEmail: r.email,
    authorFirstName: (r.first_name ?? '').trim(),
    moderatedAt: fromDbTime(r.moderated_at),
    rejectionReason: null,
  };
}

function staffQuery(conn: Conn) {
  return conn('reviews as r').join('users as u', 'u.id', 'r.user_id').join('products as p', 'p.id', 'r.product_id');
}

export async function findReviewForStaff(conn: Conn, id: number): Promise<StaffReview | null> {
  const r = await lockedInTransaction(conn, staffQuery(conn).where('r.id', id).first(...STAFF_COLUMNS));
  return r ? toStaffReview(r) : null;
}

/** The moderation queue: filtered, pending first, then newest; one page, the total and how many wait. */
export async function listForStaff(conn: Conn, f: AdminReviewFilters, perPage: number): Promise<{ reviews: StaffReview[]; total: number; pending: number }> {
  const qb = staffQuery(conn);
  if (f.status) qb.where('r.status', f.status);
  if (f.rating) qb.where('r.rating', f.rating);
  if (f.verified) qb.where('r.verified_purchase', f.verified === 'yes');
  if (f.q) {
    const pattern = prefixPattern(f.q.toLowerCase());
    qb.where((w) => w.whereRaw(`LOWER(p.name) ${LIKE_PREFIX}`, [pattern]).orWhereRaw(`LOWER(u.email) ${LIKE_PREFIX}`, [pattern]));
  }
  const [total, pending, rows] = await Promise.all([
    countRows(qb),
    countRows(conn('reviews').where({ status: 'pending' })),
    qb
      .clone()
      .select(...STAFF_COLUMNS)
      .orderByRaw("CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END")
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(perPage)
      .offset((f.page - 1) * perPage),
  ]);
  const reviews = rows.map(toStaffReview);
  const reasons = await lastRejectionReasons(conn, reviews.filter((r) => r.status === 'rejected').map((r) => r.id));
  for (const r of reviews) r.rejectionReason = reasons.get(r.id) ?? null;
  return { reviews, total, pending };
}
