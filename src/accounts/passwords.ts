import fs from 'node:fs';
import crypto from 'node:crypto';
import bcrypt from 'bcrypt';
import { rootPath } from '../lib/paths';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
/** bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

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
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return `That password is too long to store safely (over ${PASSWORD_MAX_BYTES} bytes); please use a shorter one.`;
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'That password is one of the most commonly used; please choose another.';
  if (context.email && lower === context.email.toLowerCase()) return 'Your password must not be your email address.';
  return null;
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) return Promise.resolve(false);
  return bcrypt.compare(password, hash);
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
