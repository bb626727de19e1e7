import type { Writable } from 'node:stream';
import { DeadLetterAdmin } from './dead-letter-admin';

export interface DlqCliOptions {
  tenant: string;
  connector?: string;
  limit?: string;
  /** For `redrive`: dead letter sequences; none with `all`. */
  seqs?: string[];
  all?: boolean;
}

/**
 * `sluice dlq list|redrive`: prints one JSON line per dead letter (list) or per re-driven one
 * (redrive). Reads SLUICE_NATS_URL and SLUICE_BUS_NAMESPACE. Returns the exit code.
 *
 * @example process.exitCode = await runDlqCli('list', { tenant: 'acme' }, process.env, process.stdout);
 */
export async function runDlqCli(
  command: 'list' | 'redrive',
  options: DlqCliOptions,
  env: NodeJS.ProcessEnv,
  out: Writable,
): Promise<number> {
  const admin = await DeadLetterAdmin.connect(
    env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222',
    env['SLUICE_BUS_NAMESPACE'] ?? '',
  );
  try {
    const filter = { tenant: options.tenant, connector: options.connector };
    if (command === 'list') {
      const limit = options.limit ? Number(options.limit) : 100;
      for (const entry of await admin.list({ ...filter, limit })) out.write(`${JSON.stringify(entry)}\n`);
      return 0;
    }
    const seqs = options.all
      ? (await admin.list({ ...filter, limit: Number.MAX_SAFE_INTEGER })).map((e) => e.seq)
      : (options.seqs ?? []).map(Number);
    if (seqs.length === 0 || seqs.some((s) => !Number.isInteger(s) || s <= 0)) {
      out.write('redrive: give dead letter sequences (from `sluice dlq list`) or --all\n');
      return 2;
    }
    for (const seq of seqs)
      out.write(`${JSON.stringify({ seq, msgId: await admin.redrive(options.tenant, seq) })}\n`);
    return 0;
  } finally {
    await admin.close();
  }
}
