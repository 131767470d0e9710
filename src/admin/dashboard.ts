import type { Db } from '../db';
import { countFailedJobs } from '../jobs/queue';
import * as orderRepo from '../orders/repo';
import { ORDER_STATUSES, type OrderStatus } from '../orders/transitions';

export interface Dashboard {
  byStatus: Array<{ status: OrderStatus; count: number }>;
  /** Paid or being prepared: waiting for staff to ship. */
  awaitingShipment: number;
  awaitingPayment: number;
  recentOrders: orderRepo.Order[];
  failedJobs: number;
}

/** What staff see first: orders by status, what waits for them, the latest orders, failed jobs. */
export async function loadDashboard(db: Db): Promise<Dashboard> {
  const [counts, recent, failedJobs] = await Promise.all([
    orderRepo.countByStatus(db),
    orderRepo.listOrders(db, { status: null, paymentStatus: null, q: null, from: null, to: null }, 1, 10),
    countFailedJobs(db),
  ]);
  const n = (s: OrderStatus) => counts.get(s) ?? 0;
  return {
    byStatus: ORDER_STATUSES.map((status) => ({ status, count: n(status) })),
    awaitingShipment: n('paid') + n('processing'),
    awaitingPayment: n('pending_payment'),
    recentOrders: recent.orders,
    failedJobs,
  };
}
