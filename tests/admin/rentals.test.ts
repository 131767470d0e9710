import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** Staff see every agreement, find one by number or e-mail, and read its signature record and history. */
describe('admin rentals', () => {
  let t: Shop;
  let staff: ReturnType<typeof shopper>;
  let number: string;

  beforeAll(async () => {
    t = await startShop();
    const product = await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 2 });
    const user = await createUser(t.db, { email: 'casey@example.com', firstName: 'Casey', lastName: 'Renter' });
    const renter = shopper(t.app);
    await renter.login(user.email, user.password);
    await renter.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const signed = await renter.agent.post('/rentals').set('User-Agent', 'TestBrowser/1.0').type('form').send({ _csrf: renter.token, product_id: product, term_months: '12', signature_name: 'Casey Renter', agree: 'on' });
    expect(signed.status).toBe(303);
    number = signed.headers.location.split('/').pop()!;
    const s = await createUser(t.db, { email: 'rentals@giggatek.test', role: 'staff' });
    staff = shopper(t.app);
    await staff.login(s.email, s.password);
  });
  afterAll(() => t.destroy());

  it('lists agreements and finds them by status, number and e-mail', async () => {
    const all = await staff.agent.get('/admin/rentals');
    expect(all.text).toContain(`href="/admin/rentals/${number}">${number}</a>`);
    expect(all.text).toContain('casey@example.com');
    expect((await staff.agent.get('/admin/rentals?status=pending_payment')).text).toContain(number);
    expect((await staff.agent.get('/admin/rentals?status=active')).text).toContain('No agreements match.');
    expect((await staff.agent.get(`/admin/rentals?q=${number.toLowerCase()}`)).text).toContain(number);
    expect((await staff.agent.get('/admin/rentals?q=casey@')).text).toContain(number);
    expect((await staff.agent.get('/admin/rentals?q=nobody')).text).toContain('No agreements match.');
    expect((await staff.agent.get('/admin/rentals?status=lost')).status).toBe(400);
  });

  it('shows one agreement with its signature record, copied policy, history and text', async () => {
    const row = await t.db('rentals').where({ number }).first('agreement_sha256', 'signed_ip');
    const page = await staff.agent.get(`/admin/rentals/${number}`);
    expect(page.status).toBe(200);
    for (const fact of ['Casey Renter', 'TestBrowser/1.0', row.agreement_sha256, `<dd>${row.signed_ip}</dd>`, '12 × $87.50 = $1,050.00', 'grace 7 days; late fee 5%, at most $5.00; retries on days 3 and 7; default after day 10', 'Waiting for first payment']) {
      expect(page.text).toContain(fact);
    }
    expect(page.text).toContain('RENT-TO-OWN AGREEMENT');
    expect((await staff.agent.get('/admin/rentals/RA-999999')).status).toBe(404);
  });
});
