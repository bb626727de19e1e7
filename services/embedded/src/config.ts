import { httpPortShape, loadConfig, logConfigShape, shutdownConfigShape } from '@sluice/config';
import { z } from 'zod';
import { deliveryConfigShape } from '../../delivery/src/config';
import { gatewayConfigShape, gatewaySensitive } from '../../gateway/src/config';
import { ingestConfigShape, ingestSensitive } from '../../ingest/src/config';
import { rulesConfigShape } from '../../rules/src/config';

const embeddedConfigSchema = z.object({
  ...httpPortShape(4000),
  ...logConfigShape,
  ...shutdownConfigShape,
  ...ingestConfigShape,
  ...rulesConfigShape,
  ...deliveryConfigShape,
  ...gatewayConfigShape,
  // why no default here: unset means 1883, or a free port when 1883 is taken (see main.ts)
  SLUICE_EMBEDDED_MQTT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SLUICE_EMBEDDED_MQTT_HOST: z.string().default('127.0.0.1'),
  // why loopback: one process on a laptop or a gateway box is not meant to be reachable from the
  // network until the operator says so (SLUICE_HTTP_HOST=0.0.0.0; the container image does)
  SLUICE_HTTP_HOST: z.string().default('127.0.0.1'),
});
export type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;

export const loadEmbeddedConfig = (env = process.env) =>
  loadConfig(embeddedConfigSchema, env, { sensitive: [...ingestSensitive, ...gatewaySensitive] });
