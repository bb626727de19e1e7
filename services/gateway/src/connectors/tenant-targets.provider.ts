import type { Provider } from '@nestjs/common';
import {
  ConnectorTargetDeniedError,
  tenantTargetPolicy,
  type Endpoint,
  type TargetPolicy,
} from '@sluice/connectors';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';

/** The operator's policy for what a tenant's connectors and sources may reach (docs/security.md). */
export const TENANT_TARGETS = Symbol('TENANT_TARGETS');

/**
 * One policy for every target a tenant names: connectors' URLs and its own brokers' (sources).
 * Why the bus's URL: no tenant's target may reach the servers the mesh runs on; nor the operator's
 * broker by its address (a connector without url republishes there, confined; a source without url
 * reads there, confined).
 */
export const tenantTargetsProvider: Provider = {
  provide: TENANT_TARGETS,
  useFactory: (settings: GatewaySettings) =>
    tenantTargetPolicy(
      settings,
      settings.SLUICE_BUS === 'nats' ? settings.SLUICE_NATS_URL : undefined,
      settings.mqttUrl,
    ),
  inject: [GATEWAY_SETTINGS],
};

/**
 * Refuses (CONNECTOR_TARGET_DENIED) when one of a tenant's endpoints resolves to an address the
 * policy denies. A name that does not resolve now passes: delivery and ingest meet it again when
 * they connect.
 */
export async function refuseDeniedTargets(
  policy: TargetPolicy,
  endpoints: readonly Endpoint[],
): Promise<void> {
  for (const endpoint of endpoints) {
    try {
      await policy.check(endpoint);
    } catch (error) {
      if (error instanceof ConnectorTargetDeniedError) throw error;
    }
  }
}
