import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAdminKey } from '../../gateway/src/auth/admin-key';

/**
 * The embedded mode's operator key when SLUICE_ADMIN_KEY is unset: read from
 * `${dataDir}/operator.key`, or generated once and kept there (mode 0600), so it survives restarts
 * and the console and scripts keep working. `created` says whether this start made it (the only
 * time it is printed).
 *
 * @example const { key, created, path } = loadOrCreateOperatorKey('./data');
 */
export function loadOrCreateOperatorKey(dataDir: string): { key: string; created: boolean; path: string } {
  const path = join(dataDir, 'operator.key');
  mkdirSync(dataDir, { recursive: true });
  let created = false;
  try {
    // why 'wx': two processes starting at once on one data directory must not write two keys
    writeFileSync(path, `${generateAdminKey()}\n`, { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path, 'utf8').trim();
  if (key.length < 16) throw new Error(`${path} holds no operator key (delete it to generate a new one)`);
  return { key, created, path };
}
