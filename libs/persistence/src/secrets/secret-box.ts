import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretDecryptError, SecretKeyError } from '../errors';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets (connector passwords, tokens) with AES-256-GCM before they reach the database.
 * A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url), so it fits a text column on every
 * database. The optional `context` (e.g. `connector:<id>`) is authenticated but not stored: a
 * value copied to another row does not open there.
 *
 * @example
 * const box = new SecretBox(loadSecretKey(config, { generateIfMissing: true }));
 * const sealed = box.sealJson({ password: 's3cret' }, `connector:${id}`);
 * box.openJson(sealed, `connector:${id}`); // { password: 's3cret' }
 */
export class SecretBox {
  private loaded?: Buffer;

  /** `key` may be a loader, called on first use (so a gateway without secrets still starts). */
  constructor(private readonly key: Buffer | (() => Buffer)) {
    if (Buffer.isBuffer(key)) this.loaded = checkKey(key);
  }

  private get keyBytes(): Buffer {
    this.loaded ??= checkKey((this.key as () => Buffer)());
    return this.loaded;
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map(encodePart).join('.');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== FORMAT) throw new SecretDecryptError();
    const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptError();
    const key = this.keyBytes;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretDecryptError({ cause: error });
    }
  }

  sealJson(value: unknown, context = ''): string {
    return this.seal(JSON.stringify(value), context);
  }

  openJson<T = Record<string, unknown>>(sealed: string, context = ''): T {
    return JSON.parse(this.open(sealed, context)) as T;
  }
}

function checkKey(key: Buffer): Buffer {
  if (key.length !== 32) throw new SecretKeyError(`an AES-256 key has 32 bytes, got ${key.length}`);
  return Buffer.from(key);
}

function encodePart(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}
