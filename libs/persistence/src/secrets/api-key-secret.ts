import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface GeneratedApiKey {
  /** The whole key, shown to the user once and never stored. */
  key: string;
  /** The public part that finds the row (`slk_` + 16 hex digits); safe to show in lists. */
  prefix: string;
  /** SHA-256 of the whole key, hex: what the database keeps. */
  hash: string;
}

const KEY_PATTERN = /^(slk_[0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/**
 * Makes a new API key: a 64-bit lookup prefix plus 256 random bits.
 * Why SHA-256 and not scrypt: scrypt slows down guessing of low-entropy passwords; a 256-bit random
 * secret cannot be guessed at any speed, and the key is checked on every publish request, where a
 * memory-hard hash would cost tens of milliseconds of CPU each time.
 *
 * @example const { key, prefix, hash } = generateApiKey(); // key: 'slk_0123456789abcdef_…'
 */
export function generateApiKey(): GeneratedApiKey {
  const prefix = `slk_${randomBytes(8).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/**
 * The prefix of a well-formed key, or undefined for anything else (so lookups skip garbage).
 *
 * @example apiKeyPrefix('slk_0123456789abcdef_' + 'A'.repeat(43)); // 'slk_0123456789abcdef'
 */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** @example hashApiKey(key) === generated.hash */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares a presented key with a stored hash in constant time. @example verifyApiKey(key, row.hash) */
export function verifyApiKey(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
