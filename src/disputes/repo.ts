import { countRows, lockedInTransaction, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import type { DisputeStatus } from './transitions';

/** Disputes: queries only. */

/** What a customer can claim; `chargeback` is Stripe's, recorded from its webhooks. */
export const CUSTOMER_DISPUTE_KINDS = ['not_as_described', 'damaged', 'not_received', 'billing'] as const;
export type CustomerDisputeKind = (typeof CUSTOMER_DISPUTE_KINDS)[number];
export type DisputeKind = CustomerDisputeKind | 'chargeback';

export const DISPUTE_KIND_LABELS: Record<DisputeKind, string> = {
  not_as_described: 'Not as described',
  damaged: 'Arrived damaged',
  not_received: 'Not received',
  billing: 'Billing problem',
  chargeback: 'Card chargeback',
};

export const DISPUTE_STATUS_LABELS: Record<DisputeStatus, string> = {
  open: 'Open',
  under_review: 'Under review',
  resolved: 'Resolved',
  rejected: 'Rejected',
};

/** How staff decide a customer's claim (and how Stripe decided a chargeback). */
export const DISPUTE_OUTCOMES = ['refund', 'credit', 'replacement', 'rejected'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number] | 'chargeback_won' | 'chargeback_lost';

/** Claims not decided yet. */
export const UNDECIDED: readonly DisputeStatus[] = ['open', 'under_review'];

/** The dispute recorded for a provider's own dispute id (a Stripe chargeback), if any. */
export async function findByProviderRef(conn: Conn, providerRef: string): Promise<{ id: number; status: DisputeStatus } | null> {
  const row = await conn('disputes').where({ provider_ref: providerRef }).first('id', 'status');
  return row ? { id: Number(row.id), status: row.status } : null;
}

export async function insertDispute(
  conn: Conn,
  d: { userId: number | null; orderId: number | null; rentalId?: number | null; kind: DisputeKind; status: DisputeStatus; providerRef: string | null; amountCents: number | null; description: string; now: Date },
): Promise<number> {
  const at = toDbTime(d.now);
  const [id] = await conn('disputes').insert({
    user_id: d.userId,
    order_id: d.orderId,
    rental_id: d.rentalId ?? null,
    kind: d.kind,
    status: d.status,
    provider_ref: d.providerRef,
    amount_cents: d.amountCents,
    description: d.description,
    created_at: at,
    updated_at: at,
  });
  return Number(id);
}

/** Names the order (and its customer) of a dispute recorded before its order was known; a known order is kept. */
export async function attachOrder(conn: Conn, id: number, orderId: number, userId: number | null, now: Date): Promise<void> {
  await conn('disputes').where({ id }).whereNull('order_id').update({ order_id: orderId, user_id: userId, updated_at: toDbTime(now) });
}

// ---- late fees

/**
 * The rentals among `rentalIds` with a billing claim not decided yet: their
 * late fees wait until staff decide it (issue 13).
 */
export async function rentalsWithOpenBillingDispute(conn: Conn, rentalIds: readonly number[]): Promise<Set<number>> {
  if (rentalIds.length === 0) return new Set();
  const rows = await conn('disputes').whereIn('rental_id', rentalIds).where({ kind: 'billing' }).whereIn('status', UNDECIDED).distinct('rental_id');
  return new Set(rows.map((r) => Number(r.rental_id)));
}

export async function hasOpenBillingDispute(conn: Conn, rentalId: number): Promise<boolean> {
  return (await rentalsWithOpenBillingDispute(conn, [rentalId])).has(rentalId);
}

// ---- what a customer can claim on

export interface ClaimSubject {
  type: 'order' | 'rental';
  id: number;
  number: string;
  createdAt: Date;
}

/** The customer's orders and agreements a claim can be about, newest first (drafts nobody paid for left out). */
export async function claimSubjects(conn: Conn, userId: number, limit = 100): Promise<ClaimSubject[]> {
  const [orders, rentals] = await Promise.all([
    conn('orders').where({ user_id: userId }).whereNotNull('number').whereNotIn('status', ['pending_payment', 'expired']).orderBy('id', 'desc').limit(limit).select('id', 'number', 'created_at'),
    conn('rentals').where({ user_id: userId }).whereNotNull('number').whereNotIn('status', ['pending_signature', 'pending_payment']).orderBy('id', 'desc').limit(limit).select('id', 'number', 'created_at'),
  ]);
  const all: ClaimSubject[] = [
    ...orders.map((r) => ({ type: 'order' as const, id: Number(r.id), number: r.number, createdAt: fromDbTime(r.created_at)! })),
    ...rentals.map((r) => ({ type: 'rental' as const, id: Number(r.id), number: r.number, createdAt: fromDbTime(r.created_at)! })),
  ];
  return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** One of the customer's orders or agreements by its number, or null when it is not theirs. */
export async function ownSubject(conn: Conn, userId: number, type: 'order' | 'rental', number: string): Promise<ClaimSubject | null> {
  const row = await conn(type === 'order' ? 'orders' : 'rentals').where({ user_id: userId, number }).first('id', 'number', 'created_at');
  return row ? { type, id: Number(row.id), number: row.number, createdAt: fromDbTime(row.created_at)! } : null;
}

// ---- disputes and their messages

export interface DisputeSummary {
  id: number;
  kind: DisputeKind;
  status: DisputeStatus;
  outcome: DisputeOutcome | null;
  orderNumber: string | null;
  rentalNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Dispute extends DisputeSummary {
  userId: number | null;
  orderId: number | null;
  rentalId: number | null;
  providerRef: string | null;
  amountCents: number | null;
  description: string | null;
  resolution: string | null;
  resolvedAt: Date | null;
  assignedTo: number | null;
  assigneeEmail: string | null;
  customerEmail: string | null;
  customerName: string | null;
}

const DISPUTE_COLUMNS = [
  'd.*', 'o.number as order_number', 'r.number as rental_number', 'a.email as assignee_email', 'u.email as customer_email', 'u.first_name as customer_first_name', 'u.last_name as customer_last_name',
];

function withNames(conn: Conn) {
  return conn('disputes as d')
    .leftJoin('orders as o', 'o.id', 'd.order_id')
    .leftJoin('rentals as r', 'r.id', 'd.rental_id')
    .leftJoin('users as a', 'a.id', 'd.assigned_to')
    .leftJoin('users as u', 'u.id', 'd.user_id');
}

function toDispute(r: Record<string, any>): Dispute {
  const name = [r.customer_first_name, r.customer_last_name].filter(Boolean).join(' ');
  return {
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
    outcome: r.outcome ?? null,
    orderNumber: r.order_number ?? null,
    rentalNumber: r.rental_number ?? null,
    createdAt: fromDbTime(r.created_at)!,
    updatedAt: fromDbTime(r.updated_at)!,
    userId: r.user_id === null ? null : Number(r.user_id),
    orderId: r.order_id === null ? null : Number(r.order_id),
    rentalId: r.rental_id === null ? null : Number(r.rental_id),
    providerRef: r.provider_ref ?? null,
    amountCents: r.amount_cents === null ? null : Number(r.amount_cents),
    description: r.description ?? null,
    resolution: r.resolution ?? null,
    resolvedAt: fromDbTime(r.resolved_at),
    assignedTo: r.assigned_to === null || r.assigned_to === undefined ? null : Number(r.assigned_to),
    assigneeEmail: r.assignee_email ?? null,
    customerEmail: r.customer_email ?? null,
    customerName: name || null,
  };
}

export async function findDispute(conn: Conn, id: number, opts: { userId?: number } = {}): Promise<Dispute | null> {
  const q = withNames(conn).where('d.id', id);
  if (opts.userId !== undefined) q.where('d.user_id', opts.userId);
  const row = await q.first(DISPUTE_COLUMNS);
  return row ? toDispute(row) : null;
}

/** A customer's own claims (chargebacks are the bank's, not listed to them), newest first. */
export async function customerDisputes(conn: Conn, userId: number, page: number, perPage: number): Promise<{ disputes: Dispute[]; total: number }> {
  const base = () => conn('disputes as d').where('d.user_id', userId).whereNot('d.kind', 'chargeback');
  const [total, rows] = await Promise.all([
    countRows(base()),
    withNames(conn).where('d.user_id', userId).whereNot('d.kind', 'chargeback').orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(perPage).offset((page - 1) * perPage).select(DISPUTE_COLUMNS),
  ]);
  return { total, disputes: rows.map(toDispute) };
}

export type QueueFilter = 'active' | 'mine' | 'unassigned' | 'chargebacks' | 'closed' | 'all';

/** The staff queue: oldest undecided first, so nothing waits at the bottom; decided ones newest first. */
export async function disputeQueue(conn: Conn, f: { show: QueueFilter; staffId: number }, page: number, perPage: number): Promise<{ disputes: Dispute[]; total: number }> {
  const filter = (q: ReturnType<typeof withNames>) => {
    if (f.show === 'closed') q.whereNotIn('d.status', UNDECIDED);
    else if (f.show !== 'all') q.whereIn('d.status', UNDECIDED);
    if (f.show === 'mine') q.where('d.assigned_to', f.staffId);
    if (f.show === 'unassigned') q.whereNull('d.assigned_to');
    if (f.show === 'chargebacks') q.where('d.kind', 'chargeback');
    return q;
  };
  const closed = f.show === 'closed' || f.show === 'all';
  const [total, rows] = await Promise.all([
    countRows(filter(withNames(conn))),
    filter(withNames(conn)).orderBy('d.created_at', closed ? 'desc' : 'asc').orderBy('d.id', closed ? 'desc' : 'asc').limit(perPage).offset((page - 1) * perPage).select(DISPUTE_COLUMNS),
  ]);
  return { total, disputes: rows.map(toDispute) };
}

export interface DisputeMessage {
  id: number;
  fromStaff: boolean;
  authorName: string | null;
  body: string;
  photos: string[];
  createdAt: Date;
}

export async function insertMessage(conn: Conn, m: { disputeId: number; authorUserId: number | null; fromStaff: boolean; body: string; photos: readonly string[]; now: Date }): Promise<void> {
  await conn('dispute_messages').insert({
    dispute_id: m.disputeId,
    author_user_id: m.authorUserId,
    from_staff: m.fromStaff,
    body: m.body,
    attachments: m.photos.length ? JSON.stringify(m.photos) : null,
    created_at: toDbTime(m.now),
  });
}

/** A dispute's thread, oldest first. */
export async function disputeMessages(conn: Conn, disputeId: number): Promise<DisputeMessage[]> {
  const rows = await conn('dispute_messages as m').leftJoin('users as u', 'u.id', 'm.author_user_id').where('m.dispute_id', disputeId).orderBy('m.created_at').orderBy('m.id')
    .select('m.id', 'm.from_staff', 'm.body', 'm.attachments', 'm.created_at', 'u.first_name', 'u.last_name');
  return rows.map((r) => ({
    id: Number(r.id),
    fromStaff: Boolean(r.from_staff),
    authorName: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
    body: r.body,
    photos: r.attachments ? (JSON.parse(r.attachments) as string[]) : [],
    createdAt: fromDbTime(r.created_at)!,
  }));
}

/** Whether a photo id was sent with one of the dispute's messages. */
export async function disputeHasPhoto(conn: Conn, disputeId: number, photoId: string): Promise<boolean> {
  const rows = await conn('dispute_messages').where({ dispute_id: disputeId }).whereNotNull('attachments').select('attachments');
  return rows.some((r) => (JSON.parse(r.attachments) as string[]).includes(photoId));
}

export async function setAssignee(conn: Conn, id: number, staffId: number | null, now: Date): Promise<void> {
  await conn('disputes').where({ id }).update({ assigned_to: staffId, updated_at: toDbTime(now) });
}

export async function touch(conn: Conn, id: number, now: Date): Promise<void> {
  await conn('disputes').where({ id }).update({ updated_at: toDbTime(now) });
}

/** Staff and admins, for the assign list. */
export async function staffMembers(conn: Conn): Promise<Array<{ id: number; email: string; name: string }>> {
  const rows = await conn('users').whereIn('role', ['staff', 'admin']).whereNull('disabled_at').orderBy('email').select('id', 'email', 'first_name', 'last_name');
  return rows.map((r) => ({ id: Number(r.id), email: r.email, name: [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email }));
}

export async function isStaff(conn: Conn, userId: number): Promise<boolean> {
  return Boolean(await conn('users').where({ id: userId }).whereIn('role', ['staff', 'admin']).whereNull('disabled_at').first('id'));
}

/** The dispute's state, read for update inside the caller's transaction; null when there is none (or not the customer's). */
export async function lockedDispute(conn: Conn, id: number, opts: { userId?: number } = {}): Promise<{ id: number; status: DisputeStatus; kind: DisputeKind; userId: number | null; orderId: number | null; rentalId: number | null; assignedTo: number | null } | null> {
  const q = conn('disputes').where({ id });
  if (opts.userId !== undefined) q.where({ user_id: opts.userId });
  const r = await lockedInTransaction(conn, q).first('id', 'status', 'kind', 'user_id', 'order_id', 'rental_id', 'assigned_to');
  if (!r) return null;
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { id: Number(r.id), status: r.status, kind: r.kind, userId: n(r.user_id), orderId: n(r.order_id), rentalId: n(r.rental_id), assignedTo: n(r.assigned_to) };
}

/** An undecided claim of the same kind on the same order or agreement, if the customer already has one. */
export async function undecidedClaim(conn: Conn, userId: number, subject: { type: 'order' | 'rental'; id: number }, kind: DisputeKind): Promise<number | null> {
  const row = await conn('disputes').where({ user_id: userId, kind, [subject.type === 'order' ? 'order_id' : 'rental_id']: subject.id }).whereIn('status', UNDECIDED).first('id');
  return row ? Number(row.id) : null;
}

/** Who a dispute's e-mails go to. */
export async function customerContact(conn: Conn, userId: number): Promise<{ email: string; firstName: string } | null> {
  const row = await conn('users').where({ id: userId }).first('email', 'first_name');
  return row ? { email: row.email, firstName: row.first_name || 'Hello' } : null;
}
