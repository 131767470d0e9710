import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, postForm, signIn, type Agent, type TestUser } from '../helpers/auth';
import { captureTransport, linkTo, runJobs } from '../helpers/mail';
import { insertProduct } from '../helpers/fixtures';
import { toDbTime } from '../../src/lib/clock';

const home = {
  label: 'Home',
  first_name: 'Alan',
  last_name: 'Turing',
  line1: '1 Bletchley Park',
  line2: '',
  city: 'Milton Keynes',
  region: 'Bucks',
  postal_code: 'MK3 6EB',
  country: 'gb',
  phone: '',
};

describe('account area', () => {
  let t: TestApp;
  const mail = captureTransport();
  let a: TestUser;
  let b: TestUser;
  let agentA: Agent;
  let agentB: Agent;

  beforeAll(async () => {
    t = await testApp({ deps: { mailTransport: mail } });
    a = await createUser(t.db, { firstName: 'Alan' });
    b = await createUser(t.db, { firstName: 'Barbara' });
    agentA = await signIn(t.app, a.email, a.password);
    agentB = await signIn(t.app, b.email, b.password);
  });
  afterAll(() => t.destroy());

  it('guests are sent to log in for every account page', async () => {
    for (const path of ['/account', '/account/profile', '/account/password', '/account/addresses', '/account/addresses/new', '/account/orders']) {
      const res = await request(t.app).get(path).expect(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  describe('dashboard', () => {
    it('shows real empty states when there is nothing yet', async () => {
      const res = await agentA.get('/account').expect(200);
      expect(res.text).toContain('Hello, Alan');
      expect(res.text).toContain('You have no orders yet.');
      expect(res.text).toContain('No rent-to-own agreements yet.');
      expect(res.text).toContain('You have no store credit.');
      expect(res.text).toContain('No notifications yet.');
      expect(res.text).toContain('Sign out everywhere');
    });

    it('shows orders, rentals, credit and notifications at a glance — only the user\'s own', async () => {
      const cat = await t.db('categories').insert({ slug: 'laptops', name: 'Laptops' }).then(() => t.db('categories').where({ slug: 'laptops' }).first());
      const productId = await insertProduct(t.db, { categoryId: cat.id, name: 'ThinkPad X1 Carbon' });
      const now = toDbTime(new Date());
      await t.db('orders').insert({
        number: 'GG-1001', user_id: a.id, email: a.email, status: 'paid', subtotal_cents: 49_900, total_cents: 52_900,
        shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: now, updated_at: now,
      });
      await t.db('orders').insert({
        number: 'GG-1002', user_id: b.id, email: b.email, status: 'paid', subtotal_cents: 100, total_cents: 100,
        shipping_method: 'standard', shipping_address: '{}', payment_method: 'manual', created_at: now, updated_at: now,
      });
      await t.db('rentals').insert({
        number: 'RA-2001', user_id: a.id, product_id: productId, status: 'active', term_months: 12, monthly_cents: 7_300,
        cash_price_cents: 50_000, total_cents: 87_600, created_at: now, updated_at: now,
      });
      await t.db('store_credit_entries').insert([
        { user_id: a.id, amount_cents: 2_500, kind: 'goodwill', created_at: now },
        { user_id: a.id, amount_cents: -500, kind: 'redemption', created_at: now },
      ]);
      await t.db('notifications').insert({ user_id: a.id, kind: 'order', title: 'Your order GG-1001 was paid', url: '/account/orders/GG-1001', created_at: now });

      const res = await agentA.get('/account').expect(200);
      expect(res.text).toContain('GG-1001');
      expect(res.text).toContain('$529.00');
      expect(res.text).not.toContain('GG-1002');
      expect(res.text).toContain('RA-2001');
      expect(res.text).toContain('ThinkPad X1 Carbon');
      expect(res.text).toContain('1 open agreement.');
      expect(res.text).toContain('$20.00');
      expect(res.text).toContain('Your order GG-1001 was paid');
      expect(res.text).toContain('1 unread.');
      expect((await agentB.get('/account').expect(200)).text).toContain('No rent-to-own agreements yet.');
    });
  });

  describe('profile', () => {
    it('saves names and phone; invalid input re-renders with messages and values kept', async () => {
      const bad = await postForm(agentA, '/account/profile', { first_name: '', last_name: 'Turing<script>', phone: 'call me', email: a.email, current_password: '' }, '/account/profile');
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Enter your first name.');
      expect(bad.text).toContain('Enter a phone number');
      expect(bad.text).toContain('value="Turing&lt;script&gt;"');
      expect(bad.text).not.toContain('<script>');
      expect(bad.text).toMatch(/id="f-first_name"[^>]*aria-invalid="true"/);

      const ok = await postForm(agentA, '/account/profile', { first_name: 'Alan M.', last_name: 'Turing', phone: '+44 1908 640404', email: a.email }, '/account/profile');
      expect(ok.status).toBe(303);
      const row = await t.db('users').where({ id: a.id }).first();
      expect(row).toMatchObject({ first_name: 'Alan M.', last_name: 'Turing', phone: '+44 1908 640404', email: a.email });
      expect(row.email_verified_at).not.toBeNull();
      expect((await agentA.get('/account/profile').expect(200)).text).toContain('Profile saved.');
    });

    it('changing the e-mail needs the current password, un-confirms it and sends a new link', async () => {
      const newEmail = 'alan.new@example.test';
      const noPassword = await postForm(agentA, '/account/profile', { first_name: 'Alan', last_name: 'Turing', phone: '', email: newEmail }, '/account/profile');
      expect(noPassword.status).toBe(422);
      expect(noPassword.text).toContain('Enter your current password to change your e-mail address.');
      expect(noPassword.text).toContain(`value="${newEmail}"`);
      const wrong = await postForm(agentA, '/account/profile', { first_name: 'Alan', last_name: 'Turing', phone: '', email: newEmail, current_password: 'wrong password!!' }, '/account/profile');
      expect(wrong.status).toBe(422);
      expect(wrong.text).toContain('Your current password is not correct.');
      const taken = await postForm(agentA, '/account/profile', { first_name: 'Alan', last_name: 'Turing', phone: '', email: b.email, current_password: a.password }, '/account/profile');
      expect(taken.status).toBe(422);
      expect(taken.text).toContain('That e-mail address belongs to another account.');
      expect((await t.db('users').where({ id: a.id }).first()).email).toBe(a.email);

      const ok = await postForm(agentA, '/account/profile', { first_name: 'Alan', last_name: 'Turing', phone: '', email: newEmail.toUpperCase(), current_password: a.password }, '/account/profile');
      expect(ok.status).toBe(303);
      const row = await t.db('users').where({ id: a.id }).first();
      expect(row.email).toBe(newEmail);
      expect(row.email_verified_at).toBeNull();
      await runJobs(t.app.context);
      expect(mail.to(a.email).map((m) => m.subject)).toContain('Your GigGatek e-mail address was changed');
      const confirm = mail.to(newEmail).find((m) => /Confirm your e-mail/.test(m.subject))!;
      expect(confirm).toBeTruthy();
      expect((await agentA.get('/account').expect(200)).text).toContain('Please confirm your e-mail address.');
      await request(t.app).get(linkTo(confirm.text, '/verify-email')).expect(200);
      expect((await t.db('users').where({ id: a.id }).first()).email_verified_at).not.toBeNull();
      a.email = newEmail;
    });

    it('a confirmation link for the previous address no longer confirms anything', async () => {
      const user = await createUser(t.db, { verified: false });
      const agent = await signIn(t.app, user.email, user.password);
      await postForm(agent, '/account/verify-email', {}, '/account');
      await runJobs(t.app.context);
      const oldLink = linkTo(mail.to(user.email).at(-1)!.text, '/verify-email');
      await postForm(agent, '/account/profile', { first_name: 'X', last_name: 'Y', phone: '', email: 'moved@example.test', current_password: user.password }, '/account/profile');
      const res = await request(t.app).get(oldLink).expect(400);
      expect(res.text).toContain('This confirmation link does not work');
      expect((await t.db('users').where({ id: user.id }).first()).email_verified_at).toBeNull();
    });
  });

  describe('password', () => {
    it('checks the current password and the new one, keeping nothing typed', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ current_password: 'not my password', password: 'a brand new passphrase' }, 'Your current password is not correct.'],
        [{ current_password: a.password, password: 'short' }, 'Use at least 10 characters.'],
        [{ current_password: a.password, password: 'password123' }, 'one of the most commonly used'],
        [{ current_password: a.password, password: 'é'.repeat(129) }, 'Use at most 128 characters.'],
        [{ current_password: a.password, password: a.password }, 'different from your current one'],
      ];
      for (const [fields, message] of cases) {
        const res = await postForm(agentA, '/account/password', fields, '/account/password');
        expect(res.status).toBe(422);
        expect(res.text).toContain(message);
        for (const v of Object.values(fields)) expect(res.text).not.toContain(`value="${v}"`);
      }
    });
  });

  describe('addresses', () => {
    let firstId: number;
    let secondId: number;

    it('adds addresses; the first becomes the default', async () => {
      const bad = await postForm(agentA, '/account/addresses', { ...home, city: '', country: 'Britain' }, '/account/addresses/new');
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Enter the city.');
      expect(bad.text).toContain('Use the two-letter country code');
      expect(bad.text).toContain('value="1 Bletchley Park"');
      expect(await t.db('addresses').where({ user_id: a.id })).toHaveLength(0);

      expect((await postForm(agentA, '/account/addresses', home, '/account/addresses/new')).status).toBe(303);
      expect((await postForm(agentA, '/account/addresses', { ...home, label: 'Office', line1: '2 Kings Parade', city: 'Cambridge' }, '/account/addresses/new')).status).toBe(303);
      const rows = await t.db('addresses').where({ user_id: a.id }).orderBy('id');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ country: 'GB', line2: null, phone: null });
      expect(rows.map((r) => Boolean(r.is_default))).toEqual([true, false]);
      [firstId, secondId] = rows.map((r) => r.id);
      const list = await agentA.get('/account/addresses').expect(200);
      expect(list.text).toContain('1 Bletchley Park');
      expect(list.text).toContain('Default address');
    });

    it('edits, changes the default, deletes (the default moves on)', async () => {
      const form = await agentA.get(`/account/addresses/${secondId}/edit`).expect(200);
      expect(form.text).toContain('value="2 Kings Parade"');
      expect((await postForm(agentA, `/account/addresses/${secondId}`, { ...home, line1: '3 Kings Parade', is_default: 'on' }, '/account/addresses')).status).toBe(303);
      let rows = await t.db('addresses').where({ user_id: a.id }).orderBy('id');
      expect(rows.map((r) => [r.line1, Boolean(r.is_default)])).toEqual([['1 Bletchley Park', false], ['3 Kings Parade', true]]);
      expect((await postForm(agentA, `/account/addresses/${firstId}/default`, {}, '/account/addresses')).status).toBe(303);
      rows = await t.db('addresses').where({ user_id: a.id }).orderBy('id');
      expect(rows.map((r) => Boolean(r.is_default))).toEqual([true, false]);
      expect((await postForm(agentA, `/account/addresses/${firstId}/delete`, {}, '/account/addresses')).status).toBe(303);
      rows = await t.db('addresses').where({ user_id: a.id });
      expect(rows).toHaveLength(1);
      expect(Boolean(rows[0].is_default)).toBe(true);
      expect((await t.app.context.accounts.listAddresses(a.id))[0]).toMatchObject({ line1: '3 Kings Parade', isDefault: true });
    });
  });

  it('unconfirmed users can ask for a new confirmation link', async () => {
    const user = await createUser(t.db, { verified: false });
    const agent = await signIn(t.app, user.email, user.password);
    const page = await agent.get('/account').expect(200);
    expect(page.text).toContain('Please confirm your e-mail address.');
    const res = await postForm(agent, '/account/verify-email', {}, '/account');
    expect(res.status).toBe(303);
    await runJobs(t.app.context);
    const sent = mail.to(user.email);
    expect(sent).toHaveLength(1);
    await request(t.app).get(linkTo(sent[0]!.text, '/verify-email')).expect(200);
    expect((await agent.get('/account').expect(200)).text).not.toContain('Please confirm your e-mail address.');
  });
});
