import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, createCustomer, orderNumberFrom, shopper, startShop, type Shop } from '../checkout/shop';

describe('paying by hand: bank details and pickup address come from settings', () => {
  let t: Shop;
  let laptop: number;
  beforeAll(async () => {
    t = await startShop();
    laptop = await t.product({ name: 'ThinkPad T14', priceCents: 44_900, units: 5 });
  });
  afterAll(() => t.destroy());

  async function placeManualOrder(email = ADDRESS.email!) {
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const res = await s.checkout({ email });
    expect(res.status).toBe(303);
    return { s, number: orderNumberFrom(res.headers.location), location: res.headers.location as string };
  }

  it('the confirmation page, the order page and the e-mail show the amount, the order number to quote, the bank account and the pickup address', async () => {
    await t.app.context.settings.set('bank_transfer', { account_name: 'GigGatek Texas LLC', bank_name: 'Lone Star Bank', routing_number: '111000025', account_number: '9876543210', swift: 'LSBKUS44' });
    await t.app.context.settings.set('pickup', { address: '12 Dock Street, Austin, TX 78701', hours: 'Weekdays 8 am to 6 pm' });
    const customer = await createCustomer(t.db, 'payer@example.com');
    const s = shopper(t.app);
    await s.login(customer.email, customer.password);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const placed = await s.checkout();
    const number = orderNumberFrom(placed.headers.location);
    const order = await t.db('orders').where({ number }).first();
    const amount = `$${(order.total_cents / 100).toFixed(2)}`;

    for (const path of [placed.headers.location as string, `/account/orders/${number}`]) {
      const page = await s.agent.get(path);
      expect(page.status, path).toBe(200);
      for (const text of [`How to pay ${amount}`, `<strong>${number}</strong>`, 'GigGatek Texas LLC', 'Lone Star Bank', '111000025', '9876543210', 'LSBKUS44', '12 Dock Street, Austin, TX 78701', 'Weekdays 8 am to 6 pm']) {
        expect(page.text, `${path}: ${text}`).toContain(text);
      }
    }

    await t.runJobs();
    const mail = t.mail.find((m) => m.to === customer.email && String(m.subject).includes(number))!;
    for (const part of [String(mail.html), String(mail.text)]) {
      for (const text of [`How to pay ${amount}`, number, 'Lone Star Bank', '9876543210', '111000025', '12 Dock Street, Austin, TX 78701']) {
        expect(part).toContain(text);
      }
    }
  });

  it('the confirmation leads with the order number, gives readable dates and, for a pickup order, where and when to collect it', async () => {
    await t.app.context.settings.set('bank_transfer', { account_name: 'GigGatek Texas LLC', bank_name: 'Lone Star Bank', routing_number: '111000025', account_number: '9876543210', swift: '' });
    await t.app.context.settings.set('pickup', { address: '12 Dock Street, Austin, TX 78701', hours: 'Weekdays 8 am to 6 pm' });
    const s = shopper(t.app);
    await s.add(laptop, 1);
    await s.refreshToken('/checkout');
    const placed = await s.checkout({ email: 'collector@example.com', shipping_method: 'pickup' });
    expect(placed.status).toBe(303);
    const number = orderNumberFrom(placed.headers.location);
    const order = await t.db('orders').where({ number }).first();
    const page = await s.agent.get(placed.headers.location as string);
    expect(page.status).toBe(200);
    const text = page.text.replace(/\s+/g, ' ');
    // The number straight after the heading, before the payment instructions.
    const at = (s: string) => text.indexOf(s);
    expect(at(`Order number: <strong>${number}</strong>`)).toBeGreaterThan(at('id="page-title"'));
    expect(at(`Order number: <strong>${number}</strong>`)).toBeLessThan(at('How to pay'));
    expect(text).toContain('· placed <time datetime="2026-11-21T10:00:00.000Z">November 21, 2026</time>');
    expect(text).toMatch(/We hold your items until <time datetime="[^"]+">[A-Z][a-z]+ \d{1,2}, 2026<\/time>/);
    expect(text).not.toMatch(/>\d{4}-\d{2}-\d{2}</);
    // Bank transfer: the amount and the reference to quote with the account.
    const amount = `$${(order.total_cents / 100).toFixed(2)}`;
    expect(text).toContain(`<dt>Amount</dt><dd>${amount}</dd>`);
    expect(text).toContain(`<dt>Reference</dt><dd><strong>${number}</strong></dd>`);
    expect(text).toContain('<dt>Account number</dt><dd>9876543210</dd>');
    // Pickup: where and when, instead of a shipping address.
    expect(text).toContain('<h2>Collect it from</h2> <p class="pickup-address">12 Dock Street, Austin, TX 78701<br>Weekdays 8 am to 6 pm</p>');
    expect(text).not.toContain('<h2>Shipping to</h2>');
  });

  it('a store that has not set them up sends the customer to its contact address instead of made-up details', async () => {
    await t.db('settings').whereIn('key', ['bank_transfer', 'pickup']).delete();
    t.app.context.settings.invalidate();
    const { s, location } = await placeManualOrder('nodetails@example.com');
    const page = await s.agent.get(location);
    expect(page.text).toContain('support@giggatek.local');
    expect(page.text).not.toContain('Account number');
    expect(page.text).not.toContain('Lone Star Bank');
  });

  it('a bad settings value is refused and changes nothing', async () => {
    await expect(t.app.context.settings.set('bank_transfer', { account_name: '', bank_name: 'X' })).rejects.toThrow();
    expect(await t.db('settings').where({ key: 'bank_transfer' }).first()).toBeUndefined();
  });
});
