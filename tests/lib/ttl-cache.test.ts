import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/lib/ttl-cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TtlCache', () => {
  it('loads once for concurrent misses and serves the value until it expires', async () => {
    const c = clock();
    const cache = new TtlCache<number>(30_000, 10, c.now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    c.advance(29_999);
    expect(await cache.get('k', load)).toBe(1);
    c.advance(1);
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', load)).toBe(2);
  });

  it('delete() forgets one key; a load of it under way does not store its stale value', async () => {
    const cache = new TtlCache<string>(30_000);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    const slow = deferred<string>();
    const pending = cache.get('c', () => slow.promise);
    cache.delete('a');
    cache.delete('c');
    slow.resolve('c-stale');
    expect(await pending).toBe('c-stale');
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual([undefined, 'b1', undefined]);
    expect(await cache.get('c', async () => 'c2')).toBe('c2');
  });

  it('deleteWhere() forgets the keys it accepts, stored or loading', async () => {
    const cache = new TtlCache<string>(30_000);
    for (const key of ['/products/x', '/products/x?term=6', '/products/xy', '/products']) await cache.get(key, async () => key);
    const slow = deferred<string>();
    void cache.get('/products/x?term=3', () => slow.promise);
    cache.deleteWhere((key) => key.split('?')[0] === '/products/x');
    slow.resolve('stale');
    await Promise.resolve();
    expect(['/products/x', '/products/x?term=6', '/products/x?term=3', '/products/xy', '/products'].map((k) => cache.peek(k))).toEqual([
      undefined, undefined, undefined, '/products/xy', '/products',
    ]);
  });

  it('clear() forgets everything; a load started before it neither stores nor unregisters the next one', async () => {
    const cache = new TtlCache<string>(30_000);
    const before = deferred<string>();
    const first = cache.get('k', () => before.promise);
    cache.clear();
    const after = deferred<string>();
    const second = cache.get('k', () => after.promise);
    before.resolve('old');
    expect(await first).toBe('old');
    expect(cache.peek('k')).toBeUndefined();
    // The second load is still the one a new miss waits for.
    const third = cache.get('k', async () => 'third');
    after.resolve('new');
    expect(await Promise.all([second, third])).toEqual(['new', 'new']);
    expect(cache.peek('k')).toBe('new');
  });
});
