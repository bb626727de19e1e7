import { randomBytes } from 'node:crypto';
import { SecretBox } from '@sluice/persistence';
import { SecretDecryptError, SecretKeyError } from '../errors';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, JSON included', () => {
    const secrets = { password: 'p@ss wörd', token: 'x'.repeat(300) };
    expect(box.openJson(box.sealJson(secrets))).toEqual(secrets);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('never stores the plaintext and never seals the same way twice (random IV)', () => {
    const a = box.seal('hunter2');
    const b = box.seal('hunter2');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const sealed = box.seal('the real password');
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 0x01;
      const tampered = parts.map((p, i) => (i === index ? bytes.toString('base64url') : p)).join('.');
      expect(() => box.open(tampered)).toThrow(SecretDecryptError);
    }
  });

  it('refuses another key', () => {
    const sealed = box.seal('secret');
    const other = new SecretBox(randomBytes(32));
    const error = (() => {
      try {
        other.open(sealed);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SecretDecryptError);
    expect(error).toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
  });

  it('binds a value to its context: a secret copied to another row does not open', () => {
    const sealed = box.seal('secret', 'connector:1');
    expect(box.open(sealed, 'connector:1')).toBe('secret');
    expect(() => box.open(sealed, 'connector:2')).toThrow(SecretDecryptError);
    expect(() => box.open(sealed)).toThrow(SecretDecryptError);
  });

  it('refuses malformed values and unknown formats', () => {
    const [, iv, tag, ct] = box.seal('x').split('.');
    for (const bad of [
      '',
      'v1.a.b',
      `v2.${iv}.${tag}.${ct}`,
      `v1.${iv}.${tag!.slice(2)}.${ct}`,
      `v1..${tag}.${ct}`,
    ]) {
      expect(() => box.open(bad)).toThrow(SecretDecryptError);
    }
  });

  it('wants a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(SecretKeyError);
  });
});

describe('SecretBox with a key loader', () => {
  it('loads the key on first use, once', () => {
    const key = randomBytes(32);
    let loads = 0;
    const box = new SecretBox(() => {
      loads += 1;
      return key;
    });
    expect(loads).toBe(0);
    const sealed = box.seal('x');
    expect(new SecretBox(key).open(sealed)).toBe('x');
    expect(box.open(sealed)).toBe('x');
    expect(loads).toBe(1);
  });

  it('reports a missing key when a secret is first used, not before', () => {
    const box = new SecretBox(() => {
      throw new SecretKeyError('SLUICE_SECRET_KEY is required');
    });
    expect(() => box.seal('x')).toThrow(SecretKeyError);
    expect(() => new SecretBox(() => randomBytes(8)).seal('x')).toThrow(/32 bytes, got 8/);
  });
});
