import request from 'supertest';
import type { Express } from 'express';
import type { Db } from '../../src/db';
import { hashPassword } from '../../src/accounts/passwords';
import { toDbTime } from '../../src/lib/clock';
import type { Role } from '../../src/http/current-user';

export type Agent = ReturnType<typeof request.agent>;

let n = 0;

export interface TestUser {
  id: number;
  email: string;
  password: string;
}

/** Inserts a user directly (bcrypt cost 4). Defaults: a customer with a confirmed address. */
export async function createUser(
  db: Db,
  o: { email?: string; password?: string; role?: Role; verified?: boolean; firstName?: string; lastName?: string } = {},
): Promise<TestUser> {
  n++;
  const email = (o.email ?? `user${n}-${Date.now()}@example.test`).toLowerCase();
  const password = o.password ?? 'correct horse battery staple';
  const now = toDbTime(new Date());
  await db('users').insert({
    email,
    password_hash: await hashPassword(password, 4),
    first_name: o.firstName ?? 'Test',
    last_name: o.lastName ?? `User${n}`,
    role: o.role ?? 'customer',
    email_verified_at: o.verified === false ? null : now,
    created_at: now,
    updated_at: now,
  });
  const { id } = await db('users').where({ email }).first('id');
  return { id, email, password };
}

/** The hidden _csrf value of the first form on an HTML page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('No _csrf field on the page');
  return m[1]!;
}

/** Loads a page with a form through the agent (setting its CSRF cookie) and returns the token. */
export async function csrfToken(agent: Agent, page = '/login'): Promise<string> {
  const res = await agent.get(page);
  return csrfFrom(res.text);
}

/** An agent signed in as the user (cookies kept between requests). */
export async function signIn(app: Express, email: string, password: string): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email, password });
  if (res.status !== 303) throw new Error(`log-in as ${email} failed: ${res.status}`);
  return agent;
}

/** Posts a form the way a browser would: fetches a CSRF token from `from` first. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, from = '/account'): Promise<request.Response> {
  const token = await csrfToken(agent, from);
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
}

/** The Set-Cookie lines of a response (none: an empty list). */
export function setCookies(res: request.Response): string[] {
  return (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
}

/** The value a response sets for one cookie, decoded; undefined when it sets none. */
export function cookieValue(res: request.Response, name: string): string | undefined {
  const c = setCookies(res).find((x) => x.startsWith(`${name}=`));
  return c ? decodeURIComponent(c.slice(name.length + 1).split(';')[0]!) : undefined;
}

/** Logs in through the form and returns the session cookies' values (access JWT, refresh token). */
export async function loginTokens(app: Express, user: Pick<TestUser, 'email' | 'password'>): Promise<{ access: string; refresh: string }> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(303);
  return { access: cookieValue(res, 'gg_at')!, refresh: cookieValue(res, 'gg_rt')! };
}

/** Whether a request carrying only these cookies is treated as a guest (sent to log in from /account). */
export async function isGuest(app: Express, cookie: string): Promise<boolean> {
  const res = await request(app).get('/account').set('Cookie', cookie);
  return res.status === 303 && String(res.headers.location).startsWith('/login');
}

/**
 * A browser for an app in production mode, where every cookie is Secure:
 * supertest's agent does not send those back over plain http, so this one
 * keeps the cookies by hand, as a browser on https would. `token` is the
 * CSRF token of the last page with a form.
 */
export function secureBrowser(app: Express) {
  const cookies = new Map<string, string>();
  const seen = new Map<string, string>();
  let token = '';
  const keep = (res: request.Response) => {
    for (const line of setCookies(res)) {
      const [pair] = line.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      seen.set(name, line);
      if (/Expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, pair!);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.text ?? '');
    if (m) token = m[1]!;
    return res;
  };
  const cookie = () => [...cookies.values()].join('; ');
  return {
    /** Every Set-Cookie line received, by cookie name (the latest of each). */
    seen,
    get token() {
      return token;
    },
    get: async (path: string) => keep(await request(app).get(path).set('Cookie', cookie())),
    /** A request with the cookies attached, to finish and send (await keep(…) to record what it sets). */
    post: (path: string) => request(app).post(path).set('Cookie', cookie()),
    keep,
    async login(email: string, password: string) {
      await this.get('/login');
      const res = keep(await request(app).post('/login').set('Cookie', cookie()).type('form').send({ _csrf: token, email, password }));
      if (res.status !== 303) throw new Error(`log-in as ${email} failed: ${res.status}`);
      return res;
    },
  };
}
