import type { Db } from '../db';
import { countFailedJobs } from '../jobs/queue';
import * as orderRepo from '../orders/repo';
import { dateOnly } from '../lib/dates';
import { dailyMoney } from '../payments/repo';
import { rentalFigures, type RentalFigures } from '../rentals/repo';
import { barChart, lastDays, type BarChart } from './chart';
import { ORDER_STATUSES, type OrderStatus } from '../orders/transitions';

/** Orders staff still act on (or wait on: shipped orders until delivered). */
export const OPEN_ORDER_STATUSES = ['pending_payment', 'paid', 'processing', 'shipped'] as const satisfies readonly OrderStatus[];

export interface Dashboard {
  /** Each status: open orders of any age (open statuses only), and orders placed in the last 30 days. */
  byStatus: Array<{ status: OrderStatus; open: number | null; last30: number }>;
  /** Paid or being prepared: waiting for staff to ship. */
  awaitingShipment: number;
  awaitingPayment: number;
  recentOrders: orderRepo.Order[];
  failedJobs: number;
  /** Money received less money refunded (card or by hand), in cents. */
  revenue: { today: number; last7: number; last30: number };
  /** The last 30 days, oldest first. */
  days: Array<{ day: string; revenueCents: number; orders: number }>;
  revenueChart: BarChart;
  ordersChart: BarChart;
  /** Rent-to-own at a glance; income and defaults over the same 30 days as revenue. */
  rentals: RentalFigures;
}

/** What staff see first: orders by status, what waits for them, the latest orders, failed jobs. */
export async function loadDashboard(db: Db, now: Date): Promise<Dashboard> {
  const dayList = lastDays(now, 30);
  const from = new Date(`${dayList[0]}T00:00:00Z`);
  // Open orders at any age, and all statuses over the last 30 days: counting every finished order ever placed would read the whole history.
  const [counts, last30, recent, failedJobs, money, orderCounts, rentals] = await Promise.all([
    orderRepo.countByStatus(db, { statuses: OPEN_ORDER_STATUSES }),
    orderRepo.countByStatus(db, { since: from }),
    orderRepo.recentOrders(db, 10),
    countFailedJobs(db),
    dailyMoney(db, from),
    orderRepo.dailyOrderCounts(db, from),
    rentalFigures(db, { today: dateOnly(now), since: from }),
  ]);
  const days = dayList.map((day) => {
    const m = money.get(day);
    return { day, revenueCents: m ? m.receivedCents - m.refundedCents : 0, orders: orderCounts.get(day) ?? 0 };
  });
  const sum = (n: number) => days.slice(-n).reduce((a, d) => a + d.revenueCents, 0);
  const n = (s: OrderStatus) => counts.get(s) ?? 0;
  return {
    byStatus: ORDER_STATUSES.map((status) => ({ status, open: (OPEN_ORDER_STATUSES as readonly OrderStatus[]).includes(status) ? n(status) : null, last30: last30.get(status) ?? 0 })),
    awaitingShipment: n('paid') + n('processing'),
    awaitingPayment: n('pending_payment'),
    recentOrders: recent,
    failedJobs,
    revenue: { today: sum(1), last7: sum(7), last30: sum(30) },
    days,
    revenueChart: barChart(days.map((d) => ({ label: d.day, value: d.revenueCents })), { minStep: 100 }),
    ordersChart: barChart(days.map((d) => ({ label: d.day, value: d.orders }))),
    rentals,
  };
}
