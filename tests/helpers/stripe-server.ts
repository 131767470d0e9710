import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import Stripe from 'stripe';

/**
 * A local stand-in for api.stripe.com that the real `stripe` SDK talks to
 * (`host`/`port`/`protocol: 'http'`). It records every request, answers with
 * realistic objects (Checkout Sessions, refunds), replays idempotent requests,
 * can be told to fail, and builds signed webhook deliveries.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  body: Record<string, any>;
}

export interface FakeStripe {
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** Environment for loadConfig: STRIPE_* pointing at this server. */
  env: Record<string, string>;
  requests: RecordedRequest[];
  sessions: Map<string, Record<string, any>>;
  refunds: Map<string, Record<string, any>>;
  paymentIntents: Map<string, Record<string, any>>;
  customers: Map<string, Record<string, any>>;
  /** What charging a saved card off-session does, per payment method (default: it succeeds). */
  cardOutcomes: Map<string, CardOutcome>;
  /** The next `times` requests matching method + path prefix get this error (no SDK retry). */
  failNext(match: { method: string; path: string }, error?: { status?: number; type?: string; code?: string; message?: string }, times?: number): void;
  /** The customer pays a session: it becomes complete/paid with a PaymentIntent and a Charge. */
  paySession(sessionId: string): { session: Record<string, any>; paymentIntent: Record<string, any>; charge: Record<string, any> };
  /** A Stripe event envelope around an object. */
  event(type: string, object: Record<string, any>, id?: string): Record<string, any>;
  /** The body and Stripe-Signature header of a webhook delivery (signed now with the webhook secret unless told otherwise). */
  sign(event: unknown, secret?: string, timestamp?: number): { body: string; signature: string };
  close(): Promise<void>;
  /** Webhook deliveries made by the hosted Checkout page (startStripeServer({ checkoutPage })), in order. */
  deliveries: WebhookDelivery[];
}

export type CardOutcome = 'succeeded' | 'card_declined' | 'insufficient_funds' | 'authentication_required';

const id = (prefix: string) => `${prefix}_test_${crypto.randomBytes(12).toString('hex')}`;
const nowSec = () => Math.floor(Date.now() / 1000);

export async function startStripeServer(options: StripeServerOptions = {}): Promise<FakeStripe> {
  const secretKey = 'sk_test_giggatek_fake_0123456789';
  const webhookSecret = 'whsec_test_giggatek_fake_0123456789';
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Record<string, any>>();
  const refunds = new Map<string, Record<string, any>>();
  const paymentIntents = new Map<string, Record<string, any>>();
  const customers = new Map<string, Record<string, any>>();
  const cardOutcomes = new Map<string, CardOutcome>();
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const failures: Array<{ method: string; path: string; status: number; body: unknown; times: number }> = [];

  const error = (status: number, type: string, message: string, code?: string) => ({ status, body: { error: { type, message, ...(code ? { code } : {}) } } });

  function route(method: string, path: string, body: Record<string, any>): { status: number; body: unknown } {
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const lines = Object.values(body.line_items ?? {}) as Array<Record<string, any>>;
      const amount = lines.reduce((a, l) => a + Number(l.price_data?.unit_amount ?? 0) * Number(l.quantity ?? 1), 0);
      const sid = id('cs');
      const session = {
        id: sid,
        object: 'checkout.session',
        mode: body.mode,
        status: 'open',
        payment_status: 'unpaid',
        url: checkoutPage ? checkoutPage.sessionUrl(sid) : `https://checkout.stripe.com/c/pay/${sid}`,
        amount_subtotal: amount,
        amount_total: amount,
        currency: lines[0]?.price_data?.currency ?? 'usd',
        customer_email: body.customer_email ?? null,
        customer: body.customer ?? null,
        setup_future_usage: body.payment_intent_data?.setup_future_usage ?? null,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        payment_intent: null,
        payment_intent_data_metadata: body.payment_intent_data?.metadata ?? {},
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        expires_at: Number(body.expires_at ?? nowSec() + 86400),
        created: nowSec(),
        livemode: false,
      };
      sessions.set(sid, session);
      return { status: 200, body: session };
    }
    let m = /^\/v1\/checkout\/sessions\/([\w]+)$/.exec(path);
    if (method === 'GET' && m) {
      const s = sessions.get(m[1]!);
      return s ? { status: 200, body: s } : error(404, 'invalid_request_error', `No such checkout.session: '${m[1]}'`, 'resource_missing');
    }
    m = /^\/v1\/payment_intents\/([\w]+)$/.exec(path);
    if (method === 'GET' && m) {
      const pi = paymentIntents.get(m[1]!);
      return pi ? { status: 200, body: pi } : error(404, 'invalid_request_error', `No such payment_intent: '${m[1]}'`, 'resource_missing');
    }
    m = /^\/v1\/checkout\/sessions\/([\w]+)\/expire$/.exec(path);
    if (method === 'POST' && m) {
      const s = sessions.get(m[1]!);
      if (!s) return error(404, 'invalid_request_error', `No such checkout.session: '${m[1]}'`, 'resource_missing');
      if (s.status !== 'open') return error(400, 'invalid_request_error', `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`);
      s.status = 'expired';
      return { status: 200, body: s };
    }
    if (method === 'POST' && path === '/v1/customers') {
      const customer = { id: id('cus'), object: 'customer', email: body.email ?? null, name: body.name ?? null, metadata: body.metadata ?? {}, created: nowSec(), livemode: false };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const pid = id('pi');
      const outcome = cardOutcomes.get(String(body.payment_method)) ?? 'succeeded';
      const ok = outcome === 'succeeded';
      const pi = {
        id: pid,
        object: 'payment_intent',
        amount: Number(body.amount),
        amount_received: ok ? Number(body.amount) : 0,
        currency: body.currency,
        customer: body.customer ?? null,
        payment_method: body.payment_method ?? null,
        description: body.description ?? null,
        status: ok ? 'succeeded' : 'requires_payment_method',
        latest_charge: ok ? id('ch') : null,
        metadata: body.metadata ?? {},
        last_payment_error: ok ? null : { code: outcome === 'authentication_required' ? 'authentication_required' : 'card_declined', decline_code: outcome === 'insufficient_funds' ? 'insufficient_funds' : outcome === 'card_declined' ? 'generic_decline' : undefined },
        created: nowSec(),
      };
      paymentIntents.set(pid, pi);
      if (ok) return { status: 200, body: pi };
      const code = outcome === 'authentication_required' ? 'authentication_required' : 'card_declined';
      return {
        status: 402,
        body: {
          error: {
            type: 'card_error',
            code,
            ...(code === 'card_declined' ? { decline_code: outcome === 'insufficient_funds' ? 'insufficient_funds' : 'generic_decline' } : {}),
            message: code === 'authentication_required' ? 'This payment requires authentication.' : 'Your card was declined.',
            payment_intent: pi,
          },
        },
      };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const rid = id('re');
      const refund = {
        id: rid,
        object: 'refund',
        amount: Number(body.amount),
        currency: 'usd',
        payment_intent: body.payment_intent,
        charge: `ch_for_${body.payment_intent}`,
        metadata: body.metadata ?? {},
        status: 'succeeded',
        created: nowSec(),
      };
      refunds.set(rid, refund);
      return { status: 200, body: refund };
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stripe.local');
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = (req.method === 'GET' ? qs.parse(url.search.slice(1)) : qs.parse(raw)) as Record<string, any>;
      if (checkoutPage?.handles(url.pathname)) return void checkoutPage.handle(req.method!, url.pathname, res);
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      requests.push({ method: req.method!, path: url.pathname, idempotencyKey: key, body });
      const send = (r: { status: number; body: unknown }, extra: Record<string, string> = {}) => {
        res.writeHead(r.status, { 'Content-Type': 'application/json', 'Request-Id': id('req'), ...(key ? { 'Idempotency-Key': key } : {}), ...extra });
        res.end(JSON.stringify(r.body));
      };
      if (!String(req.headers.authorization ?? '').includes(secretKey)) {
        return send(error(401, 'invalid_request_error', 'Invalid API Key provided'));
      }
      const failure = failures.find((f) => f.method === req.method && url.pathname.startsWith(f.path));
      if (failure) {
        if (--failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
        return send({ status: failure.status, body: failure.body }, { 'Stripe-Should-Retry': 'false' });
      }
      const replayKey = key ? `${req.method} ${url.pathname} ${key}` : null;
      if (replayKey && idempotent.has(replayKey)) return send(idempotent.get(replayKey)!, { 'Idempotent-Replayed': 'true' });
      const result = route(req.method!, url.pathname, body);
      if (replayKey) idempotent.set(replayKey, result);
      send(result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeStripe = {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    webhookSecret,
    env: {
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: String(port),
      STRIPE_API_PROTOCOL: 'http',
    },
    requests,
    sessions,
    refunds,
    paymentIntents,
    customers,
    cardOutcomes,
    failNext(match, e = {}, times = 1) {
      const status = e.status ?? 500;
      failures.push({
        method: match.method,
        path: match.path,
        status,
        times,
        body: { error: { type: e.type ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message: e.message ?? 'Something went wrong on Stripe’s end.', ...(e.code ? { code: e.code } : {}) } },
      });
    },
    paySession(sessionId) {
      const s = sessions.get(sessionId);
      if (!s) throw new Error(`no session ${sessionId}`);
      const pi = id('pi');
      const ch = id('ch');
      s.status = 'complete';
      s.payment_status = 'paid';
      s.payment_intent = pi;
      const paymentIntent = {
        id: pi,
        object: 'payment_intent',
        customer: s.customer ?? null,
        payment_method: s.customer ? id('pm') : null,
        setup_future_usage: s.setup_future_usage ?? null,
        amount: s.amount_total,
        amount_received: s.amount_total,
        currency: s.currency,
        status: 'succeeded',
        latest_charge: ch,
        metadata: s.payment_intent_data_metadata,
        created: nowSec(),
      };
      paymentIntents.set(pi, paymentIntent);
      const charge = {
        id: ch,
        object: 'charge',
        amount: s.amount_total,
        amount_captured: s.amount_total,
        amount_refunded: 0,
        currency: s.currency,
        paid: true,
        captured: true,
        refunded: false,
        status: 'succeeded',
        payment_intent: pi,
        metadata: {},
        created: nowSec(),
      };
      return { session: { ...s }, paymentIntent, charge };
    },
    event(type, object, eventId) {
      return {
        id: eventId ?? id('evt'),
        object: 'event',
        api_version: '2026-10-28.endive',
        created: nowSec(),
        type,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: { object },
      };
    },
    sign(event, secret = webhookSecret, timestamp) {
      const body = JSON.stringify(event, null, 2);
      return { body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    deliveries: [],
  };
  const checkoutPage = options.checkoutPage ? hostedCheckoutPage(options.checkoutPage, `http://127.0.0.1:${port}`, fake) : null;
  return fake;
}

// ---------------------------------------------------------------- hosted Checkout page (optional)

export interface StripeServerOptions {
  /**
   * Play Stripe's hosted Checkout page too, for browser tests (checkout.stripe.com
   * cannot be reached): sessions get the url http://127.0.0.1:<port>/c/pay/<id>,
   * whose page shows the amount and a Pay button. Paying completes the session
   * (paySession), delivers the signed checkout.session.completed and
   * payment_intent.succeeded events to `webhookUrl` and redirects to the
   * session's success_url. `webhookUrl` may be a function: the store usually
   * starts after this server, since it needs its port.
   */
  checkoutPage?: { webhookUrl: string | (() => string) };
}

export interface WebhookDelivery {
  type: string;
  eventId: string;
  status: number;
}

function hostedCheckoutPage(opts: NonNullable<StripeServerOptions['checkoutPage']>, origin: string, stripe: FakeStripe) {
  const PATH = /^\/c\/pay\/([\w]+)$/;
  const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const amount = (s: Record<string, any>) =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency: String(s.currency).toUpperCase() }).format(Number(s.amount_total) / 100);
  const page = (res: http.ServerResponse, status: number, title: string, body: string) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body><main>${body}</main></body></html>`);
  };

  async function deliver(event: Record<string, any>): Promise<WebhookDelivery> {
    const { body, signature } = stripe.sign(event);
    const url = typeof opts.webhookUrl === 'function' ? opts.webhookUrl() : opts.webhookUrl;
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature }, body });
    await res.arrayBuffer();
    const delivery = { type: String(event.type), eventId: String(event.id), status: res.status };
    stripe.deliveries.push(delivery);
    return delivery;
  }

  async function pay(sid: string, res: http.ServerResponse): Promise<void> {
    const s = stripe.sessions.get(sid);
    if (!s) return page(res, 404, 'Not found', '<h1>No such Checkout Session</h1>');
    if (s.status !== 'open') return page(res, 409, 'Not open', `<h1>This Checkout Session is ${esc(s.status)}</h1>`);
    const paid = stripe.paySession(sid);
    for (const event of [stripe.event('checkout.session.completed', paid.session), stripe.event('payment_intent.succeeded', paid.paymentIntent)]) {
      const d = await deliver(event);
      if (d.status < 200 || d.status > 299) return page(res, 502, 'Webhook failed', `<h1>The store answered ${d.status} to ${esc(d.type)}</h1>`);
    }
    res.writeHead(303, { Location: String(s.success_url).replace('{CHECKOUT_SESSION_ID}', sid) });
    res.end();
  }

  return {
    sessionUrl: (sid: string) => `${origin}/c/pay/${sid}`,
    handles: (path: string) => PATH.test(path),
    handle(method: string, path: string, res: http.ServerResponse): void {
      const sid = PATH.exec(path)![1]!;
      if (method === 'POST') {
        pay(sid, res).catch((err: Error) => page(res, 500, 'Error', `<h1>Payment failed</h1><p>${esc(err.message)}</p>`));
        return;
      }
      const s = stripe.sessions.get(sid);
      if (!s) return page(res, 404, 'Not found', '<h1>No such Checkout Session</h1>');
      page(
        res,
        200,
        'Test Checkout',
        `<h1>Test Checkout</h1>
<p>Local Stripe stand-in. Reference: <strong>${esc(s.client_reference_id ?? s.id)}</strong></p>
<p>Amount: <strong data-amount="${esc(s.amount_total)}">${esc(amount(s))}</strong></p>
${s.status === 'open'
  ? `<form method="post" action="/c/pay/${esc(sid)}"><button type="submit">Pay</button></form><p><a href="${esc(s.cancel_url)}">Cancel and go back</a></p>`
  : `<p>This session is ${esc(s.status)}.</p>`}`,
      );
    },
  };
}
