import { countRows, type Conn } from '../db';
import { fromDbTime } from '../lib/clock';

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
