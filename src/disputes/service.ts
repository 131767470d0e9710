import { inTransaction, type Db, type Trx } from '../db';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { UploadedFile } from '../http/upload';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { Clock } from '../lib/clock';
import { toDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { formatMoney } from '../lib/money';
import { enqueueMail } from '../mail/service';
import { notify } from '../notifications/repo';
import * as orderRepo from '../orders/repo';
import type { PaymentService } from '../payments/service';
import { addCreditEntry } from '../payments/store-credit';
import * as rentalRepo from '../rentals/repo';
import { placeReplacementOrder } from '../orders/replacement';
import { checkPhotos, removePhotos, savePhotos } from './photos';
import * as repo from './repo';
import type { OpenDisputeInput, ResolveInput } from './schemas';
import { disputeMachine } from './transitions';

export interface DisputeDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  payments: PaymentService;
  uploadsDir: string;
  currency: string;
}

const NOT_FOUND = 'We could not find that claim.';
const CLOSED = 'This claim has been decided, so it takes no more messages. If something is still wrong, please open a new claim.';

/**
 * Customer claims on their orders and agreements, and the staff desk that
 * decides them. Every change is one transaction with its state_changes row,
 * the customer's e-mail (outbox) and in-app notification, and, for staff, the
 * audit_log row. Photos are checked before anything is written, stored
 * before the transaction and removed again if it fails.
 */
export class DisputeService {
  constructor(private readonly deps: DisputeDeps) {}

  /** Opens a claim on one of the customer's own orders or agreements; returns its id. */
  async open(userId: number, input: OpenDisputeInput, files: readonly UploadedFile[]): Promise<number> {
    const photos = await checkPhotos(files);
    const subject = await repo.ownSubject(this.deps.db, userId, input.subject.type, input.subject.number);
    if (!subject) throw new NotFoundError(`We could not find ${input.subject.type === 'order' ? 'order' : 'agreement'} ${input.subject.number} in your account.`);
    return this.withPhotos(photos, async (trx, ids) => {
      const now = this.deps.clock.now();
      const already = await repo.undecidedClaim(trx, userId, subject, input.kind);
      if (already) throw new ConflictError(`You already have an open claim (#${already}) of this kind on ${subject.number}: please add to it instead.`);
      const id = await repo.insertDispute(trx, {
        userId, orderId: subject.type === 'order' ? subject.id : null, rentalId: subject.type === 'rental' ? subject.id : null,
        kind: input.kind, status: 'open', providerRef: null, amountCents: null, description: input.message.slice(0, 500), now,
      });
      await disputeMachine.recordInitial(trx, id, 'open', { actor: `user:${userId}`, at: now, note: 'Opened by the customer' });
      await repo.insertMessage(trx, { disputeId: id, authorUserId: userId, fromStaff: false, body: input.message, photos: ids, now });
      await this.tellCustomer(trx, id, userId, 'dispute-opened', `We received your claim #${id} on ${subject.number}`, {});
      return id;
    });
  }

  /** The customer adds to their own undecided claim. */
  async customerMessage(userId: number, disputeId: number, message: string, files: readonly UploadedFile[]): Promise<void> {
    const photos = await checkPhotos(files);
    await this.withPhotos(photos, async (trx, ids) => {
      const d = await repo.lockedDispute(trx, disputeId, { userId });
      if (!d || d.kind === 'chargeback') throw new NotFoundError(NOT_FOUND);
      if (!repo.UNDECIDED.includes(d.status)) throw new ConflictError(CLOSED);
      const now = this.deps.clock.now();
      await repo.insertMessage(trx, { disputeId, authorUserId: userId, fromStaff: false, body: message, photos: ids, now });
      await repo.touch(trx, disputeId, now);
    });
  }

  /** Staff answer in the thread; an open claim is then under review. The customer is e-mailed and notified. */
  async staffReply(disputeId: number, message: string, by: StaffContext): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const d = await this.lockedForStaff(trx, disputeId);
      if (d.kind === 'chargeback' || d.userId === null) throw new ConflictError('A card chargeback is argued with the card issuer through Stripe, not in a thread with the customer.');
      if (!repo.UNDECIDED.includes(d.status)) throw new ConflictError(CLOSED);
      const now = this.deps.clock.now();
      await repo.insertMessage(trx, { disputeId, authorUserId: by.actor.userId, fromStaff: true, body: message, photos: [], now });
      if (d.status === 'open') await disputeMachine.transition(trx, disputeId, 'under_review', { actor: by.actor.label, at: now, note: 'Staff replied' });
      else await repo.touch(trx, disputeId, now);
      await this.tellCustomer(trx, disputeId, d.userId, 'dispute-replied', `New reply on your claim #${disputeId}`, { reply: message });
      await recordAudit(trx, by, { action: 'dispute.reply', entity: 'dispute', entityId: disputeId, before: { status: d.status }, after: { status: d.status === 'open' ? 'under_review' : d.status, message } }, now);
    });
  }

  /** Gives the claim to a staff member (or to nobody); an open claim someone takes is under review. */
  async assign(disputeId: number, staffId: number | null, by: StaffContext): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const d = await this.lockedForStaff(trx, disputeId);
      if (staffId !== null && !(await repo.isStaff(trx, staffId))) throw new ValidationError('Choose a member of staff.', { assignee: 'Choose a member of staff.' });
      const now = this.deps.clock.now();
      await repo.setAssignee(trx, disputeId, staffId, now);
      if (staffId !== null && d.status === 'open') {
        await disputeMachine.transition(trx, disputeId, 'under_review', { actor: by.actor.label, at: now, note: `Assigned to user:${staffId}` });
        // In the app only: the customer is e-mailed when staff write or decide, not when a claim changes hands.
        if (d.userId !== null && d.kind !== 'chargeback') await notify(trx, { userId: d.userId, kind: 'dispute', title: `Your claim #${disputeId} is under review`, url: `/account/disputes/${disputeId}` }, now);
      }
      await recordAudit(trx, by, { action: 'dispute.assign', entity: 'dispute', entityId: disputeId, before: { assignedTo: d.assignedTo }, after: { assignedTo: staffId } }, now);
    });
  }

  /**
   * Decides a customer's claim: a refund of the order's or agreement's
   * payments (each to where it came from), store credit, a replacement, or a rejection with the
   * reason. Card refunds go to Stripe right after commit (a job retries).
   */
  async resolve(disputeId: number, input: ResolveInput, by: StaffContext): Promise<void> {
    const cardRefunds = await inTransaction(this.deps.db, async (trx) => {
      const d = await this.lockedForStaff(trx, disputeId);
      if (d.kind === 'chargeback' || d.userId === null) throw new ConflictError('A card chargeback is decided by the card issuer; Stripe tells the store the outcome.');
      if (!repo.UNDECIDED.includes(d.status)) throw new ConflictError('This claim has already been decided.');
      const now = this.deps.clock.now();
      const money = (c: number) => formatMoney(c, this.deps.currency);
      const reason = `Claim #${disputeId}`;
      let pending: number[] = [];
      let given: number | null = null;
      let replacement: orderRepo.Order | null = null;
      if (input.outcome === 'refund') {
        const order = d.orderId === null ? null : await orderRepo.findOrderById(trx, d.orderId, true);
        const rental = !order && d.rentalId !== null ? await rentalRepo.findRental(trx, d.rentalId, { lock: true }) : null;
        if (!order && !rental) throw new ValidationError('This claim names no order or agreement to refund: give store credit instead.', { outcome: 'Choose store credit.' });
        const what = order ? `order ${order.number}` : `agreement ${rental!.number}`;
        const refundable = order ? await this.deps.payments.refundableCents(trx, order.id) : await this.deps.payments.rentalRefundableCents(trx, rental!.id);
        if (refundable === 0) throw new ValidationError(`Nothing is left to refund on ${what}.`, { amount: 'Nothing is left to refund: choose store credit or a replacement.' });
        if (input.amount! > refundable) throw new ValidationError(`At most ${money(refundable)} can still be refunded on ${what}.`, { amount: `Enter at most ${money(refundable)}.` });
        pending = order
          ? await this.deps.payments.refundAmount(trx, order, input.amount!, { refundTo: 'original', reason, actorUserId: by.actor.userId })
          : await this.deps.payments.refundRentalAmount(trx, rental!, input.amount!, { reason, actorUserId: by.actor.userId });
        given = input.amount!;
      } else if (input.outcome === 'replacement' && d.orderId !== null) {
        const original = (await orderRepo.findOrderById(trx, d.orderId, true))!;
        replacement = await placeReplacementOrder(trx, original, { actor: by.actor, note: `Replacement for claim #${disputeId} (order ${original.number})`, now, payments: this.deps.payments });
      } else if (input.outcome === 'credit') {
        await addCreditEntry(trx, { userId: d.userId, amountCents: input.amount!, kind: 'goodwill', reason: `${reason}: ${input.note}`.slice(0, 500), orderId: d.orderId, rentalId: d.rentalId, actorUserId: by.actor.userId, now });
        given = input.amount!;
      }
      const to = input.outcome === 'rejected' ? 'rejected' : 'resolved';
      await disputeMachine.transition(trx, disputeId, to, {
        actor: by.actor.label, at: now, note: `Outcome: ${input.outcome}`,
        set: { outcome: input.outcome, resolution: replacement ? `${input.note}\nReplacement order ${replacement.number}.` : input.note, resolved_by: by.actor.userId, resolved_at: toDbTime(now), ...(given !== null ? { amount_cents: given } : {}) },
      });
      await this.tellCustomer(trx, disputeId, d.userId, 'dispute-resolved', to === 'rejected' ? `Your claim #${disputeId} was not accepted` : `Your claim #${disputeId} is resolved`, {
        outcome: input.outcome, note: replacement ? `${input.note} Your replacement is order ${replacement.number}; we e-mail you when it ships.` : input.note, amountCents: given,
      });
      await recordAudit(trx, by, { action: 'dispute.resolve', entity: 'dispute', entityId: disputeId, before: { status: d.status }, after: { status: to, outcome: input.outcome, amountCents: given, note: input.note, replacementOrder: replacement?.number ?? null } }, now);
      return pending;
    });
    for (const id of cardRefunds) {
      await this.deps.payments.processRefund(id).catch((err: unknown) => this.deps.logger.warn({ err, refund: id }, 'refund not sent yet; the job will retry'));
    }
  }

  private async lockedForStaff(trx: Trx, id: number) {
    const d = await repo.lockedDispute(trx, id);
    if (!d) throw new NotFoundError(NOT_FOUND);
    return d;
  }

  /** The e-mail and the in-app notification for the customer, in the change's transaction. */
  private async tellCustomer(trx: Trx, disputeId: number, userId: number, template: string, title: string, data: Record<string, unknown>): Promise<void> {
    const who = await repo.customerContact(trx, userId);
    if (!who) return;
    const d = (await repo.findDispute(trx, disputeId))!;
    const path = `/account/disputes/${disputeId}`;
    await enqueueMail(trx, {
      to: who.email,
      template,
      data: {
        firstName: who.firstName, disputeId, path, about: d.orderNumber ? `order ${d.orderNumber}` : d.rentalNumber ? `agreement ${d.rentalNumber}` : 'your account',
        kindLabel: repo.DISPUTE_KIND_LABELS[d.kind], ...data,
      },
    }, { clock: this.deps.clock });
    await notify(trx, { userId, kind: 'dispute', title, url: path }, this.deps.clock.now());
  }

  /** Stores the checked photos, runs the change, and removes the photos again if it fails. */
  private async withPhotos<T>(photos: Awaited<ReturnType<typeof checkPhotos>>, change: (trx: Trx, ids: string[]) => Promise<T>): Promise<T> {
    const ids = await savePhotos(this.deps.uploadsDir, photos);
    try {
      return await inTransaction(this.deps.db, (trx) => change(trx, ids));
    } catch (err) {
      await removePhotos(this.deps.uploadsDir, ids, this.deps.logger);
      throw err;
    }
  }
}
