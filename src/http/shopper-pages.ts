import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../lib/clock';
import { TtlCache } from '../lib/ttl-cache';
import { dateOnly } from '../lib/dates';
import { noteSession } from './auth';
import type { Role } from './current-user';
import { sendShopperPage, type ShopperPage } from './page-cache';

/**
 * Catalog pages for signed-in shoppers, answered without rendering.
 *
 * A signed-in shopper's catalog page differs from the next shopper's only
 * in the header (the Admin link for staff, the cart count, the unread
 * badge), the CSRF token and which products show as saved. So it is kept
 * once per URL and kind of shopper (customer or staff) as a ShopperPage
 * (src/http/page-cache.ts), filled by the catalog routes on first view
 * (src/catalog/fragments.ts), and each later view only:
 *
 *  1. checks the session as authenticate() does (signature, expiry,
 *     revocation, disabled account, token_version) in one small read, which
 *     also gives the shopper's page version;
 *  2. takes their cart count, unread count and saved products from this
 *     process's PageGlances when it read them at that same page version
 *     (src/accounts/page-version.ts), or reads them again;
 *  3. writes the page's parts with those values.
 *
 * Anything else — no cached page, an access token to renew, an invalid
 * session, a flash message or a guest cart to merge — goes on to the
 * regular middleware and routes, which also fill the cache.
 */

export type ShopperKind = 'customer' | 'staff';

export function shopperKind(role: Role): ShopperKind {
  return role === 'customer' ? 'customer' : 'staff';
}

/** Where a page is kept: per kind of shopper, URL and day (product pages date a rental's schedule for signing today). */
export interface ShopperPagePlace {
  url: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
}

export function shopperPageKey(kind: ShopperKind, place: ShopperPagePlace): string {
  return `${kind} ${place.day} ${place.url}`;
}

/** The URL part of a shopperPageKey(). */
export function shopperPageUrl(key: string): string {
  return key.split(' ').slice(2).join(' ');
}

export interface ShopperPageStore {
  peek(key: string): ShopperPage | undefined;
}

/** What every page shows of one shopper. */
export interface PageGlance {
  cartCount: number;
  unreadCount: number;
  /** Variant slot keys whose alternative this shopper sees (their saved products' hearts). */
  chosen: ReadonlySet<string>;
}

/**
 * Each shopper's PageGlance as this process last read it, with the
 * page version it read it at. Read after the version, so what is kept is
 * never older than its version says; a write moves the version on, and the
 * next page reads again. Entries also expire (`ttlMs`), which bounds what
 * a change made without moving the version (a product deleted from carts
 * by a cascade) can leave behind. Concurrent views of one shopper share one
 * read (TtlCache).
 */
export class PageGlances {
  private readonly entries: TtlCache<{ version: number; glance: PageGlance }>;

  constructor(
    private readonly load: (userId: number) => Promise<PageGlance>,
    ttlMs = 60_000,
    maxEntries = 10_000,
    now: () => number = Date.now,
  ) {
    this.entries = new TtlCache(ttlMs, maxEntries, now);
  }

  async get(userId: number, version: number): Promise<PageGlance> {
    const key = String(userId);
    const read = () => this.entries.get(key, async () => ({ version, glance: await this.load(userId) }));
    let entry = await read();
    // Kept, or read by a request that came before, at another version: read again at this one.
    if (entry.version !== version) {
      this.entries.delete(key);
      entry = await read();
    }
    return entry.glance;
  }
}

const MAX_URL_LENGTH = 2048;

/** A signed-in shopper's page (their cart count, their token) is theirs: no shared cache keeps it. */
export const SHOPPER_PAGE_CACHE_CONTROL = 'private';
const PLACE = 'shopperPagePlace';

/** For the routes that fill the cache: where to keep this request's page, when it may be kept (see serveShopperPages). */
export function shopperPagePlaceOf(res: Response): ShopperPagePlace | undefined {
  return res.locals[PLACE] as ShopperPagePlace | undefined;
}

export function serveShopperPages(deps: {
  pages: ShopperPageStore;
  accessCookie: string;
  /** Cookies that need the regular path (a flash message to show, a guest cart to merge). */
  otherCookies: string[];
  /** The session as authenticate() would find it, or null when it would not sign the shopper in. */
  session(accessToken: string): Promise<{ user: { id: number; role: Role; page_version: number }; sessionId: string } | null>;
  glances: PageGlances;
  csrfToken(req: Request, res: Response): string;
  clock: Clock;
}): RequestHandler {
  return async (req, res, next) => {
    const token = req.cookies?.[deps.accessCookie];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || typeof token !== 'string' || req.originalUrl.length > MAX_URL_LENGTH) return next();
    if (deps.otherCookies.some((name) => name in (req.cookies ?? {}) || name in (req.signedCookies ?? {}))) return next();
    const place: ShopperPagePlace = { url: req.originalUrl, day: dateOnly(deps.clock.now()) };
    res.locals[PLACE] = place;
    // Most signed-in requests for other pages stop here, without reading anything.
    if (!deps.pages.peek(shopperPageKey('customer', place)) && !deps.pages.peek(shopperPageKey('staff', place))) return next();
    try {
      const session = await deps.session(token);
      const page = session && deps.pages.peek(shopperPageKey(shopperKind(session.user.role), place));
      if (!session || !page) return next();
      // The page's forms carry a CSRF token bound to this session, as authenticate() would have it.
      noteSession(req, session.sessionId);
      const glance = await deps.glances.get(session.user.id, session.user.page_version);
      res.setHeader('Cache-Control', SHOPPER_PAGE_CACHE_CONTROL);
      sendShopperPage(res, page, {
        token: () => deps.csrfToken(req, res),
        cartCount: glance.cartCount,
        unreadCount: glance.unreadCount,
        chooses: (key) => glance.chosen.has(key),
      });
    } catch (err) {
      next(err);
    }
  };
}
