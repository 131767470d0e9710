import { insertInChunks } from '../db/batch';
import { countRows, LIKE_PREFIX, prefixPattern, type Conn } from '../db';
import type { Actor } from '../db/state-machine';
import { fromDbTime, toDbTime } from '../lib/clock';

/**
 * audit_log: every change staff make, written in the same transaction as the
 * change (actor, action, entity, before/after JSON, IP). Append-only.
 */

/** Who made an admin change, and from where: passed by the admin pages to the services they call. */
export interface StaffContext {
  actor: Actor;
  ip: string | null;
}

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(conn: Conn, by: StaffContext, e: AuditEntry, now: Date): Promise<void> {
  await recordAudits(conn, by, [e], now);
}

/** Several changes made at once by one staff member (an import's products), in as few inserts as the database allows. */
export async function recordAudits(conn: Conn, by: StaffContext, entries: readonly AuditEntry[], now: Date): Promise<void> {
  const at = toDbTime(now);
  const rows = entries.map((e) => ({
    actor_user_id: by.actor.userId,
    action: e.action.slice(0, 60),
    entity: e.entity.slice(0, 40),
    entity_id: e.entityId === null ? null : String(e.entityId).slice(0, 40),
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    ip: by.ip ? by.ip.slice(0, 64) : null,
    created_at: at,
  }));
  await insertInChunks(conn, 'audit_log', rows, 500);
}

export interface AuditFilter {
  action: string | null;
  entity: string | null;
  entityId: string | null;
  actorEmail: string | null;
  from: Date | null;
  to: Date | null;
}

export interface AuditRecord {
  id: number;
  actorUserId: number | null;
  actorEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  at: Date;
}

function parse(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Newest first, filtered, one page. */
export async function listAudit(conn: Conn, f: AuditFilter, page: number, perPage: number): Promise<{ rows: AuditRecord[]; total: number }> {
  const qb = conn('audit_log as a').leftJoin('users as u', 'u.id', 'a.actor_user_id');
  if (f.action) qb.whereRaw(`a.action ${LIKE_PREFIX}`, [prefixPattern(f.action)]);
  if (f.entity) qb.where('a.entity', f.entity);
  if (f.entityId) qb.where('a.entity_id', f.entityId);
  if (f.actorEmail) qb.where('u.email', f.actorEmail);
  if (f.from) qb.where('a.created_at', '>=', toDbTime(f.from));
  if (f.to) qb.where('a.created_at', '<', toDbTime(f.to));
  const [total, rows] = await Promise.all([
    countRows(qb.clone()),
    qb.clone().select('a.*', 'u.email as actor_email').orderBy('a.id', 'desc').limit(perPage).offset((page - 1) * perPage),
  ]);
  return {
    total,
    rows: rows.map((r) => ({
      id: Number(r.id),
      actorUserId: r.actor_user_id ?? null,
      actorEmail: r.actor_email ?? null,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id ?? null,
      before: parse(r.before),
      after: parse(r.after),
      ip: r.ip ?? null,
      at: fromDbTime(r.created_at)!,
    })),
  };
}

export async function auditEntities(conn: Conn): Promise<string[]> {
  return (await conn('audit_log').distinct('entity').orderBy('entity')).map((r) => String(r.entity));
}
