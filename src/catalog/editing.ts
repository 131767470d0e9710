import { inTransaction, type Db, type Trx } from '../db';
import { isUniqueViolation } from '../db/errors';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { toDbTime, type Clock } from '../lib/clock';
import { recordAudits, type AuditEntry, type StaffContext } from '../audit/repo';
import type { CatalogEvents } from './changes';
import { monthlyPrices, productRuleErrors, type ProductFields } from './product-input';
import { toProductRow, type ProductRow } from './product-row';
import * as repo from './repo';
import { recordPriceChange } from '../wishlist/alerts';

const NOT_FOUND = 'We could not find that product.';

/** What one save did, for the import's counts. */
export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Staff create, edit and archive products (the admin form and the CSV
 * import). Every save checks the same rules (productRuleErrors, the
 * category), writes the derived columns through toProductRow, bumps the
 * product's version, writes an audit_log row with before and after (and a
 * price drop's wishlist alert), and tells the catalog once committed.
 */
export class ProductEditor {
  constructor(private readonly deps: { db: Db; clock: Clock; catalog: CatalogEvents }) {}

  async get(id: number): Promise<repo.EditableProduct> {
    const found = await repo.productForEditing(this.deps.db, { id });
    if (!found) throw new NotFoundError(NOT_FOUND);
    return found;
  }

  async create(fields: ProductFields, by: StaffContext): Promise<number> {
    const categories = await repo.categoryIdsBySlug(this.deps.db);
    const id = await this.saving(fields, () =>
      inTransaction(this.deps.db, async (trx) => {
        const [saved] = await this.saveAll(trx, [{ fields, existing: null }], by, new Set(categories.values()));
        return saved!.id;
      }),
    );
    await this.deps.catalog.changed({ what: 'product', productIds: [id] });
    return id;
  }

  /**
   * Saves the form opened at `version`. A save by someone else since then is
   * refused with who and when, and nothing is written: the form keeps what
   * this person typed, and reopening the product shows the other changes.
   */
  async update(id: number, version: number, fields: ProductFields, by: StaffContext): Promise<void> {
    const categories = await repo.categoryIdsBySlug(this.deps.db);
    await this.saving(fields, () =>
      inTransaction(this.deps.db, async (trx) => {
        const existing = await repo.productForEditing(trx, { id });
        if (!existing) throw new NotFoundError(NOT_FOUND);
        if (existing.version !== version) {
          const last = await repo.lastProductSave(trx, id);
          const who = last ? ` (${last.email ?? 'a former staff member'}, ${last.at.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
          throw new ConflictError(`Someone else saved this product after you opened it${who}. Your changes are not saved: open the product again to see theirs, then make yours.`);
        }
        await this.saveAll(trx, [{ fields, existing }], by, new Set(categories.values()));
      }),
    );
    await this.deps.catalog.changed({ what: 'product', productIds: [id] });
  }

  /** Takes a product off the shop (its page, listings and search); orders and units keep it. */
  async archive(id: number, by: StaffContext): Promise<void> {
    const categories = await repo.categoryIdsBySlug(this.deps.db);
    await inTransaction(this.deps.db, async (trx) => {
      const existing = await repo.productForEditing(trx, { id });
      if (!existing) throw new NotFoundError(NOT_FOUND);
      await this.saveAll(trx, [{ fields: { ...existing.fields, status: 'archived' }, existing }], by, new Set(categories.values()), 'product.archive');
    });
    await this.deps.catalog.changed({ what: 'product', productIds: [id] });
  }

  /**
   * Writes products inside the caller's transaction: each is checked, then
   * inserted or updated (version bumped), with one audit row each. Throws a
   * ValidationError on the first product that breaks a rule. The caller tells
   * the catalog after committing.
   */
  async saveAll(
    trx: Trx,
    items: ReadonlyArray<{ fields: ProductFields; existing: repo.EditableProduct | null }>,
    by: StaffContext,
    categoryIds: ReadonlySet<number>,
    action?: string,
    onSaved?: (done: number) => void,
  ): Promise<Array<{ id: number; outcome: SaveOutcome }>> {
    const now = this.deps.clock.now();
    const at = toDbTime(now);
    const saved: Array<{ id: number; outcome: SaveOutcome }> = [];
    const audit: AuditEntry[] = [];
    for (const { fields, existing } of items) {
      checkProduct(fields, categoryIds);
      const row = toProductRow({ ...fields, rent: rentOf(fields), images: existing?.images ?? [] }, fields.categoryId, at);
      let id: number;
      let outcome: SaveOutcome;
      if (!existing) {
        id = await repo.insertProduct(trx, row);
        outcome = 'created';
      } else {
        id = existing.id;
        outcome = sameFields(existing.fields, fields) ? 'unchanged' : 'updated';
        if (outcome === 'updated') {
          await repo.updateProduct(trx, id, null, editableColumns(row));
          // A lower price of a product on sale reaches the customers who wish for it (wishlist/alerts.ts).
          if (fields.status === 'active') await recordPriceChange(trx, { productId: id, fromCents: existing.fields.priceCents, toCents: fields.priceCents, version: existing.version + 1 }, now);
        }
      }
      saved.push({ id, outcome });
      if (outcome !== 'unchanged') {
        audit.push({
          action: action ?? (existing ? 'product.update' : 'product.create'),
          entity: 'product',
          entityId: id,
          before: existing ? existing.fields : undefined,
          after: fields,
        });
      }
      onSaved?.(saved.length);
    }
    await recordAudits(trx, by, audit, now);
    return saved;
  }

  /** Runs a save, turning a taken slug into a message on the slug field. */
  private async saving<T>(fields: ProductFields, save: () => Promise<T>): Promise<T> {
    try {
      return await save();
    } catch (err) {
      if (isUniqueViolation(err)) throw takenSlug(fields.slug);
      throw err;
    }
  }
}

export function takenSlug(slug: string): ValidationError {
  return new ValidationError(`Another product already has the address name ${slug}.`, { slug: `Another product uses ${slug}; choose another.` });
}

/** The rules of productRuleErrors plus a category that exists. */
function checkProduct(fields: ProductFields, categoryIds: ReadonlySet<number>): void {
  const errors = productRuleErrors(fields);
  if (!categoryIds.has(fields.categoryId)) errors.category = 'Choose a category from the list.';
  const messages = Object.values(errors);
  if (messages.length) throw new ValidationError(messages.length === 1 ? messages[0]! : 'Check the fields marked below.', errors);
}

function rentOf(fields: ProductFields) {
  const monthly = monthlyPrices(fields);
  return { rent3: monthly[3], rent6: monthly[6], rent12: monthly[12] };
}

/** The columns a save may change: not the images (their own page), nor when the product was created. */
function editableColumns(row: ProductRow): Partial<ProductRow> {
  const { images: _images, created_at: _created, ...columns } = row;
  return columns;
}

function sameFields(a: ProductFields, b: ProductFields): boolean {
  const norm = (f: ProductFields) => JSON.stringify({ ...f, rentCents: monthlyPrices(f) });
  return norm(a) === norm(b);
}
