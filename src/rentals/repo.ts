import { countRows, type Conn } from '../db';
import { fromDbTime } from '../lib/clock';
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
