import { Router } from 'express';
import type { AppContext } from './app';

/** GET /healthz: 200 when the database answers within a second, 503 otherwise. */
export function healthRoutes(ctx: Pick<AppContext, 'db'>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await withTimeout(ctx.db.raw('select 1'), 1000);
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
