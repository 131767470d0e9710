import { lockedInTransaction, type Conn } from './index';
import { ConflictError, NotFoundError } from '../http/errors';
import { fromDbTime, toDbTime } from '../lib/clock';
import { insertInChunks } from './batch';

/** For each state, the states it may move to. A state with no entry is final. */
export type Transitions<S extends string> = { readonly [K in S]: readonly S[] };

export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly entity: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`This ${entity.replace(/_/g, ' ')} cannot go from "${from.replace(/_/g, ' ')}" to "${to.replace(/_/g, ' ')}".`, { entity, from, to });
  }
}

/** Who made a change: a user (staff or customer) or the system. */
export interface Actor {
  /** Staff or customer user id; null for the system. */
  userId: number | null;
  /** How state_changes names them: `user:12`, `system`, `stripe`. */
  label: string;
}

export const SYSTEM: Actor = { userId: null, label: 'system' };

export interface TransitionOptions {
  /** Who made the change: `user:<id>`, `system`, `stripe`. */
  actor: string;
  at: Date;
  note?: string;
  /** Other columns to set in the same UPDATE (e.g. paid_at). */
  set?: Record<string, unknown>;
}

export interface StateMachine<S extends string> {
  readonly entity: string;
  readonly transitions: Transitions<S>;
  can(from: S, to: S): boolean;
  /** Throws IllegalTransitionError unless from → to is in the table. */
  assert(from: S, to: S): void;
  /**
   * Moves one row to `to`: checks the table against the current state, updates
   * with `WHERE state = <current>` (a concurrent change makes it fail instead of
   * being overwritten) and writes the state_changes row. Returns the old state.
   */
  transition(conn: Conn, id: number, to: S, opts: TransitionOptions): Promise<S>;
  /**
   * Moves several rows, all in state `from`, to `to` in one UPDATE (… WHERE
   * state = from) and one insert of their state_changes rows. Throws a
   * ConflictError unless every row moved, so the caller's transaction rolls back.
   */
  transitionMany(conn: Conn, ids: readonly number[], from: S, to: S, opts: TransitionOptions): Promise<void>;
  /** Records the first state of new rows (from = null). */
  recordInitial(conn: Conn, ids: number | readonly number[], state: S, opts: Omit<TransitionOptions, 'set'>): Promise<void>;
}

/**
 * State machines as data: one table of allowed moves per entity and one
 * transition() that enforces it and keeps the history in state_changes.
 * Reused by orders, rentals and disputes.
 */
export function defineStateMachine<S extends string>(def: {
  entity: string;
  table: string;
  column?: string;
  transitions: Transitions<S>;
}): StateMachine<S> {
  const column = def.column ?? 'status';
  const can = (from: S, to: S) => (def.transitions[from] ?? []).includes(to);
  const assert = (from: S, to: S) => {
    if (!can(from, to)) throw new IllegalTransitionError(def.entity, from, to);
  };

  return {
    entity: def.entity,
    transitions: def.transitions,
    can,
    assert,
    async transition(conn, id, to, opts) {
      const query = conn(def.table).where({ id }).first(column);
      const row = await lockedInTransaction(conn, query);
      if (!row) throw new NotFoundError(`No ${def.entity} ${id}.`);
      const from = row[column] as S;
      assert(from, to);
      const updated = await conn(def.table)
        .where({ id, [column]: from })
        .update({ ...opts.set, [column]: to, updated_at: toDbTime(opts.at) });
      if (updated !== 1) throw new ConflictError(`This ${def.entity.replace(/_/g, ' ')} was changed at the same time. Please try again.`);
      await writeStateChanges(conn, def.entity, [id], from, to, opts);
      return from;
    },
    async transitionMany(conn, ids, from, to, opts) {
      assert(from, to);
      if (ids.length === 0) return;
      const updated = await conn(def.table)
        .whereIn('id', ids)
        .where(column, from)
        .update({ ...opts.set, [column]: to, updated_at: toDbTime(opts.at) });
      if (updated !== ids.length) throw new ConflictError(`A ${def.entity.replace(/_/g, ' ')} was changed at the same time. Please try again.`);
      await writeStateChanges(conn, def.entity, ids, from, to, opts);
    },
    async recordInitial(conn, ids, state, opts) {
      await writeStateChanges(conn, def.entity, typeof ids === 'number' ? [ids] : ids, null, state, opts);
    },
  };
}

async function writeStateChanges(conn: Conn, entity: string, ids: readonly number[], from: string | null, to: string, opts: Omit<TransitionOptions, 'set'>): Promise<void> {
  if (ids.length === 0) return;
  const actor = opts.actor.slice(0, 60);
  const note = opts.note ? opts.note.slice(0, 500) : null;
  const at = toDbTime(opts.at);
  await insertInChunks(conn, 'state_changes', ids.map((id) => ({ entity, entity_id: id, from_state: from, to_state: to, actor, note, created_at: at })));
}

export interface StateChange {
  from: string | null;
  to: string;
  actor: string;
  note: string | null;
  at: Date;
}

/** The history of one entity, oldest first. */
export async function stateHistory(conn: Conn, entity: string, id: number): Promise<StateChange[]> {
  const rows = await conn('state_changes').where({ entity, entity_id: id }).orderBy('id');
  return rows.map((r) => ({ from: r.from_state ?? null, to: r.to_state, actor: r.actor, note: r.note ?? null, at: fromDbTime(r.created_at)! }));
}
