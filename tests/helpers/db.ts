import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knex from 'knex';
import type { Config } from '../../src/config';
import { createDb, ensureMysqlDatabase, isMysql, migrateLatest, type Db } from '../../src/db';

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
 */
export async function freshDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  let dbConfig: Config['db'];
  let removeStore: () => Promise<void>;
  if (TEST_DATABASE_URL) {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/gg_test_${RUN_ID}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    await ensureMysqlDatabase(url.toString());
    dbConfig = { client: 'mysql', url: url.toString(), poolMax: 20 };
    removeStore = () => dropMysqlDatabase(url);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-test-'));
    dbConfig = { client: 'sqlite', filename: path.join(dir, 'test.sqlite') };
    removeStore = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const db = createDb(dbConfig);
  if (options.migrate !== false) await migrateLatest(db);
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

async function dropMysqlDatabase(url: URL): Promise<void> {
  const name = url.pathname.slice(1);
  const admin = knex({
    client: 'mysql2',
    connection: { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
  });
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
