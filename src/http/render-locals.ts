import type { Response } from 'express';
import type { Logger } from '../lib/log';

/**
 * Looks something up for the layout only when a page is actually rendered
 * (redirects and JSON skip the query): `load` runs just before the view and
 * its result goes into res.locals. When it fails the page still renders,
 * with whatever default the locals already hold, and the failure is logged.
 */
export function beforeRender(res: Response, logger: Logger, what: string, load: () => Promise<Record<string, unknown>>): void {
  const render = res.render.bind(res) as (...args: unknown[]) => void;
  res.render = ((...args: unknown[]) => {
    load().then(
      (locals) => {
        Object.assign(res.locals, locals);
        render(...args);
      },
      (err: unknown) => {
        logger.warn({ err }, `${what} unavailable`);
        render(...args);
      },
    );
  }) as typeof res.render;
}
