import type { Request, Response, NextFunction } from 'express';
import { SECURE_COOKIES } from './cache-control';

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  message: string;
}

export const FLASH_COOKIE = 'gg_flash';

function cookieOptions(res: Response) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: Boolean(res.app.get(SECURE_COOKIES)), signed: true, path: '/' };
}

/** One-shot message shown on the next page (post/redirect/get). */
export function setFlash(res: Response, kind: FlashKind, message: string): void {
  res.cookie(FLASH_COOKIE, JSON.stringify({ kind, message }), { ...cookieOptions(res), maxAge: 60_000 });
}

export function readFlash(req: Request, res: Response, next: NextFunction): void {
  const raw = req.signedCookies?.[FLASH_COOKIE];
  res.locals.flash = null;
  if (typeof raw === 'string') {
    try {
      const parsed = JSON.parse(raw) as Flash;
      if (parsed && typeof parsed.message === 'string') res.locals.flash = parsed;
    } catch {
      // ignore a malformed cookie
    }
    res.clearCookie(FLASH_COOKIE, cookieOptions(res));
  }
  next();
}
