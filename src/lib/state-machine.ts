import type { Conn } from '../db';
import { isMysql } from '../db';
import { ConflictError, NotFoundError } from '../http/errors';
import { fromDbTime, toDbTime } from './clock';

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
  /** Records the first state of a new row (from = null). */
  recordInitial(conn: Conn, id: number, state: S, opts: Omit<TransitionOptions, 'set'>): Promise<void>;
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
      const row = await (isMysql(conn) && conn.isTransaction ? query.forUpdate() : query);
      if (!row) throw new NotFoundError(`No ${def.entity} ${id}.`);
      const from = row[column] as S;
      assert(from, to);
      const updated = await conn(def.table)
        .where({ id, [column]: from })
        .update({ ...opts.set, [column]: to, updated_at: toDbTime(opts.at) });
      if (updated !== 1) throw new ConflictError(`This ${def.entity.replace(/_/g, ' ')} was changed at the same time. Please try again.`);
      await writeStateChange(conn, def.entity, id, from, to, opts);
      return from;
    },
    async recordInitial(conn, id, state, opts) {
      await writeStateChange(conn, def.entity, id, null, state, opts);
    },
  };
}

async function writeStateChange(conn: Conn, entity: string, id: number, from: string | null, to: string, opts: Omit<TransitionOptions, 'set'>): Promise<void> {
  await conn('state_changes').insert({
    entity,
    entity_id: id,
    from_state: from,
    to_state: to,
    actor: opts.actor.slice(0, 60),
    note: opts.note ? opts.note.slice(0, 500) : null,
    created_at: toDbTime(opts.at),
  });
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
