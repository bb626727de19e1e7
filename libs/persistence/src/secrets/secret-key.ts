import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretKeyError } from '../errors';

const KEY_BYTES = 32;

/**
 * Parses a 32-byte key written as 64 hex digits or as base64 (standard or url-safe).
 * Throws {@link SecretKeyError} without echoing the value.
 *
 * @example parseSecretKey(randomBytes(32).toString('base64')).length; // 32
 */
export function parseSecretKey(text: string, origin = 'SLUICE_SECRET_KEY'): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new SecretKeyError(`${origin}: expected ${KEY_BYTES} bytes as 64 hex digits or base64`);
  }
  return key;
}

export interface LoadSecretKeyOptions {
  /** In the embedded mode a missing key is generated once and kept in the data directory. */
  generateIfMissing: boolean;
  /** The database holds secrets sealed with the key: a missing key file is then an error, never generated. */
  sealedSecretsExist?: boolean;
}

/** Where the key comes from, for error messages: SLUICE_SECRET_KEY or the key file's path. */
export function secretKeyOrigin(config: {
  SLUICE_SECRET_KEY?: string | undefined;
  SLUICE_DATA_DIR: string;
}): string {
  return config.SLUICE_SECRET_KEY ? 'SLUICE_SECRET_KEY' : join(config.SLUICE_DATA_DIR, 'secret.key');
}

/**
 * The key that seals connector and source secrets: SLUICE_SECRET_KEY when set; otherwise, when
 * allowed, `${SLUICE_DATA_DIR}/secret.key`, created on first use with mode 0600.
 *
 * @example
 * const key = loadSecretKey(config, { generateIfMissing: resolveDatabase(config).type === 'sqlite' });
 */
export function loadSecretKey(
  config: { SLUICE_SECRET_KEY?: string | undefined; SLUICE_DATA_DIR: string },
  { generateIfMissing, sealedSecretsExist = false }: LoadSecretKeyOptions,
): Buffer {
  if (config.SLUICE_SECRET_KEY) return parseSecretKey(config.SLUICE_SECRET_KEY);
  if (!generateIfMissing) {
    throw new SecretKeyError('SLUICE_SECRET_KEY is required when the database is PostgreSQL (mesh mode)');
  }
  const path = join(config.SLUICE_DATA_DIR, 'secret.key');
  if (sealedSecretsExist && !existsSync(path)) {
    throw new SecretKeyError(
      `${path} is missing, but the database holds secrets sealed with it: restore the file (or set SLUICE_SECRET_KEY to that key); a new key would not open them`,
    );
  }
  mkdirSync(config.SLUICE_DATA_DIR, { recursive: true });
  try {
    // why 'wx': two processes starting at once must not each write a different key
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
  return parseSecretKey(readFileSync(path, 'utf8'), path);
}
