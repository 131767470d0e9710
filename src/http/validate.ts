import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError, BadRequestError, NotFoundError, TooManyRequestsError, ValidationError, type FieldErrors } from './errors';

/**
 * Validation at the boundary, and the one way a form page is shown again.
 *
 *   const add = validate({ body: AddItemInput }, { form: cartPage });
 *   router.post('/cart/items', add, cartPage.submit(async (req, res) => { await cart.add(add.body(req)); res.redirect(…) }));
 *
 * validate() parses body, query and params with zod; the handler reads the
 * parsed values through the validator (typed from the schemas). Bad params
 * are a 404 (the thing named does not exist), a bad query a 400, a bad body
 * re-renders the form (422, field messages, the submitted values) or, for
 * requests without a form page, goes to the error page.
 */

/** A page holding a form: what to render when its submission is refused. */
export interface FormPageSpec {
  view: string;
  /** Submitted fields shown again in the form (never passwords). */
  keep: readonly string[];
  /** The page's other locals (title, lists…), given the values shown; returning `values` replaces them. */
  locals?: (req: Request, res: Response, submitted: Record<string, string>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Also show other refusals (sold out, wrong password, conflicts: any 4xx but
   * 429) on the form with their message; otherwise only validation errors are.
   */
  showRefusals?: boolean;
}

/** How a form page is shown: fresh (status 200, nothing wrong) or refused. */
export interface FormState {
  status?: number;
  errors?: FieldErrors;
  formError?: string | null;
  /** Values to show instead of the submitted ones (a fresh form's prefill). */
  values?: Record<string, string>;
}

export interface FormPage extends FormPageSpec {
  /** Renders the page with the submitted values, field messages and a message at the top. */
  render(req: Request, res: Response, state?: FormState): Promise<void>;
  /** The form's handler: what it throws as a refusal re-renders the form; anything else goes to the error page. */
  submit(handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler;
}

const VALUE_MAX = 500;

/** An empty or blank form field counts as not sent (for z.preprocess before an .optional() schema). */
export const blankAsMissing = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A form field that may be left empty. */
export const optionalField = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsMissing, schema.optional());

/** The submitted values a form shows again: strings only, of the kept fields. */
export function submittedValues(body: unknown, keep: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const b = (body ?? {}) as Record<string, unknown>;
  for (const f of keep) if (typeof b[f] === 'string') out[f] = (b[f] as string).slice(0, VALUE_MAX);
  return out;
}

/** Field name → first message, for a zod error. */
export function fieldErrors(err: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of err.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
  return fields;
}

export function formPage(spec: FormPageSpec): FormPage {
  const page: FormPage = {
    ...spec,
    async render(req, res, state = {}) {
      const submitted = state.values ?? submittedValues(req.body, spec.keep);
      const locals = spec.locals ? await spec.locals(req, res, submitted) : {};
      res.status(state.status ?? 200).render(spec.view, {
        values: submitted,
        ...locals,
        errors: state.errors ?? {},
        formError: state.formError ?? null,
      });
    },
    submit: (handler) => async (req, res, next) => {
      try {
        await handler(req, res);
      } catch (err) {
        const refusal = refusalOf(err, spec.showRefusals ?? false);
        if (!refusal) return next(err);
        await page.render(req, res, refusal).catch(next);
      }
    },
  };
  return page;
}

function refusalOf(err: unknown, showRefusals: boolean): FormState | null {
  if (err instanceof z.ZodError) return { status: 422, errors: fieldErrors(err), formError: 'Please check the highlighted fields.' };
  if (err instanceof ValidationError) return { status: 422, errors: err.fields, formError: err.message };
  if (showRefusals && err instanceof AppError && err.status < 500 && !(err instanceof TooManyRequestsError)) {
    return { status: err.status, formError: err.message };
  }
  return null;
}

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : never;

interface Schemas {
  body?: Schema | ((req: Request) => Schema);
  query?: Schema;
  params?: Schema;
}
type BodyOut<S extends Schemas> = S['body'] extends (req: Request) => infer R ? Out<R> : Out<S['body']>;

export interface Validator<S extends Schemas> extends RequestHandler {
  body(req: Request): BodyOut<S>;
  query(req: Request): Out<S['query']>;
  params(req: Request): Out<S['params']>;
}

export interface ValidateOptions {
  /** Where a refused body is shown again; without it the error page shows the field messages. */
  form?: FormPage;
  /** The 404 message when the params name nothing that can exist. */
  notFound?: string;
}

const PARSED = Symbol('validated input');
interface Parsed {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}
type WithParsed = Request & { [PARSED]?: Parsed };

export function validate<S extends Schemas>(schemas: S, options: ValidateOptions = {}): Validator<S> {
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const parsed: Parsed = {};
    if (schemas.params) {
      const r = schemas.params.safeParse(req.params);
      if (!r.success) return next(new NotFoundError(options.notFound));
      parsed.params = r.data;
    }
    if (schemas.query) {
      const r = schemas.query.safeParse(req.query);
      if (!r.success) {
        const fields = fieldErrors(r.error);
        return next(new BadRequestError(`This address has a bad parameter: ${Object.values(fields).join(' ')}`, { fields }));
      }
      parsed.query = r.data;
    }
    if (schemas.body) {
      const schema = typeof schemas.body === 'function' ? schemas.body(req) : schemas.body;
      const { _csrf: _token, ...fields } = (req.body ?? {}) as Record<string, unknown>;
      const r = schema.safeParse(fields);
      if (!r.success) {
        const errors = fieldErrors(r.error);
        if (options.form) {
          options.form.render(req, res, { status: 422, errors, formError: 'Please check the highlighted fields.' }).catch(next);
          return;
        }
        return next(new ValidationError('Some of the information was not valid.', errors));
      }
      parsed.body = r.data;
    }
    (req as WithParsed)[PARSED] = parsed;
    next();
  };
  const read = (req: Request, part: keyof Parsed) => {
    const parsed = (req as WithParsed)[PARSED];
    if (!parsed || !(part in parsed)) throw new Error(`validate(): no ${part} schema ran for ${req.method} ${req.path}`);
    return parsed[part];
  };
  return Object.assign(middleware, {
    body: (req: Request) => read(req, 'body') as BodyOut<S>,
    query: (req: Request) => read(req, 'query') as Out<S['query']>,
    params: (req: Request) => read(req, 'params') as Out<S['params']>,
  });
}
