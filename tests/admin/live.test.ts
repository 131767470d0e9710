import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** The first dashboard event of GET /admin/events, read off the open stream. */
async function firstEvent(agent: ReturnType<typeof shopper>['agent']): Promise<{ headers: Record<string, string>; event: string; data: Record<string, any> }> {
  let headers: Record<string, string> = {};
  const text = await new Promise<string>((resolve, reject) => {
    agent
      .get('/admin/events')
      .buffer(true)
      .parse((res, callback) => {
        headers = res.headers as Record<string, string>;
        let data = '';
        res.on('data', (chunk: Buffer) => {
          data += chunk.toString('utf8');
          if (/event: dashboard\ndata: .*\n\n/.test(data)) {
            resolve(data);
            (res as unknown as { destroy(): void }).destroy();
            callback(null, data);
          }
        });
      })
      .end((err) => {
        if (err && !String(err).includes('aborted')) reject(err);
      });
  });
  const [, event, data] = /event: (\w+)\ndata: (.*)\n\n/.exec(text)!;
  return { headers, event: event!, data: JSON.parse(data!) };
}

describe('live dashboard (Server-Sent Events)', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;

  beforeAll(async () => {
    t = await startShop();
    const laptop = await t.product({ name: 'Live ThinkPad', priceCents: 30_000, units: 3 });
    const guest = shopper(t.app);
    await guest.add(laptop, 1);
    await guest.refreshToken('/checkout');
    await guest.checkout({ email: 'live@example.com' });
    const s = await createUser(t.db, { email: 'watch@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('streams the counters and the recent orders at once, as an event stream nobody caches', async () => {
    const { headers, event, data } = await firstEvent(staff.agent);
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['cache-control']).toContain('no-store');
    expect(event).toBe('dashboard');
    expect(data).toMatchObject({ awaitingPayment: '1', awaitingShipment: '0', failedJobs: '0', revenueToday: '$0.00' });
    expect(data.recentOrders[0]).toMatchObject({ email: 'live@example.com', status: 'Awaiting payment', placed: 'Nov 21, 2026, 10:00 UTC' });
  });

  it('open streams end when the server shuts down, so it can stop', async () => {
    const ended = await new Promise<boolean>((resolve, reject) => {
      staff.agent
        .get('/admin/events')
        .buffer(true)
        .parse((res, callback) => {
          let data = '';
          res.on('data', (chunk: Buffer) => {
            data += chunk.toString('utf8');
            if (data.includes('event: dashboard')) for (const end of t.app.context.onShutdown) end();
          });
          res.on('end', () => {
            resolve(true);
            callback(null, data);
          });
        })
        .end((err) => err && reject(err));
    });
    expect(ended).toBe(true);
  });

  it('the dashboard page carries the hooks the script updates', async () => {
    const page = await staff.agent.get('/admin');
    expect(page.text).toContain('data-live-dashboard="/admin/events"');
    expect(page.text).toContain('data-live="awaitingPayment">1<');
  });
});
