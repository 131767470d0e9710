import fs from 'node:fs';
import crypto from 'node:crypto';
import bcrypt from 'bcrypt';
import { rootPath } from '../lib/paths';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
/** bcrypt only reads the first 72 bytes. */
const BCRYPT_MAX_BYTES = 72;

/**
 * What bcrypt is given for a password: the password itself when it fits in
 * bcrypt's 72 bytes, otherwise its SHA-256 (base64, 51 bytes with the prefix),
 * so a long password — 64 characters of a script that takes three bytes each,
 * say — counts whole instead of being cut at byte 72 (ASVS 6.2.8, 6.2.9).
 * Passwords that fit are hashed as before, so existing hashes still match.
 */
function bcryptInput(password: string): string {
  if (Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES) return password;
  return `sha256:${crypto.createHash('sha256').update(password, 'utf8').digest('base64')}`;
}

let common: Set<string> | null = null;

/** The 10,000 most common passwords (src/accounts/common-passwords.txt), compared case-insensitively. */
function commonPasswords(): Set<string> {
  if (!common) {
    const text = fs.readFileSync(rootPath('src/accounts/common-passwords.txt'), 'utf8');
    common = new Set(text.split(/\r?\n/).map((l) => l.trim().toLowerCase()).filter(Boolean));
  }
  return common;
}

/** Returns why a password is not acceptable, or null when it is. */
export function passwordProblem(password: string, context: { email?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'That password is one of the most commonly used; please choose another.';
  if (context.email && lower === context.email.toLowerCase()) return 'Your password must not be your email address.';
  return null;
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(bcryptInput(password), cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(bcryptInput(password), hash);
}

/** A strong random password for generated accounts: 20 characters from an unambiguous alphabet. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_!@#%';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** True when the hash was made with a different bcrypt cost than configured (rehash after a successful log-in). */
export function needsRehash(hash: string, cost: number): boolean {
  try {
    return bcrypt.getRounds(hash) !== cost;
  } catch {
    return false;
  }
}
