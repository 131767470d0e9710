import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, postForm, signIn, type TestUser } from '../helpers/auth';
import { captureTransport, linkTo, runJobs } from '../helpers/mail';

describe('ASVS 16.3.1 authentication events are logged, secrets never', () => {
  let t: TestApp;
  let user: TestUser;
  const lines: string[] = [];
  const mail = captureTransport();
  const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    t = await testApp({ deps: { logger: pino({ level: 'info' }, sink), mailTransport: mail } });
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

  it('logs lock-outs, password changes and resets, signing out everywhere — with who and from where, never the new password or the link', async () => {
    const other = await createUser(t.db, { password: 'first passphrase 111' });
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    for (let i = 0; i < 6; i++) await agent.post('/login').set('X-Forwarded-For', '10.65.0.9').type('form').send({ _csrf: token, email: other.email, password: `wrong passphrase ${i}` });
    expect(events().filter((e) => e.event === 'login.throttled')).toEqual([expect.objectContaining({ email: other.email, ip: '10.65.0.9' })]);

    const browser = await signIn(t.app, user.email, user.password);
    expect((await postForm(browser, '/account/password', { current_password: user.password, password: 'second passphrase 222' }, '/account/password')).status).toBe(303);
    expect((await postForm(browser, '/account/sign-out-everywhere', {}, '/account/password')).status).toBe(303);
    const reset = request.agent(t.app);
    const resetToken = await csrfToken(reset, '/forgot-password');
    await reset.post('/forgot-password').type('form').send({ _csrf: resetToken, email: user.email }).expect(303);
    await runJobs(t.app.context);
    const link = linkTo(mail.to(user.email).at(-1)!.text, '/reset-password');
    const form = await reset.get(link).expect(200);
    await reset.post(link).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(form.text)![1], password: 'third passphrase 333' }).expect(303);

    const seen = events().filter((e) => e.userId === user.id).map((e) => e.event);
    for (const event of ['login.success', 'account.password_changed', 'account.signed_out_everywhere', 'password_reset.requested', 'password_reset.completed']) expect(seen).toContain(event);
    const all = lines.join('\n');
    for (const secret of ['second passphrase 222', 'third passphrase 333', new URL(link, 'http://x').searchParams.get('token')!]) expect(all).not.toContain(secret);
  });
});
