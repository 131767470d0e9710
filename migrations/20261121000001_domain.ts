import type { Knex } from 'knex';

/**
 * The whole GigGatek domain (SPEC §3). Money columns are integer cents,
 * timestamps are UTC DATETIME(3) written by the app as 'YYYY-MM-DD HH:MM:SS.mmm'
 * strings so both dialects read them back identically. JSON documents are
 * stored as text because MariaDB's JSON type is text anyway.
 */

function timestamps(t: Knex.CreateTableBuilder, knex: Knex): void {
  t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
  t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
}

/** Current UTC time with milliseconds, in the same text form the app writes. */
function nowDefault(knex: Knex): Knex.Raw {
  return isMysql(knex) ? knex.raw('CURRENT_TIMESTAMP(3)') : knex.raw("(strftime('%Y-%m-%d %H:%M:%f', 'now'))");
}

function time(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.datetime(name, { precision: 3 });
}

function mysqlOptions(t: Knex.CreateTableBuilder, knex: Knex): void {
  if (isMysql(knex)) {
    t.engine('InnoDB');
    t.charset('utf8mb4');
    t.collate('utf8mb4_unicode_ci');
  }
}

function isMysql(knex: Knex): boolean {
  return /mysql/.test(String(knex.client.config.client));
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('email', 254).notNullable().unique(); // stored lower-cased
    t.string('password_hash', 100).notNullable();
    t.string('first_name', 100).notNullable().defaultTo('');
    t.string('last_name', 100).notNullable().defaultTo('');
    t.string('phone', 40);
    t.string('role', 16).notNullable().defaultTo('customer');
    time(t, 'email_verified_at');
    time(t, 'disabled_at');
    t.integer('token_version').notNullable().defaultTo(0);
    timestamps(t, knex);
  });

  await knex.schema.createTable('addresses', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('label', 60);
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('line1', 200).notNullable();
    t.string('line2', 200);
    t.string('city', 100).notNullable();
    t.string('region', 100).notNullable();
    t.string('postal_code', 20).notNullable();
    t.string('country', 2).notNullable();
    t.string('phone', 40);
    t.boolean('is_default').notNullable().defaultTo(false);
    timestamps(t, knex);
    t.index(['user_id']);
  });

  await knex.schema.createTable('auth_tokens', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 24).notNullable(); // refresh | verify_email | password_reset
    t.string('token_hash', 64).notNullable().unique(); // sha256 hex; raw tokens are never stored
    t.string('family_id', 64); // refresh-token rotation family
    t.string('email', 254); // the address a verification token confirms
    time(t, 'expires_at').notNullable();
    time(t, 'used_at');
    time(t, 'revoked_at');
    t.string('ip', 64);
    t.string('user_agent', 255);
    timestamps(t, knex);
    t.index(['user_id', 'kind']);
    t.index(['family_id']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('categories', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('parent_id').unsigned().references('id').inTable('categories').onDelete('SET NULL');
    t.string('slug', 120).notNullable().unique();
    t.string('name', 120).notNullable();
    t.text('description');
    t.integer('position').notNullable().defaultTo(0);
    timestamps(t, knex);
    t.index(['parent_id', 'position']);
  });

  await knex.schema.createTable('products', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('slug', 160).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('brand', 80).notNullable();
    t.text('description').notNullable();
    t.integer('category_id').unsigned().notNullable().references('id').inTable('categories');
    t.text('specifications').notNullable(); // JSON: cpu, ram_gb, storage_gb, screen_in, ...
    // Facet columns copied from specifications on write, so filters use indexes.
    t.string('cpu_family', 40);
    t.integer('ram_gb');
    t.integer('storage_gb');
    t.decimal('screen_in', 4, 1);
    t.string('search_text', 1000).notNullable().defaultTo(''); // spec words for full-text search
    t.string('condition_grade', 1).notNullable(); // A | B | C | D
    t.integer('price_cents').notNullable();
    t.integer('unit_cost_cents'); // admin only
    t.integer('rent_3_cents').notNullable();
    t.integer('rent_6_cents').notNullable();
    t.integer('rent_12_cents').notNullable();
    t.integer('warranty_months').notNullable().defaultTo(0);
    t.text('images').notNullable(); // JSON array of public paths
    t.boolean('featured').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('draft'); // draft | active | archived
    t.integer('rating_avg_x100').notNullable().defaultTo(0); // cache of approved reviews
    t.integer('rating_count').notNullable().defaultTo(0);
    timestamps(t, knex);
    t.index(['status', 'category_id', 'price_cents']);
    t.index(['status', 'price_cents']);
    t.index(['status', 'created_at']);
    t.index(['status', 'name']);
    t.index(['status', 'featured']);
    t.index(['brand']);
    t.index(['condition_grade']);
    t.index(['cpu_family']);
    t.index(['ram_gb']);
    t.index(['storage_gb']);
  });

  if (isMysql(knex)) {
    await knex.raw('ALTER TABLE products ADD FULLTEXT INDEX products_ft_name (name)');
    await knex.raw('ALTER TABLE products ADD FULLTEXT INDEX products_ft_all (name, brand, search_text)');
  } else {
    // External-content FTS5 index kept in step with products by triggers.
    await knex.raw(`CREATE VIRTUAL TABLE products_fts USING fts5(
      name, brand, search_text, content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`);
    await knex.raw(`CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, name, brand, search_text) VALUES (new.id, new.name, new.brand, new.search_text);
    END`);
    await knex.raw(`CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, name, brand, search_text) VALUES ('delete', old.id, old.name, old.brand, old.search_text);
    END`);
    await knex.raw(`CREATE TRIGGER products_fts_au AFTER UPDATE OF name, brand, search_text ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, name, brand, search_text) VALUES ('delete', old.id, old.name, old.brand, old.search_text);
      INSERT INTO products_fts(rowid, name, brand, search_text) VALUES (new.id, new.name, new.brand, new.search_text);
    END`);
  }

  await knex.schema.createTable('promo_codes', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('code', 40).notNullable().unique(); // stored upper-cased
    t.string('kind', 10).notNullable(); // percent | fixed
    t.integer('value').notNullable(); // percent: whole percent 1-100; fixed: cents
    t.integer('min_subtotal_cents').notNullable().defaultTo(0);
    time(t, 'starts_at');
    time(t, 'ends_at');
    t.integer('usage_limit'); // global; null = unlimited
    t.integer('per_customer_limit'); // null = unlimited
    t.boolean('active').notNullable().defaultTo(true);
    t.string('description', 200);
    timestamps(t, knex);
  });

  await knex.schema.createTable('carts', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('token', 64).notNullable().unique(); // guest cookie token
    t.integer('user_id').unsigned().references('id').inTable('users').onDelete('CASCADE');
    t.integer('promo_code_id').unsigned().references('id').inTable('promo_codes').onDelete('SET NULL');
    timestamps(t, knex);
    t.index(['user_id']);
    t.index(['updated_at']);
  });

  await knex.schema.createTable('cart_items', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('cart_id').unsigned().notNullable().references('id').inTable('carts').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.integer('quantity').notNullable();
    t.integer('unit_price_cents').notNullable(); // snapshot when added
    timestamps(t, knex);
    t.unique(['cart_id', 'product_id']);
  });

  await knex.schema.createTable('orders', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('number', 20).unique(); // GG-<sequence>, set right after insert
    t.integer('user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.string('email', 254).notNullable();
    t.string('status', 20).notNullable().defaultTo('pending_payment');
    t.string('payment_status', 20).notNullable().defaultTo('unpaid'); // derived from payments, cached
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.integer('subtotal_cents').notNullable();
    t.integer('discount_cents').notNullable().defaultTo(0);
    t.integer('store_credit_cents').notNullable().defaultTo(0);
    t.integer('shipping_cents').notNullable().defaultTo(0);
    t.integer('tax_cents').notNullable().defaultTo(0);
    t.integer('total_cents').notNullable();
    t.integer('promo_code_id').unsigned().references('id').inTable('promo_codes').onDelete('SET NULL');
    t.string('shipping_method', 40).notNullable();
    t.text('shipping_address').notNullable(); // JSON snapshot
    t.string('payment_method', 20).notNullable(); // stripe | manual
    t.string('checkout_session_id', 255);
    t.string('carrier', 60);
    t.string('tracking_number', 100);
    time(t, 'expires_at');
    time(t, 'paid_at');
    time(t, 'shipped_at');
    time(t, 'delivered_at');
    time(t, 'cancelled_at');
    timestamps(t, knex);
    t.index(['user_id', 'created_at']);
    t.index(['status', 'expires_at']);
    t.index(['email']);
    t.index(['checkout_session_id']);
  });

  await knex.schema.createTable('rentals', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('number', 20).unique(); // RA-<sequence>
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.string('status', 20).notNullable().defaultTo('pending_signature');
    t.string('outcome', 20); // owned | returned | defaulted | cancelled
    t.integer('term_months').notNullable();
    t.integer('monthly_cents').notNullable();
    t.integer('cash_price_cents').notNullable();
    t.integer('total_cents').notNullable(); // total of payments
    t.integer('late_fee_cap_cents').notNullable().defaultTo(500);
    t.integer('grace_days').notNullable().defaultTo(7);
    t.text('agreement_text');
    t.string('agreement_sha256', 64);
    t.string('signature_name', 200);
    time(t, 'signed_at');
    t.string('signed_ip', 64);
    t.string('signed_user_agent', 255);
    t.string('stripe_customer_id', 255);
    t.string('stripe_payment_method_id', 255);
    t.string('checkout_session_id', 255);
    t.date('start_on');
    time(t, 'ended_at');
    time(t, 'returned_at');
    timestamps(t, knex);
    t.index(['user_id', 'created_at']);
    t.index(['status']);
  });

  await knex.schema.createTable('inventory_units', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.string('serial_number', 100).notNullable().unique();
    t.string('condition_grade', 1).notNullable();
    t.string('status', 16).notNullable().defaultTo('in_stock');
    t.integer('cost_cents');
    t.text('notes');
    // Who currently holds the unit: the order it is reserved/sold to or the rental it is out on.
    t.integer('order_id').unsigned().references('id').inTable('orders').onDelete('SET NULL');
    t.integer('rental_id').unsigned().references('id').inTable('rentals').onDelete('SET NULL');
    timestamps(t, knex);
    t.index(['product_id', 'status']);
    t.index(['status']);
    t.index(['order_id']);
  });

  await knex.schema.alterTable('rentals', (t) => {
    t.integer('inventory_unit_id').unsigned().references('id').inTable('inventory_units');
  });

  await knex.schema.createTable('order_items', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('order_id').unsigned().notNullable().references('id').inTable('orders').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.string('product_name', 200).notNullable();
    t.string('product_slug', 160).notNullable();
    t.string('condition_grade', 1).notNullable();
    t.integer('quantity').notNullable();
    t.integer('unit_price_cents').notNullable();
    t.integer('total_cents').notNullable();
    t.text('serial_numbers'); // JSON array, recorded when staff ships
    timestamps(t, knex);
    t.index(['order_id']);
    t.index(['product_id']);
  });

  await knex.schema.createTable('promo_redemptions', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('promo_code_id').unsigned().notNullable().references('id').inTable('promo_codes');
    t.integer('order_id').unsigned().notNullable().unique().references('id').inTable('orders').onDelete('CASCADE');
    t.integer('user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.string('email', 254).notNullable();
    t.integer('amount_cents').notNullable();
    timestamps(t, knex);
    t.index(['promo_code_id', 'user_id']);
    t.index(['promo_code_id', 'email']);
  });

  await knex.schema.createTable('rental_installments', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('rental_id').unsigned().notNullable().references('id').inTable('rentals').onDelete('CASCADE');
    t.integer('seq').notNullable(); // 1-based installment number
    t.date('due_on').notNullable();
    t.integer('amount_cents').notNullable();
    t.string('status', 16).notNullable().defaultTo('scheduled'); // scheduled | paid | failed | waived
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('late_fee_cents').notNullable().defaultTo(0);
    time(t, 'late_fee_at');
    time(t, 'paid_at');
    timestamps(t, knex);
    t.unique(['rental_id', 'seq']);
    t.index(['status', 'due_on']);
  });

  await knex.schema.createTable('payments', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('rental_id').unsigned().references('id').inTable('rentals');
    t.integer('rental_installment_id').unsigned().references('id').inTable('rental_installments');
    t.string('purpose', 20).notNullable().defaultTo('order'); // order | installment | buyout | late_fee | reinstatement
    t.string('provider', 20).notNullable(); // stripe | manual | store_credit
    t.string('provider_ref', 255);
    t.integer('amount_cents').notNullable();
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.string('status', 16).notNullable(); // pending | succeeded | failed
    t.string('failure_code', 100);
    t.string('failure_message', 500);
    timestamps(t, knex);
    t.unique(['provider', 'provider_ref']);
    t.index(['order_id']);
    t.index(['rental_id']);
  });

  await knex.schema.createTable('refunds', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('payment_id').unsigned().references('id').inTable('payments');
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('rental_id').unsigned().references('id').inTable('rentals');
    t.string('destination', 16).notNullable(); // card | store_credit
    t.string('provider_ref', 255);
    t.integer('amount_cents').notNullable();
    t.string('status', 16).notNullable(); // pending | succeeded | failed
    t.string('reason', 500);
    t.integer('actor_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    timestamps(t, knex);
    t.index(['order_id']);
    t.index(['payment_id']);
  });

  await knex.schema.createTable('stock_movements', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.integer('inventory_unit_id').unsigned().references('id').inTable('inventory_units');
    t.string('reason', 30).notNullable(); // received | reserved | released | sold | rented | returned | adjusted | retired
    t.integer('quantity').notNullable(); // signed change of saleable stock
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('rental_id').unsigned().references('id').inTable('rentals');
    t.integer('actor_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.string('note', 500);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['product_id', 'created_at']);
    t.index(['order_id']);
  });

  await knex.schema.createTable('store_credit_entries', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('amount_cents').notNullable(); // signed
    t.string('kind', 20).notNullable(); // refund | goodwill | purchase | redemption | adjustment
    t.string('reason', 500);
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('rental_id').unsigned().references('id').inTable('rentals');
    t.integer('actor_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['user_id', 'created_at']);
  });

  await knex.schema.createTable('reviews', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('rating').notNullable();
    t.string('title', 120).notNullable();
    t.text('body').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.boolean('verified_purchase').notNullable().defaultTo(false);
    t.integer('moderated_by').unsigned().references('id').inTable('users').onDelete('SET NULL');
    time(t, 'moderated_at');
    timestamps(t, knex);
    t.unique(['product_id', 'user_id']);
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('wishlist_items', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('CASCADE');
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.unique(['user_id', 'product_id']);
  });

  await knex.schema.createTable('notifications', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 40).notNullable();
    t.string('title', 200).notNullable();
    t.text('body');
    t.string('url', 500);
    time(t, 'read_at');
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['user_id', 'read_at']);
  });

  await knex.schema.createTable('disputes', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.integer('order_id').unsigned().references('id').inTable('orders');
    t.integer('rental_id').unsigned().references('id').inTable('rentals');
    t.string('kind', 24).notNullable(); // not_as_described | damaged | billing | chargeback
    t.string('status', 16).notNullable().defaultTo('open');
    t.string('provider_ref', 255).unique(); // Stripe dispute id for chargebacks
    t.integer('amount_cents');
    t.text('description');
    t.text('resolution');
    t.integer('resolved_by').unsigned().references('id').inTable('users').onDelete('SET NULL');
    time(t, 'resolved_at');
    timestamps(t, knex);
    t.index(['status', 'created_at']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('dispute_messages', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('dispute_id').unsigned().notNullable().references('id').inTable('disputes').onDelete('CASCADE');
    t.integer('author_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.boolean('from_staff').notNullable().defaultTo(false);
    t.text('body').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['dispute_id']);
  });

  await knex.schema.createTable('webhook_events', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('provider', 20).notNullable();
    t.string('event_id', 255).notNullable();
    t.string('type', 100).notNullable();
    t.text('payload', 'longtext').notNullable();
    time(t, 'processed_at');
    t.text('error');
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.unique(['provider', 'event_id']);
  });

  await knex.schema.createTable('jobs', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('kind', 60).notNullable();
    t.text('payload', 'mediumtext').notNullable(); // JSON
    time(t, 'run_at').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.text('last_error');
    t.string('locked_by', 100);
    time(t, 'locked_until');
    time(t, 'finished_at'); // set on success and when given up
    time(t, 'failed_at'); // set when given up after max_attempts
    t.string('unique_key', 191).unique(); // optional de-duplication of scheduled work
    timestamps(t, knex);
    t.index(['finished_at', 'run_at']);
    t.index(['kind']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.integer('actor_user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    t.string('action', 60).notNullable();
    t.string('entity', 40).notNullable();
    t.string('entity_id', 40);
    t.text('before');
    t.text('after');
    t.string('ip', 64);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['entity', 'entity_id']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('state_changes', (t) => {
    mysqlOptions(t, knex);
    t.increments('id');
    t.string('entity', 40).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.string('from_state', 30);
    t.string('to_state', 30).notNullable();
    t.string('actor', 60).notNullable(); // user:<id> | system | stripe
    t.string('note', 500);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    t.index(['entity', 'entity_id']);
  });

  await knex.schema.createTable('settings', (t) => {
    mysqlOptions(t, knex);
    t.string('key', 100).primary();
    t.text('value').notNullable(); // JSON
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
  });
}

const TABLES_IN_DROP_ORDER = [
  'settings', 'state_changes', 'audit_log', 'jobs', 'webhook_events', 'dispute_messages', 'disputes',
  'notifications', 'wishlist_items', 'reviews', 'store_credit_entries', 'stock_movements', 'refunds',
  'payments', 'rental_installments', 'promo_redemptions', 'order_items',
];

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES_IN_DROP_ORDER) await knex.schema.dropTableIfExists(table);
  // rentals <-> inventory_units reference each other.
  if (isMysql(knex)) await knex.schema.alterTable('rentals', (t) => t.dropForeign(['inventory_unit_id']));
  for (const table of ['inventory_units', 'rentals', 'orders', 'cart_items', 'carts', 'promo_codes']) {
    await knex.schema.dropTableIfExists(table);
  }
  if (!isMysql(knex)) {
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_ai');
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_ad');
    await knex.raw('DROP TRIGGER IF EXISTS products_fts_au');
    await knex.raw('DROP TABLE IF EXISTS products_fts');
  }
  for (const table of ['products', 'categories', 'auth_tokens', 'addresses', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
