import { isMysql, type Conn } from './index';

// SQLite compiles a multi-row insert to a compound SELECT (at most 500 terms) and
// caps bound variables at 32766; MySQL only needs the packet to stay reasonable.
const SQLITE_MAX_ROWS = 500;
const SQLITE_MAX_VARIABLES = 32766;

/** Inserts rows in as few statements as the dialect allows. */
export async function insertInChunks(conn: Conn, table: string, rows: readonly Record<string, unknown>[], maxRows = 1000): Promise<void> {
  if (rows.length === 0) return;
  let perStatement = maxRows;
  if (!isMysql(conn)) {
    const columns = Object.keys(rows[0]!).length;
    perStatement = Math.min(perStatement, SQLITE_MAX_ROWS, Math.floor(SQLITE_MAX_VARIABLES / columns));
  }
  for (let i = 0; i < rows.length; i += perStatement) {
    await conn(table).insert(rows.slice(i, i + perStatement));
  }
}
