import {
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  encodeActionRequest,
  JetStreamBus,
  type Bus,
  type StoredBusMessage,
  type Subjects,
} from '@sluice/bus';
import type { NatsSettings } from '@sluice/config';
import { SluiceError } from '@sluice/errors';

/** One dead letter as `sluice dlq list` and the API's `deadLetters` show it. */
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
  firstFailedAt: string;
  failedAt: string;
}

/** A dead letter with what it carries: the rule output the action was to deliver. */
export interface DeadLetterDetail extends DeadLetterEntry {
  /** The request's data (the rule output, JSON) as text; a letter with no request: its raw bytes, base64. */
  data: string;
  /** The ingested message the request came from. */
  sourceMessageId: string;
  /** When the rules service made the request (ISO), or '' without a request. */
  createdAt: string;
}

export class DeadLetterNotFoundError extends SluiceError {
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  readonly category = 'NOT_FOUND';
  constructor(tenant: string, seq: number) {
    super(`no dead letter ${seq} for tenant '${tenant}'`);
  }
}

export class DeadLetterNotRedrivableError extends SluiceError {
  readonly code = 'DEAD_LETTER_NOT_REDRIVABLE';
  readonly category = 'BAD_INPUT';
  constructor(seq: number) {
    super(
      `dead letter ${seq} holds no action request (a message that was never stored), so it cannot be re-driven`,
    );
  }
}

type DlqBus = Required<Pick<Bus, 'publish' | 'storedMessages' | 'storedMessage' | 'deleteStoredMessage'>>;

/**
 * Lists, inspects and re-drives dead letters in the DLQ stream, on any bus that can read its streams
 * (JetStream for the mesh and the CLI, the in-process bus when embedded). Re-driving republishes the
 * original request to ACTIONS, then removes the dead letter; the request keeps its id (targets'
 * idempotent writes stay keyed by it) and gets a new message id (`<id>/redrive/<seq>`), which the
 * stream's de-duplication would otherwise drop.
 *
 * @example
 * const admin = new DeadLetterAdmin(bus, createSubjects(''));
 * for (const e of await admin.list({ tenant: 'acme' })) await admin.redrive('acme', e.seq);
 */
export class DeadLetterAdmin {
  private readonly bus: DlqBus;

  constructor(
    bus: Bus,
    private readonly subjects: Subjects,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {
    if (!bus.storedMessages || !bus.storedMessage || !bus.deleteStoredMessage)
      throw new Error('this bus cannot read its streams, so dead letters cannot be listed');
    this.bus = bus as DlqBus;
  }

  /**
   * An admin on the mesh's JetStream, for a tool: it uses the streams as they are. `nats` is a URL
   * list, or the mesh's settings with its login (SLUICE_NATS_USER/PASSWORD, _TOKEN or _CREDS).
   */
  static async connect(nats: string | NatsSettings, namespace = ''): Promise<DeadLetterAdmin> {
    const settings = typeof nats === 'string' ? { SLUICE_NATS_URL: nats } : nats;
    const config = defaultBusConfig({ ...settings, SLUICE_BUS: 'nats' });
    const subjects = createSubjects(namespace);
    const bus = new JetStreamBus(config, subjects, undefined, { setupStreams: false });
    await bus.start();
    return new DeadLetterAdmin(bus, subjects, () => bus.close());
  }

  /** A tenant's dead letters, oldest first (one connector's with `connector`). */
  async list(filter: { tenant: string; connector?: string; limit?: number }): Promise<DeadLetterEntry[]> {
    const limit = filter.limit ?? 100;
    const subject = filter.connector
      ? this.subjects.dlq(filter.tenant, filter.connector)
      : this.subjects.dlqForTenant(filter.tenant);
    const stored = await this.bus.storedMessages('DLQ', subject, limit);
    return stored.flatMap((m) => {
      const entry = toDetail(m);
      return entry?.tenant === filter.tenant ? [summary(entry)] : [];
    });
  }

  /** Dead letter `seq` of `tenant` with its request's data. */
  async get(tenant: string, seq: number): Promise<DeadLetterDetail> {
    const stored = await this.bus.storedMessage('DLQ', seq);
    const detail = stored && toDetail(stored);
    if (!detail || detail.tenant !== tenant) throw new DeadLetterNotFoundError(tenant, seq);
    return detail;
  }

  /** Republishes dead letter `seq` of `tenant` to ACTIONS and removes it; returns the new message id. */
  async redrive(tenant: string, seq: number): Promise<string> {
    const stored = await this.bus.storedMessage('DLQ', seq);
    const letter = stored && decodeLetter(stored.data);
    if (!stored || !letter || tenantOf(letter, stored.subject) !== tenant)
      throw new DeadLetterNotFoundError(tenant, seq);
    const request = letter.request;
    if (!request) throw new DeadLetterNotRedrivableError(seq);
    const msgId = `${request.id}/redrive/${seq}`;
    await this.bus.publish(this.subjects.actions(tenant, request.connectorId), encodeActionRequest(request), {
      msgId,
    });
    await this.bus.deleteStoredMessage('DLQ', seq);
    return msgId;
  }

  /** Re-drives every re-drivable dead letter of `tenant` (one connector's with `connector`). */
  async redriveAll(filter: { tenant: string; connector?: string }): Promise<string[]> {
    const entries = await this.list({ ...filter, limit: Number.MAX_SAFE_INTEGER });
    const msgIds: string[] = [];
    for (const entry of entries)
      if (entry.requestId) msgIds.push(await this.redrive(filter.tenant, entry.seq));
    return msgIds;
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}

function decodeLetter(data: Uint8Array): ReturnType<typeof decodeDeadLetter> | undefined {
  try {
    return decodeDeadLetter(data);
  } catch {
    return undefined;
  }
}

// why the subject: a letter with no request (a message ingest could not store, an INGEST message
// that did not decode) still names its tenant and `_ingest`/`_unknown` there
function tenantOf(letter: ReturnType<typeof decodeDeadLetter>, subject: string): string {
  return letter.request?.tenant ?? subject.split('.').reverse()[1] ?? '';
}

function toDetail(stored: StoredBusMessage): DeadLetterDetail | undefined {
  const letter = decodeLetter(stored.data);
  if (!letter) return undefined;
  const request = letter.request;
  const [connector] = stored.subject.split('.').reverse();
  return {
    seq: stored.seq,
    tenant: tenantOf(letter, stored.subject),
    connectorId: request?.connectorId ?? connector ?? '',
    ruleId: request?.ruleId ?? '',
    actionId: request?.actionId ?? '',
    requestId: request?.id ?? '',
    code: letter.errorCode,
    message: letter.errorMessage,
    attempts: letter.attempts,
    firstFailedAt: new Date(Number(letter.firstFailedAt || letter.failedAt)).toISOString(),
    failedAt: new Date(Number(letter.failedAt)).toISOString(),
    data: request ? Buffer.from(request.data).toString('utf8') : Buffer.from(letter.raw).toString('base64'),
    sourceMessageId: request?.sourceMessageId ?? '',
    createdAt: request ? new Date(Number(request.createdAt)).toISOString() : '',
  };
}

function summary(detail: DeadLetterDetail): DeadLetterEntry {
  const { data: _data, sourceMessageId: _source, createdAt: _created, ...entry } = detail;
  return entry;
}
