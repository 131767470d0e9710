import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';
import { createUser, csrfToken, postForm, signIn } from '../helpers/auth';
import { loadConfig } from '../../src/config';

describe('passwords', () => {
  let t: TestApp;
  let n = 0;

  beforeAll(async () => {
    // A cost other than the tests' usual 4, to see that the setting is what hashes.
    t = await testApp({ env: { BCRYPT_COST: '5' } });
  });
  afterAll(() => t.destroy());

  /** Registers through the form (each from an address of its own: sign-ups are rate limited per address); the status and whether an account now exists. */
  async function register(password: string): Promise<{ status: number; text: string; email: string; stored: boolean }> {
    const email = `pw${++n}@example.test`;
    const agent = request.agent(t.app);
    const token = await csrfToken(agent, '/register');
    const res = await agent.post('/register').set('X-Forwarded-For', `10.62.0.${n}`).type('form').send({ _csrf: token, email, password, first_name: 'Pat', last_name: 'Word' });
    return { status: res.status, text: res.text, email, stored: Boolean(await t.db('users').where({ email }).first()) };
  }

  describe('ASVS 11.4.2 passwords are stored with bcrypt at the configured work factor', () => {
    it('the stored hash is bcrypt at BCRYPT_COST, salted, verifiable, and never the password', async () => {
      const password = 'a perfectly fine passphrase';
      const first = await register(password);
      const second = await register(password);
      const [h1, h2] = await Promise.all([first.email, second.email].map(async (email) => (await t.db('users').where({ email }).first('password_hash')).password_hash as string));
      expect(h1).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
      expect(bcrypt.getRounds(h1!)).toBe(5);
      expect(h1).not.toBe(h2);
      expect(await bcrypt.compare(password, h1!)).toBe(true);
      expect(h1).not.toContain(password);
    });

    it('the work factor is 12 unless configured; a hash made at another factor is upgraded at the next log-in', async () => {
      expect(loadConfig({}).bcryptCost).toBe(12);
      const user = await createUser(t.db); // hashed at cost 4
      expect(bcrypt.getRounds((await t.db('users').where({ id: user.id }).first('password_hash')).password_hash)).toBe(4);
      await signIn(t.app, user.email, user.password);
      const upgraded = (await t.db('users').where({ id: user.id }).first('password_hash')).password_hash;
      expect(bcrypt.getRounds(upgraded)).toBe(5);
      expect(await bcrypt.compare(user.password, upgraded)).toBe(true);
    });
  });

  describe('ASVS 6.2.8 no silent truncation (bcrypt reads 72 bytes)', () => {
    it.each([
      { what: 'exactly 72 bytes', password: 'ß'.repeat(36), near: 'ß'.repeat(35) + 'ss' },
      { what: '73 bytes', password: `${'ß'.repeat(36)}x`, near: `${'ß'.repeat(36)}y` },
      { what: '128 characters of 3 bytes (384 bytes)', password: '€'.repeat(128), near: `${'€'.repeat(127)}$` },
    ])('$what: the whole password counts — it logs in, one differing at its end does not, nor its first 72 bytes', async ({ password, near }) => {
      const registered = await register(password);
      expect(registered.status).toBe(303);
      await signIn(t.app, registered.email, password);
      await expect(signIn(t.app, registered.email, near)).rejects.toThrow(/401/);
      const first72 = Buffer.from(password).subarray(0, 72).toString();
      if (first72 !== password) await expect(signIn(t.app, registered.email, first72)).rejects.toThrow(/401/);
    });

    it('a hash made elsewhere (an imported account) from 72 bytes does not match those bytes with more after them', async () => {
      const user = await createUser(t.db);
      await t.db('users').where({ id: user.id }).update({ password_hash: await bcrypt.hash('p'.repeat(72), 4) });
      await signIn(t.app, user.email, 'p'.repeat(72));
      await expect(signIn(t.app, user.email, `${'p'.repeat(72)}anything`)).rejects.toThrow(/401/);
    });
  });

  describe('ASVS 6.2.1/6.2.9 length: at least 10 characters, at least 64 allowed', () => {
    it('9 characters are refused and nothing is stored; 10, 64 and 72 characters, and 64 characters of 2 and 3 bytes, are accepted and log in', async () => {
      const nine = await register('abcdefgh9');
      expect(nine.status).toBe(422);
      expect(nine.text).toContain('Use at least 10 characters.');
      expect(nine.stored).toBe(false);
      for (const password of ['abcdefgh10', 'long passphrase '.repeat(4), `${'a long passphrase, '.repeat(3)}and more words to 72.`.slice(0, 72), 'длинный пароль '.repeat(5).slice(0, 64), 'パスワードは長い'.repeat(8)]) {
        const ok = await register(password);
        expect(ok.status, `${password.length} characters`).toBe(303);
        await signIn(t.app, ok.email, password);
      }
    });

    it('the password change form applies the same rules', async () => {
      const user = await createUser(t.db);
      const agent = await signIn(t.app, user.email, user.password);
      const short = await postForm(agent, '/account/password', { current_password: user.password, password: 'abcdefgh9' }, '/account/password');
      expect(short.status).toBe(422);
      const long = await postForm(agent, '/account/password', { current_password: user.password, password: 'x'.repeat(64) }, '/account/password');
      expect(long.status).toBe(303);
      await signIn(t.app, user.email, 'x'.repeat(64));
    });
  });

  describe('ASVS 6.2.4 the 10,000 most common passwords are refused', () => {
    it.each(['aleksandra', 'password99', 'zxcvbnm123', 'ZXCVBNM123', 'Password99'])('"%s" is refused at registration, whatever its case, and nothing is stored', async (password) => {
      const res = await register(password);
      expect(res.status).toBe(422);
      expect(res.text).toContain('one of the most commonly used');
      expect(res.stored).toBe(false);
    });

    it('and at a password change', async () => {
      const user = await createUser(t.db);
      const agent = await signIn(t.app, user.email, user.password);
      const res = await postForm(agent, '/account/password', { current_password: user.password, password: 'password99' }, '/account/password');
      expect(res.status).toBe(422);
      await signIn(t.app, user.email, user.password);
    });
  });
});
