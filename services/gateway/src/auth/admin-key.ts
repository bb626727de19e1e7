import { randomBytes, timingSafeEqual } from 'node:crypto';

export const ADMIN_KEY = Symbol('ADMIN_KEY');

/** A fresh operator key for the embedded mode, printed once at start. */
export function generateAdminKey(): string {
  return `sluice_admin_${randomBytes(24).toString('base64url')}`;
}

/** Constant-time comparison, so the key cannot be guessed byte by byte from response times. */
export function isAdminKey(candidate: string | undefined, adminKey: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b);
}
