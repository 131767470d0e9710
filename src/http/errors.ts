/**
 * Typed errors: services throw these, the one error handler turns them into
 * an HTML page or a JSON body. Anything else is a 500 with a logged id.
 */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  /** A page of its own to show instead of the generic error page (an expired link, say); it gets `message` too. */
  view?: { name: string; locals: Record<string, unknown> };
  /** Sent as Retry-After: when trying again makes sense. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message = 'The request was not understood.', details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(422, 'validation_failed', message, { fields });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Please log in to continue.') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do that.', code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many attempts. Please wait a moment and try again.', override readonly retryAfterSeconds?: number) {
    super(429, 'too_many_requests', message);
  }
}

/** The database (or another part the store cannot work without) is out of reach for a moment: 503 with Retry-After. */
export class ServiceUnavailableError extends AppError {
  constructor(
    message = 'The store is temporarily unavailable. Please try again shortly.',
    override readonly retryAfterSeconds = 30,
  ) {
    super(503, 'service_unavailable', message);
  }
}
