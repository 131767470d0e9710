import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../lib/log';
import { migrations } from '../../migrations';

export type Db = Knex;
export type Trx = Knex.Transaction;
/** Either the pool or an open transaction: repos accept both. */
export type Conn = Knex | Knex.Transaction;

/**
 * The Knex factory. mysql:// → mysql2 (utf8mb4, UTC, pool); otherwise the
 * embedded SQLite file via better-sqlite3 with foreign keys on and WAL.
 * DATETIME values come back as 'YYYY-MM-DD HH:MM:SS.mmm' strings on both.
 * With a logger, Knex's own warnings go to it instead of the console.
 */
export function createDb(db: Config['db'], logger?: Logger): Db {
  const log = logger ? knexLog(logger) : undefined;
  if (db.client === 'mysql') {
    const u = new URL(db.url);
    return knex({
      client: 'mysql2',
      log,
      connection: {
        host: u.hostname,
        port: u.port ? Number(u.port) : 3306,
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: decodeURIComponent(u.pathname.slice(1)),
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: true,
        decimalNumbers: true,
        supportBigNumbers: true,
        connectTimeout: 5_000,
      },
      pool: {
        min: 0,
        max: db.poolMax,
        afterCreate(conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) {
          conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
        },
      },
      // With the database away a request fails within seconds (a 503 page) instead of waiting on the pool.
      acquireConnectionTimeout: 5_000,
    });
  }
  if (db.filename !== ':memory:') fs.mkdirSync(path.dirname(db.filename), { recursive: true });
  return knex({
    client: 'better-sqlite3',
    log,
    connection: { filename: db.filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma: (sql: string) => unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  });
}

/** Knex prints its warnings (a failed connection with its stack) with console.log; one log line each is enough. */
function knexLog(logger: Logger): Knex.Config['log'] {
  const first = (message: unknown) => String(message).split('\n')[0];
  return {
    warn: (message) => logger.warn(first(message)),
    error: (message) => logger.error(first(message)),
  };
}

/** How many rows a query matches. */
export async function countRows(qb: Knex.QueryBuilder): Promise<number> {
  const row = (await qb.clone().clearSelect().clearOrder().count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * How many rows a query matches, counting no further than `cap` + 1: a list
 * that can match a whole history (every delivered order) says "more than
 * cap" instead of reading every row to count them.
 */
export async function countRowsUpTo(conn: Conn, qb: Knex.QueryBuilder, cap: number): Promise<number> {
  const matching = qb.clone().clearSelect().clearOrder().select(conn.raw('1')).limit(cap + 1);
  const row = (await conn.count({ n: '*' }).from(matching.as('matching')).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * The query with FOR UPDATE when it runs inside a MySQL/MariaDB transaction,
 * so the rows it reads stay as read until commit. SQLite has a single
 * writer: a transaction already excludes every other change.
 */
export function lockedInTransaction<Q extends Knex.QueryBuilder>(conn: Conn, qb: Q): Q {
  return (conn.isTransaction && isMysql(conn) ? qb.forUpdate() : qb) as Q;
}

/**
 * SQL for the day ('YYYY-MM-DD', UTC like every stored time) of a DATETIME
 * column, to group rows by day. MySQL/MariaDB: DATE(), which reads the stored
 * value (cutting its text would first format every row); SQLite stores the
 * text, so its first ten characters.
 */
export function daySql(conn: Conn, column: string): string {
  return isMysql(conn) ? `DATE(${column})` : `substr(${column}, 1, 10)`;
}

/**
 * SQL for a DATE column `days` later, `days` an SQL expression of whole days
 * (0 or more), such as another column: `whereRaw(\`${daysAfterSql(db, 'i.due_on', 'r.grace_days + 1')} <= ?\`, [today])`.
 * Both give a 'YYYY-MM-DD' date, compared with date strings as they are.
 */
export function daysAfterSql(conn: Conn, column: string, days: string): string {
  return isMysql(conn) ? `DATE_ADD(${column}, INTERVAL (${days}) DAY)` : `date(${column}, '+' || (${days}) || ' days')`;
}

/**
 * "Starts with" in SQL, the prefix taken literally (its % and _ match only
 * themselves): `qb.whereRaw(\`?? ${LIKE_PREFIX}\`, [column, prefixPattern(q)])`.
 * The escape character is named, as SQLite has none by default.
 */
export const LIKE_PREFIX = "LIKE ? ESCAPE '!'";
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, '!$&')}%`;
}

export function isMysql(db: Conn): boolean {
  return /mysql/.test(String(db.client.config.client));
}

const migrationSource: Knex.MigrationSource<Knex.Migration> = {
  getMigrations: async () => migrations.map(([, m]) => m),
  getMigrationName: (m) => migrations.find(([, candidate]) => candidate === m)![0],
  getMigration: async (m) => m,
};

export const migrationConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const latest = async () => (await db.migrate.latest(migrationConfig))[1] as string[];
  if (!isMysql(db)) return latest();
  // Processes started together on one database (web processes, workers) take turns: Knex's own lock
  // makes the later ones fail at once, and two creating its tables together can leave it locked for good.
  const database = String((db.client.config.connection as { database?: string }).database ?? '');
  return withMysqlLock(db, `giggatek:migrate:${database}`.slice(0, 64), MIGRATE_LOCK_WAIT_SECONDS, latest);
}

/** How long a starting process waits for another one's migrations. */
const MIGRATE_LOCK_WAIT_SECONDS = 300;

/**
 * Runs fn while holding a MySQL/MariaDB named lock (GET_LOCK), on a
 * connection of its own so the pool stays free for fn.
 */
export async function withMysqlLock<T>(db: Db, name: string, waitSeconds: number, fn: () => Promise<T>): Promise<T> {
  const holder = knex({ ...db.client.config, pool: { ...db.client.config.pool, min: 1, max: 1 } });
  try {
    const [rows] = (await holder.raw('SELECT GET_LOCK(?, ?) AS got', [name, waitSeconds])) as [Array<{ got: number | null }>];
    if (Number(rows[0]?.got) !== 1) throw new Error(`Another process held the lock ${name} for more than ${waitSeconds} s`);
    try {
      return await fn();
    } finally {
      await holder.raw('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
    }
  } finally {
    await holder.destroy();
  }
}

export async function migrateDown(db: Db): Promise<void> {
  await db.migrate.rollback(migrationConfig, true);
}

/** Runs fn in the given transaction, or opens one when none is given. */
export async function inTransaction<T>(db: Conn, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Trx);
  return (db as Db).transaction(fn);
}

/**
 * One connection to the MySQL/MariaDB server of the URL, with no database
 * chosen (for creating and dropping databases, and named locks, which
 * belong to a connection). Its failures go to the caller only.
 */
export function mysqlServer(url: string | URL): Db {
  const u = new URL(url);
  return knex({
    client: 'mysql2',
    connection: {
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    },
    pool: { min: 0, max: 1 },
    // Its one possible failure is thrown to the caller, which reports it; Knex would also print it with a stack.
    log: { warn: () => undefined },
  });
}

/** Creates the MySQL database named in the URL when it does not exist yet. */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Refusing to create database with unusual name "${name}"`);
  const admin = mysqlServer(url);
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}
