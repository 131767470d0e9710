import crypto from 'node:crypto';
import ejs from 'ejs';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Whole-page cache for guests. A guest is a visitor with no session, cart or
 * flash cookie: the pages they see depend only on the URL and the catalog,
 * except for the CSRF token in their forms (variant slots, below, show their
 * default to every guest). Such a page is rendered once per
 * cache period with TOKEN_SLOT where the token goes and kept as bytes; each
 * guest then gets those bytes with their own token put in the slot, without
 * the per-visitor middleware or the templates running again.
 *
 * Who fills the cache: a route that renders a guest-cacheable page checks
 * res.locals.guestPageKey (set here on a miss) and stores what it rendered
 * (see src/catalog/fragments.ts). Whoever changes what those pages show
 * clears the cache (CatalogService.changed()).
 */

/** Where a page's CSRF token goes; random per process, so no content can contain it by accident. */
export const TOKEN_SLOT = `gg-csrf-slot-${crypto.randomBytes(12).toString('hex')}`;

const MAX_KEY_LENGTH = 2048;

/** A page as every guest sees it: the HTML bytes between token slots. */
export interface GuestPage {
  parts: Buffer[];
}

export interface GuestPageStore {
  peek(key: string): GuestPage | undefined;
}

export function toGuestPage(html: string): GuestPage {
  return { parts: html.split(TOKEN_SLOT).map((part) => Buffer.from(part)) };
}

/** The token as `<%= %>` would have written it. */
const escapeHtml = (token: string) => ejs.escapeXML(token);

/** Replaces every slot in rendered HTML with the (escaped) token. */
export function fillTokenSlots(html: string, token: string): string {
  return html.includes(TOKEN_SLOT) ? html.split(TOKEN_SLOT).join(escapeHtml(token)) : html;
}

/**
 * Parts of a shared page that depend on who looks at it (the wishlist's
 * "Save" / "Saved ✓ remove" on a product) are variant slots: the body holds
 * both variants, whatever the shopper, between markers,
 *
 *   VARIANT.start(key) <default> VARIANT.alt <alternative> VARIANT.end
 *
 * and each request keeps one per key: the alternative for the keys chosen for
 * this shopper, the default for the rest (and for every guest). The choice is
 * made per request by whoever owns the key (chooseVariants), never stored in a
 * cached body.
 */
const VARIANT_MARK = `gg-variant-slot-${crypto.randomBytes(12).toString('hex')}`;
const VARIANT_KEY = /^[a-z][a-z0-9:_-]{0,80}$/;

export const VARIANT = {
  start(key: string): string {
    if (!VARIANT_KEY.test(key)) throw new Error(`Invalid variant slot key "${key}"`);
    return `${VARIANT_MARK}{${key}}`;
  },
  alt: `${VARIANT_MARK}|`,
  end: `${VARIANT_MARK}.`,
};

const VARIANT_SLOTS = new RegExp(`${VARIANT_MARK}\\{([a-z0-9:_-]+)\\}([\\s\\S]*?)${VARIANT_MARK}\\|([\\s\\S]*?)${VARIANT_MARK}\\.`, 'g');
const VARIANT_KEYS = new RegExp(`${VARIANT_MARK}\\{([a-z0-9:_-]+)\\}`, 'g');

/** The keys of the variant slots in a page. */
export function variantKeys(html: string): string[] {
  return html.includes(VARIANT_MARK) ? [...new Set(Array.from(html.matchAll(VARIANT_KEYS), (m) => m[1]!))] : [];
}

/** Keeps, for each variant slot, the alternative when its key is chosen and the default otherwise. */
export function fillVariantSlots(html: string, chosen: ReadonlySet<string> = new Set()): string {
  return html.includes(VARIANT_MARK) ? html.replace(VARIANT_SLOTS, (_m, key: string, first: string, alt: string) => (chosen.has(key) ? alt : first)) : html;
}

/** Of the keys in a page, those whose alternative this shopper sees. */
export type VariantChooser = (keys: readonly string[]) => Promise<Iterable<string>>;

const CHOOSERS = 'variantChoosers';

/** Per request, a feature says which of its slots show the alternative (e.g. the products this shopper saved). */
export function chooseVariants(res: Response, chooser: VariantChooser): void {
  ((res.locals[CHOOSERS] ??= []) as VariantChooser[]).push(chooser);
}

/** Fills a page's variant slots for this request's shopper. */
export async function fillVariantSlotsFor(res: Response, html: string): Promise<string> {
  const keys = variantKeys(html);
  const choosers = (res.locals[CHOOSERS] ?? []) as VariantChooser[];
  if (!keys.length || !choosers.length) return fillVariantSlots(html);
  const chosen = new Set<string>();
  for (const choose of choosers) for (const key of await choose(keys)) chosen.add(key);
  return fillVariantSlots(html, chosen);
}

/** Sends a cached page with this visitor's token; `token` is only asked for when the page has a form. */
export function sendGuestPage(res: Response, page: GuestPage, token: () => string): void {
  const filled = page.parts.length > 1 ? Buffer.from(escapeHtml(token())) : null;
  sendHtmlParts(res, page.parts.flatMap((part, i) => (i > 0 ? [filled!, part] : [part])));
}

/** A 200 HTML response of these bytes: corked, they leave in one write without being copied into one buffer first (for HEAD, Node sends the headers only). */
function sendHtmlParts(res: Response, parts: readonly Buffer[]): void {
  let length = 0;
  for (const part of parts) length += part.length;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', length);
  res.cork();
  for (const part of parts) res.write(part);
  res.end();
  res.uncork();
}

/**
 * Answers a guest's GET from the cache when the page is there; otherwise
 * marks the request (res.locals.guestPageKey) so the route can fill it.
 * `personalCookies` are the cookies that make a visitor more than a guest
 * (session, cart, flash): a request carrying any of them is never served
 * from here. Mount after the cookie parser and before the per-visitor
 * middleware.
 */
export function serveGuestPages(deps: {
  pages: GuestPageStore;
  personalCookies: string[];
  csrfToken(req: Request, res: Response): string;
}): RequestHandler {
  const isGuest = (req: Request) => !deps.personalCookies.some((name) => name in (req.cookies ?? {}) || name in (req.signedCookies ?? {}));
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.originalUrl.length > MAX_KEY_LENGTH || !isGuest(req)) return next();
    const page = deps.pages.peek(req.originalUrl);
    if (!page) {
      res.locals.guestPageKey = req.originalUrl;
      return next();
    }
    sendGuestPage(res, page, () => deps.csrfToken(req, res));
  };
}

/**
 * Pages for signed-in shoppers (src/http/shopper-pages.ts) are shared the
 * same way, one copy per URL and kind of shopper: the layout is rendered
 * once with slots where the shopper's own values go — the CSRF token, the
 * cart count and the unread count (its badge is the variant slot "unread",
 * shown when there are unread notifications) — and the body keeps its
 * variant slots. Kept cut at every slot, so a request only picks and writes
 * parts.
 */
const SHOPPER_MARK = `gg-shopper-slot-${crypto.randomBytes(12).toString('hex')}`;
export const SHOPPER_SLOT = { cartCount: `${SHOPPER_MARK}-cart`, unreadCount: `${SHOPPER_MARK}-unread` };
/** The variant slot key of the unread badge. */
export const UNREAD_BADGE = 'unread';

type ValueSlot = 'token' | 'cartCount' | 'unreadCount';
type Part = Buffer | ValueSlot | { key: string; first: Part[]; alt: Part[] };

export interface ShopperPage {
  parts: Part[];
}

/** One shopper's values for a ShopperPage. */
export interface ShopperValues {
  /** Asked for only when the page has a form. */
  token(): string;
  cartCount: number;
  unreadCount: number;
  /** Whether a variant slot (other than the unread badge) shows its alternative for this shopper. */
  chooses(key: string): boolean;
}

const VALUE_SLOTS = new RegExp(`(${TOKEN_SLOT}|${SHOPPER_SLOT.cartCount}|${SHOPPER_SLOT.unreadCount})`);
const SLOT_NAMES: Record<string, ValueSlot> = { [TOKEN_SLOT]: 'token', [SHOPPER_SLOT.cartCount]: 'cartCount', [SHOPPER_SLOT.unreadCount]: 'unreadCount' };

function valueParts(html: string): Part[] {
  return html
    .split(VALUE_SLOTS)
    .filter((s) => s !== '')
    .map((s) => SLOT_NAMES[s] ?? Buffer.from(s));
}

export function toShopperPage(html: string): ShopperPage {
  const parts: Part[] = [];
  let last = 0;
  for (const m of html.matchAll(VARIANT_SLOTS)) {
    parts.push(...valueParts(html.slice(last, m.index)));
    parts.push({ key: m[1]!, first: valueParts(m[2]!), alt: valueParts(m[3]!) });
    last = m.index + m[0].length;
  }
  parts.push(...valueParts(html.slice(last)));
  return { parts };
}

/** The page's bytes for this shopper, in order. */
export function shopperPageBuffers(page: ShopperPage, values: ShopperValues): Buffer[] {
  let token: Buffer | null = null;
  const counts = { cartCount: Buffer.from(String(values.cartCount)), unreadCount: Buffer.from(String(values.unreadCount)) };
  const out: Buffer[] = [];
  const walk = (parts: Part[]) => {
    for (const part of parts) {
      if (Buffer.isBuffer(part)) out.push(part);
      else if (part === 'token') out.push((token ??= Buffer.from(escapeHtml(values.token()))));
      else if (typeof part === 'string') out.push(counts[part]);
      else walk((part.key === UNREAD_BADGE ? values.unreadCount > 0 : values.chooses(part.key)) ? part.alt : part.first);
    }
  };
  walk(page.parts);
  return out;
}

/** Sends a ShopperPage filled with this shopper's values. */
export function sendShopperPage(res: Response, page: ShopperPage, values: ShopperValues): void {
  sendHtmlParts(res, shopperPageBuffers(page, values));
}
