import { notePageChange } from '../accounts/page-version';
import { countRows, type Conn } from '../db';
import { insertInChunks } from '../db/batch';
import { fromDbTime, toDbTime } from '../lib/clock';
import { safeNext } from '../http/auth';

/** In-app notifications: queries only. */

export interface NotificationGlance {
  id: number;
  title: string;
  url: string | null;
  readAt: Date | null;
  createdAt: Date;
}

/** How many of a customer's notifications are unread, and the latest few. */
export async function customerNotifications(conn: Conn, userId: number, limit: number): Promise<{ unread: number; recent: NotificationGlance[] }> {
  const [unread, rows] = await Promise.all([
    countRows(conn('notifications').where({ user_id: userId }).whereNull('read_at')),
    conn('notifications').where({ user_id: userId }).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).select('id', 'title', 'url', 'read_at', 'created_at'),
  ]);
  return {
    unread,
    recent: rows.map((r) => ({ id: Number(r.id), title: r.title, url: r.url ?? null, readAt: fromDbTime(r.read_at), createdAt: fromDbTime(r.created_at)! })),
  };
}

export const NOTIFICATION_KINDS = ['order', 'rental', 'payment_failed', 'late_notice', 'dispute', 'back_in_stock', 'price_drop', 'review'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  title: string;
  body?: string | null;
  /** A path in the store the notification leads to. */
  url?: string | null;
}

/** Adds an in-app notification, in the caller's transaction (next to the e-mail it accompanies). */
export async function notify(conn: Conn, n: NewNotification, now: Date): Promise<void> {
  await conn('notifications').insert(notificationRow(n, now));
  await notePageChange(conn, n.userId);
}

/** Several notifications in one statement (a collection batch's receipts). */
export async function notifyMany(conn: Conn, list: readonly NewNotification[], now: Date): Promise<void> {
  if (list.length === 0) return;
  await insertInChunks(conn, 'notifications', list.map((n) => notificationRow(n, now)));
  await notePageChange(conn, list.map((n) => n.userId));
}

function notificationRow(n: NewNotification, now: Date) {
  return {
    user_id: n.userId,
    kind: n.kind,
    title: n.title.slice(0, 200),
    body: n.body ?? null,
    // A path of the store only: opening the notification redirects there.
    url: safeNext(n.url, '') || null,
    created_at: toDbTime(now),
  };
}

export interface Notification extends NotificationGlance {
  kind: NotificationKind;
  body: string | null;
}

/** One page of a customer's notifications, newest first, with the total. */
export async function listNotifications(conn: Conn, userId: number, page: number, perPage: number): Promise<{ notifications: Notification[]; total: number }> {
  const [total, rows] = await Promise.all([
    countRows(conn('notifications').where({ user_id: userId })),
    conn('notifications').where({ user_id: userId }).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage),
  ]);
  return {
    total,
    notifications: rows.map((r) => ({ id: Number(r.id), kind: r.kind, title: r.title, body: r.body ?? null, url: r.url ?? null, readAt: fromDbTime(r.read_at), createdAt: fromDbTime(r.created_at)! })),
  };
}

export async function unreadCount(conn: Conn, userId: number): Promise<number> {
  return countRows(conn('notifications').where({ user_id: userId }).whereNull('read_at'));
}

/** Marks one of the customer's notifications read; null when it is not theirs. Reading it twice is fine. */
export async function markRead(conn: Conn, userId: number, id: number, now: Date): Promise<{ url: string | null } | null> {
  const row = await conn('notifications').where({ id, user_id: userId }).first('url');
  if (!row) return null;
  if (await conn('notifications').where({ id, user_id: userId }).whereNull('read_at').update({ read_at: toDbTime(now) })) await notePageChange(conn, userId);
  return { url: row.url ?? null };
}

export async function markAllRead(conn: Conn, userId: number, now: Date): Promise<number> {
  const marked = await conn('notifications').where({ user_id: userId }).whereNull('read_at').update({ read_at: toDbTime(now) });
  if (marked) await notePageChange(conn, userId);
  return marked;
}
