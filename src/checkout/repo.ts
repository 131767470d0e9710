import type { Conn } from '../db';
import { countRows, lockedInTransaction } from '../db';
import { fromDbTime, toDbTime } from '../lib/clock';
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
  const row = await (lock ? lockedInTransaction(conn, q) : q);
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

/** Every promo code with how often it was redeemed, newest first. */
export async function listPromosWithUsage(conn: Conn): Promise<Array<PromoCode & { timesUsed: number }>> {
  const rows = await conn('promo_codes as c')
    .select('c.*', conn('promo_redemptions as r').count('*').where('r.promo_code_id', conn.ref('c.id')).as('times_used'))
    .orderBy('c.id', 'desc');
  return rows.map((r: Row) => ({ ...toPromo(r), timesUsed: Number(r.times_used ?? 0) }));
}

/** A promo code as staff write it (no id yet). */
export type PromoFields = Omit<PromoCode, 'id'>;

function promoColumns(p: PromoFields, now: Date) {
  return {
    code: p.code, kind: p.kind, value: p.value, min_subtotal_cents: p.minSubtotalCents,
    starts_at: p.startsAt ? toDbTime(p.startsAt) : null, ends_at: p.endsAt ? toDbTime(p.endsAt) : null,
    usage_limit: p.usageLimit, per_customer_limit: p.perCustomerLimit, active: p.active, description: p.description,
    updated_at: toDbTime(now),
  };
}

export async function insertPromo(conn: Conn, p: PromoFields, now: Date): Promise<number> {
  await conn('promo_codes').insert({ ...promoColumns(p, now), created_at: toDbTime(now) });
  return Number((await conn('promo_codes').where({ code: p.code }).first('id')).id);
}

export async function updatePromo(conn: Conn, id: number, p: PromoFields, now: Date): Promise<void> {
  await conn('promo_codes').where({ id }).update(promoColumns(p, now));
}
