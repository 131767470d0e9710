import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../src/accounts/passwords';
import { toDbTime } from '../../src/lib/clock';
import { expectAccessible, launchBrowser, saveScreenshot, startStore, type Store } from './harness';

/** A guest pays by bank transfer; a staff member logs in, marks the order paid and ships it with the unit's serial. */
describe('staff run an order from the admin panel', () => {
  let store: Store;
  let browser: Browser;
  let page: Page | undefined;
  const staff = { email: 'clerk@giggatek.test', password: 'warehouse-clerk-2026' };

  beforeAll(async () => {
    store = await startStore();
    browser = await launchBrowser();
    const at = toDbTime(new Date());
    await store.db('users').insert({ email: staff.email, password_hash: await hashPassword(staff.password, 4), first_name: 'Wren', last_name: 'Clerk', role: 'staff', email_verified_at: at, created_at: at, updated_at: at });
  });
  afterAll(async () => {
    await browser?.close();
    await store?.stop();
  });

  async function guestOrder(): Promise<string> {
    const context = await browser.newContext();
    const guest = await context.newPage();
    const { slug } = await store.db('products as p').whereExists(store.db('inventory_units as u').select(store.db.raw('1')).where('u.product_id', store.db.ref('p.id')).andWhere('u.status', 'in_stock')).first('slug');
    await guest.goto(`${store.baseUrl}/products/${slug}`);
    await guest.getByRole('button', { name: 'Add to cart' }).click();
    await guest.waitForURL(/\/cart/);
    await guest.getByRole('link', { name: 'Check out' }).click();
    await guest.getByLabel('E-mail address').fill('bank.payer@example.com');
    await guest.getByLabel('First name').fill('Bea');
    await guest.getByLabel('Last name').fill('Banker');
    await guest.getByLabel('Street address').fill('12 Dock Street');
    await guest.getByLabel('City').fill('Austin');
    await guest.locator('#f-region').selectOption('TX');
    await guest.getByLabel('ZIP code').fill('78701');
    await guest.locator('#ship-pickup').check();
    await expect.poll(() => guest.getByRole('button', { name: /Place order/ }).isEnabled()).toBe(true);
    await guest.getByRole('button', { name: /Place order/ }).click();
    await guest.waitForURL(/\/orders\/GG-\d+\/confirmation/);
    const number = (await guest.locator('.order-number strong').textContent())!.trim();
    await context.close();
    return number;
  }

  it('logs in, marks paid, ships with the serial; the admin pages pass axe', async () => {
    const number = await guestOrder();
    const context = await browser.newContext();
    page = await context.newPage();
    try {
      await page.goto(`${store.baseUrl}/login?next=/admin`);
      await page.getByLabel('E-mail address').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/admin$/);
      await expect.poll(() => page!.getByRole('heading', { name: 'Dashboard' }).isVisible()).toBe(true);
      // The counters follow the store over Server-Sent Events.
      await expect.poll(() => page!.getByText('Updating live.').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.locator('[data-live="awaitingPayment"]').textContent()).toBe('1');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByLabel('Number or e-mail').fill(number);
      await page.getByRole('button', { name: 'Filter' }).click();
      await expectAccessible(page);
      await page.getByRole('link', { name: number }).click();
      await page.waitForURL(new RegExp(`/admin/orders/${number}$`));
      await expectAccessible(page);

      await page.getByLabel('Bank reference or receipt number').fill('TX-20261127-88');
      await page.getByRole('button', { name: 'Mark paid' }).click();
      await expect.poll(() => page!.locator('.flash-success').textContent()).toContain('is marked paid');

      const proposed = (await page.getByLabel('Serial numbers shipped, one per line').inputValue()).trim();
      const order = await store.db('orders').where({ number }).first('id');
      const held = await store.db('inventory_units').where({ order_id: order.id }).first('serial_number');
      expect(proposed).toBe(held.serial_number);
      await page.getByLabel('Carrier').fill('UPS');
      await page.getByLabel('Tracking number').fill('1Z999AA10123456784');
      await page.getByRole('button', { name: 'Ship and e-mail the tracking number' }).click();
      await expect.poll(() => page!.locator('.flash-success').textContent()).toContain('is shipped');
      await expectAccessible(page);

      expect(await store.db('orders').where({ number }).first('status', 'tracking_number')).toEqual({ status: 'shipped', tracking_number: '1Z999AA10123456784' });
      expect(await page.locator('.order-items').textContent()).toContain(held.serial_number);

      await page.getByRole('link', { name: 'Audit log' }).click();
      await expect.poll(() => page!.locator('.audit-table').textContent()).toContain('order.ship');
      await expectAccessible(page);
    } catch (err) {
      await saveScreenshot(page, 'staff-orders-failure');
      throw err;
    } finally {
      await context.close();
    }
  });
});
