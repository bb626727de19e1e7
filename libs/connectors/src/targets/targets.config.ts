import { z } from 'zod';
import { TargetPolicy, urlEndpoints, type Endpoint, type TargetResolver } from './target-policy';

const list = (what: string) =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      try {
        TargetPolicy.parse({ [what]: entries });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });

/**
 * The operator's target policy for tenants' connectors, to spread into the gateway's and
 * delivery's config schemas (docs/security.md).
 */
export const connectorTargetsConfigShape = {
  /** Ranges tenants' connectors may reach besides public ones: `loopback`, `private`, CIDRs; comma-separated. */
  SLUICE_CONNECTOR_TARGETS_ALLOW: list('allow'),
  /** More CIDRs tenants' connectors may never reach; comma-separated. */
  SLUICE_CONNECTOR_TARGETS_DENY: list('deny'),
};

export interface ConnectorTargetsSettings {
  SLUICE_CONNECTOR_TARGETS_ALLOW: readonly string[];
  SLUICE_CONNECTOR_TARGETS_DENY: readonly string[];
}

/**
 * The policy from the settings; `busUrls` (SLUICE_NATS_URL, comma-separated) are reserved: no
 * tenant's connector reaches the service bus's servers, whatever is allowed. So is the operator's
 * MQTT broker (`operatorBrokerUrl`): a tenant republishes there without `url`, inside its namespace,
 * and naming it by address must not escape that. `resolve` replaces the system resolver (tests).
 *
 * @example tenantTargetPolicy(settings, 'nats://127.0.0.1:4222', 'mqtt://127.0.0.1:1883')
 */
export function tenantTargetPolicy(
  settings: ConnectorTargetsSettings,
  busUrls?: string,
  operatorBrokerUrl?: string,
  resolve?: TargetResolver,
): TargetPolicy {
  const reserved: (Endpoint & { what?: string })[] = (busUrls ?? '')
    .split(',')
    .flatMap((u) => urlEndpoints(u.trim(), 4222));
  for (const endpoint of operatorBrokerUrl
    ? urlEndpoints(operatorBrokerUrl, mqttDefaultPort(operatorBrokerUrl))
    : [])
    reserved.push({
      ...endpoint,
      what: "the operator's broker (leave url out to publish in your namespace there)",
    });
  return TargetPolicy.parse({
    allow: settings.SLUICE_CONNECTOR_TARGETS_ALLOW,
    deny: settings.SLUICE_CONNECTOR_TARGETS_DENY,
    reserved,
    resolve,
  });
}

/** The port an MQTT URL means without one. */
function mqttDefaultPort(url: string): number {
  if (/^(mqtts|ssl):/.test(url)) return 8883;
  if (/^wss:/.test(url)) return 443;
  if (/^ws:/.test(url)) return 80;
  return 1883;
}
