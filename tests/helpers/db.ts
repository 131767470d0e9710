import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knex from 'knex';
import type { Config } from '../../src/config';
import { createDb, ensureMysqlDatabase, isMysql, migrateLatest, mysqlServer, withMysqlLock, type Db } from '../../src/db';
import { migrations } from '../../migrations';

export interface TestDb {
  db: Db;
  dbConfig: Config['db'];
  dialect: 'sqlite' | 'mysql';
  /** Closes the pool and removes the database. */
  destroy(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
const RUN_ID = process.env.GG_TEST_RUN_ID ?? crypto.randomBytes(3).toString('hex');

/**
 * A fresh, migrated database for one test file: a temporary SQLite file by
 * default, or a new uniquely named MySQL/MariaDB database when
 * TEST_DATABASE_URL is set (so parallel runs never collide).
 *
 * Migrated databases are copies of a template migrated once per set of
 * migrations (named by their hash, so a changed migration gets a new one):
 * the SQLite file copied, the MySQL/MariaDB tables created from the
 * template's SHOW CREATE TABLE and their rows copied. The result is the
 * migrated schema, migration records included, without running every
 * migration for every test file.
 */
export async function freshDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const migrate = options.migrate !== false;
  let dbConfig: Config['db'];
  let removeStore: () => Promise<void>;
  if (TEST_DATABASE_URL) {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/gg_test_${RUN_ID}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    if (migrate) await cloneMysqlTemplate(await mysqlTemplate(), url);
    else await ensureMysqlDatabase(url.toString());
    dbConfig = { client: 'mysql', url: url.toString(), poolMax: 20 };
    removeStore = () => dropMysqlDatabase(url);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-test-'));
    dbConfig = { client: 'sqlite', filename: path.join(dir, 'test.sqlite') };
    if (migrate) fs.copyFileSync(await sqliteTemplate(), dbConfig.filename);
    removeStore = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const db = createDb(dbConfig);
  return {
    db,
    dbConfig,
    dialect: dbConfig.client,
    async destroy() {
      await db.destroy();
      await removeStore();
    },
  };
}

/** Names the migrations as they are now: their names and code. */
const MIGRATIONS_HASH = crypto
  .createHash('sha256')
  .update(migrations.map(([name, m]) => `${name}\n${m.up.toString()}\n${m.down?.toString() ?? ""}`).join('\n'))
  .digest('hex')
  .slice(0, 12);

let sqliteTemplatePath: Promise<string> | null = null;

/** A migrated SQLite file for these migrations, made once per machine and written in full before it is used. */
function sqliteTemplate(): Promise<string> {
  return (sqliteTemplatePath ??= (async () => {
    const file = path.join(os.tmpdir(), `giggatek-template-${MIGRATIONS_HASH}.sqlite`);
    if (fs.existsSync(file)) return file;
    const partial = `${file}.${process.pid}.${crypto.randomBytes(3).toString('hex')}`;
    const db = createDb({ client: 'sqlite', filename: partial });
    try {
      await migrateLatest(db);
      await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      await db.destroy();
    }
    fs.renameSync(partial, file); // atomic: another worker may have done the same meanwhile
    for (const extra of ['-wal', '-shm']) fs.rmSync(`${partial}${extra}`, { force: true });
    return file;
  })());
}

let mysqlTemplateName: Promise<string> | null = null;

/** A migrated MySQL/MariaDB database for these migrations, made once (under a server lock, so parallel workers make it once). */
function mysqlTemplate(): Promise<string> {
  return (mysqlTemplateName ??= (async () => {
    const name = `gg_template_${MIGRATIONS_HASH}`;
    const admin = mysqlServer(TEST_DATABASE_URL!);
    try {
      // Parallel test workers make it once: the first under the lock, the others find it made.
      await withMysqlLock(admin, name, 120, async () => {
        if (await migratedAlready(admin, name)) return;
        const url = new URL(TEST_DATABASE_URL!);
        url.pathname = `/${name}`;
        await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await ensureMysqlDatabase(url.toString());
        const db = createDb({ client: 'mysql', url: url.toString(), poolMax: 1 });
        try {
          await migrateLatest(db);
        } catch (err) {
          await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
          throw err;
        } finally {
          await db.destroy();
        }
      });
      return name;
    } finally {
      await admin.destroy();
    }
  })());
}

/** Whether the template holds a record of every migration (one cut short by a stopped run does not). */
async function migratedAlready(admin: Db, name: string): Promise<boolean> {
  const table = await admin('information_schema.tables').where({ table_schema: name, table_name: 'knex_migrations' }).first();
  if (!table) return false;
  const [{ n }] = await admin(`${name}.knex_migrations`).count({ n: '*' });
  return Number(n) === migrations.length;
}

/** The template's tables (created from its own definitions, foreign keys and full-text indexes included) and rows, in a new database. */
async function cloneMysqlTemplate(template: string, target: URL): Promise<void> {
  const name = target.pathname.slice(1);
  const admin = mysqlServer(target);
  try {
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const tables = (await admin('information_schema.tables').where({ table_schema: template, table_type: 'BASE TABLE' }).pluck('table_name')) as string[];
    await admin.raw('SET FOREIGN_KEY_CHECKS = 0');
    await admin.raw(`USE \`${name}\``);
    for (const table of tables) {
      const [rows] = await admin.raw(`SHOW CREATE TABLE \`${template}\`.\`${table}\``);
      await admin.raw((rows as Array<Record<string, string>>)[0]!['Create Table']!);
      await admin.raw(`INSERT INTO \`${name}\`.\`${table}\` SELECT * FROM \`${template}\`.\`${table}\``);
    }
  } finally {
    await admin.destroy();
  }
}

async function dropMysqlDatabase(url: URL): Promise<void> {
  const name = url.pathname.slice(1);
  const admin = mysqlServer(url);
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
}

/**
 * A fingerprint of every row of every table: equal fingerprints before and
 * after a request prove it changed nothing (inserts, updates or deletes).
 */
export async function databaseFingerprint(db: Db): Promise<Record<string, string>> {
  const tables: string[] =
    isMysql(db)
      ? (await db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()'))[0].map((r: { name: string }) => r.name)
      : (await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map((r: { name: string }) => r.name);
  const out: Record<string, string> = {};
  for (const table of tables.sort()) {
    const rows = (await db(table).select('*')).map((r: unknown) => JSON.stringify(r)).sort();
    out[table] = crypto.createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16);
  }
  return out;
}
