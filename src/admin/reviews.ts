import type { Request, Router } from 'express';
import type { AppContext } from '../app';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { AdminReviewQuery, ApproveInput, RejectInput, ReviewIdParams, type AdminReviewFilters } from '../reviews/schemas';
import { REVIEW_STATUSES } from '../reviews/transitions';
import { queryString, staffContext } from './context';

const PER_PAGE = 50;
const NOT_FOUND = 'We could not find that review.';

/** The list's filters as a query string (for paging links and coming back after an action). */
const filterQuery = (f: Partial<AdminReviewFilters>) =>
  queryString({ status: f.status, rating: f.rating ? String(f.rating) : undefined, verified: f.verified, q: f.q, page: f.page && f.page > 1 ? String(f.page) : undefined });

/** Where an action returns to: the list with the filters it was made from (the form's `back`), never anywhere else. */
function listUrl(back: string | undefined): string {
  const parsed = AdminReviewQuery.safeParse(Object.fromEntries(new URLSearchParams(back ?? '')));
  const query = parsed.success ? filterQuery(parsed.data) : '';
  return `/admin/reviews${query ? `?${query}` : ''}`;
}

/**
 * /admin/reviews: the moderation queue (pending first, then newest; filters
 * by status, rating, verified purchase and product or author), approve, and
 * reject with a reason that is sent to the author.
 */
export function reviewAdminRoutes(router: Router, ctx: AppContext): void {
  const { reviews } = ctx;

  const listLocals = async (req: Request) => {
    const parsed = AdminReviewQuery.safeParse(req.method === 'GET' ? req.query : Object.fromEntries(new URLSearchParams(String(req.body?.back ?? ''))));
    const filters = parsed.success ? parsed.data : AdminReviewQuery.parse({});
    const found = await reviews.list(filters, PER_PAGE);
    return {
      title: 'Reviews',
      noindex: true,
      ...found,
      filters,
      statuses: REVIEW_STATUSES,
      page: filters.page,
      pages: Math.max(1, Math.ceil(found.total / PER_PAGE)),
      query: filterQuery({ ...filters, page: 1 }),
      back: filterQuery(filters),
    };
  };

  // The list is the form page of every reject form on it: a refused reason is shown at the review it was for.
  const page = formPage({
    view: 'admin/reviews',
    keep: ['reason'],
    showRefusals: true,
    locals: async (req) => ({ ...(await listLocals(req)), rejecting: ReviewIdParams.safeParse(req.params).data?.id ?? null }),
  });

  const listed = validate({ query: AdminReviewQuery });
  router.get('/reviews', listed, (req, res) => page.render(req, res, { values: {} }));

  const approve = validate({ params: ReviewIdParams, body: ApproveInput }, { notFound: NOT_FOUND });
  router.post('/reviews/:id/approve', approve, async (req, res) => {
    const { review, changed } = await reviews.moderate(approve.params(req).id, { to: 'approved' }, staffContext(req));
    setFlash(res, changed ? 'success' : 'info', changed ? `Review “${review.title}” approved: it is on the product page.` : `Review “${review.title}” was already approved.`);
    res.redirect(303, listUrl(approve.body(req).back));
  });

  const reject = validate({ params: ReviewIdParams, body: RejectInput }, { form: page, notFound: NOT_FOUND });
  router.post('/reviews/:id/reject', reject, page.submit(async (req, res) => {
    const { reason, back } = reject.body(req);
    const { review, changed } = await reviews.moderate(reject.params(req).id, { to: 'rejected', reason }, staffContext(req));
    setFlash(res, changed ? 'success' : 'info', changed ? `Review “${review.title}” rejected; the author is told why.` : `Review “${review.title}” was already rejected.`);
    res.redirect(303, listUrl(back));
  }));
}
