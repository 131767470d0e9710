import request from 'supertest';
import type { Express } from 'express';
import type { FakeStripe } from './stripe-server';

/** Delivers a Stripe event to the store's webhook endpoint, signed as Stripe would. */
export function signedDelivery(app: () => Express, stripe: () => FakeStripe) {
  return (event: Record<string, any>) => {
    const { body, signature } = stripe().sign(event);
    return request(app()).post('/webhooks/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', signature).send(body);
  };
}
