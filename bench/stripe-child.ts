import { startStripeServer } from '../tests/helpers/stripe-server';

/**
 * The tests' local Stripe stand-in (tests/helpers/stripe-server.ts) in a
 * process of its own for the rentals part, as Stripe is not in the store's
 * process: it sends { env } once listening, and answers 'count' (PaymentIntent
 * requests so far) and 'summary' (those requests per idempotency key) over IPC.
 */
void startStripeServer().then((stripe) => {
  const intents = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
  process.on('message', (m: string) => {
    if (m === 'count') process.send!({ type: 'count', intents: intents().length });
    if (m === 'summary') {
      const perKey: Record<string, number> = {};
      for (const r of intents()) perKey[String(r.idempotencyKey)] = (perKey[String(r.idempotencyKey)] ?? 0) + 1;
      process.send!({ type: 'summary', intents: intents().length, perKey });
    }
    if (m === 'close') void stripe.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0)); // the bench ended or died
  process.send!({ type: 'ready', env: stripe.env });
});
