import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { orderNumberFrom, shopper, startShop, subjectsTo, type Shop } from '../checkout/shop';

/**
 * The staff journey of the admin issue, start to end through the pages:
 * create a product with an image, receive 3 serials, a guest buys one by bank
 * transfer, staff mark it paid, ship it with that serial and a tracking
 * number, mark it delivered; the guest's order page and e-mails show each
 * step; then a partial refund.
 */
describe('staff journey: a new product from the form to a delivered, partly refunded order', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;

  beforeAll(async () => {
    t = await startShop();
    const s = await createUser(t.db, { email: 'ops@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('runs the whole journey', async () => {
    // 1. the product, through the form
    await staff.refreshToken('/admin/products/new');
    const created = await staff.post('/admin/products', {
      name: 'EliteBook 840 G8', brand: 'HP', category: String(t.categoryId), grade: 'A', status: 'active', price: '579.00', warranty_months: '12',
      description: 'HP EliteBook 840 G8 with an 11th-generation Core i5, 16 GB of memory and a 512 GB SSD.',
      spec_key: ['cpu', 'ram_gb'] as unknown as string, spec_value: ['Intel Core i5-1135G7', '16'] as unknown as string,
    });
    expect(created.status, created.text.slice(0, 400)).toBe(303);
    const productId = Number(created.headers.location.split('/').pop());

    // 2. its image
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 30, g: 60, b: 90 } } }).jpeg().toBuffer();
    await staff.refreshToken(`/admin/products/${productId}/images`);
    const uploaded = await staff.agent.post(`/admin/products/${productId}/images?_csrf=${encodeURIComponent(staff.token)}`).attach('images', photo, { filename: 'elitebook.jpg', contentType: 'image/jpeg' });
    expect(uploaded.status).toBe(303);
    const [image] = JSON.parse((await t.db('products').where({ id: productId }).first('images')).images) as string[];
    expect(image).toMatch(/^\/uploads\/products\/[0-9a-f]{32}-1200\.webp$/);
    const shopPage = await request(t.app).get('/products/elitebook-840-g8');
    expect(shopPage.text).toContain(image);
    expect((await request(t.app).get(image!)).headers['content-type']).toBe('image/webp');

    // 3. three serials
    await staff.refreshToken(`/admin/products/${productId}/units`);
    expect((await staff.post(`/admin/products/${productId}/units`, { serials: '5CG1010AAA\n5CG1010AAB\n5CG1010AAC', grade: 'A', cost: '320' })).status).toBe(303);
    expect((await request(t.app).get('/products/elitebook-840-g8')).text).toContain('In stock: 3 available');

    // 4. a guest buys one by bank transfer
    const guest = shopper(t.app);
    await guest.add(productId, 1);
    await guest.refreshToken('/checkout');
    const placed = await guest.checkout({ email: 'bea@example.com', payment_method: 'manual' });
    const number = orderNumberFrom(placed.headers.location);
    const order = await t.db('orders').where({ number }).first();
    const confirmation = placed.headers.location as string;
    expect((await guest.agent.get(confirmation)).text).toContain(`Quote your order number <strong>${number}</strong> as the payment reference`);

    // 5. marked paid, shipped with the held serial, delivered
    const held = (await t.db('inventory_units').where({ order_id: order.id }).first('serial_number')).serial_number as string;
    expect(['5CG1010AAA', '5CG1010AAB', '5CG1010AAC']).toContain(held);
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/mark-paid`, { reference: 'BANK-2026-1127' })).status).toBe(303);
    expect((await guest.agent.get(confirmation)).text).toContain('Payment received. We are preparing your order');
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/ship`, { carrier: 'UPS', tracking_number: '1Z999AA10123456784', serials: held })).status).toBe(303);
    const shipped = (await guest.agent.get(confirmation)).text;
    expect(shipped).toContain('1Z999AA10123456784');
    expect(shipped).toContain(held);
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/deliver`)).status).toBe(303);
    expect((await guest.agent.get(confirmation)).text).toContain('Delivered');
    expect(await t.db('inventory_units').where({ serial_number: held }).first('status')).toEqual({ status: 'sold' });
    expect((await request(t.app).get('/products/elitebook-840-g8')).text).toContain('In stock: 2 available');

    // 6. a partial refund, sent back by bank transfer by hand and recorded
    await staff.refreshToken(`/admin/orders/${number}`);
    expect((await staff.post(`/admin/orders/${number}/refunds`, { amount: '40.00', destination: 'original', note: 'Scuff on the lid' })).status).toBe(303);
    expect(await t.db('orders').where({ id: order.id }).first('status', 'payment_status')).toEqual({ status: 'delivered', payment_status: 'partially_refunded' });
    expect(await t.db('refunds').where({ order_id: order.id }).select('destination', 'amount_cents', 'status', 'reason')).toEqual([
      { destination: 'bank_transfer', amount_cents: 4_000, status: 'succeeded', reason: 'Scuff on the lid' },
    ]);

    // 7. the e-mails tell each step
    await t.runJobs();
    const subjects = subjectsTo(t.mail, 'bea@example.com');
    expect(subjects.slice(0, 4)).toEqual([
      `Order ${number} received — thank you`,
      `Payment received — order ${number} is confirmed`,
      `Order ${number} has shipped — tracking 1Z999AA10123456784`,
      `Order ${number} was delivered`,
    ]);
    expect(subjects[4]).toBe(`Refund of $40.00 for order ${number}`);
    expect(t.mail.find((m) => m.subject === subjects[4])!.text).toContain('by bank transfer to the account you paid from');
    expect((await guest.agent.get(confirmation)).text).toContain('Refund to your bank account: $40.00');
    expect((await t.db('audit_log').where('entity_id', String(productId)).orWhere('entity_id', number).orderBy('id').pluck('action'))).toEqual([
      'product.create', 'product.images.add', 'inventory.receive', 'order.mark_paid', 'order.ship', 'order.deliver', 'order.refund',
    ]);
    await expectOneMovementPerUnitChange(t.db);
  });
});
