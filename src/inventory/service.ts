import type { Db } from '../db';
import { inTransaction } from '../db';
import { isUniqueViolation } from '../db/errors';
import type { Clock } from '../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { CatalogEvents } from '../catalog/changes';
import type { Grade } from '../catalog/grades';
import { moveUnits, receiveUnits, type MovementReason } from './operations';
import { UNIT_TRANSITIONS, type UnitStatus } from './lifecycle';
import * as repo from './repo';
import type { SettingsService } from '../settings/service';
import type { JobRegistry } from '../jobs/registry';
import { enqueueMail } from '../mail/service';

/**
 * Moves staff make by hand. Units held by an order or a rental move only
 * through that order or rental (checkout, shipping, returns), so staff get
 * the workshop and write-off moves, and putting checked units back in stock.
 */
export const STAFF_MOVES: Partial<Record<UnitStatus, UnitStatus[]>> = {
  in_stock: ['refurbishing', 'retired'],
  returned: ['in_stock', 'refurbishing', 'retired'],
  refurbishing: ['in_stock', 'retired'],
};

const REASON_FOR: Record<UnitStatus, MovementReason> = {
  in_stock: 'restocked', refurbishing: 'refurbishing', retired: 'retired', returned: 'returned', reserved: 'reserved', sold: 'sold', rented: 'rented',
};

export const LOW_STOCK_JOB = 'inventory.low-stock';

/** Staff's inventory work: receiving serials and moving units, each audited, the catalog told after commit; low-stock alerts. */
export class InventoryService {
  constructor(private readonly deps: { db: Db; clock: Clock; catalog: CatalogEvents; settings: SettingsService }) {}

  /** Checks stock against the thresholds every few minutes (a recurring job; any worker may run it). */
  registerJobs(registry: JobRegistry): void {
    registry.register(LOW_STOCK_JOB, async () => {
      await this.sendLowStockAlerts();
    });
    registry.every(LOW_STOCK_JOB, 5 * 60_000);
  }

  /** Staff set (or clear, with null) the stock level at which they want an e-mail. */
  async setLowStockThreshold(productId: number, threshold: number | null, by: StaffContext): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      await repo.setLowStockThreshold(trx, productId, threshold);
      await recordAudit(trx, by, { action: 'inventory.low_stock_threshold', entity: 'product', entityId: productId, after: { threshold } }, this.deps.clock.now());
    });
  }

  /**
   * E-mails the store once for each product whose stock fell to its
   * threshold, and watches again the ones restocked above it. Returns how
   * many alerts were queued.
   */
  async sendLowStockAlerts(): Promise<number> {
    await repo.rearmAlerts(this.deps.db);
    const due = await repo.productsToAlert(this.deps.db);
    if (!due.length) return 0;
    const store = await this.deps.settings.get('store');
    let sent = 0;
    for (const alert of due) {
      await inTransaction(this.deps.db, async (trx) => {
        // Another worker may have sent it meanwhile: only the one that marks it sends.
        if (!(await repo.markAlerted(trx, alert.productId, this.deps.clock.now()))) return;
        await enqueueMail(trx, { to: store.email, template: 'low-stock', data: { ...alert, unitsPath: `/admin/products/${alert.productId}/units` } }, { clock: this.deps.clock });
        sent++;
      });
    }
    return sent;
  }

  units(productId: number) {
    return repo.productUnits(this.deps.db, productId);
  }

  unitCounts(productIds: readonly number[]) {
    return repo.unitCounts(this.deps.db, productIds);
  }

  /** New serials of one product arrive in stock; a serial already on record refuses the whole delivery. */
  async receive(productId: number, input: { serials: string[]; grade: Grade; costCents: number | null; notes: string | null }, by: StaffContext): Promise<number> {
    const serials = [...new Set(input.serials)];
    if (serials.length !== input.serials.length) throw new ValidationError('A serial number is listed twice.', { serials: 'Each serial number once, please.' });
    try {
      await inTransaction(this.deps.db, async (trx) => {
        const known = await repo.unitsBySerial(trx, serials);
        if (known.length) throw new ValidationError(`Already on record: ${known.map((u) => u.serialNumber).join(', ')}.`, { serials: `Already on record: ${known.map((u) => u.serialNumber).join(', ')}.` });
        const now = this.deps.clock.now();
        await receiveUnits(trx, serials.map((serialNumber) => ({ productId, serialNumber, grade: input.grade, costCents: input.costCents, notes: input.notes })), { actor: by.actor, now, note: input.notes });
        await recordAudit(trx, by, { action: 'inventory.receive', entity: 'product', entityId: productId, after: { serials, grade: input.grade, costCents: input.costCents } }, now);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationError('A serial number was added at the same moment by someone else.', { serials: 'Already on record.' });
      throw err;
    }
    await this.deps.catalog.changed({ what: 'stock', productIds: [productId] });
    return serials.length;
  }

  /** A unit moves along the lifecycle by hand, with the reason on its movement. */
  async move(productId: number, unitId: number, to: UnitStatus, reason: string, by: StaffContext): Promise<void> {
    const changed = await inTransaction(this.deps.db, async (trx) => {
      const [unit] = await repo.unitsByIds(trx, [unitId]);
      if (!unit || unit.productId !== productId) throw new NotFoundError('We could not find that unit.');
      if (!UNIT_TRANSITIONS[unit.status].includes(to)) throw new ConflictError(`A unit that is ${unit.status.replace(/_/g, ' ')} cannot become ${to.replace(/_/g, ' ')}.`);
      if (!(STAFF_MOVES[unit.status] ?? []).includes(to)) throw new ConflictError(`A ${unit.status.replace(/_/g, ' ')} unit moves with its order or rental, not by hand.`);
      const now = this.deps.clock.now();
      const products = await moveUnits(trx, [unit], to, { reason: REASON_FOR[to], actor: by.actor, now, note: reason });
      await recordAudit(trx, by, { action: 'inventory.move', entity: 'inventory_unit', entityId: unitId, before: { status: unit.status }, after: { status: to, reason } }, now);
      return products;
    });
    if (changed.length) await this.deps.catalog.changed({ what: 'stock', productIds: changed });
  }
}
