import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateOperatorKey } from './operator-key';

describe('the embedded operator key', () => {
  it('is generated once, kept in the data directory with mode 0600, and the same at the next start', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-key-')), 'data');
    const first = loadOrCreateOperatorKey(dir);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^sluice_admin_/);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateOperatorKey(dir);
    expect(second).toEqual({ ...first, created: false });
  });

  it('refuses an empty key file with a one-line reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-key-'));
    writeFileSync(join(dir, 'operator.key'), '\n');
    expect(() => loadOrCreateOperatorKey(dir)).toThrow(/operator\.key holds no operator key/);
  });
});
