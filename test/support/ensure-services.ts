import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** vitest globalSetup: starts (or installs) any server the integration tests need. */
export default function ensureServices(): void {
  execFileSync('bash', [resolve(__dirname, '../../scripts/ensure-services.sh')], { stdio: 'inherit' });
}
