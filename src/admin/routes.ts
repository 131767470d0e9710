import { Router } from 'express';
import type { AppContext } from '../app';
import { listAudit, auditEntities } from '../audit/repo';
import { validate } from '../http/validate';
import { ORDER_STATUS_LABELS } from '../orders/transitions';
import { loadDashboard } from './dashboard';
import { queryString } from './context';
import { orderRoutes } from './orders';
import { liveRoutes } from './live';
import { customerRoutes } from './customers';
import { disputeAdminRoutes } from './disputes';
import { rentalAdminRoutes } from './rentals';
import { productRoutes } from './products';
import { productCsvRoutes } from './product-csv';
import { productImageRoutes } from './product-images';
import { jobRoutes } from './jobs';
import { promoCodeRoutes } from './promo-codes';
import { reviewAdminRoutes } from './reviews';
import { settingsRoutes } from './settings';
import { staffRoutes } from './staff';
import { AuditQuery, dayStart } from './schemas';

const PER_PAGE = 50;

/**
 * The admin panel under /admin (app.ts guards the whole path: staff or
 * admin). Every change goes through a feature's service, which writes the
 * audit_log row in the same transaction as the change.
 */
export function adminRoutes(ctx: AppContext): Router {
  const { db } = ctx;
  const router = Router();

  router.get('/', async (_req, res) => {
    res.render('admin/dashboard', { title: 'Dashboard', noindex: true, dash: await loadDashboard(db, ctx.clock.now()), statusLabels: ORDER_STATUS_LABELS });
  });

  liveRoutes(router, ctx);
  orderRoutes(router, ctx);
  productCsvRoutes(router, ctx); // before productRoutes: its paths would read as /products/:id
  productRoutes(router, ctx);
  productImageRoutes(router, ctx);
  rentalAdminRoutes(router, ctx);
  customerRoutes(router, ctx);
  disputeAdminRoutes(router, ctx);
  jobRoutes(router, ctx);
  promoCodeRoutes(router, ctx);
  reviewAdminRoutes(router, ctx);
  settingsRoutes(router, ctx);
  staffRoutes(router, ctx);

  // ---- audit log

  const audit = validate({ query: AuditQuery });
  router.get('/audit', audit, async (req, res) => {
    const q = audit.query(req);
    const [found, entities] = await Promise.all([
      listAudit(db, { action: q.action ?? null, entity: q.entity ?? null, entityId: q.entity_id ?? null, actorEmail: q.actor ?? null, from: dayStart(q.from), to: dayStart(q.to, 1) }, q.page, PER_PAGE),
      auditEntities(db),
    ]);
    const query = queryString({ action: q.action, entity: q.entity, entity_id: q.entity_id, actor: q.actor, from: q.from, to: q.to });
    res.render('admin/audit', { title: 'Audit log', noindex: true, ...found, page: q.page, pages: Math.max(1, Math.ceil(found.total / PER_PAGE)), filters: q, query, entities });
  });

  return router;
}
