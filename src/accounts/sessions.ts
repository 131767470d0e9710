import crypto from 'node:crypto';
import type { Conn, Db } from '../db';
import { inTransaction } from '../db';
import { type Clock, fromDbTime } from '../lib/clock';
import type { Logger } from '../lib/log';
import { PageChangeFeed } from './page-version';
import * as repo from './repo';
import { SessionStates } from './session-states';
import type { UserRow } from './repo';
import { hashToken, randomToken, REFRESH_REUSE_GRACE_MS, REFRESH_TTL_MS, signAccessToken, verifyAccessToken, EXPIRED_TOKEN_KEEP_MS } from './tokens';

export interface SessionMeta {
  ip?: string;
  userAgent?: string;
}

export interface SessionTokens {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

export interface Authenticated {
  user: UserRow;
  sessionId: string;
  /** Set when the request was authenticated by rotating the refresh token: new cookies to send. */
  renewed?: { accessToken: string; refreshToken?: string };
}

/**
 * Sessions: a short-lived HS256 access token plus a rotating refresh token.
 * Each sign-in starts a refresh-token family (its id is the session id); each
 * refresh uses the presented token once and issues the next one in the same
 * family. Presenting a used token again revokes the whole family.
 */
export class SessionService {
  /** Other processes' (and this one's) changes to shoppers, as page_changes rows (see SessionStates). */
  readonly pageChanges: PageChangeFeed;
  private readonly states: SessionStates;

  constructor(private readonly deps: { db: Db; clock: Clock; secret: string; logger: Logger }) {
    this.pageChanges = new PageChangeFeed(deps.db, (userIds) => this.states.forget(userIds));
    this.states = new SessionStates((userId, sessionId) => repo.findSessionState(deps.db, userId, sessionId), () => this.pageChanges.current());
  }

  /** Starts a new session (family) for the user. Pass the transaction when signing in is part of a larger change. */
  async start(user: Pick<UserRow, 'id' | 'token_version'>, meta: SessionMeta, conn: Conn = this.deps.db): Promise<SessionTokens> {
    const now = this.deps.clock.now();
    const sessionId = crypto.randomUUID();
    const refreshToken = randomToken();
    await repo.insertAuthToken(
      conn,
      { userId: user.id, kind: 'refresh', tokenHash: hashToken(refreshToken), familyId: sessionId, expiresAt: new Date(now.getTime() + REFRESH_TTL_MS), ...meta },
      now,
    );
    return { sessionId, refreshToken, accessToken: this.accessToken(user, sessionId) };
  }

  accessToken(user: Pick<UserRow, 'id' | 'token_version'>, sessionId: string): string {
    return signAccessToken(this.deps.secret, { userId: user.id, tokenVersion: user.token_version, sessionId }, this.deps.clock.now());
  }

  /** A valid access token for a live session of an enabled user whose token_version still matches. */
  async fromAccessToken(token: string): Promise<Authenticated | null> {
    const claims = verifyAccessToken(this.deps.secret, token, this.deps.clock.now());
    if (!claims) return null;
    const found = await repo.findSessionUser(this.deps.db, claims.userId, claims.sessionId);
    return isLive(found, claims) ? { user: found.user, sessionId: claims.sessionId } : null;
  }

  /**
   * fromAccessToken() for the catalog pages kept for signed-in shoppers, which need only who the shopper is and
   * their page version: the same checks on a smaller read, which this process keeps until the shopper changes
   * (SessionStates: a session ended elsewhere stops being answered here within about two seconds).
   */
  async stateFromAccessToken(token: string): Promise<{ user: repo.SessionState; sessionId: string } | null> {
    const claims = verifyAccessToken(this.deps.secret, token, this.deps.clock.now());
    if (!claims) return null;
    const found = await this.states.find(claims.userId, claims.sessionId);
    return isLive(found, claims) ? { user: found.user, sessionId: claims.sessionId } : null;
  }

  /** Rotates a refresh token: the old one is used up, a new one (same family) and a fresh access token come back. */
  async refresh(refreshToken: string, meta: SessionMeta): Promise<Authenticated | null> {
    if (refreshToken.length > 200) return null;
    const hash = hashToken(refreshToken);
    return inTransaction(this.deps.db, async (trx) => {
      const row = await repo.findAuthToken(trx, 'refresh', hash);
      const now = this.deps.clock.now();
      if (!row || row.revoked_at || !row.family_id || fromDbTime(row.expires_at)! <= now) return null;
      const sessionId = row.family_id;
      const user = await repo.findUserById(trx, row.user_id);
      if (!user || user.disabled_at) return null;

      if (row.used_at) {
        const usedAgo = now.getTime() - fromDbTime(row.used_at)!.getTime();
        if (usedAgo <= REFRESH_REUSE_GRACE_MS && !(await repo.isFamilyRevoked(trx, sessionId))) {
          // Parallel requests with the same cookie: the first one rotated it. Serve this one, keep the newer cookie.
          return { user, sessionId, renewed: { accessToken: this.accessToken(user, sessionId) } };
        }
        await repo.revokeFamily(trx, sessionId, now);
        this.deps.logger.warn({ event: 'session.refresh_reuse', userId: user.id, sessionId, ip: meta.ip }, 'used refresh token presented again; session revoked');
        return null;
      }

      if (!(await repo.markTokenUsed(trx, row.id, now))) return null;
      const next = randomToken();
      await repo.insertAuthToken(
        trx,
        { userId: user.id, kind: 'refresh', tokenHash: hashToken(next), familyId: sessionId, expiresAt: new Date(now.getTime() + REFRESH_TTL_MS), ...meta },
        now,
      );
      return { user, sessionId, renewed: { accessToken: this.accessToken(user, sessionId), refreshToken: next } };
    });
  }

  /** What this process keeps of a shopper's sessions is read again: after their own request changed something. */
  forgetStatesOf(userId: number): void {
    this.states.forget([userId]);
  }

  /** Log out one session. */
  async end(sessionId: string): Promise<void> {
    await inTransaction(this.deps.db, (trx) => repo.revokeFamily(trx, sessionId, this.deps.clock.now()));
  }

  /** Log out the session a refresh token belongs to (when the access token is gone). */
  async endByRefreshToken(refreshToken: string): Promise<void> {
    if (refreshToken.length > 200) return;
    const row = await repo.findAuthToken(this.deps.db, 'refresh', hashToken(refreshToken));
    if (row?.family_id) await this.end(row.family_id);
  }

  /**
   * Signs the user out everywhere (optionally except one session): bumps
   * token_version, so every access token dies, and revokes the refresh families.
   */
  async endAll(conn: Conn, userId: number, exceptSessionId?: string): Promise<void> {
    const now = this.deps.clock.now();
    await repo.bumpTokenVersion(conn, userId, now);
    await repo.revokeUserTokens(conn, userId, 'refresh', now, exceptSessionId);
  }

  /** Deletes tokens (all kinds) that expired more than a day ago. */
  async cleanup(): Promise<number> {
    return repo.deleteExpiredTokens(this.deps.db, new Date(this.deps.clock.now().getTime() - EXPIRED_TOKEN_KEEP_MS));
  }
}

/**
 * For code outside the web app (CLI tools, admin actions): revoke every
 * session of a user in the caller's transaction.
 */
export async function revokeAllSessions(conn: Conn, userId: number, now: Date): Promise<void> {
  await repo.bumpTokenVersion(conn, userId, now);
  await repo.revokeUserTokens(conn, userId, 'refresh', now);
}

/** The session is not revoked and its user is enabled with the token_version the access token was issued for. */
function isLive<T extends Pick<UserRow, 'disabled_at' | 'token_version'>>(
  found: { user: T; revoked: boolean } | undefined,
  claims: { tokenVersion: number },
): found is { user: T; revoked: boolean } {
  return Boolean(found && !found.revoked && !found.user.disabled_at && found.user.token_version === claims.tokenVersion);
}
