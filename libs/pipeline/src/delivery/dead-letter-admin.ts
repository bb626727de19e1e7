import { createSubjects, decodeDeadLetter, encodeActionRequest, type Subjects } from '@sluice/bus';
import { SluiceError } from '@sluice/errors';
import { connect, type NatsConnection } from 'nats';

/** One dead letter as `sluice dlq list` shows it. */
export interface DeadLetterEntry {
  /** Stream sequence: what `redrive` takes. */
  seq: number;
  tenant: string;
  connectorId: string;
  ruleId: string;
  actionId: string;
  requestId: string;
  code: string;
  message: string;
  attempts: number;
  failedAt: string;
}

export class DeadLetterNotFoundError extends SluiceError {
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  readonly category = 'NOT_FOUND';
  constructor(tenant: string, seq: number) {
    super(`no dead letter ${seq} for tenant '${tenant}'`);
  }
}

/**
 * Lists and re-drives dead letters in the DLQ stream, straight on JetStream (an operator tool, not a
 * service). Re-driving republishes the original request to ACTIONS, then removes the dead letter;
 * the request keeps its id (targets' idempotent writes stay keyed by it) and gets a new message id
 * (`<id>/redrive/<seq>`), which the stream's de-duplication would otherwise drop.
 *
 * @example
 * const admin = await DeadLetterAdmin.connect('nats://127.0.0.1:4222');
 * for (const e of await admin.list({ tenant: 'acme' })) await admin.redrive('acme', e.seq);
 * await admin.close();
 */
export class DeadLetterAdmin {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  static async connect(natsUrl: string, namespace = ''): Promise<DeadLetterAdmin> {
    return new DeadLetterAdmin(await connect({ servers: natsUrl }), createSubjects(namespace));
  }

  /** A tenant's dead letters, oldest first (one connector's with `connector`). */
  async list(filter: { tenant: string; connector?: string; limit?: number }): Promise<DeadLetterEntry[]> {
    const limit = filter.limit ?? 100;
    const subject = filter.connector
      ? this.subjects.dlq(filter.tenant, filter.connector)
      : this.subjects.dlqAll();
    // why an ordered consumer: it reads without acking, so listing changes nothing
    const consumer = await this.nc
      .jetstream()
      .consumers.get(this.subjects.stream('DLQ'), { filterSubjects: subject });
    const entries: DeadLetterEntry[] = [];
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 256, expires: 1_000 });
      let received = 0;
      let pending = 0;
      for await (const m of batch) {
        received++;
        pending = m.info.pending;
        const entry = toEntry(m.seq, m.data, m.subject);
        if (entry?.tenant === filter.tenant && entries.length < limit) entries.push(entry);
      }
      if (received === 0 || pending === 0 || entries.length >= limit) return entries;
    }
  }

  /** Republishes dead letter `seq` of `tenant` to ACTIONS and removes it; returns the new message id. */
  async redrive(tenant: string, seq: number): Promise<string> {
    const stream = this.subjects.stream('DLQ');
    const jsm = await this.nc.jetstreamManager();
    const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    const request = stored ? decodeDeadLetter(stored.data).request : undefined;
    if (!request || request.tenant !== tenant) throw new DeadLetterNotFoundError(tenant, seq);
    const msgID = `${request.id}/redrive/${seq}`;
    await this.nc
      .jetstream()
      .publish(this.subjects.actions(tenant, request.connectorId), encodeActionRequest(request), { msgID });
    await jsm.streams.deleteMessage(stream, seq);
    return msgID;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

function toEntry(seq: number, data: Uint8Array, subject: string): DeadLetterEntry | undefined {
  try {
    const letter = decodeDeadLetter(data);
    const request = letter.request;
    // why the subject: a letter with no request (a message ingest could not store, an INGEST
    // message that did not decode) still names its tenant and `_ingest`/`_unknown` there
    const [connector, tenant] = subject.split('.').reverse();
    return {
      seq,
      tenant: request?.tenant ?? tenant ?? '',
      connectorId: request?.connectorId ?? connector ?? '',
      ruleId: request?.ruleId ?? '',
      actionId: request?.actionId ?? '',
      requestId: request?.id ?? '',
      code: letter.errorCode,
      message: letter.errorMessage,
      attempts: letter.attempts,
      failedAt: new Date(letter.failedAt).toISOString(),
    };
  } catch {
    return undefined;
  }
}
