import { notePageChange, PAGE_VERSION_COLUMN } from './page-version';
import { countRows, LIKE_PREFIX, lockedInTransaction, prefixPattern, type Conn } from '../db';
import type { ShippingAddress } from '../lib/address';
import { fromDbTime, toDbTime } from '../lib/clock';
import type { Role } from '../http/current-user';
import type { TokenKind } from './tokens';

/** Knex queries for accounts; nothing else. Every address query is scoped by user_id. */

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  role: Role;
  email_verified_at: string | null;
  disabled_at: string | null;
  token_version: number;
  /** Wishlist alerts wanted (back in stock, price drop); 0/1 from the database. */
  wishlist_alerts: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface AuthTokenRow {
  id: number;
  user_id: number;
  kind: TokenKind;
  token_hash: string;
  family_id: string | null;
  email: string | null;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

/** An address in a customer's address book: the shipping-address shape orders snapshot, plus its book keeping. */
export interface SavedAddress extends ShippingAddress {
  id: number;
  label: string | null;
  isDefault: boolean;
}

/** The stored columns of an address, as written from the address form. */
export type AddressFields = { label: string | null; first_name: string; last_name: string; line1: string; line2: string | null; city: string; region: string; postal_code: string; country: string; phone: string | null };

function toSavedAddress(r: Record<string, any>): SavedAddress {
  return {
    id: Number(r.id),
    label: r.label ?? null,
    firstName: r.first_name,
    lastName: r.last_name,
    line1: r.line1,
    line2: r.line2 ?? null,
    city: r.city,
    region: r.region,
    postalCode: r.postal_code,
    country: r.country,
    phone: r.phone ?? null,
    isDefault: Boolean(r.is_default),
  };
}

// ---- users

export function findUserById(conn: Conn, id: number): Promise<UserRow | undefined> {
  return conn<UserRow>('users').where({ id }).first();
}

/**
 * The user an access token names and whether its session (refresh-token
 * family) was revoked, in one read: every signed-in request asks both.
 */
export async function findSessionUser(conn: Conn, id: number, familyId: string): Promise<{ user: UserRow; revoked: boolean } | undefined> {
  const row = await conn('users').where({ id }).select('users.*', familyRevoked(conn, familyId)).first();
  if (!row) return undefined;
  const { family_revoked, ...user } = row as UserRow & { family_revoked: number | string | boolean };
  return { user: user as UserRow, revoked: Boolean(Number(family_revoked)) };
}

/** What a session check needs of the user, and their page version (src/accounts/page-version.ts). */
export type SessionState = Pick<UserRow, 'id' | 'role' | 'disabled_at' | 'token_version'> & { page_version: number };

/** findSessionUser() for pages answered without the rest of the user row (src/http/shopper-pages.ts): the same checks, fewer columns to read. */
export async function findSessionState(conn: Conn, id: number, familyId: string): Promise<{ user: SessionState; revoked: boolean } | undefined> {
  const row = await conn('users').where({ id }).select('id', 'role', 'disabled_at', 'token_version', conn.raw(PAGE_VERSION_COLUMN), familyRevoked(conn, familyId)).first();
  if (!row) return undefined;
  const { family_revoked, page_version, ...user } = row as SessionState & { family_revoked: number | string | boolean };
  return { user: { ...user, page_version: Number(page_version) }, revoked: Boolean(Number(family_revoked)) };
}

function familyRevoked(conn: Conn, familyId: string) {
  const revoked = conn('auth_tokens').where({ kind: 'refresh', family_id: familyId }).whereNotNull('revoked_at').select(conn.raw('1')).limit(1);
  return conn.raw('EXISTS ? AS family_revoked', [revoked]);
}

export function findUserByEmail(conn: Conn, email: string): Promise<UserRow | undefined> {
  return conn<UserRow>('users').where({ email: email.toLowerCase() }).first();
}

export async function insertUser(
  conn: Conn,
  u: { email: string; passwordHash: string; firstName: string; lastName: string; role?: Role },
  now: Date,
): Promise<number> {
  const at = toDbTime(now);
  const [id] = await conn('users').insert({
    email: u.email.toLowerCase(),
    password_hash: u.passwordHash,
    first_name: u.firstName,
    last_name: u.lastName,
    role: u.role ?? 'customer',
    created_at: at,
    updated_at: at,
  });
  return Number(id);
}

export async function updateUser(conn: Conn, id: number, changes: Partial<Omit<UserRow, 'id' | 'created_at'>>, now: Date): Promise<void> {
  await conn('users').where({ id }).update({ ...changes, updated_at: toDbTime(now) });
}

/** Changes the password and bumps token_version, which invalidates every access token issued so far. */
export async function setPassword(conn: Conn, id: number, passwordHash: string, now: Date): Promise<void> {
  await conn('users')
    .where({ id })
    .update({ password_hash: passwordHash, token_version: conn.raw('token_version + 1'), updated_at: toDbTime(now) });
  await notePageChange(conn, id);
}

export async function bumpTokenVersion(conn: Conn, id: number, now: Date): Promise<void> {
  await conn('users').where({ id }).update({ token_version: conn.raw('token_version + 1'), updated_at: toDbTime(now) });
  await notePageChange(conn, id);
}

// ---- auth tokens (refresh, verify_email, password_reset): only hashes are stored

export async function insertAuthToken(
  conn: Conn,
  t: { userId: number; kind: TokenKind; tokenHash: string; expiresAt: Date; familyId?: string; email?: string; ip?: string; userAgent?: string },
  now: Date,
): Promise<void> {
  const at = toDbTime(now);
  await conn('auth_tokens').insert({
    user_id: t.userId,
    kind: t.kind,
    token_hash: t.tokenHash,
    family_id: t.familyId ?? null,
    email: t.email ?? null,
    expires_at: toDbTime(t.expiresAt),
    ip: t.ip?.slice(0, 64) ?? null,
    user_agent: t.userAgent?.slice(0, 255) ?? null,
    created_at: at,
    updated_at: at,
  });
}

/** The token row, locked for update on MySQL when inside a transaction. */
export function findAuthToken(conn: Conn, kind: TokenKind, tokenHash: string): Promise<AuthTokenRow | undefined> {
  return lockedInTransaction(conn, conn<AuthTokenRow>('auth_tokens').where({ kind, token_hash: tokenHash })).first();
}

/** Marks a token used; false when another request used it first. */
export async function markTokenUsed(conn: Conn, id: number, now: Date): Promise<boolean> {
  const at = toDbTime(now);
  const n = await conn('auth_tokens').where({ id }).whereNull('used_at').update({ used_at: at, updated_at: at });
  return n === 1;
}

export async function revokeFamily(conn: Conn, familyId: string, now: Date): Promise<void> {
  const at = toDbTime(now);
  const family = conn('auth_tokens').where({ kind: 'refresh', family_id: familyId });
  if (!(await family.clone().whereNull('revoked_at').update({ revoked_at: at, updated_at: at }))) return;
  const owner = await family.clone().first('user_id');
  await notePageChange(conn, Number(owner.user_id));
}

export async function isFamilyRevoked(conn: Conn, familyId: string): Promise<boolean> {
  const row = await conn('auth_tokens').where({ kind: 'refresh', family_id: familyId }).whereNotNull('revoked_at').first('id');
  return Boolean(row);
}

/** Revokes the user's unused tokens of one kind (all refresh families, or outstanding reset/verify links). */
export async function revokeUserTokens(conn: Conn, userId: number, kind: TokenKind, now: Date, exceptFamilyId?: string): Promise<void> {
  const at = toDbTime(now);
  const q = conn('auth_tokens').where({ user_id: userId, kind }).whereNull('revoked_at');
  if (kind !== 'refresh') q.whereNull('used_at');
  if (exceptFamilyId) q.whereNot({ family_id: exceptFamilyId });
  if ((await q.update({ revoked_at: at, updated_at: at })) && kind === 'refresh') await notePageChange(conn, userId);
}

export function countActiveSessions(conn: Conn, userId: number, now: Date): Promise<number> {
  return countRows(conn('auth_tokens').where({ user_id: userId, kind: 'refresh' }).whereNull('used_at').whereNull('revoked_at').where('expires_at', '>', toDbTime(now)));
}

export function deleteExpiredTokens(conn: Conn, before: Date): Promise<number> {
  return conn('auth_tokens').where('expires_at', '<', toDbTime(before)).delete();
}

// ---- addresses

/** The default address first, then in the order they were added. */
export async function listAddresses(conn: Conn, userId: number): Promise<SavedAddress[]> {
  const rows = await conn('addresses').where({ user_id: userId }).orderBy([{ column: 'is_default', order: 'desc' }, { column: 'id', order: 'asc' }]);
  return rows.map(toSavedAddress);
}

export async function findAddress(conn: Conn, userId: number, id: number): Promise<SavedAddress | null> {
  const row = await conn('addresses').where({ id, user_id: userId }).first();
  return row ? toSavedAddress(row) : null;
}

export async function insertAddress(conn: Conn, userId: number, a: AddressFields, isDefault: boolean, now: Date): Promise<number> {
  const at = toDbTime(now);
  const [id] = await conn('addresses').insert({ ...a, user_id: userId, is_default: isDefault, created_at: at, updated_at: at });
  return Number(id);
}

export async function updateAddress(conn: Conn, userId: number, id: number, a: AddressFields, now: Date): Promise<boolean> {
  const n = await conn('addresses').where({ id, user_id: userId }).update({ ...a, updated_at: toDbTime(now) });
  return n === 1;
}

export async function deleteAddress(conn: Conn, userId: number, id: number): Promise<boolean> {
  const n = await conn('addresses').where({ id, user_id: userId }).delete();
  return n === 1;
}

/** Makes one address the default and clears the flag on the user's others. */
export async function setDefaultAddress(conn: Conn, userId: number, id: number, now: Date): Promise<void> {
  const at = toDbTime(now);
  await conn('addresses').where({ user_id: userId }).whereNot({ id }).where({ is_default: true }).update({ is_default: false, updated_at: at });
  await conn('addresses').where({ user_id: userId, id }).update({ is_default: true, updated_at: at });
}

export function countAddresses(conn: Conn, userId: number): Promise<number> {
  return countRows(conn('addresses').where({ user_id: userId }));
}

// ---- staff: the customer list, notes, disabling

export interface CustomerSummary {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  emailVerified: boolean;
  disabledAt: Date | null;
  createdAt: Date;
}

function toCustomerSummary(r: Record<string, any>): CustomerSummary {
  return {
    id: Number(r.id),
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role,
    emailVerified: r.email_verified_at !== null,
    disabledAt: fromDbTime(r.disabled_at),
    createdAt: fromDbTime(r.created_at)!,
  };
}

/** Accounts whose e-mail or name starts with `q` (all when empty), newest first. */
export async function listCustomers(conn: Conn, q: string | null, page: number, perPage: number): Promise<{ customers: CustomerSummary[]; total: number }> {
  const qb = conn('users');
  if (q) {
    const like = prefixPattern(q.toLowerCase());
    qb.where((w) => w.whereRaw(`email ${LIKE_PREFIX}`, [like]).orWhereRaw(`LOWER(first_name) ${LIKE_PREFIX}`, [like]).orWhereRaw(`LOWER(last_name) ${LIKE_PREFIX}`, [like]));
  }
  const [total, rows] = await Promise.all([countRows(qb.clone()), qb.clone().orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage)]);
  return { customers: rows.map(toCustomerSummary), total };
}

export async function findCustomer(conn: Conn, id: number): Promise<CustomerSummary | null> {
  const row = await conn('users').where({ id }).first();
  return row ? toCustomerSummary(row) : null;
}

export async function setDisabled(conn: Conn, userId: number, disabledAt: Date | null, now: Date): Promise<void> {
  await conn('users').where({ id: userId }).update({ disabled_at: disabledAt ? toDbTime(disabledAt) : null, updated_at: toDbTime(now) });
  await notePageChange(conn, userId);
}

export interface CustomerNote {
  id: number;
  body: string;
  authorEmail: string | null;
  at: Date;
}

export async function insertNote(conn: Conn, userId: number, authorUserId: number | null, body: string, now: Date): Promise<void> {
  await conn('customer_notes').insert({ user_id: userId, author_user_id: authorUserId, body, created_at: toDbTime(now) });
}

export async function customerNotes(conn: Conn, userId: number): Promise<CustomerNote[]> {
  const rows = await conn('customer_notes as n').leftJoin('users as a', 'a.id', 'n.author_user_id').where('n.user_id', userId).orderBy('n.id', 'desc').select('n.id', 'n.body', 'a.email as author_email', 'n.created_at');
  return rows.map((r) => ({ id: Number(r.id), body: r.body, authorEmail: r.author_email ?? null, at: fromDbTime(r.created_at)! }));
}

/** Staff and admins, admins first. */
export async function listStaff(conn: Conn): Promise<CustomerSummary[]> {
  const rows = await conn('users').whereIn('role', ['staff', 'admin']).orderByRaw("CASE role WHEN 'admin' THEN 0 ELSE 1 END").orderBy('email');
  return rows.map(toCustomerSummary);
}

export function countAdmins(conn: Conn): Promise<number> {
  return countRows(conn('users').where({ role: 'admin' }).whereNull('disabled_at'));
}

export async function setRole(conn: Conn, userId: number, role: Role, now: Date): Promise<void> {
  await conn('users').where({ id: userId }).update({ role, updated_at: toDbTime(now) });
  await notePageChange(conn, userId);
}
