import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { migrateDown, migrateLatest, isMysql } from '../../src/db';

const DOMAIN_TABLES = [
  'users', 'addresses', 'auth_tokens', 'categories', 'products', 'inventory_units', 'stock_movements',
  'carts', 'cart_items', 'promo_codes', 'promo_redemptions', 'orders', 'order_items', 'payments', 'refunds',
  'rentals', 'rental_installments', 'store_credit_entries', 'reviews', 'wishlist_items', 'notifications',
  'disputes', 'dispute_messages', 'webhook_events', 'jobs', 'audit_log', 'state_changes', 'settings', 'wishlist_alerts_sent',
];

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb({ migrate: false });
  });
  afterAll(() => t.destroy());

  it('creates every domain table, removes them all on the way down, and re-applies cleanly', async () => {
    await migrateLatest(t.db);
    for (const table of DOMAIN_TABLES) expect(await t.db.schema.hasTable(table), table).toBe(true);

    await migrateDown(t.db);
    for (const table of DOMAIN_TABLES) expect(await t.db.schema.hasTable(table), table).toBe(false);

    const applied = await migrateLatest(t.db);
    expect(applied.length).toBeGreaterThan(0);
    for (const table of DOMAIN_TABLES) expect(await t.db.schema.hasTable(table), table).toBe(true);
  }, 120_000); // every migration down and up again: slow on MariaDB

  it('enforces unique and foreign-key constraints', async () => {
    const now = '2026-11-21 10:00:00.000';
    await t.db('users').insert({ email: 'a@example.com', password_hash: 'x', created_at: now, updated_at: now });
    await expect(t.db('users').insert({ email: 'a@example.com', password_hash: 'y' })).rejects.toThrow();
    await expect(t.db('addresses').insert({ user_id: 9999, first_name: 'A', last_name: 'B', line1: 'x', city: 'c', region: 'r', postal_code: 'p', country: 'US' })).rejects.toThrow();
  });

  it('has a full-text index on products for this dialect', async () => {
    if (isMysql(t.db)) {
      const [rows] = await t.db.raw("SHOW INDEX FROM products WHERE Index_type = 'FULLTEXT'");
      // One index, on the padded search terms (migration 20261121000003); the first two were dropped as unused (…04).
      expect([...new Set((rows as Array<{ Key_name: string }>).map((r) => r.Key_name))]).toEqual(['products_ft_terms']);
    } else {
      const rows = await t.db.raw("SELECT name FROM sqlite_master WHERE name = 'products_fts'");
      expect(rows).toHaveLength(1);
    }
  });
});
