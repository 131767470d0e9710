import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token'], remove: true },
  });
}

/** Masks secrets carried in query strings (reset/verify tokens, CSRF) before a URL is logged. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:token|_csrf)=)[^&#]*/gi, '$1[redacted]');
}
