import type { Writable } from 'node:stream';
import { BusUnavailableError } from '@sluice/bus';
import { loadConfig, natsConfigShape, redactUrlCredentials } from '@sluice/config';
import { z } from 'zod';
import { describeError, SluiceError } from '@sluice/errors';
import { DeadLetterAdmin } from './dead-letter-admin';

export interface DlqCliOptions {
  tenant: string;
  connector?: string;
  limit?: string;
  /** For `redrive`: dead letter sequences; none with `all`. */
  seqs?: string[];
  all?: boolean;
}

/** What the command needs of a DLQ: the mesh's JetStream, or the running embedded process. */
interface DlqAccess {
  list(filter: { tenant: string; connector?: string; limit?: number }): Promise<{ seq: number }[]>;
  redrive(tenant: string, seq: number): Promise<string>;
  close(): Promise<void>;
}

/** A GraphQL answer the embedded process refused (unknown dead letter, bad key): its message. */
export class DlqCommandError extends SluiceError {
  readonly code = 'DLQ_COMMAND_FAILED';
  readonly category = 'BAD_INPUT';
}

/** The most dead letters one GraphQL query lists (the gateway's bound). */
const MAX_LIST = 1_000;

/**
 * `sluice dlq list|redrive`: prints one JSON line per dead letter (list) or per re-driven one
 * (redrive). With SLUICE_BUS=nats it reads the mesh's DLQ on SLUICE_NATS_URL (SLUICE_BUS_NAMESPACE);
 * otherwise it asks the running embedded process, whose DLQ is in its bus log, over its GraphQL API
 * on 127.0.0.1:SLUICE_HTTP_PORT (SLUICE_GATEWAY_URL overrides) with SLUICE_ADMIN_KEY. Returns the
 * exit code; an unreachable bus throws a SluiceError whose message is one line.
 *
 * @example process.exitCode = await runDlqCli('list', { tenant: 'acme' }, process.env, process.stdout);
 */
export async function runDlqCli(
  command: 'list' | 'redrive',
  options: DlqCliOptions,
  env: NodeJS.ProcessEnv,
  out: Writable,
): Promise<number> {
  const admin = await connectDlq(env);
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
    // why: --all on an empty DLQ is done, not a usage error
    if (options.all && seqs.length === 0) return 0;
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

async function connectDlq(env: NodeJS.ProcessEnv): Promise<DlqAccess> {
  if (env['SLUICE_BUS'] === 'nats') {
    // why the services' shape: the CLI logs in to the mesh's NATS account as they do
    const nats = loadConfig(z.object(natsConfigShape), env);
    try {
      return await DeadLetterAdmin.connect(nats, env['SLUICE_BUS_NAMESPACE'] ?? '');
    } catch (error) {
      const url = redactUrlCredentials(nats.SLUICE_NATS_URL);
      throw new BusUnavailableError(`cannot reach NATS at ${url}: ${oneLine(error)}`, { cause: error });
    }
  }
  const base = env['SLUICE_GATEWAY_URL'] ?? `http://127.0.0.1:${env['SLUICE_HTTP_PORT'] ?? '4000'}`;
  const key = env['SLUICE_ADMIN_KEY'];
  if (!key) {
    throw new DlqCommandError(
      'set SLUICE_ADMIN_KEY to the operator key of the running embedded process (printed at its start), ' +
        'or SLUICE_BUS=nats for the mesh',
    );
  }
  return new EmbeddedDeadLetters(new URL('/graphql', base).toString(), key);
}

/** The embedded process's dead letters through its GraphQL API (its bus log has one writer: it). */
class EmbeddedDeadLetters implements DlqAccess {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async list(filter: { tenant: string; connector?: string; limit?: number }): Promise<{ seq: number }[]> {
    const data = await this.call<{ deadLetters: { seq: number }[] }>(
      'query($t: ID!, $c: ID, $n: Int) { deadLetters(tenantId: $t, connectorId: $c, first: $n) ' +
        '{ seq connectorId ruleId actionId requestId code message attempts firstFailedAt failedAt } }',
      { t: filter.tenant, c: filter.connector ?? null, n: Math.min(filter.limit ?? 100, MAX_LIST) },
    );
    return data.deadLetters;
  }

  async redrive(tenant: string, seq: number): Promise<string> {
    const data = await this.call<{ redriveDeadLetter: { messageId: string } }>(
      'mutation($t: ID!, $s: Float!) { redriveDeadLetter(tenantId: $t, seq: $s) { messageId } }',
      { t: tenant, s: seq },
    );
    return data.redriveDeadLetter.messageId;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new BusUnavailableError(
        `cannot reach the embedded Sluice at ${this.url} (${oneLine(error)}): is it running? ` +
          'Set SLUICE_HTTP_PORT or SLUICE_GATEWAY_URL to where it listens, or SLUICE_BUS=nats for the mesh',
        { cause: error },
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: T;
      errors?: { message: string }[];
    };
    if (body.errors?.length) throw new DlqCommandError(body.errors.map((e) => e.message).join('; '));
    if (!response.ok || !body.data) throw new DlqCommandError(`${this.url} answered HTTP ${response.status}`);
    return body.data;
  }
}

/** An error as one line: the message and, for a network error, the code of its cause. */
function oneLine(error: unknown): string {
  const { message } = describeError(error);
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return (cause ? `${message}: ${cause}` : message).replace(/\s+/g, ' ');
}
