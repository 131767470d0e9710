import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { redactUrl, type Logger } from '../lib/log';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the caller's X-Request-Id when it is sane, else a new UUID. */
    id?: string;
  }
}

const SANE_ID = /^[\w-]{8,64}$/;

/**
 * Gives every request an id (echoed as X-Request-Id, quoted by error pages)
 * and logs one line when it completes — or is aborted — with the method, the
 * URL with secrets masked, the status and the time taken: info below 400,
 * warn for 4xx, error for 5xx. Health checks and assets are not logged.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : crypto.randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const url = req.originalUrl;
    if (!logger.isLevelEnabled('info') || url === '/healthz' || url.startsWith('/assets/')) return next();

    const started = performance.now();
    const done = (aborted: boolean) => {
      res.removeListener('finish', finished);
      res.removeListener('close', closed);
      const line = {
        req: { id, method: req.method, url: redactUrl(url) },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (aborted) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else if (res.statusCode >= 400) logger.warn(line, 'request completed');
      else logger.info(line, 'request completed');
    };
    const finished = () => done(false);
    const closed = () => done(!res.writableFinished);
    res.once('finish', finished);
    res.once('close', closed);
    next();
  };
}
