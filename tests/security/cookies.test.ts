import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, secureBrowser, type TestUser } from '../helpers/auth';
import { insertProduct } from '../helpers/fixtures';

const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/unused' };

/** The cookies a browser goes through buying as a guest and logging in: CSRF, cart, flash message, session (access and refresh). */
async function cookiesOfAVisit(t: TestApp, user: TestUser, prefix: string): Promise<Map<string, string>> {
  const browser = secureBrowser(t.app);
  await browser.get('/login');
  const productId = Number((await t.db('products').first('id')).id);
  browser.keep(await browser.post('/cart/items').type('form').send({ _csrf: browser.token, product_id: productId, quantity: 1 }).expect(303));
  await browser.login(user.email, user.password);
  for (const name of [`${prefix}gg_csrf`, 'gg_cart', 'gg_flash', `${prefix}gg_at`, `${prefix}gg_rt`]) expect([...browser.seen.keys()]).toContain(name);
  return browser.seen;
}

describe.each([
  ['production', PRODUCTION, '__Host-'],
  ['development', { NODE_ENV: 'development' }, ''],
])('ASVS 3.3.1/3.3.2/3.3.4 cookie attributes (%s)', (mode, env, prefix) => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await testApp({ env });
    user = await createUser(t.db);
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
    const { id } = await t.db('categories').where({ slug: 'laptops' }).first('id');
    await insertProduct(t.db, { categoryId: id, name: 'ThinkPad T14', units: 2 });
  });
  afterAll(() => t.destroy());

  it(`every cookie is HttpOnly and SameSite=Lax with Path=/ and no Domain${mode === 'production' ? ', Secure, session and CSRF cookies __Host- prefixed' : ''}`, async () => {
    const cookies = await cookiesOfAVisit(t, user, prefix);
    for (const [name, line] of cookies) {
      expect(line, name).toMatch(/; HttpOnly/);
      expect(line, name).toMatch(/; SameSite=Lax/);
      expect(line, name).toMatch(/; Path=\//);
      expect(line, name).not.toMatch(/Domain=/i);
      if (mode === 'production') expect(line, name).toMatch(/; Secure/);
      // Plain http on a developer's machine must still work: no Secure there.
      else expect(line, name).not.toMatch(/; Secure/);
    }
  });
});
