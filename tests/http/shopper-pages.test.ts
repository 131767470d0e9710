import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/lib/log';
import * as accountsRepo from '../../src/accounts/repo';
import { notify } from '../../src/notifications/repo';
import { PageGlances, type PageGlance } from '../../src/http/shopper-pages';
import { SHOPPER_SLOT, shopperPageBuffers, toShopperPage, TOKEN_SLOT, UNREAD_BADGE, VARIANT } from '../../src/http/page-cache';
import { cookieValue, createUser, loginTokens, postForm, signIn, type Agent, type TestUser } from '../helpers/auth';
import { testApp, type TestApp } from '../helpers/app';
import { seedCatalogFixture } from '../catalog/fixture';

describe('a page kept for signed-in shoppers (toShopperPage)', () => {
  const html = [
    `<form><input name="_csrf" value="${TOKEN_SLOT}"></form>`,
    `<a>Cart <span aria-label="${SHOPPER_SLOT.cartCount} items">${SHOPPER_SLOT.cartCount}</span></a>`,
    `${VARIANT.start(UNREAD_BADGE)}${VARIANT.alt}<span class="badge">${SHOPPER_SLOT.unreadCount}</span>${VARIANT.end}`,
    `${VARIANT.start('wish:7')}<button>Save</button><input value="${TOKEN_SLOT}">${VARIANT.alt}<button>Saved ✓</button>${VARIANT.end}`,
    `${VARIANT.start('wish:8')}<button>Save</button>${VARIANT.alt}<button>Saved ✓</button>${VARIANT.end}`,
  ].join('|');
  const page = toShopperPage(html);
  const fill = (values: { cartCount: number; unreadCount: number; saved: number[]; token?: string }) =>
    Buffer.concat(shopperPageBuffers(page, { token: () => values.token ?? 'tok', cartCount: values.cartCount, unreadCount: values.unreadCount, chooses: (key) => values.saved.some((id) => key === `wish:${id}`) })).toString();

  it.each([
    { values: { cartCount: 0, unreadCount: 0, saved: [] }, expected: '<form><input name="_csrf" value="tok"></form>|<a>Cart <span aria-label="0 items">0</span></a>||<button>Save</button><input value="tok">|<button>Save</button>' },
    { values: { cartCount: 3, unreadCount: 2, saved: [8] }, expected: '<form><input name="_csrf" value="tok"></form>|<a>Cart <span aria-label="3 items">3</span></a>|<span class="badge">2</span>|<button>Save</button><input value="tok">|<button>Saved ✓</button>' },
    { values: { cartCount: 12, unreadCount: 0, saved: [7, 8] }, expected: '<form><input name="_csrf" value="tok"></form>|<a>Cart <span aria-label="12 items">12</span></a>||<button>Saved ✓</button>|<button>Saved ✓</button>' },
  ])('fills counts, the unread badge, hearts and the token: $values', ({ values, expected }) => {
    expect(fill(values)).toBe(expected);
  });

  it('escapes the token as the templates would', () => {
    expect(fill({ cartCount: 0, unreadCount: 0, saved: [], token: 'a"b<c' })).toContain('value="a&#34;b&lt;c"');
  });
});

describe('PageGlances', () => {
  it('reads a shopper again only when their page_version moved or the entry expired', async () => {
    let now = 0;
    const loads: number[] = [];
    const glances = new PageGlances(
      async (userId) => {
        loads.push(userId);
        return { cartCount: loads.length, unreadCount: 0, chosen: new Set<string>() } satisfies PageGlance;
      },
      1000,
      2,
      () => now,
    );
    expect((await glances.get(1, 0)).cartCount).toBe(1);
    expect((await glances.get(1, 0)).cartCount).toBe(1);
    expect((await glances.get(1, 1)).cartCount).toBe(2); // the version moved
    now = 1000;
    expect((await glances.get(1, 1)).cartCount).toBe(3); // expired
    await glances.get(2, 0);
    await glances.get(3, 0); // over its size: the oldest entry (shopper 1) goes
    await glances.get(1, 1);
    expect(loads).toEqual([1, 1, 1, 2, 3, 1]);
  });
});

/** The header's cart count and unread badge, the Admin link and which products show "Saved". */
function header(html: string) {
  return {
    cart: Number(/aria-label="(\d+) items in cart"/.exec(html)?.[1]),
    unread: Number(/aria-label="(\d+) unread"/.exec(html)?.[1] ?? 0),
    admin: html.includes('<a href="/admin">Admin</a>'),
    signedIn: html.includes('href="/account">My account'),
    saved: [...html.matchAll(/action="\/wishlist\/(\d+)\/delete"/g)].map((m) => Number(m[1])),
  };
}

describe('catalog pages for signed-in shoppers, kept once and filled per shopper', () => {
  let t: TestApp;
  let ids: Record<string, number>;
  let alice: TestUser;
  let a: Agent;
  const PAGE = '/products?sort=name';
  /** Whether the response came from the kept page (the regular path renders through res.render, which sets an ETag). */
  const kept = (res: request.Response) => res.headers.etag === undefined;

  beforeAll(async () => {
    t = await testApp();
    ids = (await seedCatalogFixture(t.db)).products;
    alice = await createUser(t.db);
    a = await signIn(t.app, alice.email, alice.password);
  });
  afterAll(() => t.destroy());

  it('answers the second view from the kept page, with the same header and hearts as the regular path', async () => {
    await postForm(a, `/wishlist/${ids['Dell XPS 13']}`, { next: PAGE }, PAGE);
    expect((await postForm(a, '/cart/items', { product_id: String(ids['Dell UltraSharp U2720Q']), quantity: '2' }, PAGE)).status).toBe(303);
    await a.get(PAGE); // shows the last change's message
    await t.app.context.catalog.changed({ what: 'product' }); // nothing kept yet
    const first = await a.get(PAGE).expect(200);
    const second = await a.get(PAGE).expect(200);
    expect(kept(first)).toBe(false);
    expect(kept(second)).toBe(true);
    // Theirs alone: no shared cache may keep either.
    expect([first.headers['cache-control'], second.headers['cache-control']]).toEqual(['private', 'private']);
    expect((await request(t.app).get(PAGE)).headers['cache-control']).toBeUndefined(); // a guest's page is the same for all
    expect(header(second.text)).toEqual({ cart: 2, unread: 0, admin: false, signedIn: true, saved: [ids['Dell XPS 13']] });
    // Byte for byte the page the regular path rendered, but for the CSRF token.
    const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(withoutToken(second.text)).toBe(withoutToken(first.text));
    // Its forms carry a token that works.
    const token = /name="_csrf" value="([^"]+)"/.exec(second.text)![1]!;
    expect((await a.post(`/wishlist/${ids['HP ProDesk 400']}`).type('form').send({ _csrf: token, next: PAGE })).status).toBe(303);
    expect(header((await a.get(PAGE)).text).saved.sort()).toEqual([ids['Dell XPS 13'], ids['HP ProDesk 400']].sort());
  });

  it("shows each shopper's own counts: a change moves their page version and the next view reads them again", async () => {
    const bob = await createUser(t.db);
    const b = await signIn(t.app, bob.email, bob.password);
    await b.get(PAGE);
    expect(header((await b.get(PAGE)).text)).toMatchObject({ cart: 0, unread: 0, saved: [] });

    // Notifications come from jobs, not from Bob's requests: this process learns of them from the page-change feed.
    await notify(t.db, { userId: bob.id, kind: 'order', title: 'Your order shipped', url: '/account' }, new Date());
    await notify(t.db, { userId: bob.id, kind: 'order', title: 'Your order arrived', url: '/account' }, new Date());
    await t.app.context.sessions.pageChanges.look();
    let res = await b.get(PAGE);
    expect(kept(res)).toBe(true);
    expect(header(res.text).unread).toBe(2);

    // His own changes show on his next page at once, without waiting for the feed.

    expect((await postForm(b, '/cart/items', { product_id: String(ids['Dell XPS 13']), quantity: '1' }, PAGE)).headers.location).toBe('/cart');
    expect((await postForm(b, `/wishlist/${ids['HP ProDesk 400']}`, { next: PAGE }, PAGE)).status).toBe(303);
    await b.get(PAGE); // shows the last change's message
    res = await b.get(PAGE);
    expect(kept(res)).toBe(true);
    expect(header(res.text)).toMatchObject({ cart: 1, unread: 2, saved: [ids['HP ProDesk 400']] });

    expect((await postForm(b, '/account/notifications/read-all', {}, '/account/notifications')).status).toBe(303);
    expect((await postForm(b, `/wishlist/${ids['HP ProDesk 400']}/delete`, { next: PAGE }, PAGE)).status).toBe(303);
    await b.get(PAGE);
    res = await b.get(PAGE);
    expect(kept(res)).toBe(true);
    expect(header(res.text)).toMatchObject({ cart: 1, unread: 0, saved: [] });
    // Alice's page, kept from the same copy, still shows hers.
    expect(header((await a.get(PAGE)).text)).toMatchObject({ cart: 2, unread: 0 });
  });

  it('shows a change made by another process of the store (its own caches, the same database) within two seconds', async () => {
    const other = createApp({ config: t.config, db: t.db, logger: createLogger('silent'), uploadsDir: t.uploadsDir });
    const elsewhere = await signIn(other, alice.email, alice.password);
    await a.get(PAGE);
    const before = header((await a.get(PAGE)).text).cart;
    expect((await postForm(elsewhere, '/cart/items', { product_id: String(ids['Dell OptiPlex 7090']), quantity: '1' }, PAGE)).headers.location).toBe('/cart');
    const changedAt = Date.now();
    await vi.waitFor(
      async () => {
        const res = await a.get(PAGE);
        expect(kept(res)).toBe(true);
        expect(header(res.text).cart).toBe(before + 1);
      },
      { timeout: 3000, interval: 50 },
    );
    expect(Date.now() - changedAt).toBeLessThan(2500);
  });

  it('a shopper browsing kept pages costs no database read per page once their session was checked', async () => {
    await a.get(PAGE);
    await a.get(PAGE);
    await t.app.context.sessions.pageChanges.look();
    const queries: string[] = [];
    const note = (q: { sql: string }) => queries.push(q.sql);
    t.db.on('query', note);
    try {
      for (let i = 0; i < 5; i++) expect(kept(await a.get(PAGE))).toBe(true);
    } finally {
      t.db.off('query', note);
    }
    // At most the page-change feed's own look, if one came due meanwhile.
    expect(queries.filter((sql) => !/from [`"]page_changes[`"]/i.test(sql))).toEqual([]);
    expect(queries.length).toBeLessThanOrEqual(1);
  });

  it('staff get the copy with the Admin link; customers never see it', async () => {
    const staff = await createUser(t.db, { role: 'staff' });
    const s = await signIn(t.app, staff.email, staff.password);
    await s.get(PAGE);
    const res = await s.get(PAGE);
    expect(kept(res)).toBe(true);
    expect(header(res.text).admin).toBe(true);
    expect(header((await a.get(PAGE)).text).admin).toBe(false);
  });

  it('never answers a session that has ended: logged out, disabled, or its password changed', async () => {
    const user = await createUser(t.db);
    /** A signed-in browser and its access cookie alone (as a copied cookie would be: no refresh cookie to sign in again), answered from the kept page. */
    const session = async () => {
      const { access, refresh } = await loginTokens(t.app, user);
      const cookie = `gg_at=${access}`;
      await request(t.app).get(PAGE).set('Cookie', cookie);
      const res = await request(t.app).get(PAGE).set('Cookie', cookie);
      expect(kept(res)).toBe(true);
      expect(header(res.text).signedIn).toBe(true);
      /** Logs this session out with its own cookies and a token from the kept page. */
      const logOut = () => {
        const csrf = cookieValue(res, 'gg_csrf')!;
        const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]!;
        return request(t.app).post('/logout').set('Cookie', `${cookie}; gg_rt=${refresh}; gg_csrf=${csrf}`).type('form').send({ _csrf: token });
      };
      return { cookie, logOut };
    };
    const signedIn = async (cookie: string) => header((await request(t.app).get(PAGE).set('Cookie', cookie)).text).signedIn;

    /** Ended by staff, a CLI or another process, not by this session's own request: this process learns of it from the page-change feed. */
    const endedElsewhere = async (cookie: string, end: () => Promise<void>) => {
      expect(await signedIn(cookie)).toBe(true);
      await end();
      await t.app.context.sessions.pageChanges.look();
      expect(await signedIn(cookie)).toBe(false);
    };

    const loggedOut = await session();
    const other = await session();
    // Logging out ends that session (its access cookie too) at once, not the other one; revoking every session ends that one.
    expect((await loggedOut.logOut()).status).toBe(303);
    expect(await signedIn(loggedOut.cookie)).toBe(false);
    expect(await signedIn(other.cookie)).toBe(true);
    await endedElsewhere(other.cookie, () => t.db.transaction((trx) => accountsRepo.revokeUserTokens(trx, user.id, 'refresh', new Date())));

    const disabled = await session();
    await endedElsewhere(disabled.cookie, () => accountsRepo.setDisabled(t.db, user.id, new Date(), new Date()));
    await accountsRepo.setDisabled(t.db, user.id, null, new Date());

    const changed = await session();
    await endedElsewhere(changed.cookie, () => accountsRepo.bumpTokenVersion(t.db, user.id, new Date()));

    // Without any look, the feed looks by itself within about two seconds of being asked.
    const waited = await session();
    const { password_hash: hash } = await t.db('users').where({ id: user.id }).first('password_hash');
    await accountsRepo.setPassword(t.db, user.id, hash, new Date());
    const endedAt = Date.now();
    await vi.waitFor(async () => expect(await signedIn(waited.cookie)).toBe(false), { timeout: 3000, interval: 50 });
    expect(Date.now() - endedAt).toBeLessThan(2500);
  });

  it('a flash message goes through the regular path and is shown', async () => {
    await a.get(PAGE);
    const added = await postForm(a, '/cart/items', { product_id: String(ids['Dell XPS 13']), quantity: '1' }, PAGE);
    expect(added.status).toBe(303);
    const res = await a.get(String(added.headers.location));
    expect(res.text).toMatch(/class="flash/);
  });

  it('a catalog change drops the kept pages', async () => {
    await a.get(PAGE);
    expect(kept(await a.get(PAGE))).toBe(true);
    await t.db('products').where({ id: ids['HP ProDesk 400'] }).update({ price_cents: 17_500 });
    await t.app.context.catalog.changed({ what: 'price', productIds: [ids['HP ProDesk 400']!] });
    const res = await a.get(PAGE);
    expect(kept(res)).toBe(false);
    expect(res.text).toContain('$175.00');
  });
});
