import crypto from 'node:crypto';
import { hashPassword } from '../src/accounts/passwords';
import type { Db } from '../src/db';
import { toDbTime } from '../src/lib/clock';
import { Browser } from './storm';

/** A confirmed account with a new password each run (created the first time); its old sessions do not matter to the bench. */
export async function benchAccount(db: Db, email: string, role: 'customer' | 'staff'): Promise<{ email: string; password: string }> {
  const password = crypto.randomBytes(18).toString('base64url');
  const now = toDbTime(new Date());
  const fields = { password_hash: await hashPassword(password, 4), role, disabled_at: null, email_verified_at: now, updated_at: now };
  const updated = await db('users').where({ email }).update(fields);
  if (!updated) await db('users').insert({ email, first_name: 'Bench', last_name: role === 'staff' ? 'Staff' : 'Customer', created_at: now, ...fields });
  return { email, password };
}

/** Signs in over HTTP as a shopper does (the log-in form, then `next`); the browser then holds the session cookies. */
export async function signIn(baseUrl: string, account: { email: string; password: string }, next: string): Promise<Browser> {
  const browser = new Browser(baseUrl);
  await browser.request('GET', '/login');
  const res = await browser.request('POST', '/login', { email: account.email, password: account.password, next });
  if (res.status !== 303) throw new Error(`sign-in as ${account.email} answered ${res.status}`);
  const page = await browser.request('GET', next);
  if (page.status !== 200) throw new Error(`${next} answered ${page.status} after signing in`);
  return browser;
}
