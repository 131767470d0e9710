import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { AppError, BadRequestError } from './errors';
import type { FormPage } from './validate';

/**
 * Files sent with a multipart form, held in memory for the handler to check;
 * nothing is written anywhere as it was sent. The one way a form takes files:
 *
 *   const photos = upload({ field: 'images', maxBytes: 5 * MB, maxFiles: 12, form: page });
 *   router.post('/admin/products/:id/images', shown, photos, page.submit(async (req, res) => { …photos.files(req)… }));
 *
 * A file over the size limit, or more files than allowed, is refused (413)
 * with a message naming the limit: on the form when one is given, on the
 * error page otherwise. A body that cannot be read is a 400.
 *
 * Multipart bodies are parsed after the CSRF check, so their forms carry the
 * token in the action URL (`?_csrf=…`, see csrf.ts).
 */

export interface UploadOptions {
  /** The form field the files come in; a file in any other field is refused. */
  field: string;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Most files accepted in one request. */
  maxFiles: number;
  /** Where a refused upload is shown again with its message. */
  form?: FormPage;
}

export interface UploadedFile {
  /** The name the file had on the sender's computer: for messages only, never for storing. */
  name: string;
  /** The type the browser declared: a claim, not a fact. Check the bytes. */
  declaredType: string;
  bytes: Buffer;
}

export interface Upload extends RequestHandler {
  /** The files received in the field, in the order sent (none when none was chosen). */
  files(req: Request): UploadedFile[];
}

/** The other fields of an upload form are few and short. */
const FIELD_LIMITS = { fields: 20, fieldSize: 100 * 1024, fieldNameSize: 100 };

export function upload(options: UploadOptions): Upload {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { ...FIELD_LIMITS, fileSize: options.maxBytes, files: options.maxFiles },
  }).array(options.field, options.maxFiles);

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const refusal = uploadError(err, options);
      if (options.form && refusal.status === 413) {
        options.form.render(req, res, { status: refusal.status, formError: refusal.message }).catch(next);
        return;
      }
      next(refusal);
    });
  };
  return Object.assign(middleware, {
    files: (req: Request): UploadedFile[] =>
      ((req.files ?? []) as Express.Multer.File[]).map((f) => ({ name: f.originalname, declaredType: f.mimetype, bytes: f.buffer })),
  });
}

const UNREADABLE = 'The upload could not be read. Please choose the files and send the form again.';

/** multer's and busboy's errors as the app's: a limit is a 413 saying which, anything else a 400. */
export function uploadError(err: unknown, options: Pick<UploadOptions, 'maxBytes' | 'maxFiles'>): AppError {
  if (err instanceof AppError) return err;
  if (!(err instanceof multer.MulterError)) return new BadRequestError(UNREADABLE);
  switch (err.code) {
    case 'LIMIT_FILE_SIZE': {
      // multer 2 names the file; its type definitions do not know yet.
      const { filename } = err as { filename?: string };
      return new AppError(413, 'payload_too_large', `${filename ? `“${shortName(filename)}”` : 'A file'} is larger than ${megabytes(options.maxBytes)}. Please send a smaller file.`);
    }
    case 'LIMIT_FILE_COUNT':
      return new AppError(413, 'payload_too_large', options.maxFiles === 1 ? 'One file at a time, please.' : `Up to ${options.maxFiles} files at a time, please.`);
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_KEY':
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_PART_COUNT':
      return new AppError(413, 'payload_too_large', 'The form sent had too many or too long fields.');
    case 'LIMIT_UNEXPECTED_FILE':
      return new BadRequestError('The form sent a file where none was expected. Please send it from our page again.');
    default:
      return new BadRequestError(UNREADABLE);
  }
}

/** A file name as shown in a message: no folders, not too long. */
export function shortName(name: string): string {
  const base = name.split(/[\\/]/).pop() || name;
  return base.length > 60 ? `${base.slice(0, 57)}…` : base;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}
