import type { Conn } from '../db';
import { toDbTime } from '../lib/clock';

/** The settings table: one JSON value per key. */

export async function storedValues(conn: Conn, keys: readonly string[]): Promise<Map<string, unknown>> {
  const rows = await conn('settings').whereIn('key', keys).select('key', 'value');
  const out = new Map<string, unknown>();
  for (const r of rows) {
    try {
      out.set(r.key, JSON.parse(r.value));
    } catch {
      // a malformed value reads as missing: its fallback applies
    }
  }
  return out;
}

export async function storeValue(conn: Conn, key: string, value: unknown, now: Date): Promise<void> {
  await conn('settings')
    .insert({ key, value: JSON.stringify(value), updated_at: toDbTime(now) })
    .onConflict('key')
    .merge(['value', 'updated_at']);
}
