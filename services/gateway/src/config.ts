import type { OperatorBroker } from '@sluice/pipeline';
import { busConfigShape } from '@sluice/bus';
import { connectorTargetsConfigShape } from '@sluice/connectors';
import { httpPortShape, loadConfig, logConfigShape, shutdownConfigShape } from '@sluice/config';
import { persistenceConfigShape } from '@sluice/persistence';
import { publishConfigShape } from '@sluice/publish';
import { z } from 'zod';

const adminKey = z
  .string()
  .min(24, 'expected at least 24 characters (generate one with: openssl rand -hex 24)');

export const gatewayConfigShape = {
  ...busConfigShape,
  ...persistenceConfigShape,
  ...publishConfigShape,
  ...connectorTargetsConfigShape,
  /** PostgreSQL schema for the gateway's tables (default: the connection's search path). */
  SLUICE_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier')
    .optional(),
  /** The broker the publish API publishes to (the embedded one when unset in the embedded mode). */
  SLUICE_MQTT_URL: z.url({ message: 'expected a broker URL such as mqtt://host:1883' }).optional(),
  SLUICE_MQTT_USERNAME: z.string().optional(),
  SLUICE_MQTT_PASSWORD: z.string().optional(),
  /**
   * Each tenant's namespace on the operator's broker (`{tenant}` is its id): its sources without
   * url, its publish API keys and its republish actions see only topics under it, with the prefix
   * added on the way out and taken off on the way in (EMQX's mountpoint). Empty: no namespace, for
   * a broker with one tenant only.
   */
  SLUICE_TENANT_MOUNTPOINT: z
    .string()
    .refine(
      (t) => t === '' || (t.includes('{tenant}') && t.endsWith('/') && !/[+#]/.test(t) && !/^[$/]/.test(t)),
      {
        message:
          'expected "" or a topic prefix with {tenant}, ending in "/", without "+", "#" or a leading "$" or "/"',
      },
    )
    .default('{tenant}/'),
  /** Plans and their quotas as JSON (see docs/graphql-api.md); unset: the built-in plans. */
  SLUICE_PLANS: z.string().optional(),
  /** The plan of a tenant created without one: 'free' in the mesh, 'unlimited' in the embedded mode. */
  SLUICE_DEFAULT_PLAN: z.string().min(1).optional(),
  /** The pipeline file the services run: the gateway keeps a tenant row for each of its tenants, for their usage. */
  SLUICE_PIPELINE_FILE: z.string().optional(),
  /** The operator's API key. Unset in the embedded mode: one is generated and printed at start. */
  SLUICE_ADMIN_KEY: adminKey.optional(),
};

const gatewayConfigSchema = z.object({
  ...httpPortShape(4000),
  ...logConfigShape,
  ...shutdownConfigShape,
  ...gatewayConfigShape,
  // why: a gateway of the mesh is reachable by others; it must never start without a chosen key
  SLUICE_ADMIN_KEY: adminKey,
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** What the gateway module reads, after the app decided the admin key and the broker. */
export type GatewaySettings = Pick<
  GatewayConfig,
  Exclude<keyof typeof gatewayConfigShape, 'SLUICE_ADMIN_KEY'>
> & {
  SLUICE_ADMIN_KEY: string;
  /** The broker to publish to: SLUICE_MQTT_URL, or the embedded broker. */
  mqttUrl: string | undefined;
};

/** The operator's broker and its login (for connectors without url), when the gateway knows one. */
export function operatorBrokerOf(settings: GatewaySettings): OperatorBroker | undefined {
  const { mqttUrl, SLUICE_MQTT_USERNAME: username, SLUICE_MQTT_PASSWORD: password } = settings;
  return mqttUrl ? { url: mqttUrl, username, password } : undefined;
}

export const gatewaySensitive = ['SLUICE_ADMIN_KEY', 'SLUICE_SECRET_KEY', 'SLUICE_MQTT_PASSWORD'];
export const loadGatewayConfig = (env = process.env) =>
  loadConfig(gatewayConfigSchema, env, { sensitive: gatewaySensitive });
