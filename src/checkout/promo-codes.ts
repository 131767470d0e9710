import type { Db } from '../db';
import { inTransaction } from '../db';
import { isUniqueViolation } from '../db/errors';
import type { Clock } from '../lib/clock';
import { NotFoundError, ValidationError } from '../http/errors';
import { recordAudit, type StaffContext } from '../audit/repo';
import * as repo from './repo';

/** Staff create and edit promo codes; every change is audited. */
export class PromoCodeService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  list() {
    return repo.listPromosWithUsage(this.deps.db);
  }

  async get(id: number) {
    const promo = await repo.findPromoById(this.deps.db, id);
    if (!promo) throw new NotFoundError('We could not find that promo code.');
    return promo;
  }

  async create(fields: repo.PromoFields, by: StaffContext): Promise<number> {
    return this.save(null, fields, by);
  }

  async update(id: number, fields: repo.PromoFields, by: StaffContext): Promise<void> {
    await this.save(id, fields, by);
  }

  private async save(id: number | null, fields: repo.PromoFields, by: StaffContext): Promise<number> {
    if (fields.kind === 'percent' && (fields.value < 1 || fields.value > 100)) throw new ValidationError('A percentage is from 1 to 100.', { value: 'A percentage is from 1 to 100.' });
    if (fields.startsAt && fields.endsAt && fields.endsAt <= fields.startsAt) throw new ValidationError('The code must end after it starts.', { ends_at: 'Pick a day after the start.' });
    try {
      return await inTransaction(this.deps.db, async (trx) => {
        const now = this.deps.clock.now();
        const before = id === null ? null : await repo.findPromoById(trx, id, true);
        if (id !== null && !before) throw new NotFoundError('We could not find that promo code.');
        const saved = id === null ? await repo.insertPromo(trx, fields, now) : (await repo.updatePromo(trx, id, fields, now), id);
        await recordAudit(trx, by, { action: id === null ? 'promo.create' : 'promo.update', entity: 'promo_code', entityId: fields.code, before: before ?? undefined, after: fields }, now);
        return saved;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationError(`There is already a code ${fields.code}.`, { code: 'This code exists already.' });
      throw err;
    }
  }
}
