import type { Conn } from '../db';
import { countRows, isMysql } from '../db';
import { fromDbTime } from '../lib/clock';
import type { PromoCode } from './promo';

type Row = Record<string, any>;

export function toPromo(r: Row): PromoCode {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    value: r.value,
    minSubtotalCents: r.min_subtotal_cents,
    startsAt: fromDbTime(r.starts_at),
    endsAt: fromDbTime(r.ends_at),
    usageLimit: r.usage_limit ?? null,
    perCustomerLimit: r.per_customer_limit ?? null,
    active: Boolean(r.active),
    description: r.description ?? null,
  };
}

export async function findPromoByCode(conn: Conn, code: string): Promise<PromoCode | null> {
  const row = await conn('promo_codes').where({ code }).first();
  return row ? toPromo(row) : null;
}

/** Reads a promo; inside an order transaction on MySQL the row is locked so usage limits hold under concurrency. */
export async function findPromoById(conn: Conn, id: number, lock = false): Promise<PromoCode | null> {
  const q = conn('promo_codes').where({ id }).first();
  const row = await (lock && isMysql(conn) && conn.isTransaction ? q.forUpdate() : q);
  return row ? toPromo(row) : null;
}

export async function promoUsage(conn: Conn, promoId: number, customer: { userId: number | null; email: string | null }): Promise<{ total: number; byCustomer: number }> {
  const total = await countRows(conn('promo_redemptions').where({ promo_code_id: promoId }));
  if (customer.userId === null && !customer.email) return { total, byCustomer: 0 };
  const byCustomer = await countRows(
    conn('promo_redemptions')
      .where({ promo_code_id: promoId })
      .andWhere((w) => {
        if (customer.userId !== null) w.orWhere('user_id', customer.userId);
        if (customer.email) w.orWhere('email', customer.email);
      }),
  );
  return { total, byCustomer };
}
