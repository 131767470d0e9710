import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

type Fields = Record<string, string | string[]>;

describe('admin product form: create, edit, archive', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let other: ReturnType<typeof shopper>;

  const valid = (over: Fields = {}): Fields => ({
    name: 'ThinkPad T14 Gen 2',
    slug: '',
    brand: 'Lenovo',
    category: String(t.categoryId),
    grade: 'B',
    status: 'active',
    price: '649.00',
    unit_cost: '410',
    rent_3: '',
    rent_6: '',
    rent_12: '',
    warranty_months: '12',
    featured: 'on',
    description: 'Business laptop with a 14" IPS screen, backlit keyboard and a new battery.',
    spec_key: ['cpu', 'ram_gb', 'storage_gb', 'Battery life', ''],
    spec_value: ['Intel Core i5-1145G7', '16', '512', '10 hours', ''],
    ...over,
  });

  const post = (who: ReturnType<typeof shopper>, url: string, fields: Fields) => who.post(url, fields as unknown as Record<string, string>);
  const productCount = async () => Number((await t.db('products').count({ n: '*' }).first())!.n);

  beforeAll(async () => {
    t = await startShop();
    for (const [email, who] of [['editor@giggatek.test', 'staff'], ['second@giggatek.test', 'other']] as const) {
      const s = await createUser(t.db, { email, role: 'staff' });
      const agent = shopper(t.app);
      await agent.login(s.email, s.password);
      if (who === 'staff') staff = agent;
      else other = agent;
    }
  });
  afterAll(() => t.destroy());

  it('creates a product: slug from the name, suggested monthly prices, facet columns and specs, audited, on the shop at once', async () => {
    await staff.refreshToken('/admin/products/new');
    const res = await post(staff, '/admin/products', valid());
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const row = await t.db('products').where({ slug: 'thinkpad-t14-gen-2' }).first();
    expect(res.headers.location).toBe(`/admin/products/${row.id}`);
    expect(row).toMatchObject({
      name: 'ThinkPad T14 Gen 2', brand: 'Lenovo', condition_grade: 'B', price_cents: 64_900, unit_cost_cents: 41_000, status: 'active', warranty_months: 12, version: 1,
      // 15 %, 35 %, 75 % over the cash price in total, rounded up to the cent
      rent_3_cents: 24_879, rent_6_cents: 14_603, rent_12_cents: 9_465,
      ram_gb: 16, storage_gb: 512,
    });
    expect(Boolean(row.featured)).toBe(true);
    expect(JSON.parse(row.specifications)).toEqual({ cpu: 'Intel Core i5-1145G7', ram_gb: 16, storage_gb: 512, battery_life: '10 hours' });
    expect(row.search_text).toContain('16GB RAM');
    const audit = await t.db('audit_log').where({ action: 'product.create', entity_id: String(row.id) }).first();
    expect(JSON.parse(audit.after)).toMatchObject({ slug: 'thinkpad-t14-gen-2', priceCents: 64_900 });
    const page = await request(t.app).get('/products/thinkpad-t14-gen-2');
    expect(page.status).toBe(200);
    expect(page.text).toContain('$649.00');
    expect((await request(t.app).get('/products?q=thinkpad')).text).toContain('href="/products/thinkpad-t14-gen-2"');
  });

  it.each([
    ['no name', { name: '' }, 'name', 'Enter the product name.'],
    ['a price that is not an amount', { price: '6,49.0.0' }, 'price', 'Cash price: an amount like 1299 or 1299.50.'],
    ['a price under a dollar', { price: '0.50' }, 'price', 'Cash price: at least $1.00.'],
    ['a 12-month price over the 2.25× guard', { rent_12: '122.00' }, 'rent_12', '12-month price: at most $121.68 a month'],
    ['a grade outside A–D', { grade: 'E' }, 'grade', 'Choose the condition grade (A, B, C or D).'],
    ['a category that does not exist', { category: '999999' }, 'category', 'Choose a category from the list.'],
    ['a slug with spaces', { slug: 'think pad' }, 'slug', 'lower-case letters and digits joined by single dashes'],
    ['a RAM size that is not a number', { spec_value: ['i5', 'sixteen', '512', '10 hours', ''] }, 'specs', 'ram_gb is a number'],
    ['a specification value without a name', { spec_key: ['cpu', ''], spec_value: ['i5', '16 GB'] }, 'specs', 'Name the specification whose value is “16 GB”.'],
    ['the same specification twice', { spec_key: ['cpu', 'CPU'], spec_value: ['i5', 'i7'] }, 'specs', 'cpu is listed twice.'],
    ['a warranty of 61 months', { warranty_months: '61' }, 'warranty_months', 'Warranty: whole months from 0 to 60.'],
    ['a family key with spaces', { family: 'ThinkPad T14!' }, 'family', 'The family key is lower-case letters and digits joined by single dashes'],
  ])('refuses %s with the message on the form, keeping what was typed, writing nothing', async (_what, over, field, message) => {
    const before = await productCount();
    await staff.refreshToken('/admin/products/new');
    const res = await post(staff, '/admin/products', valid({ slug: 'refused-product', ...over }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    if (field !== 'specs') expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
    expect(res.text).toContain('Business laptop with a 14&#34; IPS screen');
    expect(res.text).toMatch(/name="spec_key" value="cpu"/);
    expect(await productCount()).toBe(before);
    expect(await t.db('audit_log').where({ action: 'product.create' }).whereRaw('after like ?', ['%refused-product%']).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('refuses a slug another product has', async () => {
    const before = await productCount();
    await staff.refreshToken('/admin/products/new');
    const res = await post(staff, '/admin/products', valid({ name: 'Another T14', slug: 'thinkpad-t14-gen-2' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Another product uses thinkpad-t14-gen-2; choose another.');
    expect(await productCount()).toBe(before);
  });

  it('edits a product: the version goes up, suggested prices follow the new cash price, the shop shows it at once', async () => {
    const { id } = await t.db('products').where({ slug: 'thinkpad-t14-gen-2' }).first('id');
    const form = await staff.refreshToken(`/admin/products/${id}`);
    expect(form.text).toContain('name="version" value="1"');
    expect(form.text).toMatch(/name="spec_key" value="battery_life"/);
    await request(t.app).get('/products/thinkpad-t14-gen-2'); // cached by the shop
    const res = await post(staff, `/admin/products/${id}`, valid({ slug: 'thinkpad-t14-gen-2', price: '599', version: '1', rent_3: '210.00' }));
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const row = await t.db('products').where({ id }).first();
    expect(row).toMatchObject({ version: 2, price_cents: 59_900, rent_3_cents: 21_000, rent_12_cents: 8_736 });
    const audit = await t.db('audit_log').where({ action: 'product.update', entity_id: String(id) }).first();
    expect(JSON.parse(audit.before)).toMatchObject({ priceCents: 64_900 });
    expect(JSON.parse(audit.after)).toMatchObject({ priceCents: 59_900 });
    expect((await request(t.app).get('/products/thinkpad-t14-gen-2')).text).toContain('$599.00');
    // a price staff set shows in the form; a suggested one stays empty
    const again = await staff.agent.get(`/admin/products/${id}`);
    expect(again.text).toMatch(/name="rent_3"[^>]*value="210.00"/);
    expect(again.text).not.toMatch(/name="rent_12"[^>]*value=/);
  });

  it('puts a product in a family: the key is saved, shown in the form, and the shop offers the family members on each other’s pages', async () => {
    const { id } = await t.db('products').where({ slug: 'thinkpad-t14-gen-2' }).first('id', 'version');
    const { version } = await t.db('products').where({ id }).first('version');
    await staff.refreshToken(`/admin/products/${id}`);
    expect((await post(staff, `/admin/products/${id}`, valid({ slug: 'thinkpad-t14-gen-2', price: '599', version: String(version), family: 'ThinkPad-T14-Gen-2' }))).status).toBe(303);
    await staff.refreshToken('/admin/products/new');
    expect((await post(staff, '/admin/products', valid({ name: 'ThinkPad T14 Gen 2 (grade C)', grade: 'C', price: '449', family: 'thinkpad-t14-gen-2' }))).status).toBe(303);
    expect(await t.db('products').where({ family_key: 'thinkpad-t14-gen-2' }).orderBy('id').pluck('slug')).toEqual(['thinkpad-t14-gen-2', 'thinkpad-t14-gen-2-grade-c']);
    expect((await staff.agent.get(`/admin/products/${id}`)).text).toMatch(/name="family"[^>]*value="thinkpad-t14-gen-2"/);
    const page = await request(t.app).get('/products/thinkpad-t14-gen-2');
    expect(page.text).toMatch(/<a class="family-option[^"]*" href="\/products\/thinkpad-t14-gen-2-grade-c"/);
    // An empty key takes the product out of its family again.
    const { version: v2 } = await t.db('products').where({ id }).first('version');
    expect((await post(staff, `/admin/products/${id}`, valid({ slug: 'thinkpad-t14-gen-2', price: '599', version: String(v2), family: '' }))).status).toBe(303);
    expect((await t.db('products').where({ id }).first('family_key')).family_key).toBeNull();
    expect((await request(t.app).get('/products/thinkpad-t14-gen-2')).text).not.toContain('data-family');
  });

  it('two staff editing the same product: the second save gets a conflict message and overwrites nothing', async () => {
    const { id, version } = await t.db('products').where({ slug: 'thinkpad-t14-gen-2' }).first('id', 'version');
    await staff.refreshToken(`/admin/products/${id}`);
    await other.refreshToken(`/admin/products/${id}`);
    expect((await post(staff, `/admin/products/${id}`, valid({ slug: 'thinkpad-t14-gen-2', price: '579', version: String(version) }))).status).toBe(303);
    const late = await post(other, `/admin/products/${id}`, valid({ slug: 'thinkpad-t14-gen-2', name: 'ThinkPad T14 (renamed)', price: '499', version: String(version) }));
    expect(late.status).toBe(409);
    expect(late.text).toContain('Someone else saved this product after you opened it (editor@giggatek.test');
    expect(late.text).toContain('ThinkPad T14 (renamed)'); // what they typed is still in the form
    expect(await t.db('products').where({ id }).first('name', 'price_cents', 'version')).toEqual({ name: 'ThinkPad T14 Gen 2', price_cents: 57_900, version: version + 1 });
  });

  it('archives a product: off the listings and search, its page says it is no longer sold, audited', async () => {
    const { id } = await t.db('products').where({ slug: 'thinkpad-t14-gen-2' }).first('id');
    await staff.refreshToken(`/admin/products/${id}`);
    expect((await staff.post(`/admin/products/${id}/archive`, {})).status).toBe(303);
    expect(await t.db('products').where({ id }).first('status')).toEqual({ status: 'archived' });
    expect(await t.db('audit_log').where({ action: 'product.archive', entity_id: String(id) }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect((await request(t.app).get('/products?q=thinkpad')).text).not.toContain('href="/products/thinkpad-t14-gen-2"');
    const form = await staff.agent.get(`/admin/products/${id}`);
    expect(form.text).not.toContain('Archive this product');
    expect(form.text).toMatch(/<option value="archived" selected>/);
  });

  it('lists products with a category filter and sort, linking each to its form and units', async () => {
    await t.product({ name: 'Cheap Mouse', priceCents: 1_500, units: 3 });
    await t.product({ name: 'Dear Workstation', priceCents: 250_000, units: 0 });
    const page = await staff.agent.get(`/admin/products?sort=price_desc&category=${t.categoryId}`);
    const names = [...page.text.matchAll(/<th scope="row"><a href="\/admin\/products\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names.indexOf('Dear Workstation')).toBeLessThan(names.indexOf('Cheap Mouse'));
    const byStock = await staff.agent.get('/admin/products?sort=stock');
    const stockNames = [...byStock.text.matchAll(/<th scope="row"><a href="\/admin\/products\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(stockNames.indexOf('Dear Workstation')).toBeLessThan(stockNames.indexOf('Cheap Mouse'));
    expect((await staff.agent.get('/admin/products?sort=random')).status).toBe(400);
  });

  it('answers 404 for a product that does not exist', async () => {
    expect((await staff.agent.get('/admin/products/999999')).status).toBe(404);
    await staff.refreshToken('/admin/products/new');
    expect((await post(staff, '/admin/products/999999', valid({ version: '1' }))).status).toBe(404);
  });
});
