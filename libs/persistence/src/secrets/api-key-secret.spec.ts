import { createHash } from 'node:crypto';
import { apiKeyPrefix, generateApiKey, hashApiKey, verifyApiKey } from './api-key-secret';

describe('API key secrets', () => {
  it('makes distinct keys of the documented shape, with the prefix inside the key', () => {
    const one = generateApiKey();
    const two = generateApiKey();
    expect(one.key).toMatch(/^slk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(one.key.startsWith(`${one.prefix}_`)).toBe(true);
    expect(one.key).not.toBe(two.key);
    expect(one.prefix).not.toBe(two.prefix);
  });

  it('stores the SHA-256 of the whole key', () => {
    const { key, hash } = generateApiKey();
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toBe(hash);
  });

  it('verifies the right key only', () => {
    const { key, hash } = generateApiKey();
    expect(verifyApiKey(key, hash)).toBe(true);
    expect(verifyApiKey(`${key}x`, hash)).toBe(false);
    expect(verifyApiKey(key, 'abcd')).toBe(false);
  });

  it('extracts the prefix of well-formed keys only', () => {
    const { key, prefix } = generateApiKey();
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(apiKeyPrefix('slk_0123456789abcdef')).toBeUndefined();
    expect(apiKeyPrefix(`Bearer ${key}`)).toBeUndefined();
  });
});
