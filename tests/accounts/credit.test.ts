import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCreditEntry } from '../../src/payments/store-credit';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';

/** /account/credit: the balance and the ledger, the customer's own only, newest first, 50 a page. */
describe('store credit page', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.destroy());

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('shows the balance, each entry with its sign, reason and order, and nothing of anyone else', async () => {
    const me = await createUser(t.db, { email: 'credit@example.com' });
    const other = await createUser(t.db, { email: 'someone@example.com' });
    const at = (d: string) => new Date(`${d}T12:00:00Z`);
    await addCreditEntry(t.db, { userId: me.id, amountCents: 2_500, kind: 'goodwill', reason: 'Late delivery <sorry>', now: at('2026-11-01') });
    await addCreditEntry(t.db, { userId: me.id, amountCents: -1_000, kind: 'purchase', now: at('2026-11-05') });
    await addCreditEntry(t.db, { userId: other.id, amountCents: 9_900, kind: 'goodwill', reason: 'Not yours', now: at('2026-11-06') });

    const s = shopper(t.app);
    await s.login(me.email, me.password);
    const res = await s.agent.get('/account/credit');
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('Your balance: $15.00');
    expect(page).toMatch(/Nov 5, 2026 Spent on an order −\$10\.00 Nov 1, 2026 Goodwill credit Late delivery &lt;sorry&gt; \+\$25\.00/);
    expect(page).not.toContain('Not yours');
    expect(res.text).toContain('href="/account/credit" aria-current="page"');
  });

  it('an empty ledger says so; a long one pages', async () => {
    const empty = await createUser(t.db, { email: 'nocredit@example.com' });
    const s = shopper(t.app);
    await s.login(empty.email, empty.password);
    expect(text((await s.agent.get('/account/credit')).text)).toContain('Your balance: $0.00 Store credit is used at checkout');

    const many = await createUser(t.db, { email: 'lots@example.com' });
    for (let i = 1; i <= 55; i++) await addCreditEntry(t.db, { userId: many.id, amountCents: 100, kind: 'goodwill', reason: `Entry ${i}`, now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
    const m = shopper(t.app);
    await m.login(many.email, many.password);
    const first = text((await m.agent.get('/account/credit')).text);
    expect(first).toContain('Entry 55');
    expect(first).not.toContain('Entry 5 ');
    const second = text((await m.agent.get('/account/credit?page=2')).text);
    expect(second.match(/Entry \d+/g)).toEqual(['Entry 5', 'Entry 4', 'Entry 3', 'Entry 2', 'Entry 1']);
    expect((await m.agent.get('/account/credit?page=abc')).status).toBe(200);
  });

  it('guests are sent to log in', async () => {
    const res = await shopper(t.app).agent.get('/account/credit');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%2Fcredit');
  });
});
