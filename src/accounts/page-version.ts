import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';

/**
 * A shopper's page version comes from their page_changes rows
 * (migrations/20261202000002_page_changes.ts; PAGE_VERSION_COLUMN). Every
 * write that changes what all pages show of a shopper — their cart count,
 * unread notifications, saved products — adds a row in the same transaction,
 * so a process that finds the version unchanged knows that what it read
 * before still holds (src/http/shopper-pages.ts). Rows are only added, never
 * updated: transactions changing one shopper at once do not wait on each other.
 */
export async function notePageChange(conn: Conn, userIds: number | readonly number[]): Promise<void> {
  const ids = typeof userIds === 'number' ? [userIds] : [...new Set(userIds)];
  if (!ids.length) return;
  const at = toDbTime(new Date());
  await conn('page_changes').insert(ids.map((id) => ({ user_id: id, created_at: at })));
}

/**
 * The page version as a session read gives it (a subquery of the users row's
 * query): how many rows there are and the newest one, as one number. Both,
 * because ids are handed out when rows are written, not when they are
 * committed: a transaction that wrote an older id and commits after a newer
 * one leaves the newest id as it was but adds to the count; and the hourly
 * clean-up takes rows away while new ones come.
 */
export const PAGE_VERSION_COLUMN = '(SELECT COUNT(*) * 1000000000000 + COALESCE(MAX(pc.id), 0) FROM page_changes pc WHERE pc.user_id = users.id) AS page_version';

/** Rows older than this go (the hourly account clean-up): a process keeps what it read for at most a minute. */
export const PAGE_CHANGES_KEPT_MS = 60 * 60_000;

export async function prunePageChanges(conn: Conn, now: Date): Promise<number> {
  return conn('page_changes').where('created_at', '<', toDbTime(new Date(now.getTime() - PAGE_CHANGES_KEPT_MS))).delete();
}
