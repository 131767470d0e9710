import type { Response } from 'express';
import type { CurrentUser } from '../http/current-user';
import { fillTokenSlots, fillVariantSlots, fillVariantSlotsFor, sendGuestPage, SHOPPER_SLOT, toGuestPage, toShopperPage, TOKEN_SLOT, UNREAD_BADGE, VARIANT } from '../http/page-cache';
import { SHOPPER_PAGE_CACHE_CONTROL, shopperKind, shopperPageKey, shopperPagePlaceOf } from '../http/shopper-pages';
import type { CatalogService } from './service';

/**
 * Rendered-page cache for catalog pages. A page body depends only on catalog
 * data, so it is rendered once per cache period and shared by every shopper;
 * the layout (header with the shopper's name and cart) is rendered per request.
 * Bodies are rendered from an explicit list of locals, never from res.locals,
 * so nothing about one shopper can end up in another's page. The one
 * per-request values a body holds are slots filled in when the page is sent:
 * the CSRF token of its forms, and variant slots for what depends on the
 * shopper (the wishlist heart: both "Save" and "Saved" are in the body, the
 * shopper's own saves pick one; src/http/page-cache.ts).
 *
 * For guests the whole page, layout included, is the same for everyone, so
 * it is cached too (src/http/page-cache.ts) and later guests skip even the
 * layout.
 */

function renderBody(res: Response, view: string, data: object): Promise<string> {
  const locals = { ...data, money: res.locals.money, longDate: res.locals.longDate, shortDate: res.locals.shortDate, dateTime: res.locals.dateTime, formatCount: res.locals.formatCount, asset: res.locals.asset, store: res.locals.store, csrfToken: TOKEN_SLOT, variant: VARIANT, layout: false };
  return new Promise((resolve, reject) => {
    res.app.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

export interface PageMeta {
  title: string;
  description?: string;
  canonical?: string;
  noindex?: boolean;
}

const READS_SINCE = 'catalogReadsSince';

/** The layout's per-shopper locals as slots (src/http/page-cache.ts). */
const SHOPPER_LOCALS = {
  cartCount: SHOPPER_SLOT.cartCount,
  unreadCount: SHOPPER_SLOT.unreadCount,
  shopperSlots: { variant: VARIANT, unreadBadge: UNREAD_BADGE },
};

/** Notes, before a handler reads the catalog data of its page, since when it read it (see CatalogService.readsSince). */
export function markCatalogReads(res: Response, catalog: CatalogService): void {
  res.locals[READS_SINCE] = catalog.readsSince();
}

/**
 * Renders `view` with the locals `data()` builds (or takes the body from the
 * cache under `key`) inside the layout. `key` must name everything the body
 * depends on; `data` only runs when the body is rendered. What the handler
 * read before (marked by markCatalogReads) counts as read when it was marked:
 * a page is not kept when the catalog changed since.
 */
export async function sendCatalogPage(
  res: Response,
  catalog: CatalogService,
  key: string,
  view: string,
  data: () => object | Promise<object>,
  meta: PageMeta,
): Promise<void> {
  const render = async () => renderBody(res, view, await data());
  const token = () => String(res.locals.csrfToken ?? '');
  const personal = async (html: string) => fillTokenSlots(await fillVariantSlotsFor(res, html), token());
  if (!res.app.get('view cache')) {
    res.render('catalog/page', { ...meta, pageBody: await personal(await render()) });
    return;
  }
  const since = (res.locals[READS_SINCE] as number | undefined) ?? catalog.readsSince();
  const body = await catalog.renderedPage(key, render, since);
  const guestKey = res.locals.guestPageKey as string | undefined;
  if (guestKey) {
    const page = await catalog.guestPage(guestKey, async () => toGuestPage(await renderWithLayout(res, { ...meta, pageBody: fillVariantSlots(body), csrfToken: TOKEN_SLOT })), since);
    sendGuestPage(res, page, token);
    return;
  }
  const place = shopperPagePlaceOf(res);
  const shopper = res.locals.currentUser as CurrentUser | null;
  if (shopper) res.setHeader('Cache-Control', SHOPPER_PAGE_CACHE_CONTROL);
  if (place && shopper) {
    // Kept for the next views (src/http/shopper-pages.ts); this one is rendered as usual.
    await catalog.shopperPage(
      shopperPageKey(shopperKind(shopper.role), place),
      async () => toShopperPage(await renderWithLayout(res, { ...meta, pageBody: body, csrfToken: TOKEN_SLOT, ...SHOPPER_LOCALS })),
      since,
    );
  }
  res.render('catalog/page', { ...meta, pageBody: await personal(body) });
}

function renderWithLayout(res: Response, locals: object): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render('catalog/page', locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}
