import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, type TestUser } from '../helpers/auth';

describe('ASVS 16.3.1 authentication events are logged, secrets never', () => {
  let t: TestApp;
  let user: TestUser;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    t = await testApp({ deps: { logger: pino({ level: 'info' }, sink) } });
    user = await createUser(t.db, { password: 'the secret passphrase 42' });
  });
  afterAll(() => t.destroy());

  it('logs log-in failures and successes, never the password, tokens or cookies', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: 'a wrong passphrase 99' }).expect(401);
    await agent.post('/login').type('form').send({ _csrf: token, email: 'unknown@example.test', password: 'a wrong passphrase 99' }).expect(401);
    const ok = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(303);
    await request(t.app).get('/reset-password?token=SECRET-RESET-TOKEN-123').expect(400);
    await request(t.app).get('/verify-email?token=SECRET-VERIFY-TOKEN-456&x=1').expect(400);

    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failures = events.filter((e) => e.event === 'login.failure');
    expect(failures.map((e) => [e.email, e.reason])).toEqual([
      [user.email, 'wrong_password'],
      ['unknown@example.test', 'unknown_email'],
    ]);
    expect(failures.every((e) => typeof e.ip === 'string')).toBe(true);
    expect(events.filter((e) => e.event === 'login.success').map((e) => e.userId)).toEqual([user.id]);

    const all = lines.join('\n');
    const cookies = ((ok.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]!.split('=')[1]!);
    for (const secret of ['the secret passphrase 42', 'a wrong passphrase 99', 'SECRET-RESET-TOKEN-123', 'SECRET-VERIFY-TOKEN-456', token, ...cookies]) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('/reset-password?token=[redacted]');
  });
});
