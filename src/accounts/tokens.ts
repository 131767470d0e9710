import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DAY, HOUR } from '../lib/clock';

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_MS = 30 * DAY;
export const VERIFY_EMAIL_TTL_MS = 24 * HOUR;
export const PASSWORD_RESET_TTL_MS = 1 * HOUR;
/** A refresh token presented again this soon after rotation is a parallel request, not theft. */
export const REFRESH_REUSE_GRACE_MS = 10_000;
export const SESSION_TOKEN_CLEANUP_EVERY_MS = 1 * HOUR;
export const EXPIRED_TOKEN_KEEP_MS = 1 * DAY;

export type TokenKind = 'refresh' | 'verify_email' | 'password_reset';

const ISSUER = 'giggatek';
const AUDIENCE = 'giggatek-web';

/** 256 random bits, URL-safe. Only its hash is stored. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(raw: string): string {
  return crypto.createHash('sha256').update(raw, 'utf8').digest('hex');
}

export interface AccessClaims {
  userId: number;
  tokenVersion: number;
  /** The refresh-token family: one per signed-in browser. */
  sessionId: string;
}

/**
 * The secret as a key object, made once per secret: handed a string,
 * jsonwebtoken first tries it as a public key and catches the failure, on
 * every signed-in request.
 */
const secretKeys = new Map<string, crypto.KeyObject>();
function secretKey(secret: string): crypto.KeyObject {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = crypto.createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** HS256 access token, valid ACCESS_TTL_SECONDS from `now`. */
export function signAccessToken(secret: string, claims: AccessClaims, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  return jwt.sign({ sub: String(claims.userId), tv: claims.tokenVersion, sid: claims.sessionId, iat, exp: iat + ACCESS_TTL_SECONDS }, secretKey(secret), {
    algorithm: 'HS256',
    issuer: ISSUER,
    audience: AUDIENCE,
  });
}

/**
 * The claims of a valid access token, or null: only HS256 with our secret,
 * issuer and audience, and a present, unexpired `exp` no further than the TTL away.
 */
export function verifyAccessToken(secret: string, token: string, now: Date): AccessClaims | null {
  if (token.length > 2048) return null;
  try {
    const nowSec = Math.floor(now.getTime() / 1000);
    const p = jwt.verify(token, secretKey(secret), { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, clockTimestamp: nowSec });
    if (typeof p !== 'object' || p === null) return null;
    const { sub, tv, sid, exp } = p as Record<string, unknown>;
    if (typeof exp !== 'number' || exp <= nowSec || exp > nowSec + ACCESS_TTL_SECONDS + 60) return null;
    if (typeof sub !== 'string' || !/^\d{1,12}$/.test(sub) || typeof tv !== 'number' || typeof sid !== 'string' || !sid) return null;
    return { userId: Number(sub), tokenVersion: tv, sessionId: sid };
  } catch {
    return null;
  }
}
