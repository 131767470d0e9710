import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createUser } from '../helpers/auth';
import { expectOneMovementPerUnitChange } from '../helpers/inventory';
import { shopper, startShop, type Shop } from '../checkout/shop';

describe('admin products and units', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let product: number;

  beforeAll(async () => {
    t = await startShop();
    product = await t.product({ name: 'OptiPlex 7080 Micro', priceCents: 32_900, units: 0 });
    const s = await createUser(t.db, { email: 'stock@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  const inStockListing = async () => (await request(t.app).get('/products?in_stock=1')).text;

  it('lists products with their stock and finds them by name', async () => {
    const page = await staff.agent.get('/admin/products?q=optiplex');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/admin/products/${product}">OptiPlex 7080 Micro</a>`);
    expect(page.text).toContain(`href="/admin/products/${product}/units" aria-label="Units of OptiPlex 7080 Micro"`);
    expect((await staff.agent.get('/admin/products?q=zzz')).text).toContain('No product matches.');
  });

  it('receives 3 serials: in stock with a movement each, audited, and the shop lists the product at once', async () => {
    expect(await inStockListing()).not.toContain('OptiPlex 7080 Micro');
    await staff.refreshToken(`/admin/products/${product}/units`);
    const res = await staff.post(`/admin/products/${product}/units`, { serials: 'OPX-1001\nOPX-1002\n OPX-1003 \n', grade: 'B', cost: '180', notes: 'Lot 42' });
    expect(res.status).toBe(303);
    const units = await t.db('inventory_units').where({ product_id: product }).orderBy('id').select('serial_number', 'condition_grade', 'status', 'cost_cents');
    expect(units).toEqual(['OPX-1001', 'OPX-1002', 'OPX-1003'].map((s) => ({ serial_number: s, condition_grade: 'B', status: 'in_stock', cost_cents: 18_000 })));
    expect(await t.db('stock_movements').where({ product_id: product, reason: 'received', quantity: 1 }).count({ n: '*' }).first()).toEqual({ n: 3 });
    expect(await t.db('audit_log').where({ action: 'inventory.receive', entity_id: String(product) }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await inStockListing()).toContain('OptiPlex 7080 Micro');
  });

  it('refuses a serial already on record or listed twice, writing nothing', async () => {
    const before = await t.db('inventory_units').count({ n: '*' }).first();
    await staff.refreshToken(`/admin/products/${product}/units`);
    const dup = await staff.post(`/admin/products/${product}/units`, { serials: 'OPX-2001\nOPX-1002', grade: 'A' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Already on record: OPX-1002.');
    await staff.refreshToken(`/admin/products/${product}/units`);
    const twice = await staff.post(`/admin/products/${product}/units`, { serials: 'OPX-3001\nOPX-3001', grade: 'A' });
    expect(twice.status).toBe(422);
    expect(await t.db('inventory_units').count({ n: '*' }).first()).toEqual(before);
  });

  it('moves units along the lifecycle with a reason; other moves are refused with the reason', async () => {
    const unit = await t.db('inventory_units').where({ serial_number: 'OPX-1001' }).first('id');
    await staff.refreshToken(`/admin/products/${product}/units`);
    expect((await staff.post(`/admin/products/${product}/units/${unit.id}/status`, { to: 'refurbishing', reason: 'Fan noise' })).status).toBe(303);
    expect(await t.db('stock_movements').where({ inventory_unit_id: unit.id }).orderBy('id', 'desc').first('reason', 'quantity', 'note')).toEqual({ reason: 'refurbishing', quantity: -1, note: 'Fan noise' });
    await staff.refreshToken(`/admin/products/${product}/units`);
    const bad = await staff.post(`/admin/products/${product}/units/${unit.id}/status`, { to: 'refurbishing', reason: 'Again' });
    expect(bad.status).toBe(409);
    expect(bad.text).toContain('cannot become refurbishing');
    await staff.refreshToken(`/admin/products/${product}/units`);
    expect((await staff.post(`/admin/products/${product}/units/${unit.id}/status`, { to: 'in_stock', reason: 'New fan fitted' })).status).toBe(303);

    // A unit held by an order moves with the order, not by hand.
    const buyer = shopper(t.app);
    await buyer.add(product, 1);
    await buyer.refreshToken('/checkout');
    await buyer.checkout({ email: 'held@example.com' });
    const held = await t.db('inventory_units').where({ product_id: product, status: 'reserved' }).first('id');
    await staff.refreshToken(`/admin/products/${product}/units`);
    const refused = await staff.post(`/admin/products/${product}/units/${held.id}/status`, { to: 'retired', reason: 'Dropped' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('cannot become retired');
    await staff.refreshToken(`/admin/products/${product}/units`);
    expect((await staff.post(`/admin/products/999999/units/${held.id}/status`, { to: 'retired', reason: 'Dropped' })).status).toBe(404);
    await expectOneMovementPerUnitChange(t.db);
  });
});

describe('low-stock alerts', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let product: number;

  beforeAll(async () => {
    t = await startShop();
    product = await t.product({ name: 'Latitude 5430', priceCents: 45_000, units: 3 });
    const s = await createUser(t.db, { email: 'stock2@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
    await t.app.context.settings.set('store', { name: 'GigGatek', email: 'warehouse@giggatek.test', phone: '+1 512 555 0100', address: 'Austin' });
  });
  afterAll(() => t.destroy());

  const buyOne = async () => {
    const buyer = shopper(t.app);
    await buyer.add(product, 1);
    await buyer.refreshToken('/checkout');
    expect((await buyer.checkout({ email: `b${Date.now()}@example.com` })).status).toBe(303);
  };
  const alerts = () => t.mail.filter((m) => m.to === 'warehouse@giggatek.test' && m.subject.startsWith('Low stock'));

  it('one e-mail when stock falls to the threshold, none while it stays low, another after a restock and a new fall', async () => {
    await staff.refreshToken(`/admin/products/${product}/units`);
    expect((await staff.post(`/admin/products/${product}/low-stock`, { threshold: '2' })).status).toBe(303);
    expect(await t.app.context.inventory.sendLowStockAlerts()).toBe(0); // 3 in stock

    await buyOne(); // 2 left: at the threshold
    expect(await t.app.context.inventory.sendLowStockAlerts()).toBe(1);
    await buyOne(); // 1 left: still low, already told
    expect(await t.app.context.inventory.sendLowStockAlerts()).toBe(0);
    await t.runJobs();
    expect(alerts().map((m) => m.subject)).toEqual(['Low stock: Latitude 5430 (2 left)']);
    expect(alerts()[0]!.text).toContain(`/admin/products/${product}/units`);

    await staff.refreshToken(`/admin/products/${product}/units`);
    await staff.post(`/admin/products/${product}/units`, { serials: 'LAT-R1\nLAT-R2', grade: 'A' }); // 3 in stock again
    expect(await t.app.context.inventory.sendLowStockAlerts()).toBe(0);
    await buyOne(); // falls to 2 again
    expect(await t.app.context.inventory.sendLowStockAlerts()).toBe(1);
  });

  it('refuses a threshold that is not a whole number', async () => {
    await staff.refreshToken(`/admin/products/${product}/units`);
    const res = await staff.post(`/admin/products/${product}/low-stock`, { threshold: 'lots' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('A whole number of units');
  });
});
