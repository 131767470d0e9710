/** True when a write failed on a UNIQUE constraint (MySQL/MariaDB or SQLite). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | null;
  if (!e) return false;
  return e.code === 'ER_DUP_ENTRY' || e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Deadlock / lock wait timeout (MySQL/MariaDB) and busy (SQLite): the whole
 * transaction can safely run again. (checkout/service.ts keeps a private copy
 * of this test; it can import this one.)
 */
export function isTransientTxError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | null;
  if (!e) return false;
  return e.errno === 1213 || e.errno === 1205 || e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'SQLITE_BUSY';
}

/** Driver codes of a database that cannot be reached or went away (MySQL/MariaDB via mysql2, and the network under it). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_AFTER_QUIT', 'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_CONNECTION_KILLED',
]);

/**
 * True when a query failed because the database is out of reach (stopped,
 * restarting, network gone, no free connection in time) rather than because
 * of the query: the request may succeed when tried again shortly.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: string; name?: string; message?: string; cause?: unknown } | null, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    // Knex found no connection within acquireConnectionTimeout; mysql2 refuses commands on a connection that died.
    if (e.name === 'KnexTimeoutError') return true;
    if (typeof e.message === 'string' && /connection is in closed state/.test(e.message)) return true;
  }
  return false;
}
