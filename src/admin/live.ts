import type { Request, Response, Router } from 'express';
import type { AppContext } from '../app';
import { loadDashboard } from './dashboard';
import { dateTime } from '../lib/dates';
import { formatCount } from '../lib/locale';
import { formatMoney } from '../lib/money';
import { ORDER_STATUS_LABELS } from '../orders/transitions';

/** How often the open dashboards get fresh figures. */
export const LIVE_INTERVAL_MS = 5_000;

export interface LiveFigures {
  revenueToday: string;
  revenue7: string;
  revenue30: string;
  /** Counts as the page shows them ("1,234"): the browser puts the text in as it is. */
  awaitingShipment: string;
  awaitingPayment: string;
  failedJobs: string;
  recentOrders: Array<{ number: string; placed: string; email: string; status: string; payment: string; total: string }>;
}

/**
 * GET /admin/events: the dashboard's figures as Server-Sent Events. One
 * reading of the database every LIVE_INTERVAL_MS serves every open
 * dashboard; the timer runs only while someone is watching. Without
 * JavaScript the dashboard shows the same figures on reload.
 */
export function liveRoutes(router: Router, ctx: AppContext): void {
  const watchers = new Set<Response>();
  let timer: NodeJS.Timeout | null = null;
  // Open streams never finish by themselves: end them when the server stops, so it can.
  ctx.onShutdown.push(() => {
    for (const res of watchers) res.end();
    watchers.clear();
    if (timer) clearInterval(timer);
    timer = null;
  });

  const read = async (): Promise<LiveFigures> => {
    const d = await loadDashboard(ctx.db, ctx.clock.now());
    const money = (c: number) => formatMoney(c, ctx.config.currency);
    return {
      revenueToday: money(d.revenue.today),
      revenue7: money(d.revenue.last7),
      revenue30: money(d.revenue.last30),
      awaitingShipment: formatCount(d.awaitingShipment),
      awaitingPayment: formatCount(d.awaitingPayment),
      failedJobs: formatCount(d.failedJobs),
      recentOrders: d.recentOrders.map((o) => ({
        number: o.number,
        placed: dateTime(o.createdAt), // as the page's order table shows it
        email: o.email,
        status: ORDER_STATUS_LABELS[o.status],
        payment: `${o.paymentStatus.replace(/_/g, ' ')} · ${o.paymentMethod === 'manual' ? 'bank / pickup' : 'card'}`,
        total: money(o.totalCents),
      })),
    };
  };

  const send = (res: Response, figures: LiveFigures) => {
    res.write(`event: dashboard\ndata: ${JSON.stringify(figures)}\n\n`);
    (res as Response & { flush?: () => void }).flush?.(); // through the compression middleware at once
  };

  const tick = async () => {
    try {
      const figures = await read();
      for (const res of watchers) send(res, figures);
    } catch (err) {
      ctx.logger.warn({ err }, 'live dashboard figures not read');
    }
  };

  router.get('/events', async (req: Request, res: Response) => {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store, no-transform', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(`retry: ${LIVE_INTERVAL_MS}\n\n`);
    send(res, await read());
    watchers.add(res);
    timer ??= setInterval(tick, LIVE_INTERVAL_MS).unref();
    req.on('close', () => {
      watchers.delete(res);
      if (!watchers.size && timer) {
        clearInterval(timer);
        timer = null;
      }
    });
  });
}
