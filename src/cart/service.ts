import type { Grade } from '../catalog/grades';
import crypto from 'node:crypto';
import type { Conn, Db } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { checkPromo, describePromo, normalizeCode, type PromoCode } from '../checkout/promo';
import { computeTotals } from '../checkout/totals';
import * as checkoutRepo from '../checkout/repo';
import * as repo from './repo';

/** Whose cart: a signed-in user's, or a guest's by cookie token. */
export interface CartOwner {
  userId: number | null;
  token: string | null;
}

export interface CartLine {
  id: number;
  productId: number;
  name: string;
  slug: string;
  image: string | null;
  conditionGrade: Grade;
  quantity: number;
  unitPriceCents: number;
  addedPriceCents: number;
  priceChanged: boolean;
  available: number;
  /** Sold out, withdrawn, or fewer units left than the line asks for. */
  problem: string | null;
  lineTotalCents: number;
}

export interface CartView {
  id: number | null;
  lines: CartLine[];
  count: number;
  subtotalCents: number;
  discountCents: number;
  promo: { code: string; description: string } | null;
  promoProblem: string | null;
  /** Every line can be bought as it stands. */
  ready: boolean;
}

export const MAX_LINE_QUANTITY = 99;

export interface CartDeps {
  db: Db;
  clock: Clock;
  formatMoney: (cents: number) => string;
}

/** Result of a change: the (possibly new) guest token to store in the cookie, and what to tell the shopper. */
export interface CartChange {
  token: string | null;
  message: string;
  kind: 'success' | 'info';
}

export class CartService {
  constructor(private readonly deps: CartDeps) {}

  private get db(): Db {
    return this.deps.db;
  }

  async find(owner: CartOwner, conn: Conn = this.db): Promise<repo.CartRow | null> {
    if (owner.userId !== null) return repo.findUserCart(conn, owner.userId);
    if (owner.token) return repo.findGuestCart(conn, owner.token);
    return null;
  }

  private async findOrCreate(owner: CartOwner, conn: Conn): Promise<repo.CartRow> {
    const found = await this.find(owner, conn);
    if (found) return found;
    return repo.createCart(conn, { token: newToken(), userId: owner.userId, now: this.deps.clock.now() });
  }

  /** Items in the cart (sum of quantities), for the header badge. */
  async count(owner: CartOwner): Promise<number> {
    if (owner.userId !== null) return repo.itemCount(this.db, { userId: owner.userId });
    if (owner.token) return repo.itemCount(this.db, { token: owner.token });
    return 0;
  }

  async view(owner: CartOwner, conn: Conn = this.db): Promise<CartView> {
    const cart = await this.find(owner, conn);
    if (!cart) return emptyView();
    const rows = await repo.cartLines(conn, cart.id);
    const lines = rows.map(toLine);
    const subtotalCents = lines.reduce((a, l) => a + l.lineTotalCents, 0);
    let promo: CartView['promo'] = null;
    let promoProblem: string | null = null;
    let discountCents = 0;
    if (cart.promoCodeId !== null) {
      const p = await checkoutRepo.findPromoById(conn, cart.promoCodeId);
      if (p) {
        promo = { code: p.code, description: p.description ?? describePromo(p, this.deps.formatMoney) };
        const check = await this.checkPromoFor(conn, p, subtotalCents, owner.userId, null);
        if (check.ok) {
          discountCents = computeTotals({ lines: lines.map((l) => ({ unitPriceCents: l.unitPriceCents, quantity: l.quantity })), discount: check.discount, shipping: { priceCents: 0 }, taxBps: 0 }).discountCents;
        } else {
          promoProblem = check.message;
        }
      }
    }
    return {
      id: cart.id,
      lines,
      count: lines.reduce((a, l) => a + l.quantity, 0),
      subtotalCents,
      discountCents,
      promo,
      promoProblem,
      ready: lines.length > 0 && lines.every((l) => l.problem === null),
    };
  }

  async checkPromoFor(conn: Conn, promo: PromoCode, subtotalCents: number, userId: number | null, email: string | null) {
    const usage = await checkoutRepo.promoUsage(conn, promo.id, { userId, email });
    return checkPromo(promo, { subtotalCents, now: this.deps.clock.now(), timesUsed: usage.total, timesUsedByCustomer: usage.byCustomer }, this.deps.formatMoney);
  }

  /** Adds units of a product; the line's quantity is capped by the units in stock. */
  async addItem(owner: CartOwner, productId: number, quantity: number): Promise<CartChange> {
    return inTransaction(this.db, async (trx) => {
      const product = await repo.productForCart(trx, productId);
      if (!product || !product.active) throw new NotFoundError('That product is not available.');
      if (product.available === 0) throw new ConflictError(`Sorry, ${product.name} is sold out.`);
      const cart = await this.findOrCreate(owner, trx);
      const existing = await repo.lineForProduct(trx, cart.id, productId);
      const wanted = Math.min((existing?.quantity ?? 0) + quantity, MAX_LINE_QUANTITY);
      const capped = Math.min(wanted, product.available);
      await repo.putLine(trx, { cartId: cart.id, productId, quantity: capped, priceCents: product.priceCents, now: this.deps.clock.now() });
      const token = cart.userId === null ? cart.token : null;
      if (capped < wanted) {
        return { token, kind: 'info', message: `Only ${capped} ${product.name} ${capped === 1 ? 'is' : 'are'} available, so your cart has ${capped}.` };
      }
      return { token, kind: 'success', message: `Added ${product.name} to your cart.` };
    });
  }

  async updateItem(owner: CartOwner, itemId: number, quantity: number): Promise<CartChange> {
    return inTransaction(this.db, async (trx) => {
      const cart = await this.find(owner, trx);
      const line = cart ? await repo.cartLine(trx, cart.id, itemId) : null;
      if (!cart || !line) throw new NotFoundError('That item is no longer in your cart.');
      const product = await repo.productForCart(trx, line.productId);
      const available = product?.active ? product.available : 0;
      if (available === 0) throw new ConflictError(`Sorry, ${product?.name ?? 'that product'} is sold out. Remove it to continue.`);
      const capped = Math.min(quantity, available);
      await repo.setLineQuantity(trx, line.id, capped, this.deps.clock.now());
      if (capped < quantity) {
        return { token: null, kind: 'info', message: `Only ${capped} ${product!.name} ${capped === 1 ? 'is' : 'are'} available, so your cart has ${capped}.` };
      }
      return { token: null, kind: 'success', message: 'Your cart was updated.' };
    });
  }

  async removeItem(owner: CartOwner, itemId: number): Promise<CartChange> {
    const cart = await this.find(owner);
    const removed = cart ? await repo.deleteLine(this.db, cart.id, itemId) : 0;
    if (!removed) throw new NotFoundError('That item is no longer in your cart.');
    return { token: null, kind: 'success', message: 'The item was removed from your cart.' };
  }

  async applyPromo(owner: CartOwner, rawCode: string): Promise<CartChange> {
    const code = normalizeCode(rawCode);
    return inTransaction(this.db, async (trx) => {
      const cart = await this.find(owner, trx);
      const lines = cart ? await repo.cartLines(trx, cart.id) : [];
      if (!cart || lines.length === 0) throw new ValidationError('Add something to your cart before entering a code.', { code: 'Add something to your cart before entering a code.' });
      const promo = await checkoutRepo.findPromoByCode(trx, code);
      if (!promo) throw new ValidationError(`We don't recognise the code ${code}.`, { code: `We don't recognise the code ${code}.` });
      const subtotal = lines.reduce((a, l) => a + l.priceCents * l.quantity, 0);
      const check = await this.checkPromoFor(trx, promo, subtotal, owner.userId, null);
      if (!check.ok) throw new ValidationError(check.message, { code: check.message });
      await repo.setCartPromo(trx, cart.id, promo.id, this.deps.clock.now());
      return { token: null, kind: 'success', message: `Code ${promo.code} applied: ${promo.description ?? describePromo(promo, this.deps.formatMoney)}.` };
    });
  }

  async removePromo(owner: CartOwner): Promise<CartChange> {
    const cart = await this.find(owner);
    if (cart) await repo.setCartPromo(this.db, cart.id, null, this.deps.clock.now());
    return { token: null, kind: 'success', message: 'The code was removed.' };
  }

  /** The shopper has been shown the new prices (checkout refused because they changed). */
  async acceptCurrentPrices(cartId: number): Promise<void> {
    await repo.refreshSnapshots(this.db, cartId, this.deps.clock.now());
  }

  /**
   * At login: the guest cart joins the user's cart. Quantities of the same
   * product are summed and capped by stock; the guest's code is kept when the
   * user's cart has none. Returns true when a guest cart was merged.
   */
  async mergeGuestCart(guestToken: string, userId: number, conn?: Conn): Promise<boolean> {
    return inTransaction(conn ?? this.db, async (trx) => {
      const guest = await repo.findGuestCart(trx, guestToken);
      if (!guest) return false;
      const now = this.deps.clock.now();
      const mine = await repo.findUserCart(trx, userId);
      if (!mine) {
        await repo.setCartUser(trx, guest.id, userId, now);
        return true;
      }
      const guestLines = await repo.cartLines(trx, guest.id);
      for (const g of guestLines) {
        const existing = await repo.lineForProduct(trx, mine.id, g.productId);
        if (!g.active || g.available === 0) continue;
        const wanted = Math.min((existing?.quantity ?? 0) + g.quantity, MAX_LINE_QUANTITY);
        const quantity = Math.min(wanted, g.available);
        await repo.putLine(trx, { cartId: mine.id, productId: g.productId, quantity, priceCents: g.addedPriceCents, now });
      }
      if (mine.promoCodeId === null && guest.promoCodeId !== null) await repo.setCartPromo(trx, mine.id, guest.promoCodeId, now);
      await repo.deleteCart(trx, guest.id);
      return true;
    });
  }
}

function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

function emptyView(): CartView {
  return { id: null, lines: [], count: 0, subtotalCents: 0, discountCents: 0, promo: null, promoProblem: null, ready: false };
}

function toLine(r: repo.CartLineRow): CartLine {
  let problem: string | null = null;
  if (!r.active) problem = `${r.name} is no longer sold. Please remove it.`;
  else if (r.available === 0) problem = `${r.name} is sold out. Please remove it.`;
  else if (r.quantity > r.available) problem = `Only ${r.available} left. Please lower the quantity to ${r.available}.`;
  const priceChanged = r.addedPriceCents !== r.priceCents;
  return {
    id: r.id,
    productId: r.productId,
    name: r.name,
    slug: r.slug,
    image: r.image,
    conditionGrade: r.conditionGrade,
    quantity: r.quantity,
    unitPriceCents: r.priceCents,
    addedPriceCents: r.addedPriceCents,
    priceChanged,
    available: r.available,
    problem,
    lineTotalCents: r.priceCents * r.quantity,
  };
}
