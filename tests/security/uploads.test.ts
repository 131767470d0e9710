import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { databaseFingerprint } from '../helpers/db';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { paidOrder } from '../disputes/fixtures';

type Shopper = ReturnType<typeof shopper>;
interface Sent {
  name: string;
  type: string;
  bytes: Buffer;
}

const MB = 1024 * 1024;
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" onload="alert(1)"><script>alert(2)</script><rect width="40" height="30"/></svg>');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
/** A 1×1 PNG, whole (the test cases are listed before any image can be drawn). */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const padded = (head: Buffer, size: number) => Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/**
 * Every form that takes files (product images, claim photos, the product
 * CSV import) judges a file by its bytes, not its name or declared type,
 * and by its size while it arrives. A refused upload writes nothing: no
 * row, no file. Accepted images are re-encoded under names of the store's own.
 */
describe('ASVS 5.2/5.3 uploads: checked by content and size, stored re-encoded under the store’s own names', () => {
  let t: Shop;
  let staff: Shopper;
  let customer: Shopper;
  let product: number;
  let orderNumber: string;
  let png: Buffer;

  beforeAll(async () => {
    t = await startShop();
    product = await t.product({ name: 'ThinkPad T14', priceCents: 50_000, units: 3 });
    const s = await createUser(t.db, { role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
    const c = await createUser(t.db, { email: 'claims@example.com' });
    orderNumber = (await paidOrder(t, c, product)).number;
    customer = shopper(t.app);
    await customer.login(c.email, c.password);
    png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
  });
  afterAll(() => t.destroy());

  /** The upload forms, each posting the files as its page does (multipart, the CSRF token in the address). */
  const FORMS: Record<string, { limit: number; send(files: Sent[]): Promise<import('supertest').Response> }> = {
    'product images': {
      limit: 5 * MB,
      async send(files) {
        const url = `/admin/products/${product}/images`;
        await staff.refreshToken(url);
        let req = staff.agent.post(`${url}?_csrf=${encodeURIComponent(staff.token)}`);
        for (const f of files) req = req.attach('images', f.bytes, { filename: f.name, contentType: f.type });
        return req;
      },
    },
    'claim photos': {
      limit: 5 * MB,
      async send(files) {
        await customer.refreshToken('/account/disputes/new');
        let req = customer.agent.post(`/account/disputes?_csrf=${encodeURIComponent(customer.token)}`).field('subject', `order:${orderNumber}`).field('kind', 'damaged').field('message', 'See the photo.');
        for (const f of files) req = req.attach('photos', f.bytes, { filename: f.name, contentType: f.type });
        return req;
      },
    },
    'product CSV import': {
      limit: 10 * MB,
      async send(files) {
        await staff.refreshToken('/admin/products/import');
        let req = staff.agent.post(`/admin/products/import?_csrf=${encodeURIComponent(staff.token)}`).field('dry_run', 'on');
        for (const f of files) req = req.attach('file', f.bytes, { filename: f.name, contentType: f.type });
        return req;
      },
    },
  };

  const HOSTILE: Record<string, Array<[string, Sent]>> = {
    'product images': [
      ['an SVG with script', { name: 'logo.svg', type: 'image/svg+xml', bytes: SVG }],
      ['an SVG named .png', { name: 'logo.png', type: 'image/png', bytes: SVG }],
      ['an HTML page named .jpg', { name: 'photo.jpg', type: 'image/jpeg', bytes: HTML }],
      ['text named .webp', { name: 'photo.webp', type: 'image/webp', bytes: Buffer.from('just text, not a picture\n'.repeat(10)) }],
    ],
    'claim photos': [
      ['an SVG with script', { name: 'damage.svg', type: 'image/svg+xml', bytes: SVG }],
      ['an HTML page named .png', { name: 'damage.png', type: 'image/png', bytes: HTML }],
      ['a PDF named .jpg', { name: 'receipt.jpg', type: 'image/jpeg', bytes: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n') }],
    ],
    'product CSV import': [
      ['a PNG named .csv', { name: 'products.csv', type: 'text/csv', bytes: TINY_PNG }],
      ['UTF-16 text named .csv', { name: 'products.csv', type: 'text/csv', bytes: Buffer.from('\ufeffslug,name\r\nx,y\r\n', 'utf16le') }],
    ],
  };

  async function expectNothingWritten(send: () => Promise<import('supertest').Response>, status: number, message: RegExp) {
    const [rows, files] = [await databaseFingerprint(t.db), filesUnder(t.uploadsDir)];
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(message);
    expect(filesUnder(t.uploadsDir)).toEqual(files);
    expect(await databaseFingerprint(t.db)).toEqual(rows);
  }

  for (const [form, cases] of Object.entries(HOSTILE)) {
    it.each(cases)(`${form}: %s is refused by its content, nothing written`, async (_what, file) => {
      await expectNothingWritten(() => FORMS[form]!.send([file]), 422, /is an SVG drawing|not an image we can read|not a CSV file|not a UTF-8 CSV file|not UTF-8 text/i);
    });
  }

  it.each(Object.keys(FORMS))('%s: a file one byte over the limit is refused while it arrives (413), nothing written', async (form) => {
    const { limit, send } = FORMS[form]!;
    const big = form === 'product CSV import' ? padded(Buffer.from('slug,name\n'), limit + 1) : padded(png, limit + 1);
    await expectNothingWritten(() => send([{ name: form === 'product CSV import' ? 'big.csv' : 'big.png', type: 'application/octet-stream', bytes: big }]), 413, /is larger than \d+ MB/);
  });

  it('accepted photos are kept re-encoded as WebP under random names, never the sender’s name or bytes, and served as images that cannot be sniffed', async () => {
    const marker = Buffer.from('<script>alert(3)</script>');
    const withTrailer = Buffer.concat([png, marker]); // a PNG with HTML appended after its end
    for (const form of ['product images', 'claim photos']) {
      const before = filesUnder(t.uploadsDir);
      const res = await FORMS[form]!.send([{ name: '../../evil.html.png', type: 'text/html', bytes: withTrailer }]);
      expect(res.status, form).toBe(303);
      const added = filesUnder(t.uploadsDir).filter((f) => !before.includes(f));
      expect(added.length, form).toBeGreaterThan(0);
      for (const f of added) {
        expect(path.basename(f), form).toMatch(/^[0-9a-f]{32}-[\w]+\.webp$/);
        const bytes = fs.readFileSync(path.join(t.uploadsDir, f));
        expect((await sharp(bytes).metadata()).format).toBe('webp');
        expect(bytes.includes(marker)).toBe(false);
      }
    }
    expect(fs.existsSync(path.join(t.uploadsDir, '..', 'evil.html.png'))).toBe(false);
    const image = JSON.parse((await t.db('products').where({ id: product }).first('images')).images).at(-1) as string;
    const served = await staff.agent.get(image);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    const claim = await t.db('disputes').orderBy('id', 'desc').first('id');
    const photo = JSON.parse((await t.db('dispute_messages').where({ dispute_id: claim.id }).first('attachments')).attachments)[0];
    const private_ = await customer.agent.get(`/account/disputes/${claim.id}/photos/${photo}-large.webp`);
    expect(private_.status).toBe(200);
    expect(private_.headers['content-type']).toBe('image/webp');
    expect(private_.headers['x-content-type-options']).toBe('nosniff');
    // Claim photos are private: not under the public /uploads.
    expect((await customer.agent.get(`/uploads/disputes/${photo}-large.webp`)).status).toBe(404);
  });
});
