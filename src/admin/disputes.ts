import type { Router } from 'express';
import type { AppContext } from '../app';
import { stateHistory } from '../db/state-machine';
import * as repo from '../disputes/repo';
import { sendPhoto } from '../disputes/routes';
import { AssignInput, DisputeParams, MessageInput, MESSAGE_MAX, PhotoParams, QueueQuery, ResolveInput } from '../disputes/schemas';
import { NotFoundError } from '../http/errors';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { queryString, staffContext } from './context';

const PER_PAGE = 50;
const NOT_FOUND = 'We could not find that dispute.';

const OUTCOME_LABELS: Record<string, string> = {
  refund: 'Refund', credit: 'Store credit', replacement: 'Replacement', rejected: 'Rejected',
  chargeback_won: 'Chargeback won', chargeback_lost: 'Chargeback lost',
};

const QUEUE_TABS: Array<[string, string]> = [
  ['active', 'Undecided'], ['mine', 'Assigned to me'], ['unassigned', 'Unassigned'], ['chargebacks', 'Chargebacks'], ['closed', 'Decided'], ['all', 'All'],
];

/**
 * /admin/disputes: one queue for customers' claims and Stripe chargebacks
 * (oldest undecided first), and each dispute's page: assign, reply in the
 * thread, decide (refund, store credit, replacement, or reject with the
 * reason). Chargebacks are decided by the card issuer; Stripe's webhooks
 * record the outcome.
 */
export function disputeAdminRoutes(router: Router, ctx: AppContext): void {
  const { db, disputes } = ctx;

  const queue = validate({ query: QueueQuery });
  router.get('/disputes', queue, async (req, res) => {
    const q = queue.query(req);
    const found = await repo.disputeQueue(db, { show: q.show, staffId: staffContext(req).actor.userId! }, q.page, PER_PAGE);
    res.render('admin/disputes', {
      title: 'Disputes', noindex: true, ...found, page: q.page, pages: Math.max(1, Math.ceil(found.total / PER_PAGE)), show: q.show, tabs: QUEUE_TABS,
      query: queryString({ show: q.show }), kindLabels: repo.DISPUTE_KIND_LABELS, statusLabels: repo.DISPUTE_STATUS_LABELS, now: ctx.clock.now(),
    });
  });

  const page = formPage({
    view: 'admin/dispute',
    keep: ['message', 'outcome', 'amount', 'note', 'assignee'],
    showRefusals: true,
    locals: async (req, _res, values) => {
      const { id } = DisputeParams.parse(req.params);
      const dispute = await repo.findDispute(db, id);
      if (!dispute) throw new NotFoundError(NOT_FOUND);
      const [messages, history, staff, refundableCents] = await Promise.all([
        repo.disputeMessages(db, id),
        stateHistory(db, 'dispute', id),
        repo.staffMembers(db),
        dispute.orderId !== null ? ctx.payments.refundableCents(db, dispute.orderId) : dispute.rentalId !== null ? ctx.payments.rentalRefundableCents(db, dispute.rentalId) : Promise.resolve(0),
      ]);
      return {
        title: `Dispute #${id}`, noindex: true, dispute, messages, history, staff, refundableCents,
        undecided: repo.UNDECIDED.includes(dispute.status), chargeback: dispute.kind === 'chargeback',
        kindLabels: repo.DISPUTE_KIND_LABELS, statusLabels: repo.DISPUTE_STATUS_LABELS, outcomeLabels: OUTCOME_LABELS, messageMax: MESSAGE_MAX,
        me: staffContext(req).actor.userId,
        values: { assignee: dispute.assignedTo === null ? '' : String(dispute.assignedTo), ...values },
      };
    },
  });
  const shown = validate({ params: DisputeParams }, { notFound: NOT_FOUND });
  router.get('/disputes/:id', shown, (req, res) => page.render(req, res));

  const assign = validate({ params: DisputeParams, body: AssignInput }, { form: page, notFound: NOT_FOUND });
  router.post('/disputes/:id/assign', assign, page.submit(async (req, res) => {
    const { id } = assign.params(req);
    const { assignee } = assign.body(req);
    await disputes.assign(id, assignee, staffContext(req));
    setFlash(res, 'success', assignee === null ? `Dispute #${id} is unassigned.` : `Dispute #${id} is assigned.`);
    res.redirect(303, `/admin/disputes/${id}`);
  }));

  const reply = validate({ params: DisputeParams, body: MessageInput }, { form: page, notFound: NOT_FOUND });
  router.post('/disputes/:id/messages', reply, page.submit(async (req, res) => {
    const { id } = reply.params(req);
    await disputes.staffReply(id, reply.body(req).message, staffContext(req));
    setFlash(res, 'success', 'Reply sent; the customer has been e-mailed.');
    res.redirect(303, `/admin/disputes/${id}#latest`);
  }));

  const resolve = validate({ params: DisputeParams, body: ResolveInput }, { form: page, notFound: NOT_FOUND });
  router.post('/disputes/:id/resolve', resolve, page.submit(async (req, res) => {
    const { id } = resolve.params(req);
    const input = resolve.body(req);
    await disputes.resolve(id, input, staffContext(req));
    setFlash(res, 'success', `Dispute #${id} is ${input.outcome === 'rejected' ? 'rejected' : 'resolved'}; the customer has been e-mailed.`);
    res.redirect(303, `/admin/disputes/${id}`);
  }));

  const photo = validate({ params: PhotoParams }, { notFound: 'We could not find that photo.' });
  router.get('/disputes/:id/photos/:name', photo, async (req, res) => {
    const { id, name } = photo.params(req);
    await sendPhoto(ctx, res, id, name);
  });
}
