import type { StreamName } from './bus';
import { InvalidSubjectTokenError } from './errors';

/** Tokens that NATS treats specially, or that would split a subject or a stream name. */
const BAD_TOKEN = /[.*>\s/\\]/;
const NAMESPACE = /^[A-Za-z0-9_-]*$/;

export const STREAM_NAMES: readonly StreamName[] = ['INGEST', 'ACTIONS', 'DLQ'];

export interface Subjects {
  readonly namespace: string;
  /** Where a source's messages are stored: `<ns>sluice.ingest.<tenant>.<source>`. */
  ingest(tenant: string, source: string): string;
  /** Filter: everything in INGEST. */
  ingestAll(): string;
  /** Filter: a tenant's ingested messages. */
  ingestForTenant(tenant: string): string;
  /** Where action requests for one connector go: `<ns>sluice.actions.<tenant>.<connector>`. */
  actions(tenant: string, connectorId: string): string;
  /** Filter: every tenant's requests for connectors with this id. */
  actionsForConnector(connectorId: string): string;
  /** Filter: everything in ACTIONS. */
  actionsAll(): string;
  /** Dead letters of one connector: `<ns>sluice.dlq.<tenant>.<connector>`. */
  dlq(tenant: string, connectorId: string): string;
  /** Filter: everything in DLQ. */
  dlqAll(): string;
  /** Every dead letter of one tenant (all its connectors). */
  dlqForTenant(tenant: string): string;
  /** Usage reports of a tenant (`notify`, rules -> gateway); without a tenant, the filter for every tenant. */
  usage(tenant?: string): string;
  /** Status announcements of a tenant's sources and connectors (`notify`); without a tenant, the filter. */
  status(tenant?: string): string;
  /** Rule and action counters of a tenant (`notify`, rules and delivery -> gateway); without a tenant, the filter. */
  metrics(tenant?: string): string;
  /** Requests to trace a rule (`notify`, gateway -> rules); without a tenant, the filter for every tenant. */
  ruleTap(tenant?: string): string;
  /** Trace events of one tapped rule (`notify`, rules -> gateway): `<ns>sluice.trace.<tenant>.<rule>`. */
  ruleTrace(tenant: string, ruleId: string): string;
  /** Stream name with the namespace, e.g. `T_ab12_INGEST`. */
  stream(name: StreamName): string;
  /** The subjects a stream captures (for the stream's configuration). */
  streamSubjects(name: StreamName): string[];
  /** Which stream stores a subject, if any. */
  streamOf(subject: string): StreamName | undefined;
  /** Validates a durable consumer name (same rules as a token). */
  durable(name: string): string;
}

/** Throws `InvalidSubjectTokenError` unless `value` can be one NATS subject token. */
export function checkToken(what: string, value: string): string {
  if (value.length === 0 || BAD_TOKEN.test(value)) throw new InvalidSubjectTokenError(what, value);
  return value;
}

/**
 * The only place subjects and stream names are built. The namespace prefixes both, so tests (and
 * several installations on one NATS) never see each other's messages.
 *
 * @example
 * const subjects = createSubjects('T_ab12_');
 * subjects.ingest('acme', 'plant-a'); // 'T_ab12_sluice.ingest.acme.plant-a'
 * subjects.stream('INGEST');          // 'T_ab12_INGEST'
 */
export function createSubjects(namespace = ''): Subjects {
  if (!NAMESPACE.test(namespace)) {
    throw new InvalidSubjectTokenError('bus namespace (letters, digits, _ and - only)', namespace);
  }
  const root = `${namespace}sluice`;
  const prefixes: Record<StreamName, string> = {
    INGEST: `${root}.ingest.`,
    ACTIONS: `${root}.actions.`,
    DLQ: `${root}.dlq.`,
  };
  const pair = (prefix: string, tenant: string, id: string, what: string) =>
    `${prefix}${checkToken('tenant', tenant)}.${checkToken(what, id)}`;
  return {
    namespace,
    ingest: (tenant, source) => pair(prefixes.INGEST, tenant, source, 'source id'),
    ingestAll: () => `${prefixes.INGEST}>`,
    ingestForTenant: (tenant) => `${prefixes.INGEST}${checkToken('tenant', tenant)}.>`,
    actions: (tenant, connectorId) => pair(prefixes.ACTIONS, tenant, connectorId, 'connector id'),
    actionsForConnector: (connectorId) => `${prefixes.ACTIONS}*.${checkToken('connector id', connectorId)}`,
    actionsAll: () => `${prefixes.ACTIONS}>`,
    dlq: (tenant, connectorId) => pair(prefixes.DLQ, tenant, connectorId, 'connector id'),
    dlqAll: () => `${prefixes.DLQ}>`,
    dlqForTenant: (tenant) => `${prefixes.DLQ}${checkToken('tenant', tenant)}.*`,
    usage: (tenant) => `${root}.usage.${tenant === undefined ? '*' : checkToken('tenant', tenant)}`,
    status: (tenant) => `${root}.status.${tenant === undefined ? '*' : checkToken('tenant', tenant)}`,
    metrics: (tenant) => `${root}.metrics.${tenant === undefined ? '*' : checkToken('tenant', tenant)}`,
    ruleTap: (tenant) => `${root}.tap.${tenant === undefined ? '*' : checkToken('tenant', tenant)}`,
    ruleTrace: (tenant, ruleId) => pair(`${root}.trace.`, tenant, ruleId, 'rule id'),
    stream: (name) => `${namespace}${name}`,
    streamSubjects: (name) => [`${prefixes[name]}>`],
    streamOf: (subject) => STREAM_NAMES.find((name) => subject.startsWith(prefixes[name])),
    durable: (name) => checkToken('durable name', name),
  };
}

/**
 * Why no connector may publish to `subject`, or undefined when it may: subjects starting with `$`
 * are NATS's own (JetStream's API `$JS.`, key-value buckets `$KV.`, the system account `$SYS.`),
 * `_INBOX.` carries replies to other clients' requests, and a first token ending in `sluice` is
 * Sluice's own subject space under any namespace (ingest, actions, dead letters, usage, status,
 * metrics, taps, traces).
 *
 * @example reservedSubjectReason('$JS.API.STREAM.PURGE.DLQ') // "subjects starting with '$' are NATS's own ..."
 */
export function reservedSubjectReason(subject: string): string | undefined {
  if (subject.startsWith('$'))
    return "subjects starting with '$' are NATS's own (JetStream, key-value, system)";
  const first = subject.split('.', 1)[0]!;
  if (first === '_INBOX') return '_INBOX subjects carry the replies of other clients';
  if (/sluice$/i.test(first)) return "it is in Sluice's own subject space";
  return undefined;
}
