import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecretKey, parseSecretKey } from './secret-key';
import { SecretKeyError } from '../errors';

describe('secret key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses 64 hex digits and base64 (standard and url-safe) to the same 32 bytes', () => {
    const key = Buffer.from('fb'.repeat(16) + 'ff'.repeat(16), 'hex');
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(`  ${key.toString('base64')}\n`)).toEqual(key);
  });

  it('refuses the wrong length or alphabet without echoing the value', () => {
    for (const bad of [randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'not a key!']) {
      const error = (() => {
        try {
          parseSecretKey(bad);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(SecretKeyError);
      expect(error?.message).toContain('SLUICE_SECRET_KEY: expected 32 bytes');
      expect(error?.message).not.toContain(bad);
    }
  });

  it('uses SLUICE_SECRET_KEY when set, and writes nothing', () => {
    const key = randomBytes(32);
    expect(
      loadSecretKey(
        { SLUICE_SECRET_KEY: key.toString('hex'), SLUICE_DATA_DIR: dir },
        { generateIfMissing: true },
      ),
    ).toEqual(key);
    expect(() => statSync(join(dir, 'secret.key'))).toThrow();
  });

  it('in the embedded mode generates the key once, mode 0600, and reuses it', () => {
    const dataDir = join(dir, 'data');
    const first = loadSecretKey({ SLUICE_DATA_DIR: dataDir }, { generateIfMissing: true });
    const second = loadSecretKey({ SLUICE_DATA_DIR: dataDir }, { generateIfMissing: true });
    expect(first).toHaveLength(32);
    expect(second).toEqual(first);
    const stat = statSync(join(dataDir, 'secret.key'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(join(dataDir, 'secret.key'), 'utf8'))).toEqual(first);
  });

  it('refuses a damaged key file, naming the file', () => {
    writeFileSync(join(dir, 'secret.key'), 'short');
    expect(() => loadSecretKey({ SLUICE_DATA_DIR: dir }, { generateIfMissing: true })).toThrow(
      new RegExp(`${join(dir, 'secret.key')}: expected 32 bytes`),
    );
  });

  it('requires SLUICE_SECRET_KEY when it may not generate one (mesh mode)', () => {
    expect(() => loadSecretKey({ SLUICE_DATA_DIR: dir }, { generateIfMissing: false })).toThrow(
      SecretKeyError,
    );
  });
});
