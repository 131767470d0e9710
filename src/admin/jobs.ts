import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app';
import { recordAudit } from '../audit/repo';
import { inTransaction } from '../db';
import { ConflictError } from '../http/errors';
import { setFlash } from '../http/flash';
import { validate } from '../http/validate';
import { listJobs, retryJob } from '../jobs/queue';
import { staffContext } from './context';

const JobParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number) });

/** /admin/jobs: what the worker has queued, what gave up (with its last error), and retrying those. */
export function jobRoutes(router: Router, ctx: AppContext): void {
  router.get('/jobs', async (_req, res) => {
    const [queued, failed] = await Promise.all([listJobs(ctx.db, 'queued'), listJobs(ctx.db, 'failed')]);
    res.render('admin/jobs', { title: 'Jobs', noindex: true, queued, failed });
  });

  const retry = validate({ params: JobParams }, { notFound: 'There is no such job.' });
  router.post('/jobs/:id/retry', retry, async (req, res) => {
    const { id } = retry.params(req);
    const by = staffContext(req);
    await inTransaction(ctx.db, async (trx) => {
      if (!(await retryJob(trx, id, ctx.clock))) throw new ConflictError('That job has not failed (or was retried already).');
      await recordAudit(trx, by, { action: 'job.retry', entity: 'job', entityId: id }, ctx.clock.now());
    });
    setFlash(res, 'success', `Job ${id} is queued again.`);
    res.redirect(303, '/admin/jobs');
  });
}
