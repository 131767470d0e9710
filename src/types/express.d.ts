import type { CurrentUser } from '../http/current-user';

declare global {
  namespace Express {
    interface Request {
      /** The signed-in user, set by the auth middleware; undefined for guests. */
      user?: CurrentUser;
    }
  }
}

export {};
