import type { Conn } from '../db';
import { listUserOrders } from '../orders/repo';
import type { Order } from '../orders/repo';
import { creditBalance } from '../payments/store-credit';
import { customerRentals, type RentalGlance } from '../rentals/repo';
import { customerNotifications, type NotificationGlance } from '../notifications/repo';

/** The account dashboard's glance at the customer's orders, rentals, credit and notifications, each read by its own feature. */
export interface Glance {
  orders: { count: number; recent: Order[] };
  rentals: { open: number; recent: RentalGlance[] };
  creditCents: number;
  notifications: { unread: number; recent: NotificationGlance[] };
}

export async function loadGlance(conn: Conn, userId: number): Promise<Glance> {
  const [orders, rentals, creditCents, notifications] = await Promise.all([
    listUserOrders(conn, userId, 1, 3),
    customerRentals(conn, userId, 3),
    creditBalance(conn, userId),
    customerNotifications(conn, userId, 5),
  ]);
  return { orders: { count: orders.total, recent: orders.orders }, rentals, creditCents, notifications };
}
