import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, setCookies, type TestUser } from '../helpers/auth';

/**
 * Observed from outside only (how the counts are kept is the rate limiter's
 * business): the answer turns into a 429 page with Retry-After, and a
 * limited attempt never signs anyone in. Exact windows and the other limits
 * (sign-up, reset requests, checkout): tests/http/rate-limit.test.ts.
 */
describe('ASVS 6.3.1 brute force: password guessing and reset-token guessing are throttled', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await testApp();
    user = await createUser(t.db);
  });
  afterAll(() => t.destroy());

  async function guess(email: string, password: string, ip: string) {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/login');
    return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, email, password });
  }

  function expectThrottled(res: request.Response) {
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(setCookies(res).some((c) => /^gg_at=[^;]/.test(c))).toBe(false);
  }

  it('one account: after 5 wrong passwords the right one is refused too, from any address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await guess(user.email, `wrong guess ${i}!`, `10.63.1.${i + 1}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const right = await guess(user.email, user.password, '10.63.1.200');
    expectThrottled(right);
    expect(right.text).toContain('Too many failed log-in attempts for this account');
  });

  it('one address: spraying many accounts is stopped after 20 failures, other addresses go on', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await guess(`spray${i}@example.test`, 'Summer2026!!', '10.63.2.1')).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expectThrottled(await guess('spray-last@example.test', 'Summer2026!!', '10.63.2.1'));
    const someone = await createUser(t.db);
    expect((await guess(someone.email, someone.password, '10.63.2.2')).status).toBe(303);
  });

  it('guessing reset tokens is stopped after 10 tries from an address', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/forgot-password');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await agent.post(`/reset-password?token=guess${i}${'x'.repeat(38)}`).set('X-Forwarded-For', '10.63.3.1').type('form').send({ _csrf: token, password: 'a new passphrase here' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses[10]).toBe(429);
    const res = await agent.post('/reset-password?token=another').set('X-Forwarded-For', '10.63.3.1').type('form').send({ _csrf: token, password: 'a new passphrase here' });
    expectThrottled(res);
  });
});
