import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/**
 * CSV import and export of products. The acceptance case: a 500-row file
 * with 3 bad rows → the dry run lists exactly those 3 and changes nothing;
 * after fixing them, the import creates and updates the right rows.
 */
describe('admin product CSV import and export', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let existingIds: number[];

  const HEADER = 'slug,name,brand,category,grade,status,price,unit_cost,rent_3,rent_6,rent_12,warranty_months,featured,description,specifications';
  const line = (i: number, over: Partial<Record<string, string>> = {}) => {
    const f = {
      slug: `bulk-laptop-${i}`, name: `Bulk Laptop ${i}`, brand: 'Dell', category: 'laptops', grade: 'B', status: 'active', price: `${300 + i}.00`, unit_cost: '150',
      rent_3: '', rent_6: '', rent_12: '', warranty_months: '12', featured: 'no', description: `"Refurbished laptop number ${i}, with a charger, tested."`,
      specifications: `"{""cpu"":""Intel Core i5"",""ram_gb"":${8 + (i % 3) * 8}}"`, ...over,
    };
    return Object.values(f).join(',');
  };

  async function upload(csv: string, dryRun: boolean, filename = 'products.csv') {
    await staff.refreshToken('/admin/products/import');
    const req = staff.agent.post(`/admin/products/import?_csrf=${encodeURIComponent(staff.token)}`);
    if (dryRun) req.field('dry_run', 'on');
    return req.attach('file', Buffer.from(csv), { filename, contentType: 'text/csv' });
  }

  /** Uploads, runs the import job, and returns the import's page. */
  async function runImport(csv: string, dryRun: boolean) {
    const res = await upload(csv, dryRun);
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/products\/imports\/\d+$/);
    const queued = await staff.agent.get(res.headers.location);
    expect(queued.text).toContain('Waiting for the job worker to start it');
    await t.runJobs();
    return { page: (await staff.agent.get(res.headers.location)).text, id: Number(res.headers.location.split('/').pop()) };
  }

  const snapshot = async () => JSON.stringify(await t.db('products').orderBy('id').select());
  /** GET /admin/products/export.csv with its body read as text. */
  const exportCsv = () =>
    staff.agent.get('/admin/products/export.csv').buffer(true).parse((r, cb) => {
      let data = '';
      r.on('data', (c: Buffer) => (data += c.toString()));
      r.on('end', () => cb(null, data));
    });

  const problemLines = (html: string) => [...html.matchAll(/<tr><th scope="row" class="num">(\d+)<\/th>/g)].map((m) => Number(m[1]));

  beforeAll(async () => {
    t = await startShop();
    // two products the file updates by slug
    existingIds = [await t.product({ name: 'Bulk Laptop 1', priceCents: 10_000 }), await t.product({ name: 'Bulk Laptop 2', priceCents: 10_000 })];
    await t.db('products').where({ id: existingIds[0] }).update({ slug: 'bulk-laptop-1' });
    await t.db('products').where({ id: existingIds[1] }).update({ slug: 'bulk-laptop-2' });
    const s = await createUser(t.db, { email: 'importer@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  const rows500 = (bad: boolean) =>
    [HEADER, ...Array.from({ length: 500 }, (_, k) => {
      const i = k + 1;
      if (bad && i === 57) return line(i, { grade: 'E' });
      if (bad && i === 230) return line(i, { price: '100', rent_12: '30.00' }); // 12 × $30 > 2.25 × $100
      if (bad && i === 444) return line(i, { category: 'toasters' });
      return line(i);
    })].join('\n');

  it('dry run of 500 rows with 3 bad ones lists exactly those 3, with line numbers and reasons, and changes nothing', async () => {
    const before = await snapshot();
    const audits = Number((await t.db('audit_log').where('entity', 'product').count({ n: '*' }).first())!.n);
    const { page, id } = await runImport(rows500(true), true);
    expect(problemLines(page)).toEqual([58, 231, 445]); // header is line 1
    expect(page).toContain('Choose the condition grade (A, B, C or D).');
    expect(page).toContain('12-month price: at most $18.75 a month');
    expect(page).toContain('There is no category toasters.');
    expect(page).toContain('3 of 500 rows have problems');
    expect(page).toContain('The other rows would create 495 and update 2 products.');
    expect(await snapshot()).toBe(before);
    expect(Number((await t.db('audit_log').where('entity', 'product').count({ n: '*' }).first())!.n)).toBe(audits);
    expect(await t.db('audit_log').where({ action: 'product_import.dry_run', entity_id: String(id) }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('a real import of the file with bad rows is refused whole: nothing saved', async () => {
    const before = await snapshot();
    const { page } = await runImport(rows500(true), false);
    expect(page).toContain('nothing was saved. Fix them and import the file again.');
    expect(problemLines(page)).toEqual([58, 231, 445]);
    expect(await snapshot()).toBe(before);
  });

  it('the fixed file: dry run is clean, then the import creates 498 and updates the 2 existing products, each audited', async () => {
    const dry = await runImport(rows500(false), true);
    expect(dry.page).toContain('All 500 rows are good. Importing this file will create 498 and update 2 products.');
    expect(await t.db('products').where('slug', 'like', 'bulk-laptop-%').count({ n: '*' }).first()).toEqual({ n: 2 });

    const real = await runImport(rows500(false), false);
    expect(real.page).toContain('Imported: 498 products created, 2 updated.');
    expect(await t.db('products').where('slug', 'like', 'bulk-laptop-%').count({ n: '*' }).first()).toEqual({ n: 500 });
    const updated = await t.db('products').whereIn('id', existingIds).orderBy('id').select('slug', 'name', 'price_cents', 'version', 'ram_gb');
    expect(updated).toEqual([
      { slug: 'bulk-laptop-1', name: 'Bulk Laptop 1', price_cents: 30_100, version: 2, ram_gb: 16 },
      { slug: 'bulk-laptop-2', name: 'Bulk Laptop 2', price_cents: 30_200, version: 2, ram_gb: 24 },
    ]);
    const made = await t.db('products').where({ slug: 'bulk-laptop-300' }).first();
    expect(made).toMatchObject({ name: 'Bulk Laptop 300', price_cents: 60_000, unit_cost_cents: 15_000, condition_grade: 'B', warranty_months: 12, status: 'active', ram_gb: 8 });
    expect(await t.db('audit_log').where({ action: 'product.create' }).count({ n: '*' }).first()).toEqual({ n: 498 });
    expect(await t.db('audit_log').where({ action: 'product.update' }).count({ n: '*' }).first()).toEqual({ n: 2 });
    expect((await request(t.app).get('/products/bulk-laptop-300')).status).toBe(200);

    // the same file again changes nothing
    const again = await runImport(rows500(false), false);
    expect(again.page).toContain('Imported: 0 products created, 0 updated, 500 unchanged.');
  });

  it('exports every product as a CSV the import reads back unchanged', async () => {
    const res = await exportCsv();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const records = parse(res.body as string, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(Number((await t.db('products').count({ n: '*' }).first())!.n));
    expect(records.find((r) => r.slug === 'bulk-laptop-300')).toMatchObject({ name: 'Bulk Laptop 300', category: 'laptops', family: '', price: '600.00', featured: 'no', specifications: '{"cpu":"Intel Core i5","ram_gb":8}' });
    const before = await snapshot();
    const back = await runImport(res.body as string, false);
    expect(back.page).toMatch(/Imported: 0 products created, 0 updated, \d+ unchanged\./);
    expect(await snapshot()).toBe(before);
  });

  it('sets and clears product families through the family column, and exports them', async () => {
    const exported = async () => parse((await exportCsv()).body as string, { columns: true }) as Array<Record<string, string>>;
    const records = await exported();
    const pick = (slug: string) => ({ ...records.find((r) => r.slug === slug)! });
    const rows = [{ ...pick('bulk-laptop-10'), family: 'Bulk-Model' }, { ...pick('bulk-laptop-11'), family: 'bulk-model' }, { ...pick('bulk-laptop-12'), family: 'not a key' }];
    const csv = (list: Array<Record<string, string>>) => stringify([Object.keys(list[0]!), ...list.map((r) => Object.values(r))]);
    const bad = await runImport(csv(rows), false);
    expect(bad.page).toContain('The family key is lower-case letters and digits joined by single dashes');
    expect(await t.db('products').whereNotNull('family_key').count({ n: '*' }).first()).toEqual({ n: 0 });
    const good = await runImport(csv(rows.slice(0, 2)), false);
    expect(good.page).toContain('2 updated');
    expect(await t.db('products').where({ family_key: 'bulk-model' }).orderBy('slug').pluck('slug')).toEqual(['bulk-laptop-10', 'bulk-laptop-11']);
    expect((await exported()).filter((r) => r.family === 'bulk-model').map((r) => r.slug).sort()).toEqual(['bulk-laptop-10', 'bulk-laptop-11']);
    await runImport(csv([{ ...rows[0]!, family: '' }, rows[1]!]), false);
    expect(await t.db('products').where({ family_key: 'bulk-model' }).pluck('slug')).toEqual(['bulk-laptop-11']);
  });

  it('guards spreadsheet formulas on export and takes the guard off on import', async () => {
    await t.db('products').where({ slug: 'bulk-laptop-3' }).update({ name: '=HYPERLINK("http://evil.example")' });
    const csv = (await exportCsv()).body as string;
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    const [row] = (parse(csv, { columns: true }) as Array<Record<string, string>>).filter((r) => r.slug === 'bulk-laptop-3');
    expect(row!.name).toBe(`'=HYPERLINK("http://evil.example")`);
  });

  it.each([
    ['a file that is not UTF-8 text', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'The file is not UTF-8 text'],
    ['an empty file', Buffer.alloc(0), 'this one is empty'],
  ])('refuses %s on the form, starting nothing', async (_what, bytes, message) => {
    const before = Number((await t.db('product_imports').count({ n: '*' }).first())!.n);
    await staff.refreshToken('/admin/products/import');
    const res = await staff.agent.post(`/admin/products/import?_csrf=${encodeURIComponent(staff.token)}`).field('dry_run', 'on').attach('file', bytes, { filename: 'x.csv', contentType: 'text/csv' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(Number((await t.db('product_imports').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it('refuses a file over 10 MB with a clear message', async () => {
    const res = await upload('x'.repeat(10 * 1024 * 1024 + 10), true);
    expect(res.status).toBe(413);
    expect(res.text).toContain('is larger than 10 MB');
  });

  it('reports a file with a missing column or an unclosed quote on line 1 or where it is', async () => {
    const missing = await runImport('slug,name\nabc,Abc', true);
    expect(missing.page).toContain('Missing columns: brand, category, grade, status, price, description.');
    const broken = await runImport(`${HEADER}\n${line(1)}\n"unclosed,quote`, true);
    expect(broken.page).toContain('The file is not a readable CSV');
    expect(problemLines(broken.page)).toEqual([3]);
  });

  it('a multipart body that cannot be read is a 400, not a 500', async () => {
    await staff.refreshToken('/admin/products/import');
    const res = await staff.agent.post(`/admin/products/import?_csrf=${encodeURIComponent(staff.token)}`).set('Content-Type', 'multipart/form-data; boundary=XYZ').send('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nslug,name\r\n');
    expect(res.status).toBe(400);
    expect(res.text).toContain('The upload could not be read.');
  });

  it('a POST without the CSRF token in its address is refused', async () => {
    const res = await staff.agent.post('/admin/products/import').field('dry_run', 'on').attach('file', Buffer.from(HEADER), 'x.csv');
    expect(res.status).toBe(403);
  });
});
