import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Db } from '../db';
import { NotFoundError, UnauthorizedError } from '../http/errors';
import { validate } from '../http/validate';
import { safeNext } from '../http/auth';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/log';
import * as repo from './repo';
import { beforeRender } from '../http/render-locals';

const PER_PAGE = 30;
const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });
const IdParams = z.object({ id: z.coerce.number().int().positive() });

/**
 * /account/notifications: the customer's in-app notifications, newest first,
 * with "mark read" (opening one marks it read and follows its link) and
 * "mark all read". Another customer's notification is a 404.
 */
export function notificationRoutes(deps: { db: Db; clock: Clock }): Router {
  const { db, clock } = deps;
  const router = Router();
  const me = (req: Express.Request) => {
    if (!req.user) throw new UnauthorizedError();
    return req.user;
  };

  const listed = validate({ query: PageQuery });
  router.get('/account/notifications', listed, async (req, res) => {
    const { page } = listed.query(req);
    const { notifications, total } = await repo.listNotifications(db, me(req).id, page, PER_PAGE);
    res.render('notifications/list', { title: 'Notifications', noindex: true, notifications, page, pages: Math.max(1, Math.ceil(total / PER_PAGE)) });
  });

  const one = validate({ params: IdParams }, { notFound: 'We could not find that notification.' });
  router.post('/account/notifications/:id/read', one, async (req, res) => {
    const read = await repo.markRead(db, me(req).id, one.params(req).id, clock.now());
    if (!read) throw new NotFoundError('We could not find that notification.');
    // Only ever a page of the store, whatever the row says ("//host" would leave it).
    res.redirect(303, safeNext(read.url, '/account/notifications'));
  });

  router.post('/account/notifications/read-all', async (req, res) => {
    await repo.markAllRead(db, me(req).id, clock.now());
    res.redirect(303, '/account/notifications');
  });

  return router;
}

/** Puts the signed-in customer's unread count in the header of every page (read only when a page renders). */
export function unreadLocals(deps: { db: Db; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    res.locals.unreadCount = 0;
    if (!req.user || req.path.startsWith('/api/')) return next();
    const userId = req.user.id;
    beforeRender(res, deps.logger, 'unread notification count', async () => ({ unreadCount: await repo.unreadCount(deps.db, userId) }));
    next();
  };
}
