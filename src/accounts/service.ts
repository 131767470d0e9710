import { prunePageChanges } from './page-version';
import type { Config } from '../config';
import type { Conn, Db } from '../db';
import { inTransaction } from '../db';
import { isUniqueViolation } from '../db/errors';
import { type Clock, fromDbTime, toDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors';
import type { CurrentUser } from '../http/current-user';
import { enqueueMail } from '../mail/service';
import type { JobRegistry } from '../jobs/registry';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import * as repo from './repo';
import type { SavedAddress, UserRow } from './repo';
import { loadGlance, type Glance } from './glance';
import { attachGuestOrders } from '../orders/repo';
import { countCreditEntries, creditBalance, creditEntries, type CreditEntry } from '../payments/store-credit';
import { revokeAllSessions } from './sessions';
import { recordAudit, type StaffContext } from '../audit/repo';
import type { Role } from '../http/current-user';
import type { AddressInput, PasswordChangeInput, ProfileInput, RegisterInput } from './schemas';
import type { SessionMeta, SessionService, SessionTokens } from './sessions';
import { hashToken, PASSWORD_RESET_TTL_MS, randomToken, SESSION_TOKEN_CLEANUP_EVERY_MS, VERIFY_EMAIL_TTL_MS, type TokenKind } from './tokens';

/** Wrong e-mail or password: one answer for both, so the form never tells whether an account exists. */
export interface Profile {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  emailVerified: boolean;
  /** Back-in-stock and price-drop alerts for wishlisted products. */
  wishlistAlerts: boolean;
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'invalid_credentials', 'The e-mail address or password is not correct.');
  }
}

/** An e-mail link that is unknown, expired, already used or revoked. */
export class InvalidLinkError extends AppError {
  constructor(readonly purpose: 'verify_email' | 'password_reset') {
    super(400, 'invalid_link', purpose === 'password_reset'
      ? 'This password reset link is not valid any more: it may have expired (links last one hour) or already been used.'
      : 'This confirmation link is not valid any more: it may have expired (links last 24 hours) or already been used.');
    this.view = { name: 'accounts/link-invalid', locals: { title: 'Link not valid', purpose, noindex: true } };
  }
}

export const AUTH_CLEANUP_JOB = 'auth.tokens.cleanup';

export interface AccountDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  sessions: SessionService;
  config: Pick<Config, 'baseUrl' | 'bcryptCost' | 'mail'>;
}

export function toCurrentUser(u: UserRow): CurrentUser {
  return { id: u.id, email: u.email, role: u.role, firstName: u.first_name, lastName: u.last_name, emailVerified: Boolean(u.email_verified_at) };
}

/** Accounts: registration, log-in, e-mail links, profile, password, addresses. Routes call one method each. */
export class AccountService {
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly deps: AccountDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  private link(path: string): string {
    return `${this.deps.config.baseUrl}${path}`;
  }

  private mailOptions() {
    return { clock: this.deps.clock };
  }

  /** Hash compared against when the e-mail is unknown, so both answers take as long. */
  private timingHash(): Promise<string> {
    this.dummyHash ??= hashPassword('timing-equaliser-not-a-password', this.deps.config.bcryptCost);
    return this.dummyHash;
  }

  private checkNewPassword(password: string, email: string, field = 'password'): void {
    const problem = passwordProblem(password, { email });
    if (problem) throw new ValidationError('Please choose a different password.', { [field]: problem });
  }

  private async issueLink(conn: Conn, user: UserRow, kind: Exclude<TokenKind, 'refresh'>, email: string, ttlMs: number): Promise<string> {
    const raw = randomToken();
    const now = this.now();
    await repo.insertAuthToken(conn, { userId: user.id, kind, tokenHash: hashToken(raw), email, expiresAt: new Date(now.getTime() + ttlMs) }, now);
    return raw;
  }

  // ---- registration and log-in

  /**
   * Creates a customer and e-mails a confirmation link. When the address
   * already has an account, its owner gets a "you already have an account"
   * e-mail instead; the caller answers the same either way.
   */
  async register(input: RegisterInput): Promise<void> {
    this.checkNewPassword(input.password, input.email);
    const passwordHash = await hashPassword(input.password, this.deps.config.bcryptCost);
    try {
      await inTransaction(this.deps.db, async (trx) => {
        const existing = await repo.findUserByEmail(trx, input.email);
        if (existing) {
          await this.mailAccountExists(trx, existing.email);
          return;
        }
        const id = await repo.insertUser(trx, { email: input.email, passwordHash, firstName: input.first_name, lastName: input.last_name }, this.now());
        const user = (await repo.findUserById(trx, id))!;
        const token = await this.issueLink(trx, user, 'verify_email', user.email, VERIFY_EMAIL_TTL_MS);
        await enqueueMail(trx, { to: user.email, template: 'welcome', data: { firstName: user.first_name, verifyUrl: this.link(`/verify-email?token=${token}`) } }, this.mailOptions());
        this.deps.logger.info({ event: 'account.registered', userId: id }, 'account registered');
      });
    } catch (err) {
      // Two registrations for one address at once: the loser is told the same as everyone else.
      if (!isUniqueViolation(err)) throw err;
      await this.mailAccountExists(this.deps.db, input.email);
    }
  }

  private async mailAccountExists(conn: Conn, email: string): Promise<void> {
    await enqueueMail(conn, { to: email, template: 'account-exists', data: { loginUrl: this.link('/login'), forgotUrl: this.link('/forgot-password') } }, this.mailOptions());
  }

  /** Checks the password and starts a session. Logs the outcome (never the password). */
  async login(email: string, password: string, meta: SessionMeta): Promise<{ user: UserRow; session: SessionTokens }> {
    const user = await repo.findUserByEmail(this.deps.db, email);
    const ok = await verifyPassword(password, user?.password_hash ?? (await this.timingHash()));
    if (!user || !ok || user.disabled_at) {
      const reason = !user ? 'unknown_email' : !ok ? 'wrong_password' : 'disabled';
      this.deps.logger.warn({ event: 'login.failure', email, reason, ip: meta.ip }, 'log-in failed');
      throw new InvalidCredentialsError();
    }
    if (needsRehash(user.password_hash, this.deps.config.bcryptCost)) {
      await repo.updateUser(this.deps.db, user.id, { password_hash: await hashPassword(password, this.deps.config.bcryptCost) }, this.now());
    }
    const session = await this.deps.sessions.start(user, meta);
    this.deps.logger.info({ event: 'login.success', userId: user.id, ip: meta.ip }, 'logged in');
    return { user, session };
  }

  // ---- e-mail verification

  /** Confirms the address a verification link was sent to. Opening a link twice is fine. */
  async verifyEmail(raw: string): Promise<{ alreadyVerified: boolean }> {
    return inTransaction(this.deps.db, async (trx) => {
      const token = raw.length <= 200 ? await repo.findAuthToken(trx, 'verify_email', hashToken(raw)) : undefined;
      const user = token && (await repo.findUserById(trx, token.user_id));
      if (!token || !user || token.email !== user.email) throw new InvalidLinkError('verify_email');
      if (token.used_at && user.email_verified_at) return { alreadyVerified: true };
      if (token.used_at || token.revoked_at || fromDbTime(token.expires_at)! <= this.now()) throw new InvalidLinkError('verify_email');
      await repo.markTokenUsed(trx, token.id, this.now());
      if (!user.email_verified_at) await repo.updateUser(trx, user.id, { email_verified_at: toDbTime(this.now()) }, this.now());
      const joined = await attachGuestOrders(trx, user.id, user.email, this.now());
      this.deps.logger.info({ event: 'account.email_verified', userId: user.id, guestOrdersJoined: joined }, 'e-mail address confirmed');
      return { alreadyVerified: false };
    });
  }

  /** Sends a fresh confirmation link (earlier ones stop working). */
  async resendVerification(userId: number): Promise<'sent' | 'already_verified'> {
    return inTransaction(this.deps.db, async (trx) => {
      const user = await repo.findUserById(trx, userId);
      if (!user) throw new NotFoundError();
      if (user.email_verified_at) return 'already_verified';
      await repo.revokeUserTokens(trx, user.id, 'verify_email', this.now());
      await this.mailVerification(trx, user);
      return 'sent';
    });
  }

  private async mailVerification(conn: Conn, user: UserRow): Promise<void> {
    const token = await this.issueLink(conn, user, 'verify_email', user.email, VERIFY_EMAIL_TTL_MS);
    await enqueueMail(
      conn,
      { to: user.email, template: 'verify-email', data: { firstName: user.first_name, email: user.email, verifyUrl: this.link(`/verify-email?token=${token}`) } },
      this.mailOptions(),
    );
  }

  // ---- password reset

  /** E-mails a reset link when the address has an (enabled) account; silent otherwise. */
  async requestPasswordReset(email: string, meta: SessionMeta): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const user = await repo.findUserByEmail(trx, email);
      if (!user || user.disabled_at) {
        this.deps.logger.info({ event: 'password_reset.unknown', ip: meta.ip }, 'password reset asked for an unknown address');
        return;
      }
      const token = await this.issueLink(trx, user, 'password_reset', user.email, PASSWORD_RESET_TTL_MS);
      await enqueueMail(trx, { to: user.email, template: 'password-reset', data: { firstName: user.first_name, resetUrl: this.link(`/reset-password?token=${token}`) } }, this.mailOptions());
      this.deps.logger.info({ event: 'password_reset.requested', userId: user.id, ip: meta.ip }, 'password reset link sent');
    });
  }

  /** Throws InvalidLinkError unless the reset link can still be used. */
  async checkResetToken(raw: string): Promise<void> {
    await this.usableResetToken(this.deps.db, raw);
  }

  private async usableResetToken(conn: Conn, raw: string): Promise<{ token: repo.AuthTokenRow; user: UserRow }> {
    const token = raw.length <= 200 ? await repo.findAuthToken(conn, 'password_reset', hashToken(raw)) : undefined;
    const user = token && (await repo.findUserById(conn, token.user_id));
    if (!token || !user || user.disabled_at || token.used_at || token.revoked_at || fromDbTime(token.expires_at)! <= this.now() || token.email !== user.email) {
      throw new InvalidLinkError('password_reset');
    }
    return { token, user };
  }

  /** Sets the new password, uses up the link, signs out every session and e-mails a notice. */
  async resetPassword(raw: string, password: string): Promise<void> {
    const { user } = await this.usableResetToken(this.deps.db, raw);
    this.checkNewPassword(password, user.email);
    const passwordHash = await hashPassword(password, this.deps.config.bcryptCost);
    await inTransaction(this.deps.db, async (trx) => {
      const { token, user: current } = await this.usableResetToken(trx, raw);
      const now = this.now();
      if (!(await repo.markTokenUsed(trx, token.id, now))) throw new InvalidLinkError('password_reset');
      await repo.setPassword(trx, current.id, passwordHash, now);
      // Following the link proved the address belongs to them.
      if (!current.email_verified_at) {
        await repo.updateUser(trx, current.id, { email_verified_at: toDbTime(now) }, now);
        await attachGuestOrders(trx, current.id, current.email, now);
      }
      await repo.revokeUserTokens(trx, current.id, 'password_reset', now);
      await repo.revokeUserTokens(trx, current.id, 'refresh', now);
      await this.mailPasswordChanged(trx, current);
      this.deps.logger.info({ event: 'password_reset.completed', userId: current.id }, 'password reset');
    });
  }

  private async mailPasswordChanged(conn: Conn, user: UserRow): Promise<void> {
    await enqueueMail(
      conn,
      { to: user.email, template: 'password-changed', data: { firstName: user.first_name, when: formatWhen(this.now()), forgotUrl: this.link('/forgot-password') } },
      this.mailOptions(),
    );
  }

  // ---- signed-in account area

  async user(userId: number): Promise<UserRow> {
    const user = await repo.findUserById(this.deps.db, userId);
    if (!user) throw new NotFoundError();
    return user;
  }

  /** The account as its owner's pages show it. */
  async profile(userId: number): Promise<Profile> {
    const u = await this.user(userId);
    return { id: u.id, email: u.email, firstName: u.first_name, lastName: u.last_name, phone: u.phone, emailVerified: u.email_verified_at !== null, wishlistAlerts: Boolean(u.wishlist_alerts) };
  }

  /** The customer's store credit: balance and one page of the ledger, newest first. */
  async creditHistory(userId: number, page: number, perPage: number): Promise<{ balanceCents: number; entries: CreditEntry[]; pages: number }> {
    const { db } = this.deps;
    const [balanceCents, total, entries] = await Promise.all([creditBalance(db, userId), countCreditEntries(db, userId), creditEntries(db, userId, perPage, (page - 1) * perPage)]);
    return { balanceCents, entries, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  async dashboard(userId: number): Promise<Glance & { activeSessions: number }> {
    const [g, activeSessions] = await Promise.all([loadGlance(this.deps.db, userId), repo.countActiveSessions(this.deps.db, userId, this.now())]);
    return { ...g, activeSessions };
  }

  /**
   * Saves name and phone; a new e-mail address needs the current password,
   * becomes unconfirmed and gets a confirmation link (the old address is told).
   */
  async updateProfile(userId: number, input: ProfileInput): Promise<{ emailChanged: boolean }> {
    const user = await this.user(userId);
    const emailChanged = input.email !== user.email;
    if (emailChanged) {
      if (!input.current_password) throw new ValidationError('Enter your current password to change your e-mail address.', { current_password: 'Enter your current password to change your e-mail address.' });
      if (!(await verifyPassword(input.current_password, user.password_hash))) {
        throw new ValidationError('Your current password is not correct.', { current_password: 'Your current password is not correct.' });
      }
    }
    const taken = new ValidationError('That e-mail address cannot be used.', { email: 'That e-mail address belongs to another account.' });
    try {
      await inTransaction(this.deps.db, async (trx) => {
        const now = this.now();
        if (emailChanged && (await repo.findUserByEmail(trx, input.email))) throw taken;
        await repo.updateUser(
          trx,
          user.id,
          {
            first_name: input.first_name,
            last_name: input.last_name,
            phone: input.phone,
            wishlist_alerts: input.wishlist_alerts,
            ...(emailChanged ? { email: input.email, email_verified_at: null } : {}),
          },
          now,
        );
        if (emailChanged) {
          const updated = (await repo.findUserById(trx, user.id))!;
          await repo.revokeUserTokens(trx, user.id, 'verify_email', now);
          await repo.revokeUserTokens(trx, user.id, 'password_reset', now);
          await this.mailVerification(trx, updated);
          await enqueueMail(
            trx,
            {
              to: user.email,
              template: 'email-changed',
              data: { firstName: updated.first_name, oldEmail: user.email, newEmail: updated.email, when: formatWhen(now), contactUrl: contactUrl(this.deps.config.mail.from) },
            },
            this.mailOptions(),
          );
          this.deps.logger.info({ event: 'account.email_changed', userId: user.id }, 'e-mail address changed');
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw taken;
      throw err;
    }
    return { emailChanged };
  }

  /**
   * Changes the password and signs out every other session. Returns a fresh
   * access token for this session (the old one carries the previous token version).
   */
  async changePassword(userId: number, sessionId: string, input: PasswordChangeInput): Promise<{ accessToken: string }> {
    const user = await this.user(userId);
    if (!(await verifyPassword(input.current_password, user.password_hash))) {
      throw new ValidationError('Your current password is not correct.', { current_password: 'Your current password is not correct.' });
    }
    this.checkNewPassword(input.password, user.email);
    if (input.password === input.current_password) {
      throw new ValidationError('Please choose a different password.', { password: 'Choose a password different from your current one.' });
    }
    const passwordHash = await hashPassword(input.password, this.deps.config.bcryptCost);
    const updated = await inTransaction(this.deps.db, async (trx) => {
      const now = this.now();
      await repo.setPassword(trx, user.id, passwordHash, now);
      await repo.revokeUserTokens(trx, user.id, 'refresh', now, sessionId);
      await repo.revokeUserTokens(trx, user.id, 'password_reset', now);
      await this.mailPasswordChanged(trx, user);
      return (await repo.findUserById(trx, user.id))!;
    });
    this.deps.logger.info({ event: 'account.password_changed', userId: user.id }, 'password changed');
    return { accessToken: this.deps.sessions.accessToken(updated, sessionId) };
  }

  /** Signs the user out on every device, this one included. */
  async signOutEverywhere(userId: number): Promise<void> {
    await inTransaction(this.deps.db, (trx) => this.deps.sessions.endAll(trx, userId));
    this.deps.logger.info({ event: 'account.signed_out_everywhere', userId }, 'signed out everywhere');
  }

  // ---- staff: customers

  listCustomers(q: string | null, page: number, perPage: number) {
    return repo.listCustomers(this.deps.db, q, page, perPage);
  }

  async customer(id: number): Promise<{ customer: repo.CustomerSummary; notes: repo.CustomerNote[] }> {
    const customer = await repo.findCustomer(this.deps.db, id);
    if (!customer) throw new NotFoundError('We could not find that customer.');
    return { customer, notes: await repo.customerNotes(this.deps.db, id) };
  }

  /**
   * Disables an account (it is signed out everywhere and cannot log in) or
   * enables it again. Staff cannot disable themselves, and only admins can
   * disable staff or admin accounts.
   */
  async setDisabled(userId: number, disabled: boolean, by: StaffContext & { role: Role }): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const target = await repo.findCustomer(trx, userId);
      if (!target) throw new NotFoundError('We could not find that customer.');
      if (disabled && target.id === by.actor.userId) throw new ConflictError('You cannot disable your own account.');
      if (target.role !== 'customer' && by.role !== 'admin') throw new ForbiddenError('Only an admin can disable or enable a staff account.');
      if (Boolean(target.disabledAt) === disabled) return;
      const now = this.now();
      await repo.setDisabled(trx, userId, disabled ? now : null, now);
      if (disabled) await this.deps.sessions.endAll(trx, userId);
      await recordAudit(trx, by, { action: disabled ? 'customer.disable' : 'customer.enable', entity: 'user', entityId: userId, before: { disabled: Boolean(target.disabledAt) }, after: { disabled } }, now);
    });
    this.deps.logger.info({ event: disabled ? 'account.disabled' : 'account.enabled', userId, by: by.actor.label }, disabled ? 'account disabled' : 'account enabled');
  }

  listStaff() {
    return repo.listStaff(this.deps.db);
  }

  /**
   * Grants or takes away staff and admin rights (admins only). The account is
   * signed out everywhere, so its new rights apply at its next log-in. The
   * last active admin cannot be demoted: someone must be able to do this.
   */
  async setRole(email: string, role: Role, by: StaffContext): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const user = await repo.findUserByEmail(trx, email.trim().toLowerCase());
      if (!user) throw new ValidationError('There is no account with that e-mail address; ask the person to register first.', { email: 'No account has this e-mail address.' });
      if (user.role === role) return;
      if (user.role === 'admin' && (await repo.countAdmins(trx)) <= 1) throw new ConflictError('This is the last admin: make someone else an admin first.');
      const now = this.now();
      await repo.setRole(trx, user.id, role, now);
      await revokeAllSessions(trx, user.id, now);
      await recordAudit(trx, by, { action: 'staff.role', entity: 'user', entityId: user.id, before: { email: user.email, role: user.role }, after: { email: user.email, role } }, now);
    });
  }

  async addNote(userId: number, body: string, by: StaffContext): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      if (!(await repo.findCustomer(trx, userId))) throw new NotFoundError('We could not find that customer.');
      const now = this.now();
      await repo.insertNote(trx, userId, by.actor.userId, body, now);
      await recordAudit(trx, by, { action: 'customer.note', entity: 'user', entityId: userId, after: { note: body } }, now);
    });
  }

  // ---- address book (every query is scoped to the signed-in user: another customer's id is a 404)

  listAddresses(userId: number): Promise<SavedAddress[]> {
    return repo.listAddresses(this.deps.db, userId);
  }

  async address(userId: number, id: number): Promise<SavedAddress> {
    const row = await repo.findAddress(this.deps.db, userId, id);
    if (!row) throw new NotFoundError('We could not find that address.');
    return row;
  }

  async createAddress(userId: number, input: AddressInput): Promise<number> {
    const { is_default, ...fields } = input;
    return inTransaction(this.deps.db, async (trx) => {
      const now = this.now();
      const first = (await repo.countAddresses(trx, userId)) === 0;
      const id = await repo.insertAddress(trx, userId, fields, false, now);
      if (first || is_default) await repo.setDefaultAddress(trx, userId, id, now);
      return id;
    });
  }

  async updateAddress(userId: number, id: number, input: AddressInput): Promise<void> {
    const { is_default, ...fields } = input;
    await inTransaction(this.deps.db, async (trx) => {
      const now = this.now();
      if (!(await repo.updateAddress(trx, userId, id, fields, now))) throw new NotFoundError('We could not find that address.');
      if (is_default) await repo.setDefaultAddress(trx, userId, id, now);
    });
  }

  async deleteAddress(userId: number, id: number): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const row = await repo.findAddress(trx, userId, id);
      if (!row || !(await repo.deleteAddress(trx, userId, id))) throw new NotFoundError('We could not find that address.');
      if (row.isDefault) {
        const next = (await repo.listAddresses(trx, userId))[0];
        if (next) await repo.setDefaultAddress(trx, userId, next.id, this.now());
      }
    });
  }

  async makeDefaultAddress(userId: number, id: number): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      if (!(await repo.findAddress(trx, userId, id))) throw new NotFoundError('We could not find that address.');
      await repo.setDefaultAddress(trx, userId, id, this.now());
    });
  }

  /** Hourly clean-up of expired session and e-mail link tokens, and of page changes no process still needs (src/accounts/page-version.ts). */
  registerJobs(registry: JobRegistry): void {
    registry.register(AUTH_CLEANUP_JOB, async (_payload, { logger }) => {
      const removed = await this.deps.sessions.cleanup();
      if (removed) logger.info({ removed }, 'expired auth tokens deleted');
      await prunePageChanges(this.deps.db, this.now());
    });
    registry.every(AUTH_CLEANUP_JOB, SESSION_TOKEN_CLEANUP_EVERY_MS);
  }
}

function formatWhen(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

function contactUrl(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  return `mailto:${address}`;
}
