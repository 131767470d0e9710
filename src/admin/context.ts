import type { Request } from 'express';
import type { StaffContext } from '../audit/repo';
import { UnauthorizedError } from '../http/errors';
import type { Role } from '../http/current-user';

/** A list page's filters as a query string (empty ones left out), for its paging links. */
export function queryString(filters: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1]))).toString();
}

/** Who is acting, for state changes and the audit log. */
export function staffContext(req: Request): StaffContext & { role: Role } {
  if (!req.user) throw new UnauthorizedError();
  return { actor: { userId: req.user.id, label: `user:${req.user.id}` }, ip: req.ip ?? null, role: req.user.role };
}

