import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffContext } from '../../src/audit/repo';
import { createUser } from '../helpers/auth';
import { appRoutes, sampleUrl, type Endpoint } from '../helpers/routes';
import { orderNumberFrom, shopper, startShop, type Shop } from '../checkout/shop';

/**
 * Every /admin route, found by walking the router: anonymous visitors are
 * sent to log in, customers get 403; and every admin POST that changes
 * something writes exactly one audit_log row. A new admin POST without a case
 * below fails the test.
 */
describe('the admin router', () => {
  let t: Shop;
  let admin: Endpoint[];
  let customer: ReturnType<typeof shopper>;
  let staff: ReturnType<typeof shopper>;
  let laptop: number;
  let rentable: number;

  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'Latitude 7420', priceCents: 39_900, units: 10 });
    rentable = await t.product({ name: 'ThinkPad X1', priceCents: 60_000, units: 8 });
    admin = appRoutes(t.app).filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'));
    const c = await createUser(t.db, { email: 'customer@example.test' });
    customer = shopper(t.app);
    await customer.login(c.email, c.password);
    const s = await createUser(t.db, { email: 'clerk@giggatek.test', role: 'admin' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('finds the admin routes', () => {
    const listed = admin.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    for (const known of ['GET /admin', 'GET /admin/orders', 'GET /admin/orders/:number', 'POST /admin/orders/:number/mark-paid', 'POST /admin/orders/:number/ship', 'GET /admin/audit']) {
      expect(listed).toContain(known);
    }
  });

  it('anonymous visitors are sent to log in and customers get 403, on every route', async () => {
    await customer.refreshToken('/account');
    const failures: string[] = [];
    for (const r of admin) {
      const url = sampleUrl(r.path, { number: 'GG-100001' });
      const anon = await request(t.app)[r.method as 'get'](url);
      if (!(anon.status === 303 && String(anon.headers.location).startsWith('/login')) && anon.status !== 403) failures.push(`anonymous ${r.method} ${url} → ${anon.status}`);
      const res = r.method === 'get' ? await customer.agent.get(url) : await customer.post(url, {});
      if (res.status !== 403) failures.push(`customer ${r.method} ${url} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  async function placeOrder(): Promise<string> {
    const guest = shopper(t.app);
    await guest.add(laptop, 1);
    await guest.refreshToken('/checkout');
    return orderNumberFrom((await guest.checkout({ email: 'audit@example.com' })).headers.location);
  }

  const customerId = async () => (await t.db('users').where({ email: 'customer@example.test' }).first('id')).id as number;

  const setUp: StaffContext = { actor: { userId: null, label: 'user:setup' }, ip: '127.0.0.1' };

  const renterIds = new Map<string, number>();

  /** An agreement a new customer signs for the ThinkPad, its first payment recorded unless `paid` is false. */
  async function signRental(paid = true): Promise<{ id: number; number: string }> {
    const renter = shopper(t.app);
    const user = await createUser(t.db, { firstName: 'Cus', lastName: 'Tomer', email: `renter-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test` });
    await renter.login(user.email, user.password);
    await renter.refreshToken('/rentals/new?product=thinkpad-x1&term=12');
    const res = await renter.post('/rentals', { product_id: rentable, term_months: '12', signature_name: 'Cus Tomer', agree: 'on' });
    const number = /(RA-\d+)/.exec(String(res.headers.location))![1]!;
    renterIds.set(number, user.id);
    if (paid) await t.app.context.rentalBilling.recordManualPayment(number, { kind: 'first', reference: `SETUP-${number}` }, setUp);
    return { id: Number((await t.db('rentals').where({ number }).first('id')).id), number };
  }

  /** Payment 2 made overdue since 2026-11-01 (20 days before the shop's clock), the agreement past due. */
  async function overdueRental(): Promise<{ id: number; number: string }> {
    const r = await signRental();
    await t.db('rental_installments').where({ rental_id: r.id, seq: 2 }).update({ due_on: '2026-11-01' });
    await t.db('rentals').where({ id: r.id }).update({ status: 'past_due' });
    return r;
  }

  const productForm = (over: Record<string, string>) => ({
    brand: 'Dell', category: String(t.categoryId), grade: 'A', status: 'active', price: '499', warranty_months: '12',
    description: 'A laptop made to be audited.', ...over,
  });

  /** A valid request for each admin POST route, with what must hold before it (run in this order). */
  const cases: Record<string, () => Promise<{ url: string; body: Record<string, string>; file?: { field: string; name: string; bytes: Buffer } }>> = {
    '/admin/orders/:number/mark-paid': async () => ({ url: `/admin/orders/${await placeOrder()}/mark-paid`, body: { reference: 'R-1' } }),
    '/admin/orders/:number/processing': async () => {
      const n = await placeOrder();
      await staff.refreshToken(`/admin/orders/${n}`);
      await staff.post(`/admin/orders/${n}/mark-paid`, {});
      return { url: `/admin/orders/${n}/processing`, body: {} };
    },
    '/admin/orders/:number/ship': async () => {
      const n = await placeOrder();
      await staff.refreshToken(`/admin/orders/${n}`);
      await staff.post(`/admin/orders/${n}/mark-paid`, {});
      const order = await t.db('orders').where({ number: n }).first('id');
      const serial = (await t.db('inventory_units').where({ order_id: order.id }).first('serial_number')).serial_number;
      return { url: `/admin/orders/${n}/ship`, body: { carrier: 'UPS', tracking_number: '1Z12345', serials: serial } };
    },
    '/admin/orders/:number/deliver': async () => {
      const shipped = await cases['/admin/orders/:number/ship']!();
      await staff.refreshToken('/admin');
      await staff.post(shipped.url, shipped.body);
      return { url: shipped.url.replace(/ship$/, 'deliver'), body: {} };
    },
    '/admin/orders/:number/refunds': async () => {
      const n = await placeOrder();
      await staff.refreshToken(`/admin/orders/${n}`);
      await staff.post(`/admin/orders/${n}/mark-paid`, {});
      return { url: `/admin/orders/${n}/refunds`, body: { amount: '5', destination: 'original', note: 'Late delivery' } };
    },
    '/admin/orders/bulk': async () => ({ url: '/admin/orders/bulk', body: { bulk_action: 'mark-paid', numbers: await placeOrder() } }),
    '/admin/customers/:id/credit': async () => ({ url: `/admin/customers/${await customerId()}/credit`, body: { amount: '5', reason: 'Goodwill' } }),
    '/admin/customers/:id/notes': async () => ({ url: `/admin/customers/${await customerId()}/notes`, body: { body: 'Called about the invoice.' } }),
    '/admin/customers/:id/disable': async () => ({ url: `/admin/customers/${await customerId()}/disable`, body: {} }),
    '/admin/customers/:id/enable': async () => ({ url: `/admin/customers/${await customerId()}/enable`, body: {} }),
    '/admin/jobs/:id/retry': async () => {
      const [id] = await t.db('jobs').insert({ kind: 'mail.send', payload: '{}', run_at: '2026-11-21 10:00:00.000', failed_at: '2026-11-21 10:00:00.000', finished_at: '2026-11-21 10:00:00.000', attempts: 5, max_attempts: 5 });
      return { url: `/admin/jobs/${Number(id)}/retry`, body: {} };
    },
    '/admin/settings/:key': async () => ({ url: '/admin/settings/pickup', body: { offered: 'on', address: '1 Dock St, Austin', hours: 'Weekdays 9–5' } }),
    '/admin/staff': async () => {
      await createUser(t.db, { email: `hire-${Date.now()}@example.test` }).catch(() => undefined);
      const hire = await t.db('users').where('email', 'like', 'hire-%').orderBy('id', 'desc').first('email');
      return { url: '/admin/staff', body: { email: hire.email, role: 'staff' } };
    },
    '/admin/promo-codes': async () => ({ url: '/admin/promo-codes', body: { code: `AUDIT-${Date.now()}`, kind: 'fixed', value: '5', active: 'on' } }),
    '/admin/promo-codes/:id': async () => {
      const promo = await t.db('promo_codes').orderBy('id', 'desc').first('id', 'code');
      return { url: `/admin/promo-codes/${promo.id}`, body: { code: promo.code, kind: 'fixed', value: '6' } };
    },
    '/admin/products/:id/units': async () => ({ url: `/admin/products/${laptop}/units`, body: { serials: `AUD-${Date.now()}`, grade: 'A' } }),
    '/admin/products/:id/units/:unitId/status': async () => {
      const unit = await t.db('inventory_units').where({ product_id: laptop, status: 'in_stock' }).orderBy('id', 'desc').first('id');
      return { url: `/admin/products/${laptop}/units/${unit.id}/status`, body: { to: 'refurbishing', reason: 'Check the battery' } };
    },
    '/admin/products/:id/low-stock': async () => ({ url: `/admin/products/${laptop}/low-stock`, body: { threshold: '1' } }),
    '/admin/products': async () => ({ url: '/admin/products', body: productForm({ name: `Audit Laptop ${Date.now()}` }) }),
    '/admin/products/:id': async () => {
      const p = await t.db('products').orderBy('id', 'desc').first('id', 'slug', 'version');
      return { url: `/admin/products/${p.id}`, body: { ...productForm({ name: 'Audit Laptop renamed', slug: p.slug }), version: String(p.version) } };
    },
    '/admin/products/:id/archive': async () => ({ url: `/admin/products/${(await t.db('products').orderBy('id', 'desc').first('id')).id}/archive`, body: {} }),
    '/admin/products/import': async () => ({ url: '/admin/products/import', body: { dry_run: 'on' }, file: { field: 'file', name: 'products.csv', bytes: Buffer.from('slug,name\n') } }),
    '/admin/products/:id/images': async () => ({
      url: `/admin/products/${laptop}/images`, body: {}, file: { field: 'images', name: 'upload.png', bytes: await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer() },
    }),
    '/admin/products/:id/images/move': async () => {
      const images = JSON.parse((await t.db('products').where({ id: laptop }).first('images')).images) as string[];
      await t.db('products').where({ id: laptop }).update({ images: JSON.stringify([...images, '/uploads/products/extra.svg']) });
      return { url: `/admin/products/${laptop}/images/move`, body: { image: '/uploads/products/extra.svg', direction: 'up' } };
    },
    '/admin/products/:id/images/delete': async () => ({ url: `/admin/products/${laptop}/images/delete`, body: { image: '/uploads/products/extra.svg' } }),
    '/admin/rentals/:number/payments': async () => ({ url: `/admin/rentals/${(await signRental(false)).number}/payments`, body: { kind: 'first', reference: 'TX-GUARD-1' } }),
    '/admin/rentals/:number/return-received': async () => {
      const { number } = await signRental();
      await t.app.context.rentalReturns.request(renterIds.get(number)!, number);
      return { url: `/admin/rentals/${number}/return-received`, body: {} };
    },
    '/admin/rentals/:number/default': async () => ({ url: `/admin/rentals/${(await overdueRental()).number}/default`, body: {} }),
    '/admin/rentals/:number/late-fees/:installmentId/waive': async () => {
      const { id, number } = await overdueRental();
      const i = await t.db('rental_installments').where({ rental_id: id, seq: 2 }).first('id');
      await t.db('rental_installments').where({ id: i.id }).update({ late_fee_cents: 438, late_fee_at: '2026-11-09 06:00:00.000' });
      return { url: `/admin/rentals/${number}/late-fees/${i.id}/waive`, body: { reason: 'First time late' } };
    },
    '/admin/rentals/:number/unit': async () => {
      const { number } = await signRental();
      const unit = await t.db('inventory_units').where({ product_id: rentable, status: 'in_stock' }).first('serial_number');
      return { url: `/admin/rentals/${number}/unit`, body: { serial: unit.serial_number } };
    },
    '/admin/orders/:number/cancel': async () => ({ url: `/admin/orders/${await placeOrder()}/cancel`, body: { reason: 'Out of stock at the supplier' } }),
  };

  /** A multipart form post: the CSRF token rides in the address, as the upload forms send it. */
  function multipart(url: string, fields: Record<string, string>, file: { field: string; name: string; bytes: Buffer }) {
    const req = staff.agent.post(`${url}?_csrf=${encodeURIComponent(staff.token)}`);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach(file.field, file.bytes, file.name);
  }

  it('every admin POST writes one audit_log row with the staff member and IP', async () => {
    const posts = admin.filter((r) => r.method === 'post').map((r) => r.path);
    expect(posts.filter((p) => !cases[p])).toEqual([]);
    for (const path of posts) {
      const { url, body, file } = await cases[path]!();
      const before = Number((await t.db('audit_log').count({ n: '*' }).first())!.n);
      await staff.refreshToken('/admin');
      const res = file ? await multipart(url, body, file) : await staff.post(url, body);
      expect([200, 303], `${path}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
      const rows = await t.db('audit_log').orderBy('id').offset(before);
      expect(rows, path).toHaveLength(1);
      expect(rows[0]).toMatchObject({ ip: expect.any(String) });
      expect(rows[0].actor_user_id).toBe((await t.db('users').where({ email: 'clerk@giggatek.test' }).first('id')).id);
    }
  });
});
