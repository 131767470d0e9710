import type { Conn, Db } from '../db';
import type { Clock } from '../lib/clock';
import { TtlCache } from '../lib/ttl-cache';
import { SETTINGS, settingValue, type SettingKey, type SettingValue } from './definitions';
import * as repo from './repo';

/** Settings change rarely: a change made by another process shows within this time, one made here at once. */
export const SETTINGS_TTL_MS = 10_000;

/** Reads and writes the store's settings (definitions.ts), cached briefly. */
export class SettingsService {
  private readonly cache = new TtlCache<unknown>(SETTINGS_TTL_MS);

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    return this.cache.get(key, async () => settingValue(key, (await repo.storedValues(this.deps.db, [key])).get(key))) as Promise<SettingValue<K>>;
  }

  /** Validates and stores a value (in the caller's transaction, when given); throws the zod error for a bad one. */
  async set<K extends SettingKey>(key: K, value: unknown, conn: Conn = this.deps.db): Promise<SettingValue<K>> {
    const parsed = SETTINGS[key].schema.parse(value) as SettingValue<K>;
    await repo.storeValue(conn, key, parsed, this.deps.clock.now());
    this.cache.clear();
    return parsed;
  }

  invalidate(): void {
    this.cache.clear();
  }
}
