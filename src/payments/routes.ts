import express, { Router } from 'express';
import type { StripeWebhooks } from './webhooks';

/**
 * POST /webhooks/stripe with its own raw-body parser: the signature covers the
 * exact bytes, so this router is mounted before any other body parser. No
 * CSRF (the signature authenticates it) and no session.
 */
export function webhookRoutes(webhooks: StripeWebhooks | null): Router {
  const router = Router();
  router.post('/webhooks/stripe', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!webhooks) {
      res.status(404).json({ error: { code: 'not_found', message: 'Stripe is not configured.' } });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await webhooks.receive(body, req.get('stripe-signature'));
    res.status(result.status).json(result.body);
  });
  return router;
}
