import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { moveImage } from '../../src/catalog/images';

/** Real image bytes, drawn by sharp. */
const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 90 } } });

interface Sent {
  name: string;
  type: string;
  bytes: Buffer;
}

const OWN = /^\/uploads\/products\/[0-9a-f]{32}-1200\.webp$/;

describe('product images', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let product: number;
  let jpeg: Buffer;
  let png: Buffer;
  let webp: Buffer;
  const page = () => `/admin/products/${product}/images`;

  beforeAll(async () => {
    t = await startShop();
    product = await t.product({ name: 'ThinkPad T14 Gen 3', priceCents: 54_900, units: 2 });
    const s = await createUser(t.db, { email: 'photos@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
    // A phone photo held sideways: 1600×1200 pixels stored, EXIF says turn it a quarter; with a GPS position and camera details.
    jpeg = await solid(1600, 1200).jpeg().withMetadata({ orientation: 6 }).withExif({ IFD0: { Make: 'PhoneCam', Copyright: 'Photographer' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 16/1 0/1' } }).toBuffer();
    png = await solid(800, 600).png().toBuffer();
    webp = await solid(2400, 1200).webp().toBuffer();
  });
  afterAll(() => t.destroy());

  const productDir = () => path.join(t.uploadsDir, 'products');
  const filesOnDisk = () => (fs.existsSync(productDir()) ? fs.readdirSync(productDir()).sort() : []);
  const listed = async (id = product): Promise<string[]> => JSON.parse((await t.db('products').where({ id }).first('images')).images);
  const auditRows = async () => t.db('audit_log').where({ entity: 'product', entity_id: String(product) }).where('action', 'like', 'product.images.%').orderBy('id');
  const fileOf = (src: string) => path.join(t.uploadsDir, src.replace(/^\/uploads\//, ''));

  /** A multipart upload, as the page's form sends it (the CSRF token in the URL). */
  async function send(files: Sent[], url = page()) {
    await staff.refreshToken(url);
    let req = staff.agent.post(`${url}?_csrf=${encodeURIComponent(staff.token)}`);
    for (const f of files) req = req.attach('images', f.bytes, { filename: f.name, contentType: f.type });
    // What a browser sends when no file was chosen: the field, with an empty name and no content.
    if (!files.length) req = req.attach('images', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
    return req;
  }

  /** Sends the files and checks they are refused with the message, writing nothing: no list change, no audit row, no file. */
  async function expectRefused(files: Sent[], status: number, message: string | RegExp) {
    const [images, audits, disk] = [await listed(), (await auditRows()).length, filesOnDisk()];
    const res = await send(files);
    expect(res.status).toBe(status);
    expect(res.text).toMatch(message);
    expect(res.text).toContain('Add images'); // the form, shown again
    expect(await listed()).toEqual(images);
    expect(await auditRows()).toHaveLength(audits);
    expect(filesOnDisk()).toEqual(disk);
  }

  it('shows the page with the product’s images and the upload form', async () => {
    const res = await staff.agent.get(page());
    expect(res.status).toBe(200);
    expect(res.text).toContain('Images of ThinkPad T14 Gen 3');
    expect(res.text).toMatch(/<input id="f-images" type="file" name="images" multiple accept="image\/jpeg,image\/png,image\/webp"/);
    expect(res.text).toMatch(/enctype="multipart\/form-data"/);
    expect(res.text).toContain(`alt="Image 1 of 1 of ThinkPad T14 Gen 3 (main image)"`);
    expect((await staff.agent.get('/admin/products/999999/images')).status).toBe(404);
    expect((await staff.agent.get(`/admin/products/${product}/units`)).text).toContain(`href="/admin/products/${product}/images"`);
  });

  it('takes a JPEG, a PNG and a WebP: re-encoded as WebP in two sizes, turned upright, without EXIF, under names of its own', async () => {
    expect(await sharp(jpeg).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
    const before = await listed();
    const res = await send([
      { name: 'holiday-snap.jpg', type: 'image/jpeg', bytes: jpeg },
      { name: 'front.png', type: 'image/png', bytes: png },
      { name: 'side.webp', type: 'image/webp', bytes: webp },
    ]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(page());
    const after = await listed();
    expect(after.slice(0, before.length)).toEqual(before);
    const added = after.slice(before.length);
    expect(added).toHaveLength(3);
    for (const src of added) {
      expect(src).toMatch(OWN);
      expect(src).not.toMatch(/holiday|snap|front|side|jpg|png/);
    }
    // Fitted inside 1200×900 and 400×300, shape kept, never enlarged; the sideways photo stands upright.
    const sizes = await Promise.all(added.map(async (src) => {
      const [large, small] = await Promise.all([fileOf(src), fileOf(src.replace(/-1200\.webp$/, '-400.webp'))].map((f) => sharp(f).metadata()));
      return { large: [large.format, large.width, large.height, large.exif], small: [small.format, small.width, small.height, small.exif] };
    }));
    expect(sizes).toEqual([
      { large: ['webp', 675, 900, undefined], small: ['webp', 225, 300, undefined] },
      { large: ['webp', 800, 600, undefined], small: ['webp', 400, 300, undefined] },
      { large: ['webp', 1200, 600, undefined], small: ['webp', 400, 200, undefined] },
    ]);
    expect(filesOnDisk()).toHaveLength(6);

    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'product.images.add', ip: expect.any(String) });
    expect(JSON.parse(rows[0].before)).toEqual({ images: before });
    expect(JSON.parse(rows[0].after)).toEqual({ images: after });

    const served = await request(t.app).get(added[0]!);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
  });

  it('judges a file by its content: a PNG named .jpg and sent as image/jpeg is taken as the PNG it is', async () => {
    const count = (await listed()).length;
    const res = await send([{ name: 'photo.jpg', type: 'image/jpeg', bytes: png }]);
    expect(res.status).toBe(303);
    const images = await listed();
    expect(images).toHaveLength(count + 1);
    expect(images.at(-1)).toMatch(OWN);
    expect((await sharp(fileOf(images.at(-1)!)).metadata()).format).toBe('webp');
  });

  // SVG drawings, text or HTML named .jpg and files over 5 MB: tests/security/uploads.test.ts, for every upload form.
  it('refuses a GIF, a TIFF and an image over 40 megapixels, writing nothing', async () => {
    await expectRefused([{ name: 'spin.gif', type: 'image/gif', bytes: await solid(40, 30).gif().toBuffer() }], 422, /“spin.gif” is a GIF image\./);
    await expectRefused([{ name: 'scan.tiff', type: 'image/tiff', bytes: await solid(40, 30).tiff().toBuffer() }], 422, /“scan.tiff” is a TIFF image\./);
    // 8000 × 5001 = 40.008 megapixels: one colour, so the file is small.
    const giant = await solid(8000, 5001).png({ compressionLevel: 9 }).toBuffer();
    expect(giant.length).toBeLessThan(1024 * 1024);
    await expectRefused([{ name: 'giant.png', type: 'image/png', bytes: giant }], 422, /“giant.png” is 8000 × 5001 pixels \(40.0 megapixels\): at most 40 megapixels/);
    // One bad file in a batch: none of them is added.
    await expectRefused([{ name: 'good.png', type: 'image/png', bytes: png }, { name: 'bad.gif', type: 'image/gif', bytes: await solid(10, 10).gif().toBuffer() }], 422, /“bad.gif” is a GIF image/);
    // A damaged photo: the header reads, the rest does not.
    await expectRefused([{ name: 'cut.jpg', type: 'image/jpeg', bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)) }], 422, /“cut.jpg” could not be read to the end/);
  });

  it('refuses an empty form, too many files, a file in another field and a body cut short', async () => {
    await expectRefused([], 422, /Please choose at least one image./);
    const thirteen = Array.from({ length: 13 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png }));
    await expectRefused(thirteen, 413, /Up to 12 files at a time, please./);
    const room = 12 - (await listed()).length;
    await expectRefused(Array.from({ length: room + 1 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png })), 422, new RegExp(`room for ${room} more images`));
    await staff.refreshToken(page());
    const other = await staff.agent.post(`${page()}?_csrf=${encodeURIComponent(staff.token)}`).attach('file', png, 'x.png');
    expect(other.status).toBe(400);
    expect(other.text).toContain('a file where none was expected');
    // A body cut short (the closing boundary never comes): the error page, not a 500.
    const cut = await staff.agent.post(`${page()}?_csrf=${encodeURIComponent(staff.token)}`).set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send(`--XYZ\r\nContent-Disposition: form-data; name="images"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${png.subarray(0, 100).toString('latin1')}`);
    expect(cut.status).toBe(400);
    expect(cut.text).toContain('The upload could not be read.');
  });

  it('moves an image up, down and to the front, each audited; the shop shows the new main image in both sizes', async () => {
    const start = await listed();
    const uploaded = start[1]!;
    const move = async (image: string, direction: string) => {
      await staff.refreshToken(page());
      return staff.post(`${page()}/move`, { image, direction });
    };
    const audits = (await auditRows()).length;
    expect((await move(uploaded, 'down')).status).toBe(303);
    expect(await listed()).toEqual(moveImage(start, uploaded, 'down'));
    expect((await move(uploaded, 'up')).status).toBe(303);
    expect(await listed()).toEqual(start);
    expect((await move(uploaded, 'first')).status).toBe(303);
    const now = await listed();
    expect(now[0]).toBe(uploaded);
    const rows = (await auditRows()).slice(audits);
    expect(rows.map((r) => r.action)).toEqual(['product.images.move', 'product.images.move', 'product.images.move']);
    expect(JSON.parse(rows[2].after)).toEqual({ images: now });

    const first = await move(uploaded, 'up');
    expect(first.status).toBe(409);
    expect(first.text).toContain('That image is already the first.');
    const last = await move(now.at(-1)!, 'down');
    expect(last.status).toBe(409);
    expect((await auditRows()).length).toBe(audits + 3);

    const small = uploaded.replace(/-1200\.webp$/, '-400.webp');
    const { slug } = await t.db('products').where({ id: product }).first('slug');
    const shop = await request(t.app).get(`/products/${slug}`);
    expect(shop.status).toBe(200);
    expect(shop.text).toContain(`<img src="${uploaded}" srcset="${small} 400w, ${uploaded} 1200w"`);
    expect(shop.text).toContain(`<img src="${small}" alt="Show photo 1 of ${now.length}"`);
    const listing = await request(t.app).get('/products');
    expect(listing.text).toContain(`<img src="${small}" alt="" width="400" height="300"`);
  });

  it('deletes an image: gone from the list and from disk, audited; a path not on the product is refused', async () => {
    const start = await listed();
    const gone = start[0]!;
    await staff.refreshToken(page());
    const res = await staff.post(`${page()}/delete`, { image: gone });
    expect(res.status).toBe(303);
    expect(await listed()).toEqual(start.slice(1));
    expect(fs.existsSync(fileOf(gone))).toBe(false);
    expect(fs.existsSync(fileOf(gone.replace(/-1200\.webp$/, '-400.webp')))).toBe(false);
    const [row] = (await auditRows()).slice(-1);
    expect(row).toMatchObject({ action: 'product.images.delete' });
    expect(JSON.parse(row.before)).toEqual({ images: start });

    const disk = filesOnDisk();
    for (const image of [gone, '/uploads/../../package.json', '/etc/passwd', '']) {
      await staff.refreshToken(page());
      const refused = await staff.post(`${page()}/delete`, { image });
      expect([404, 422]).toContain(refused.status);
      expect(await listed()).toEqual(start.slice(1));
    }
    expect(filesOnDisk()).toEqual(disk);
  });

  it('keeps the files of an image another product still lists, and never deletes a demo drawing’s file', async () => {
    const [shared, ...rest] = (await listed()).filter((src) => OWN.test(src));
    const other = await t.product({ name: 'ThinkPad T14 Gen 3 (second listing)' });
    await t.db('products').where({ id: other }).update({ images: JSON.stringify([shared]) });
    await staff.refreshToken(page());
    expect((await staff.post(`${page()}/delete`, { image: shared! })).status).toBe(303);
    expect(fs.existsSync(fileOf(shared!))).toBe(true);
    expect(rest.length).toBeGreaterThan(0);

    const drawing = (await listed()).find((src) => src.endsWith('.svg'))!;
    fs.writeFileSync(fileOf(drawing), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await staff.refreshToken(page());
    expect((await staff.post(`${page()}/delete`, { image: drawing })).status).toBe(303);
    expect(await listed()).not.toContain(drawing);
    expect(fs.existsSync(fileOf(drawing))).toBe(true);
  });

  it('two uploads at once cannot pass the limit of 12 together; the refused one leaves no file behind', async () => {
    const other = await t.product({ name: 'EliteBook 840 G8' });
    await t.db('products').where({ id: other }).update({ images: '[]' });
    const disk = filesOnDisk().length;
    const seven = Array.from({ length: 7 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png }));
    const url = `/admin/products/${other}/images`;
    const results = await Promise.all([send(seven, url), send(seven, url)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(results.find((r) => r.status === 422)!.text).toMatch(/room for 5 more images/);
    expect(await listed(other)).toHaveLength(7);
    expect(filesOnDisk().length).toBe(disk + 14);
  });
});
