import type { Request, Response } from 'express';
import { Router } from 'express';
import type { AppContext } from '../app';
import { NotFoundError, UnauthorizedError } from '../http/errors';
import { setFlash } from '../http/flash';
import { upload, type Upload, type UploadedFile } from '../http/upload';
import { formPage, validate } from '../http/validate';
import { ACCEPTED_PHOTOS_TEXT, MAX_DISPUTE_PHOTOS, MAX_PHOTO_BYTES, photoFile } from './photos';
import * as repo from './repo';
import { DisputeParams, MESSAGE_MAX, MessageInput, NewDisputeQuery, OpenDisputeInput, PageQuery, PhotoParams } from './schemas';
import type { DisputeService } from './service';

const PER_PAGE = 20;
const NOT_FOUND = 'We could not find that claim.';

/** The files chosen in a photo field (a form sent with none chosen has one empty, nameless part). */
export function chosenFiles(field: Upload, req: Request): UploadedFile[] {
  return field.files(req).filter((f) => f.bytes.length > 0 || f.name !== '');
}

/** Sends one of a dispute's photos, when the dispute lists it (private: never from the public /uploads). */
export async function sendPhoto(ctx: Pick<AppContext, 'db' | 'uploadsDir'>, res: Response, disputeId: number, name: string): Promise<void> {
  const photo = photoFile(ctx.uploadsDir, name);
  if (!photo || !(await repo.disputeHasPhoto(ctx.db, disputeId, photo.id))) throw new NotFoundError('We could not find that photo.');
  await new Promise<void>((resolve, reject) => {
    res.sendFile(photo.file, { dotfiles: 'allow', headers: { 'Cache-Control': 'private, no-store', 'Content-Type': 'image/webp' } }, (err) => (err ? reject(new NotFoundError('We could not find that photo.')) : resolve()));
  });
}

/**
 * /account/disputes: the customer's claims on their own orders and
 * agreements (another customer's is a 404), each with its message thread.
 * The forms are multipart (photos), so they carry the CSRF token in the
 * action URL.
 */
export function disputeRoutes(ctx: AppContext & { disputes: DisputeService }): Router {
  const { db, disputes } = ctx;
  const router = Router();
  const me = (req: Request) => {
    if (!req.user) throw new UnauthorizedError();
    return req.user;
  };
  const formLocals = { kinds: repo.CUSTOMER_DISPUTE_KINDS.map((k) => [k, repo.DISPUTE_KIND_LABELS[k]]), accepted: ACCEPTED_PHOTOS_TEXT, maxPhotos: MAX_DISPUTE_PHOTOS, messageMax: MESSAGE_MAX };

  const listed = validate({ query: PageQuery });
  router.get('/account/disputes', listed, async (req, res) => {
    const { page } = listed.query(req);
    const found = await repo.customerDisputes(db, me(req).id, page, PER_PAGE);
    res.render('disputes/list', { title: 'Disputes', noindex: true, ...found, page, pages: Math.max(1, Math.ceil(found.total / PER_PAGE)), kindLabels: repo.DISPUTE_KIND_LABELS, statusLabels: repo.DISPUTE_STATUS_LABELS });
  });

  const newPage = formPage({
    view: 'disputes/new',
    keep: ['subject', 'kind', 'message'],
    showRefusals: true,
    locals: async (req) => ({ title: 'Open a claim', noindex: true, subjects: await repo.claimSubjects(db, me(req).id), ...formLocals }),
  });
  const prefill = validate({ query: NewDisputeQuery });
  router.get('/account/disputes/new', prefill, (req, res) => {
    const q = prefill.query(req);
    const subject = q.order ? `order:${q.order}` : q.rental ? `rental:${q.rental}` : '';
    return newPage.render(req, res, { values: { subject } });
  });
  const newPhotos = upload({ field: 'photos', maxBytes: MAX_PHOTO_BYTES, maxFiles: MAX_DISPUTE_PHOTOS, form: newPage });
  const opened = validate({ body: OpenDisputeInput }, { form: newPage });
  router.post('/account/disputes', newPhotos, opened, newPage.submit(async (req, res) => {
    const id = await disputes.open(me(req).id, opened.body(req), chosenFiles(newPhotos, req));
    setFlash(res, 'success', `Your claim #${id} is open. We have e-mailed you a copy and will answer here.`);
    res.redirect(303, `/account/disputes/${id}`);
  }));

  const threadPage = formPage({
    view: 'disputes/show',
    keep: ['message'],
    showRefusals: true,
    locals: async (req) => {
      const { id } = DisputeParams.parse(req.params);
      const dispute = await repo.findDispute(db, id, { userId: me(req).id });
      if (!dispute || dispute.kind === 'chargeback') throw new NotFoundError(NOT_FOUND);
      return {
        title: `Claim #${dispute.id}`, noindex: true, dispute, messages: await repo.disputeMessages(db, id),
        open: repo.UNDECIDED.includes(dispute.status), kindLabels: repo.DISPUTE_KIND_LABELS, statusLabels: repo.DISPUTE_STATUS_LABELS, ...formLocals,
      };
    },
  });
  const shown = validate({ params: DisputeParams }, { notFound: NOT_FOUND });
  router.get('/account/disputes/:id', shown, (req, res) => threadPage.render(req, res));
  const replyPhotos = upload({ field: 'photos', maxBytes: MAX_PHOTO_BYTES, maxFiles: MAX_DISPUTE_PHOTOS, form: threadPage });
  const replied = validate({ params: DisputeParams, body: MessageInput }, { form: threadPage, notFound: NOT_FOUND });
  router.post('/account/disputes/:id/messages', shown, replyPhotos, replied, threadPage.submit(async (req, res) => {
    const { id } = replied.params(req);
    await disputes.customerMessage(me(req).id, id, replied.body(req).message, chosenFiles(replyPhotos, req));
    setFlash(res, 'success', 'Your message is added to the claim.');
    res.redirect(303, `/account/disputes/${id}#latest`);
  }));

  const photo = validate({ params: PhotoParams }, { notFound: 'We could not find that photo.' });
  router.get('/account/disputes/:id/photos/:name', photo, async (req, res) => {
    const { id, name } = photo.params(req);
    if (!(await repo.findDispute(db, id, { userId: me(req).id }))) throw new NotFoundError('We could not find that photo.');
    await sendPhoto(ctx, res, id, name);
  });

  return router;
}
