import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import type { Conn } from '../src/db';
import { insertInChunks } from '../src/db/batch';
import { receiveUnits } from '../src/inventory/operations';
import { MINUTE, toDbTime } from '../src/lib/clock';
import { SETTINGS } from '../src/settings/definitions';
import { toProductRow } from '../src/catalog/product-row';
import { CATEGORIES, DEMO_PRODUCTS } from './catalog-data';
import { productImagePaths, writeProductImages } from './images';

/**
 * Demo data for a fresh install: the hand-written catalog with stock, a demo
 * customer, store settings and two promo codes. Everything is matched by a
 * natural key (slug, serial, email, setting key, code), so re-running adds nothing.
 */

export const DEMO_CUSTOMER = {
  email: 'demo@giggatek.local',
  password: 'demo-customer-2026',
  firstName: 'Dana',
  lastName: 'Demo',
} as const;

const BCRYPT_COST = 10;

/** The settings a demo store starts with: the fallbacks, plus made-up bank and pickup details. */
export const DEMO_SETTINGS: Record<string, unknown> = {
  ...Object.fromEntries(Object.entries(SETTINGS).map(([key, def]) => [key, def.fallback])),
  bank_transfer: { account_name: 'GigGatek Demo Store LLC', bank_name: 'Demo Bank of Texas', routing_number: '111000025', account_number: '000123456789' },
  pickup: { address: '4100 Industrial Blvd, Suite 200, Austin, TX 78744', hours: 'Monday to Friday, 9 am to 5 pm' },
};

const DEMO_PROMOS = [
  { code: 'WELCOME10', kind: 'percent', value: 10, min_subtotal_cents: 5000, description: '10 % off your first order over $50' },
  { code: 'SAVE25', kind: 'fixed', value: 2500, min_subtotal_cents: 20000, description: '$25 off orders over $200' },
];

export interface SeedCounts {
  categories: number;
  products: number;
  units: number;
  users: number;
}

/** Creates missing categories (parents first) and returns every category id by slug. */
export async function ensureCategories(db: Conn, now: Date): Promise<{ ids: Map<string, number>; added: number }> {
  const existing = await db('categories').select('id', 'slug');
  const ids = new Map<string, number>(existing.map((r) => [r.slug as string, Number(r.id)]));
  let added = 0;
  for (const c of CATEGORIES) {
    if (ids.has(c.slug)) continue;
    const at = toDbTime(now);
    const [id] = await db('categories').insert({
      parent_id: c.parent ? ids.get(c.parent)! : null,
      slug: c.slug,
      name: c.name,
      description: c.description,
      position: c.position,
      created_at: at,
      updated_at: at,
    });
    ids.set(c.slug, Number(id));
    added++;
  }
  return { ids, added };
}

async function seedProducts(trx: Knex.Transaction, categoryIds: Map<string, number>, now: Date): Promise<number> {
  const existing = new Set<string>(
    (await trx('products').select('slug').whereIn('slug', DEMO_PRODUCTS.map((p) => p.slug))).map((r) => r.slug),
  );
  // Earlier catalog entries get later timestamps, so "newest first" starts with them.
  const rows = DEMO_PRODUCTS.map((p, i) => ({ p, at: toDbTime(new Date(now.getTime() - i * MINUTE)) }))
    .filter(({ p }) => !existing.has(p.slug))
    .map(({ p, at }) => toProductRow({ ...p, images: productImagePaths(p.slug) }, categoryIds.get(p.category)!, at));
  await insertInChunks(trx, 'products', rows);
  return rows.length;
}

async function seedUnits(trx: Knex.Transaction, now: Date): Promise<number> {
  const products = await trx('products').select('id', 'slug', 'created_at').whereIn('slug', DEMO_PRODUCTS.map((p) => p.slug));
  const bySlug = new Map(products.map((r) => [r.slug as string, r]));
  const serials = DEMO_PRODUCTS.flatMap((p) => p.units.map((u) => u.serial));
  const existing = new Set<string>(
    (await trx('inventory_units').select('serial_number').whereIn('serial_number', serials)).map((r) => r.serial_number),
  );

  const units = DEMO_PRODUCTS.flatMap((p) =>
    p.units
      .filter((u) => !existing.has(u.serial))
      .map((u) => ({ productId: Number(bySlug.get(p.slug)!.id), serialNumber: u.serial, grade: u.grade, costCents: p.unitCostCents })),
  );
  const added = await receiveUnits(trx, units, { actor: { userId: null, label: 'seed' }, note: 'Demo catalog', now });
  return added.length;
}

async function seedCustomer(trx: Knex.Transaction, now: Date): Promise<number> {
  const found = await trx('users').where('email', DEMO_CUSTOMER.email).first('id');
  if (found) return 0;
  const at = toDbTime(now);
  const [userId] = await trx('users').insert({
    email: DEMO_CUSTOMER.email,
    password_hash: await bcrypt.hash(DEMO_CUSTOMER.password, BCRYPT_COST),
    first_name: DEMO_CUSTOMER.firstName,
    last_name: DEMO_CUSTOMER.lastName,
    phone: '+1 (916) 555-0187',
    role: 'customer',
    email_verified_at: at,
    created_at: at,
    updated_at: at,
  });
  await trx('addresses').insert({
    user_id: userId,
    label: 'Home',
    first_name: DEMO_CUSTOMER.firstName,
    last_name: DEMO_CUSTOMER.lastName,
    line1: '2150 Capitol Ave',
    line2: 'Apt 3B',
    city: 'Sacramento',
    region: 'CA',
    postal_code: '95816',
    country: 'US',
    phone: '+1 (916) 555-0187',
    is_default: true,
    created_at: at,
    updated_at: at,
  });
  return 1;
}

async function seedSettings(trx: Knex.Transaction, now: Date): Promise<void> {
  const existing = new Set<string>((await trx('settings').select('key')).map((r) => r.key));
  const rows = Object.entries(DEMO_SETTINGS)
    .filter(([key]) => !existing.has(key))
    .map(([key, value]) => ({ key, value: JSON.stringify(value), updated_at: toDbTime(now) }));
  await insertInChunks(trx, 'settings', rows);
}

async function seedPromos(trx: Knex.Transaction, now: Date): Promise<void> {
  const existing = new Set<string>(
    (await trx('promo_codes').select('code').whereIn('code', DEMO_PROMOS.map((p) => p.code))).map((r) => r.code),
  );
  const at = toDbTime(now);
  const rows = DEMO_PROMOS.filter((p) => !existing.has(p.code)).map((p) => ({ ...p, active: true, created_at: at, updated_at: at }));
  await insertInChunks(trx, 'promo_codes', rows);
}

/** Seeds the demo store in one transaction and returns how many rows it added. */
export async function seedDemo(db: Knex, opts: { now?: Date; images?: boolean } = {}): Promise<SeedCounts> {
  const now = opts.now ?? new Date();
  if (opts.images ?? true) {
    for (const p of DEMO_PRODUCTS) writeProductImages(p.slug, { name: p.name, brand: p.brand, category: p.category, family: p.family });
  }
  return db.transaction(async (trx) => {
    const categories = await ensureCategories(trx, now);
    const products = await seedProducts(trx, categories.ids, now);
    const units = await seedUnits(trx, now);
    const users = await seedCustomer(trx, now);
    await seedSettings(trx, now);
    await seedPromos(trx, now);
    return { categories: categories.added, products, units, users };
  });
}
