import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, postForm, signIn, type Agent, type TestUser } from '../helpers/auth';
import { insertProduct } from '../helpers/fixtures';
import { notify } from '../../src/notifications/repo';

/** Ways of writing "another site" that browsers follow from a Location header, plain and encoded. */
const OFFSITE = [
  'https://evil.example/x',
  'http:evil.example',
  '//evil.example/x',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/ /evil.example',
  '%2F%2Fevil.example',
  '//%2Fevil.example',
  '%252F%252Fevil.example',
  ' //evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/\r\nLocation: https://evil.example',
];

/** Every parameter that says where to go next (grep src for safeNext and redirect) refuses another site. */
describe('ASVS 3.7.2 no open redirects: every "next" or return address stays on the store', () => {
  let t: TestApp;
  let user: TestUser;
  let member: Agent;
  let productId: number;

  beforeAll(async () => {
    t = await testApp();
    user = await createUser(t.db);
    member = await signIn(t.app, user.email, user.password);
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
    const { id } = await t.db('categories').where({ slug: 'laptops' }).first('id');
    productId = await insertProduct(t.db, { categoryId: id, name: 'ThinkPad T14', slug: 'thinkpad-t14' });
  });
  afterAll(() => t.destroy());

  it('a guest sent to log in comes back to the page asked for (control)', async () => {
    const page = await request(t.app).get('/account/addresses').expect(303);
    expect(page.headers.location).toBe('/login?next=%2Faccount%2Faddresses');
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, page.headers.location);
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password, next: '/account/addresses' }).expect(303);
    expect(res.headers.location).toBe('/account/addresses');
  });

  it.each(OFFSITE)('POST /login with next=%j goes to /account', async (next) => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, `/login?next=${encodeURIComponent(next)}`);
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password, next });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
  });

  it('GET /login?next=… when already signed in, and the login form’s hidden field, keep only same-site paths', async () => {
    for (const next of OFFSITE) {
      const signedIn = await member.get(`/login?next=${encodeURIComponent(next)}`);
      expect(signedIn.status, next).toBe(303);
      expect(signedIn.headers.location, next).toBe('/account');
      const form = await request(t.app).get(`/login?next=${encodeURIComponent(next)}`).expect(200);
      expect(form.text, next).not.toContain('evil.example');
    }
  });

  it('the wishlist hearts return only to a page of the store', async () => {
    for (const next of OFFSITE) {
      const saved = await postForm(member, `/wishlist/${productId}`, { next }, '/products/thinkpad-t14');
      expect(saved.status, next).toBe(303);
      expect(saved.headers.location, next).toBe('/products/thinkpad-t14');
      const removed = await postForm(member, `/wishlist/${productId}/delete`, { next }, '/products/thinkpad-t14');
      expect(removed.headers.location, next).toBe('/account/wishlist');
    }
    const back = await postForm(member, `/wishlist/${productId}`, { next: '/categories/laptops?page=2' }, '/products/thinkpad-t14');
    expect(back.headers.location).toBe('/categories/laptops?page=2');
  });

  it('a notification leads only to a page of the store, whatever link it was given', async () => {
    for (const url of OFFSITE) await notify(t.db, { userId: user.id, kind: 'order', title: 'Your order', url }, new Date());
    // A link written to the table by other means is not followed off the store either.
    await t.db('notifications').insert({ user_id: user.id, kind: 'order', title: 'Planted', url: '//evil.example/planted', created_at: '2026-01-01 00:00:00.000' });
    const ids = await t.db('notifications').where({ user_id: user.id }).pluck('id');
    expect(ids).toHaveLength(OFFSITE.length + 1);
    for (const id of ids) {
      const res = await postForm(member, `/account/notifications/${id}/read`, {}, '/account/notifications');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/notifications');
    }
    expect(await t.db('notifications').where({ user_id: user.id }).where('url', 'like', '%evil%').whereNot({ title: 'Planted' })).toEqual([]);
  });
});
