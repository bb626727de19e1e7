import { createHash } from 'node:crypto';
import {
  parseKafkaSourceConfig,
  parseMqttSourceConfig,
  parseNatsSourceConfig,
  SourceConfigError,
  type AnySourceConfigInput,
} from '@sluice/sources';
import type { SourceDefinition } from './pipeline-definition';

/** The operator's side of a source: the shared broker and the replica's settings (ingest's configuration). */
export interface SourceDefaults {
  /** The operator's MQTT broker (SLUICE_MQTT_URL or the embedded one), used when a source gives no `url`. */
  mqttUrl: string;
  /** The operator's broker credentials: sent only to `mqttUrl`, never to a URL a tenant chose. */
  mqttUsername?: string | undefined;
  mqttPassword?: string | undefined;
  mqttProtocolVersion: 3 | 4 | 5;
  /** The base of every share group; `null` for brokers without shared subscriptions (the embedded one). */
  shareGroup: string | null;
  /** The replica's client id prefix (SLUICE_INGEST_CLIENT_ID_PREFIX). */
  clientIdPrefix: string;
  connections: number;
  maxInFlight: number;
}

/**
 * MQTT options Sluice derives from the tenant and source ids (or fixes), because a value a tenant
 * chose could collide with another tenant's: a shared client id kicks the other session off the
 * broker, a shared share group splits its messages. `shareGroup: false` (plain subscriptions) is
 * the one choice left to the source.
 */
export const MANAGED_MQTT_OPTIONS = [
  'clientIdPrefix',
  'clean',
  'sessionExpiryInterval',
  'mountpoint',
] as const;
/** Options that only make sense with the source's own broker (`url` given). */
const OWN_BROKER_OPTIONS = ['username', 'password', 'tls'] as const;

const digestOf = (tenantId: string, sourceId: string) =>
  createHash('sha256').update(`${tenantId}/${sourceId}`).digest('hex').slice(0, 12);

/**
 * A stable MQTT client id prefix per replica and source: the same after a restart (so the
 * persistent session resumes), short enough for brokers' limits even with UUID ids.
 *
 * @example clientIdPrefix('sluice-ingest', 'acme', 'devices'); // 'sluice-ingest-<12 hex>'
 */
export function clientIdPrefix(replicaPrefix: string, tenantId: string, sourceId: string): string {
  return `${replicaPrefix}-${digestOf(tenantId, sourceId)}`;
}

/**
 * The share group of a source: the same for every replica (they share the work), different for
 * every source, so no other source, of this tenant or another, can take a share of its messages.
 *
 * @example sourceShareGroup('sluice', 'acme', 'devices'); // 'sluice-<12 hex>'
 */
export function sourceShareGroup(base: string, tenantId: string, sourceId: string): string {
  return `${base}-${digestOf(tenantId, sourceId)}`;
}

/**
 * The configuration a source runs with: the definition in its kind's terms, with what Sluice
 * decides applied over what the definition says (client ids, share group, session, and on the
 * operator's broker its credentials and the tenant's `mountpoint`). Ingest runs it; the gateway
 * validates it with {@link checkSourceRunConfig} before it saves, so what it accepts also runs.
 *
 * @example sourceRunConfig('acme', 'acme/', { id: 's', kind: 'mqtt', topics: [{ filter: 'a/#', qos: 1 }] }, defaults);
 */
export function sourceRunConfig(
  tenantId: string,
  mountpoint: string | undefined,
  definition: SourceDefinition,
  defaults: SourceDefaults,
): AnySourceConfigInput {
  // why configuredBy out: it is Sluice's (who chose the broker), not the kind's option
  const { id, url, topics, kind, configuredBy: _by, ...options } = definition;
  const names = topics.map((t) => t.filter);
  switch (kind) {
    case 'kafka':
      return {
        ...(url ? { brokers: url.split(',') } : {}),
        ...(options as object),
        kind,
        id,
        tenant: tenantId,
        topics: names,
      } as AnySourceConfigInput;
    case 'nats':
      // why no default server: the mesh's NATS (SLUICE_NATS_URL) is the service bus, never a source
      return {
        ...(url ? { servers: [url] } : {}),
        ...(options as object),
        kind,
        id,
        tenant: tenantId,
        subjects: names,
      } as AnySourceConfigInput;
    case 'mqtt': {
      const own = { ...options } as Record<string, unknown>;
      for (const key of MANAGED_MQTT_OPTIONS) delete own[key];
      // why: the operator's credentials belong to the operator's broker only; a source that names
      // its own broker logs in there with its own credentials or none
      const shared = url === undefined;
      if (shared) for (const key of OWN_BROKER_OPTIONS) delete own[key];
      const plain = own['shareGroup'] === false || own['shareGroup'] === null || defaults.shareGroup === null;
      return {
        protocolVersion: defaults.mqttProtocolVersion,
        connections: defaults.connections,
        maxInFlight: defaults.maxInFlight,
        ...own,
        clientIdPrefix: clientIdPrefix(defaults.clientIdPrefix, tenantId, id),
        shareGroup: plain ? null : sourceShareGroup(defaults.shareGroup ?? 'sluice', tenantId, id),
        clean: false,
        ...(shared
          ? {
              username: defaults.mqttUsername,
              password: defaults.mqttPassword,
              ...(mountpoint ? { mountpoint } : {}),
            }
          : {}),
        kind,
        id,
        tenant: tenantId,
        url: url ?? defaults.mqttUrl,
        topics,
      };
    }
  }
}

/**
 * The problems of a tenant's source definition, as `{ field, problem }` with `field` relative to
 * the definition: options Sluice decides, credentials for the shared broker, then every problem
 * the kind's own parser finds in the run configuration (so a source the services cannot run is
 * refused here, not accepted to fail in ingest).
 *
 * @example checkSourceRunConfig('acme', 'acme/', { id: 's', kind: 'mqtt', topics: [], clientIdPrefix: 'x' }, defaults);
 * // [{ field: 'clientIdPrefix', problem: 'set by Sluice ...' }, { field: 'topics', problem: 'expected at least one topic' }]
 */
export function checkSourceRunConfig(
  tenantId: string,
  mountpoint: string | undefined,
  definition: SourceDefinition,
  defaults: SourceDefaults,
): { field: string; problem: string }[] {
  const problems: { field: string; problem: string }[] = [];
  const options = definition as Record<string, unknown>;
  if (definition.kind === 'mqtt') {
    for (const key of MANAGED_MQTT_OPTIONS) {
      if (options[key] !== undefined) {
        problems.push({
          field: key,
          problem: 'set by Sluice from the tenant and source ids (leave it out)',
        });
      }
    }
    if (
      options['shareGroup'] !== undefined &&
      options['shareGroup'] !== false &&
      options['shareGroup'] !== null
    ) {
      problems.push({
        field: 'shareGroup',
        problem: 'the share group is set by Sluice; only false (plain subscriptions) may be given',
      });
    }
    if (definition.url === undefined) {
      for (const key of OWN_BROKER_OPTIONS) {
        if (options[key] !== undefined) {
          problems.push({
            field: key,
            problem:
              "the shared broker is reached with Sluice's own credentials; give url to use your own broker",
          });
        }
      }
    }
  }
  if (definition.kind === 'nats' && definition.url === undefined && options['servers'] === undefined) {
    problems.push({
      field: 'url',
      problem:
        "expected the NATS server to read (nats://host:4222): a NATS source has no default, the mesh's NATS is not a source",
    });
    return problems;
  }
  try {
    const config = sourceRunConfig(tenantId, mountpoint, definition, defaults);
    const { kind: _kind, ...rest } = config as { kind?: string } & Record<string, unknown>;
    if (definition.kind === 'kafka') parseKafkaSourceConfig(rest);
    else if (definition.kind === 'nats') parseNatsSourceConfig(rest);
    else parseMqttSourceConfig(rest);
  } catch (error) {
    if (!(error instanceof SourceConfigError)) throw error;
    // a Kafka source's `topics` and a NATS source's `subjects` come from the definition's topics
    for (const p of error.problems) problems.push({ ...p, field: p.field.replace(/^subjects/, 'topics') });
  }
  return problems;
}

/** SLUICE_TENANT_MOUNTPOINT when unset: each tenant's namespace is its id. */
export const DEFAULT_MOUNTPOINT_TEMPLATE = '{tenant}/';

/**
 * The mountpoint of a tenant: SLUICE_TENANT_MOUNTPOINT with `{tenant}` replaced by its id;
 * `undefined` when the template is empty (a broker not shared between tenants).
 *
 * @example tenantMountpoint('{tenant}/', 'acme'); // 'acme/'
 */
export function tenantMountpoint(template: string | undefined, tenantId: string): string | undefined {
  const resolved = (template ?? DEFAULT_MOUNTPOINT_TEMPLATE).replaceAll('{tenant}', tenantId);
  return resolved === '' ? undefined : resolved;
}
