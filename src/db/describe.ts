import type { Config } from '../config';
import { shownPath } from '../lib/paths';
import type { Db } from './index';

/**
 * Which database a process works on, as people read it:
 * "MariaDB giggatek on 127.0.0.1:3306" or "SQLite var/giggatek.sqlite".
 */
export function databaseLabel(target: Config['db'], product = 'MySQL/MariaDB'): string {
  if (target.client === 'sqlite') return `SQLite ${shownPath(target.filename)}`;
  const u = new URL(target.url);
  return `${product} ${decodeURIComponent(u.pathname.slice(1))} on ${u.hostname}:${u.port || 3306}`;
}

/** databaseLabel, with the server asked whether it is MariaDB or MySQL. */
export async function describeDatabase(db: Db, target: Config['db']): Promise<string> {
  if (target.client === 'sqlite') return databaseLabel(target);
  const [rows] = (await db.raw('SELECT VERSION() AS version')) as [Array<{ version: string }>];
  return databaseLabel(target, /mariadb/i.test(rows[0]?.version ?? '') ? 'MariaDB' : 'MySQL');
}
