import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { deleteTestStreams } from './nats-cleanup';

/**
 * vitest globalSetup: starts (or installs) any server the integration tests need, and removes
 * test streams that crashed runs left on NATS more than an hour ago.
 */
export default async function ensureServices(): Promise<void> {
  execFileSync('bash', [resolve(__dirname, '../../scripts/ensure-services.sh')], { stdio: 'inherit' });
  const removed = await deleteTestStreams({ olderThanMs: 60 * 60 * 1000 });
  if (removed > 0)
    process.stderr.write(`[ensure-services] removed ${removed} stale test stream(s) from NATS\n`);
}
