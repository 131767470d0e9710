import { describe, expect, it } from 'vitest';
import { SessionStates, type SessionRead } from '../../src/accounts/session-states';

/** SessionStates over a counting loader, a feed that is current or not, and a clock the test moves. */
function states(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const clock = { now: 0 };
  const feed = { current: true };
  const loads: string[] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  const state = (userId: number, version: number): SessionRead => ({ user: { id: userId, role: 'customer', disabled_at: null, token_version: 0, page_version: version }, revoked: false });
  let version = 0;
  const s = new SessionStates(
    async (userId, sessionId) => {
      loads.push(sessionId);
      if (gate) await gate;
      return state(userId, ++version);
    },
    () => feed.current,
    options.ttlMs ?? 60_000,
    options.maxEntries ?? 100,
    () => clock.now,
  );
  const slowReads = () => {
    gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      gate = null;
      open();
    };
  };
  return { s, clock, feed, loads, slowReads };
}

describe('SessionStates', () => {
  it.each([
    { when: 'kept: the same session again', then: (x: ReturnType<typeof states>) => x.s.find(1, 'a'), loads: ['a'] },
    { when: 'another session of the same user', then: (x: ReturnType<typeof states>) => x.s.find(1, 'b'), loads: ['a', 'b'] },
    { when: 'the session id with another user (a forged pair) is not answered from the kept read', then: (x: ReturnType<typeof states>) => x.s.find(2, 'a'), loads: ['a', 'a'] },
    {
      when: 'expired',
      then: (x: ReturnType<typeof states>) => {
        x.clock.now = 60_000;
        return x.s.find(1, 'a');
      },
      loads: ['a', 'a'],
    },
    {
      when: 'the feed is not current: read every time, keep nothing',
      then: async (x: ReturnType<typeof states>) => {
        x.feed.current = false;
        await x.s.find(1, 'a');
        x.feed.current = true;
        return x.s.find(1, 'c');
      },
      loads: ['a', 'a', 'c'],
    },
    {
      when: 'the user changed (the feed or their own request)',
      then: (x: ReturnType<typeof states>) => {
        x.s.forget([1]);
        return x.s.find(1, 'a');
      },
      loads: ['a', 'a'],
    },
    {
      when: 'another user changed',
      then: (x: ReturnType<typeof states>) => {
        x.s.forget([2]);
        return x.s.find(1, 'a');
      },
      loads: ['a'],
    },
  ])('after a first read of session a: $when', async ({ then, loads }) => {
    const x = states();
    await x.s.find(1, 'a');
    await then(x);
    expect(x.loads).toEqual(loads);
  });

  it('does not keep a read that was under way when something was dropped', async () => {
    const x = states();
    const finish = x.slowReads();
    const read = x.s.find(1, 'a');
    x.s.forget([5]);
    finish();
    await read;
    await x.s.find(1, 'a');
    await x.s.find(1, 'a');
    expect(x.loads).toEqual(['a', 'a']);
  });

  it('keeps at most maxEntries sessions, dropping the oldest', async () => {
    const x = states({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c', 'a']) await x.s.find(1, id);
    expect(x.loads).toEqual(['a', 'b', 'c', 'a']);
    expect(x.s.size).toBe(2);
  });
});
