import { countRows, isMysql, LIKE_PREFIX, prefixPattern, type Conn } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
import { addDays } from '../lib/dates';
import { rentalPolicyFromRow, type RentalPolicy, type RentalPolicyColumns } from './policy';
import { OPEN_RENTAL_STATUSES, type RentalStatus } from './transitions';

/** Rental agreements: queries only. */

export interface RentalGlance {
  number: string | null;
  status: RentalStatus;
  monthlyCents: number;
  termMonths: number;
  productName: string | null;
  createdAt: Date;
}

/** A customer's open agreements, counted, and the latest few. */
export async function customerRentals(conn: Conn, userId: number, limit: number): Promise<{ open: number; recent: RentalGlance[] }> {
  const [open, rows] = await Promise.all([
    countRows(conn('rentals').where({ user_id: userId }).whereIn('status', OPEN_RENTAL_STATUSES)),
    conn('rentals as r')
      .leftJoin('products as p', 'p.id', 'r.product_id')
      .where('r.user_id', userId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit)
      .select('r.number', 'r.status', 'r.monthly_cents', 'r.term_months', 'p.name as product_name', 'r.created_at'),
  ]);
  return {
    open,
    recent: rows.map((r) => ({
      number: r.number ?? null,
      status: r.status,
      monthlyCents: r.monthly_cents,
      termMonths: r.term_months,
      productName: r.product_name ?? null,
      createdAt: fromDbTime(r.created_at)!,
    })),
  };
}

const POLICY_COLUMNS: ReadonlyArray<keyof RentalPolicyColumns> = [
  'grace_days', 'late_fee_percent', 'late_fee_cap_cents', 'retry_days', 'default_after_days', 'early_purchase_discount_days', 'max_total_percent',
];

/** The policy copied onto an agreement when it was signed; null when there is no such agreement. */
export async function agreementPolicy(conn: Conn, rentalId: number): Promise<RentalPolicy | null> {
  const row = await conn('rentals').where({ id: rentalId }).first(POLICY_COLUMNS);
  return row ? rentalPolicyFromRow(row) : null;
}

/** Human agreement number: RA- and the agreement's sequence (its id, offset so numbers start at six digits). */
export function rentalNumberFor(id: number): string {
  return `RA-${100000 + id}`;
}

/** The key that allows one agreement per customer and device while it waits for its first payment (migration rental_signing). */
export function pendingKeyFor(userId: number, productId: number): string {
  return `${userId}:${productId}`;
}

export interface NewAgreement {
  userId: number;
  productId: number;
  termMonths: number;
  monthlyCents: number;
  cashPriceCents: number;
  totalCents: number;
  startOn: string;
  policy: RentalPolicyColumns;
}

/** Inserts an agreement awaiting its signature, numbered, and returns its id and number. */
export async function insertAgreement(conn: Conn, a: NewAgreement, now: Date): Promise<{ id: number; number: string }> {
  const at = toDbTime(now);
  const [id] = await conn('rentals').insert({
    user_id: a.userId,
    product_id: a.productId,
    status: 'pending_signature',
    term_months: a.termMonths,
    monthly_cents: a.monthlyCents,
    cash_price_cents: a.cashPriceCents,
    total_cents: a.totalCents,
    start_on: a.startOn,
    pending_key: pendingKeyFor(a.userId, a.productId),
    ...a.policy,
    created_at: at,
    updated_at: at,
  });
  const number = rentalNumberFor(Number(id));
  await conn('rentals').where({ id }).update({ number });
  return { id: Number(id), number };
}

/** The agreement this customer signed for this device that still waits for its first payment, if any. */
export async function pendingAgreementNumber(conn: Conn, userId: number, productId: number): Promise<string | null> {
  const row = await conn('rentals').where({ pending_key: pendingKeyFor(userId, productId) }).first('number');
  return row?.number ?? null;
}

export interface RentalRecord {
  id: number;
  number: string;
  userId: number;
  productId: number;
  productName: string;
  productSlug: string;
  status: RentalStatus;
  termMonths: number;
  monthlyCents: number;
  cashPriceCents: number;
  totalCents: number;
  startOn: string | null;
  agreementText: string | null;
  agreementSha256: string | null;
  signatureName: string | null;
  signedAt: Date | null;
  signedIp: string | null;
  serialNumber: string | null;
  inventoryUnitId: number | null;
  policy: RentalPolicy;
  /** How the renter pays, fixed by the first payment: the saved card (stripe) or bank transfers staff record (manual). */
  provider: 'stripe' | 'manual' | null;
  stripeCustomerId: string | null;
  stripePaymentMethodId: string | null;
  checkoutSessionId: string | null;
  endedAt: Date | null;
  returnedAt: Date | null;
  createdAt: Date;
}

function toRentalRecord(r: Record<string, any>): RentalRecord {
  return {
    id: Number(r.id),
    number: r.number,
    userId: Number(r.user_id),
    productId: Number(r.product_id),
    productName: r.product_name,
    productSlug: r.product_slug,
    status: r.status,
    termMonths: r.term_months,
    monthlyCents: r.monthly_cents,
    cashPriceCents: r.cash_price_cents,
    totalCents: r.total_cents,
    startOn: r.start_on ? String(r.start_on).slice(0, 10) : null,
    agreementText: r.agreement_text ?? null,
    agreementSha256: r.agreement_sha256 ?? null,
    signatureName: r.signature_name ?? null,
    signedAt: fromDbTime(r.signed_at),
    signedIp: r.signed_ip ?? null,
    serialNumber: r.serial_number ?? null,
    inventoryUnitId: r.inventory_unit_id ? Number(r.inventory_unit_id) : null,
    policy: rentalPolicyFromRow(r as RentalPolicyColumns),
    provider: r.provider ?? null,
    stripeCustomerId: r.stripe_customer_id ?? null,
    stripePaymentMethodId: r.stripe_payment_method_id ?? null,
    checkoutSessionId: r.checkout_session_id ?? null,
    endedAt: fromDbTime(r.ended_at),
    returnedAt: fromDbTime(r.returned_at),
    createdAt: fromDbTime(r.created_at)!,
  };
}

function rentalQuery(conn: Conn) {
  return conn('rentals as r')
    .join('products as p', 'p.id', 'r.product_id')
    .leftJoin('inventory_units as u', 'u.id', 'r.inventory_unit_id')
    .select('r.*', 'p.name as product_name', 'p.slug as product_slug', 'u.serial_number');
}

/** An agreement by id, its row locked for the caller's transaction on MySQL when asked. */
export async function findRental(conn: Conn, id: number, opts: { lock?: boolean } = {}): Promise<RentalRecord | null> {
  if (opts.lock && isMysql(conn)) await conn('rentals').where({ id }).forUpdate().first('id');
  const row = await rentalQuery(conn).where('r.id', id).first();
  return row ? toRentalRecord(row) : null;
}

/** Several agreements by id, their rows locked for the caller's transaction on MySQL when asked. */
export async function findRentals(conn: Conn, ids: readonly number[], opts: { lock?: boolean } = {}): Promise<Map<number, RentalRecord>> {
  if (ids.length === 0) return new Map();
  if (opts.lock && isMysql(conn)) await conn('rentals').whereIn('id', ids).orderBy('id').forUpdate().select('id');
  const rows = await rentalQuery(conn).whereIn('r.id', ids);
  return new Map(rows.map((r) => [Number(r.id), toRentalRecord(r)]));
}

/** Several renters at once, by user id. */
export async function rentersOf(conn: Conn, userIds: readonly number[]): Promise<Map<number, { email: string; firstName: string; lastName: string }>> {
  if (userIds.length === 0) return new Map();
  const rows = await conn('users').whereIn('id', [...new Set(userIds)]).select('id', 'email', 'first_name', 'last_name');
  return new Map(rows.map((u) => [Number(u.id), { email: u.email, firstName: u.first_name ?? '', lastName: u.last_name ?? '' }]));
}

export async function rentalIdByNumber(conn: Conn, number: string): Promise<number | null> {
  const row = await conn('rentals').where({ number }).first('id');
  return row ? Number(row.id) : null;
}

/** Who the renter is, for e-mails and Stripe. */
export async function renterOf(conn: Conn, userId: number): Promise<{ email: string; firstName: string; lastName: string }> {
  const u = await conn('users').where({ id: userId }).first('email', 'first_name', 'last_name');
  return { email: u.email, firstName: u.first_name ?? '', lastName: u.last_name ?? '' };
}

/** A Stripe customer on record for this account (from any earlier agreement), to reuse. */
export async function stripeCustomerOfUser(conn: Conn, userId: number): Promise<string | null> {
  const row = await conn('rentals').where({ user_id: userId }).whereNotNull('stripe_customer_id').orderBy('id', 'desc').first('stripe_customer_id');
  return row?.stripe_customer_id ?? null;
}

export async function updateRental(conn: Conn, id: number, set: Record<string, unknown>, now: Date): Promise<void> {
  await conn('rentals').where({ id }).update({ ...set, updated_at: toDbTime(now) });
}

/** A customer's agreement by number; null when there is none or it is someone else's. */
export async function customerRental(conn: Conn, userId: number, number: string): Promise<RentalRecord | null> {
  const row = await rentalQuery(conn).where({ 'r.number': number, 'r.user_id': userId }).first();
  return row ? toRentalRecord(row) : null;
}

/** A customer's agreements, newest first. */
export async function customerRentalList(conn: Conn, userId: number, limit: number): Promise<RentalRecord[]> {
  const rows = await rentalQuery(conn).where('r.user_id', userId).orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(limit);
  return rows.map(toRentalRecord);
}

/** Running agreements whose installments the `due` filter and the dashboard look at. */
export const RUNNING_RENTAL_STATUSES: readonly RentalStatus[] = ['active', 'past_due', 'returning'];

export interface StaffRentalFilter {
  status: RentalStatus | null;
  /** An agreement number, or the start of the customer's e-mail. */
  q: string | null;
  /**
   * Running agreements with an unpaid installment (scheduled or failed) due
   * before `today` (overdue), or from `today` through six days later (week).
   */
  due?: { what: 'overdue' | 'week'; today: string } | null;
}

export type StaffRentalRow = RentalRecord & { customerEmail: string; customerName: string };

function staffRentalQuery(conn: Conn) {
  return rentalQuery(conn).join('users as c', 'c.id', 'r.user_id').select('c.email as customer_email', 'c.first_name as customer_first_name', 'c.last_name as customer_last_name');
}

function toStaffRentalRow(r: Record<string, any>): StaffRentalRow {
  return { ...toRentalRecord(r), customerEmail: r.customer_email, customerName: `${r.customer_first_name ?? ''} ${r.customer_last_name ?? ''}`.trim() };
}

/** Every agreement for staff, newest first, filtered by status, number or customer e-mail. */
export async function listRentalsForStaff(conn: Conn, f: StaffRentalFilter, page: number, perPage: number): Promise<{ rentals: StaffRentalRow[]; total: number }> {
  const qb = staffRentalQuery(conn);
  if (f.status) qb.where('r.status', f.status);
  if (f.due) {
    const { what, today } = f.due;
    const unpaid = conn('rental_installments as i').select(conn.raw('1')).whereRaw('i.rental_id = r.id').whereIn('i.status', ['scheduled', 'failed']);
    if (what === 'overdue') unpaid.where('i.due_on', '<', today);
    else unpaid.whereBetween('i.due_on', [today, addDays(today, 6)]);
    qb.whereIn('r.status', RUNNING_RENTAL_STATUSES).whereExists(unpaid);
  }
  if (f.q) {
    if (/^RA-\d+$/i.test(f.q)) qb.where('r.number', f.q.toUpperCase());
    else qb.whereRaw(`c.email ${LIKE_PREFIX}`, [prefixPattern(f.q.toLowerCase())]);
  }
  const [total, rows] = await Promise.all([countRows(qb.clone()), qb.clone().orderBy('r.id', 'desc').limit(perPage).offset((page - 1) * perPage)]);
  return { total, rentals: rows.map(toStaffRentalRow) };
}

/** One agreement for staff, with its signature record. */
export async function rentalForStaff(conn: Conn, number: string): Promise<(StaffRentalRow & { signedUserAgent: string | null }) | null> {
  const row = await staffRentalQuery(conn).where('r.number', number).first();
  return row ? { ...toStaffRentalRow(row), signedUserAgent: row.signed_user_agent ?? null } : null;
}

export interface RentalFigures {
  /** Agreements running with the renter holding the device (active or past due). */
  active: number;
  /** Succeeded rental payments (installments, buyouts, reinstatements, late fees) since `since`, in cents. */
  incomeCents: number;
  /** Unpaid installments due before today on running agreements. */
  overdueInstallments: number;
  /** Agreements defaulted since `since` and still defaulted. */
  defaults: number;
}

/** The rental figures of the staff dashboard: indexed counts and one sum. */
export async function rentalFigures(conn: Conn, f: { today: string; since: Date }): Promise<RentalFigures> {
  const [active, income, overdue, defaults] = await Promise.all([
    countRows(conn('rentals').whereIn('status', ['active', 'past_due'])),
    conn('payments')
      .whereNotNull('rental_id')
      .where('status', 'succeeded')
      .whereIn('purpose', ['installment', 'buyout', 'reinstatement', 'late_fee'])
      .where('updated_at', '>=', toDbTime(f.since))
      .sum({ n: 'amount_cents' })
      .first() as Promise<{ n: unknown } | undefined>,
    countRows(
      conn('rental_installments as i')
        .join('rentals as r', 'r.id', 'i.rental_id')
        .whereIn('i.status', ['scheduled', 'failed'])
        .where('i.due_on', '<', f.today)
        .whereIn('r.status', RUNNING_RENTAL_STATUSES),
    ),
    countRows(conn('rentals').where('status', 'defaulted').where('ended_at', '>=', toDbTime(f.since))),
  ]);
  return { active, incomeCents: Number(income?.n ?? 0), overdueInstallments: overdue, defaults };
}
