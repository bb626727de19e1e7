import { createHash } from 'node:crypto';
import type { ConnectorDefinition } from './pipeline-definition';

/** The operator's MQTT broker (SLUICE_MQTT_URL or the embedded one) and its credentials. */
export interface OperatorBroker {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

/** What a connector runs with, and whether it runs on the operator's broker (no target policy then). */
export interface ConnectorRunConfig {
  config: Record<string, unknown>;
  onOperatorBroker: boolean;
}

/** Options of an MQTT connector that only make sense with a broker of its own (`url` given). */
const OWN_BROKER_OPTIONS = ['username', 'password', 'tls', 'clientId'] as const;

const digestOf = (tenantId: string, connectorId: string) =>
  createHash('sha256').update(`${tenantId}/${connectorId}`).digest('hex').slice(0, 12);

/**
 * The configuration a connector runs with: the definition's, with what Sluice decides applied. An
 * MQTT connector without `url` republishes on the operator's broker, as a source without `url`
 * reads it (`sourceRunConfig`): with the operator's credentials, kept server-side, a client id
 * derived from the tenant and connector ids, and every topic under the tenant's `mountpoint`. A
 * `mountpoint` in a definition is never taken. Delivery runs this; the gateway validates it.
 *
 * @example connectorRunConfig('acme', 'acme/', { id: 'out', kind: 'mqtt', config: {}, configuredBy: 'tenant' }, broker);
 * // { config: { url: broker.url, username, password, clientId: 'sluice-delivery-<12 hex>', mountpoint: 'acme/' }, onOperatorBroker: true }
 */
export function connectorRunConfig(
  tenantId: string,
  mountpoint: string | undefined,
  definition: Pick<ConnectorDefinition, 'id' | 'kind' | 'config'>,
  operatorBroker: OperatorBroker | undefined,
): ConnectorRunConfig {
  if (definition.kind !== 'mqtt') return { config: definition.config, onOperatorBroker: false };
  const { mountpoint: _never, ...config } = definition.config;
  if (config['url'] !== undefined || !operatorBroker) return { config, onOperatorBroker: false };
  for (const key of OWN_BROKER_OPTIONS) delete config[key];
  return {
    config: {
      ...config,
      url: operatorBroker.url,
      ...(operatorBroker.username !== undefined ? { username: operatorBroker.username } : {}),
      ...(operatorBroker.password !== undefined ? { password: operatorBroker.password } : {}),
      clientId: `sluice-delivery-${digestOf(tenantId, definition.id)}`,
      ...(mountpoint ? { mountpoint } : {}),
    },
    onOperatorBroker: true,
  };
}

/**
 * What a tenant may not set on a connector, as `{ field, problem }` relative to its config: the
 * mountpoint (Sluice's), and credentials, TLS and client id for the operator's broker (no `url`).
 *
 * @example connectorRunProblems('mqtt', { username: 'x' }); // [{ field: 'username', problem: ... }]
 */
export function connectorRunProblems(
  kind: string,
  config: Record<string, unknown>,
): { field: string; problem: string }[] {
  if (kind !== 'mqtt') return [];
  const problems: { field: string; problem: string }[] = [];
  if (config['mountpoint'] !== undefined)
    problems.push({ field: 'mountpoint', problem: "set by Sluice: the tenant's namespace (leave it out)" });
  if (config['url'] === undefined) {
    for (const key of OWN_BROKER_OPTIONS) {
      if (config[key] !== undefined)
        problems.push({
          field: key,
          problem:
            "the shared broker is reached with Sluice's own login and client id; give url to use your own broker",
        });
    }
  }
  return problems;
}
