import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, postForm, signIn, type Agent } from '../helpers/auth';
import { insertProduct } from '../helpers/fixtures';

/** Markup that runs script if a page pastes it in unescaped, in text, in an attribute or after a closing tag. */
const PAYLOAD = `"'><script>alert(1)</script><img src=x onerror=alert(2)></textarea>`;
const PROBE = /<script>alert\(1\)<\/script>|<img src=x onerror/;

/** What a page must show instead: the same characters, as text. */
function expectEncoded(html: string, where: string) {
  expect(html, where).not.toMatch(PROBE);
  expect(html, where).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
}

/**
 * Text typed by shoppers and staff — a search, names, addresses, reviews,
 * product fields — comes back on pages as text: EJS escapes it (`<%=`), and
 * no view prints such a value raw.
 */
describe('ASVS 1.2.1 output encoding: what people type is shown as text, never as markup', () => {
  let t: TestApp;
  let customer: Agent;
  let staff: Agent;
  let productId: number;
  let userId: number;

  beforeAll(async () => {
    t = await testApp();
    await t.db('categories').insert({ slug: 'laptops', name: 'Laptops', position: 1 });
    const { id: categoryId } = await t.db('categories').where({ slug: 'laptops' }).first('id');
    productId = await insertProduct(t.db, { categoryId, name: `ThinkPad ${PAYLOAD}`, slug: 'thinkpad-x', brand: `Lenovo${PAYLOAD}`, featured: true, units: 3, specs: { cpu: `i5 ${PAYLOAD}`, ram_gb: 16 } });
    await t.db('products').where({ id: productId }).update({ description: `Tested. ${PAYLOAD}` });
    const user = await createUser(t.db, { firstName: `Ann${PAYLOAD}`, lastName: `Lee${PAYLOAD}` });
    userId = user.id;
    const boss = await createUser(t.db, { role: 'admin' });
    customer = await signIn(t.app, user.email, user.password);
    staff = await signIn(t.app, boss.email, boss.password);
  });
  afterAll(() => t.destroy());

  it('a search is shown back as text on the listing pages and in the search box', async () => {
    for (const path of ['/products', '/categories/laptops']) {
      const html = (await request(t.app).get(path).query({ q: PAYLOAD })).text;
      expect(html, path).not.toMatch(PROBE);
      expect(html, path).toContain('&lt;script&gt;');
    }
  });

  it('product fields (name, brand, description, specifications) on the home, listing, product and cart pages and in the admin', async () => {
    const guest = request.agent(t.app);
    const pages: Array<[string, Agent]> = [['/', guest], ['/products', guest], ['/products/thinkpad-x', guest], ['/admin/products', staff], [`/admin/products/${productId}`, staff]];
    for (const [path, who] of pages) expectEncoded((await who.get(path)).text, path);
    // The flash message that names the product, and the cart line.
    const added = await postForm(customer, '/cart/items', { product_id: String(productId), quantity: '1' }, '/products/thinkpad-x');
    expect(added.status).toBe(303);
    expectEncoded((await customer.get('/cart')).text, '/cart');
  });

  it('a customer’s names and address on their pages and in the admin', async () => {
    const saved = await postForm(customer, '/account/addresses', {
      label: 'Home', first_name: 'Ann', last_name: 'Lee', line1: `1 Main St ${PAYLOAD}`.slice(0, 120), line2: '', city: 'Austin', region: 'TX', postal_code: '78701', country: 'US', phone: '',
    }, '/account/addresses/new');
    expect(saved.status).toBe(303);
    for (const path of ['/account', '/account/profile', '/account/addresses']) expectEncoded((await customer.get(path)).text, path);
    for (const path of ['/admin/customers', `/admin/customers/${userId}`]) expectEncoded((await staff.get(path)).text, path);
  });

  it('a review, in the moderation queue and once published on the product page', async () => {
    const written = await postForm(customer, `/products/thinkpad-x/reviews`, { rating: '4', title: `Good ${PAYLOAD}`.slice(0, 120), body: `Works. ${PAYLOAD}` }, '/products/thinkpad-x/review');
    expect(written.status).toBe(303);
    const review = await t.db('reviews').where({ user_id: userId }).first('id');
    expectEncoded((await staff.get('/admin/reviews?status=pending')).text, '/admin/reviews');
    expect((await postForm(staff, `/admin/reviews/${review.id}/approve`, {}, '/admin/reviews')).status).toBe(303);
    const page = (await request(t.app).get('/products/thinkpad-x')).text;
    expectEncoded(page, 'product page with the review');
    expect(page).toContain('Works. &#34;&#39;&gt;&lt;script&gt;');
  });
});
