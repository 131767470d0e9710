import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { photoDir } from '../../src/disputes/photos';
import { activeRental, paidOrder, png } from './fixtures';

/** /account/disputes: a customer opens a claim on their own order or agreement, with photos, and writes in its thread. */
describe('customer disputes', () => {
  let t: Shop;
  let me: TestUser;
  let other: TestUser;
  let s: ReturnType<typeof shopper>;
  let order: { id: number; number: string };
  let theirOrder: { id: number; number: string };
  let rental: { id: number; number: string };
  let theirRental: { id: number; number: string };

  beforeAll(async () => {
    t = await startShop();
    const laptop = await t.product({ name: 'ThinkPad T14', priceCents: 45_000, units: 5 });
    me = await createUser(t.db, { email: 'claimant@example.com', firstName: 'Dana' });
    other = await createUser(t.db, { email: 'someone-else@example.com' });
    order = await paidOrder(t, me, laptop);
    theirOrder = await paidOrder(t, other, laptop);
    rental = await activeRental(t, me.id, laptop);
    theirRental = await activeRental(t, other.id, laptop);
    await t.runJobs();
    t.mail.length = 0;
    s = shopper(t.app);
    await s.login(me.email, me.password);
  });
  afterAll(() => t.destroy());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
  const written = async () => ({
    disputes: Number((await t.db('disputes').count({ n: '*' }).first())!.n),
    messages: Number((await t.db('dispute_messages').count({ n: '*' }).first())!.n),
    mail: Number((await t.db('jobs').where({ kind: 'mail.send' }).count({ n: '*' }).first())!.n),
    photos: fs.existsSync(photoDir(t.uploadsDir)) ? fs.readdirSync(photoDir(t.uploadsDir)).length : 0,
  });

  /** Posts the multipart form as a browser does: the token in the address, an empty file part when no photo is chosen. */
  function send(url: string, fields: Record<string, string>, photos: Array<{ name: string; bytes: Buffer; type?: string }> = []) {
    let req = s.agent.post(`${url}?_csrf=${encodeURIComponent(s.token)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    for (const p of photos) req = req.attach('photos', p.bytes, { filename: p.name, contentType: p.type ?? 'image/png' });
    if (!photos.length) req = req.attach('photos', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
    return req;
  }

  it('the form offers only the customer’s own orders and agreements, and the account menu links to it', async () => {
    const res = await s.refreshToken('/account/disputes/new');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain(`value="order:${order.number}"`);
    expect(res.text).toContain(`value="rental:${rental.number}"`);
    expect(res.text).not.toContain(theirOrder.number);
    expect(res.text).not.toContain(theirRental.number);
    expect(res.text).toContain('<a href="/account/disputes" aria-current="page">Disputes</a>');
    expect((await s.agent.get(`/account/disputes/new?order=${order.number}`)).text).toContain(`value="order:${order.number}" selected`);
  });

  it('opens a claim with a photo: stored, e-mailed, notified, shown in its thread', async () => {
    await s.refreshToken('/account/disputes/new');
    const res = await send('/account/disputes', { subject: `order:${order.number}`, kind: 'damaged', message: 'The lid is cracked.\nSee the photo.' }, [{ name: 'lid.png', bytes: await png(800, 600) }]);
    expect(res.status, res.text.slice(0, 400)).toBe(303);
    const row = await t.db('disputes').where({ user_id: me.id }).first();
    expect(res.headers.location).toBe(`/account/disputes/${row.id}`);
    expect(row).toMatchObject({ order_id: order.id, rental_id: null, kind: 'damaged', status: 'open' });
    const msgs = await t.db('dispute_messages').where({ dispute_id: row.id });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ body: 'The lid is cracked.\nSee the photo.', author_user_id: me.id });
    expect(Boolean(msgs[0].from_staff)).toBe(false);
    const [photo] = JSON.parse(msgs[0].attachments) as string[];
    expect(photo).toMatch(/^[0-9a-f]{32}$/);
    expect(await t.db('state_changes').where({ entity: 'dispute', entity_id: row.id }).select('from_state', 'to_state', 'actor')).toEqual([{ from_state: null, to_state: 'open', actor: `user:${me.id}` }]);
    expect(await t.db('notifications').where({ user_id: me.id, kind: 'dispute' }).select('title', 'url')).toEqual([{ title: `We received your claim #${row.id} on ${order.number}`, url: `/account/disputes/${row.id}` }]);

    await t.runJobs();
    const mail = t.mail.find((m) => m.to === me.email)!;
    expect(mail.subject).toBe(`We received your claim #${row.id} on order ${order.number}`);
    expect(mail.text).toContain(`http://store.test/account/disputes/${row.id}`);
    expect(mail.html).toContain('Arrived damaged');

    const page = await s.agent.get(`/account/disputes/${row.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your claim #');
    expect(text(page.text)).toContain(`Claim #${row.id}: Arrived damaged`);
    expect(page.text).toContain('The lid is cracked.\nSee the photo.');
    expect(page.text).toContain(`src="/account/disputes/${row.id}/photos/${photo}-small.webp"`);
    const img = await s.agent.get(`/account/disputes/${row.id}/photos/${photo}-large.webp`);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/webp');
    // Not on the public uploads route, and not to another customer.
    expect((await s.agent.get(`/uploads/.disputes/${photo}-large.webp`)).status).toBe(404);
    const stranger = shopper(t.app);
    await stranger.login(other.email, other.password);
    expect((await stranger.agent.get(`/account/disputes/${row.id}/photos/${photo}-large.webp`)).status).toBe(404);
    expect((await stranger.agent.get(`/account/disputes/${row.id}`)).status).toBe(404);
    expect((await s.agent.get(`/account/disputes/${row.id}/photos/..%2F..%2Fsecrets.json`)).status).toBe(404);

    const list = await s.agent.get('/account/disputes');
    expect(text(list.text)).toContain(`#${row.id} · Arrived damaged Order ${order.number}`);
    expect(text(list.text)).toContain('Open');
  });

  it('refuses bad input on the same page, writing nothing', async () => {
    await s.refreshToken('/account/disputes/new');
    const before = await written();
    const cases: Array<[string, Record<string, string>, Array<{ name: string; bytes: Buffer; type?: string }>, number, string]> = [
      ['empty message', { subject: `order:${order.number}`, kind: 'damaged', message: '   ' }, [], 422, 'Please write a message.'],
      ['overlong message', { subject: `order:${order.number}`, kind: 'damaged', message: 'x'.repeat(4001) }, [], 422, 'Please keep the message under 4000 characters'],
      ['unknown kind', { subject: `order:${order.number}`, kind: 'refund_me', message: 'Hello' }, [], 422, 'Choose what went wrong.'],
      ['no subject', { kind: 'billing', message: 'Hello' }, [], 422, 'Choose the order or agreement.'],
      ['not an image', { subject: `order:${order.number}`, kind: 'damaged', message: 'Hello' }, [{ name: 'lid.png', bytes: Buffer.from('%PDF-1.4 not a photo') }], 422, '“lid.png” is not an image we can read.'],
      ['a GIF', { subject: `order:${order.number}`, kind: 'damaged', message: 'Hello' }, [{ name: 'anim.gif', bytes: Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'), type: 'image/gif' }], 422, '“anim.gif” is a GIF image.'],
      ['too many photos', { subject: `order:${order.number}`, kind: 'damaged', message: 'Hello' }, await Promise.all([1, 2, 3, 4, 5].map(async (n) => ({ name: `p${n}.png`, bytes: await png() }))), 413, 'Up to 4 files at a time'],
      ['someone else’s order', { subject: `order:${theirOrder.number}`, kind: 'damaged', message: 'Hello' }, [], 404, `We could not find order ${theirOrder.number} in your account.`],
      ['someone else’s agreement', { subject: `rental:${theirRental.number}`, kind: 'billing', message: 'Hello' }, [], 404, `We could not find agreement ${theirRental.number} in your account.`],
    ];
    for (const [name, fields, photos, status, message] of cases) {
      const res = await send('/account/disputes', fields, photos);
      expect(res.status, name).toBe(status);
      expect(text(res.text), name).toContain(message);
      expect(res.text, name).toContain('<h1 id="page-title">Open a claim</h1>');
      if (fields.message && fields.message.length < 100) expect(res.text, name).toContain(`>${fields.message}</textarea>`);
    }
    expect(await written()).toEqual(before);
  });

  it('a billing claim on an agreement; a second of the same kind is sent to the first', async () => {
    await s.refreshToken('/account/disputes/new');
    const res = await send('/account/disputes', { subject: `rental:${rental.number}`, kind: 'billing', message: 'I was charged twice in November.' });
    expect(res.status).toBe(303);
    const id = Number(res.headers.location!.split('/').pop());
    expect(await t.db('disputes').where({ id }).first('rental_id', 'order_id', 'kind')).toEqual({ rental_id: rental.id, order_id: null, kind: 'billing' });
    const page = await s.agent.get(`/account/disputes/${id}`);
    expect(text(page.text)).toContain(`no late fees are charged on agreement ${rental.number}`);

    await s.refreshToken('/account/disputes/new');
    const again = await send('/account/disputes', { subject: `rental:${rental.number}`, kind: 'billing', message: 'Still charged twice.' });
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain(`You already have an open claim (#${id}) of this kind on ${rental.number}`);
  });

  it('adds messages with photos to an open claim; refuses bad ones; another customer’s claim is a 404', async () => {
    const d = await t.db('disputes').where({ user_id: me.id, kind: 'damaged' }).first('id');
    await s.refreshToken(`/account/disputes/${d.id}`);
    const ok = await send(`/account/disputes/${d.id}/messages`, { message: 'Another angle.' }, [{ name: 'side.webp', bytes: await (await import('sharp')).default({ create: { width: 50, height: 50, channels: 3, background: '#aa3300' } }).webp().toBuffer(), type: 'image/webp' }]);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/account/disputes/${d.id}#latest`);
    const thread = await t.db('dispute_messages').where({ dispute_id: d.id }).orderBy('id');
    expect(thread.map((m) => m.body)).toEqual(['The lid is cracked.\nSee the photo.', 'Another angle.']);
    expect(JSON.parse(thread[1].attachments)).toHaveLength(1);

    const before = await written();
    const empty = await send(`/account/disputes/${d.id}/messages`, { message: '' });
    expect(empty.status).toBe(422);
    expect(text(empty.text)).toContain('Please write a message.');
    expect(text(empty.text)).toContain('Another angle.');
    const bad = await send(`/account/disputes/${d.id}/messages`, { message: 'Photo' }, [{ name: 'x.jpg', bytes: Buffer.from('GIF89a-nope'), type: 'image/jpeg' }]);
    expect(bad.status).toBe(422);
    expect(text(bad.text)).toContain('“x.jpg” is not an image we can read.');

    const stranger = shopper(t.app);
    await stranger.login(other.email, other.password);
    await stranger.refreshToken('/account/disputes/new');
    const foreign = await stranger.agent.post(`/account/disputes/${d.id}/messages?_csrf=${encodeURIComponent(stranger.token)}`).field('message', 'Hi').attach('photos', Buffer.alloc(0), { filename: '' });
    expect(foreign.status).toBe(404);
    expect((await s.agent.get('/account/disputes/999999')).status).toBe(404);
    expect((await s.agent.get('/account/disputes/abc')).status).toBe(404);
    expect(await written()).toEqual(before);
  });

  it('guests are sent to log in', async () => {
    expect((await shopper(t.app).agent.get('/account/disputes')).headers.location).toBe('/login?next=%2Faccount%2Fdisputes');
  });
});
