import { busConfigShape } from '@sluice/bus';
import { httpPortShape, loadConfig, logConfigShape, shutdownConfigShape } from '@sluice/config';
import { connectorTargetsConfigShape } from '@sluice/connectors';
import { pipelineConfigShape } from '@sluice/pipeline';
import { z } from 'zod';

export const ingestConfigShape = {
  ...busConfigShape,
  ...pipelineConfigShape,
  // why: a tenant's source on a broker of its own is checked again when ingest connects
  ...connectorTargetsConfigShape,
  SLUICE_MQTT_URL: z.url({ message: 'expected a broker URL such as mqtt://host:1883' }).optional(),
  SLUICE_MQTT_USERNAME: z.string().optional(),
  SLUICE_MQTT_PASSWORD: z.string().optional(),
  SLUICE_MQTT_PROTOCOL_VERSION: z.enum(['3', '4', '5']).transform(Number).default(5),
  SLUICE_INGEST_SHARE_GROUP: z
    .string()
    .regex(/^[^/#+]+$/, 'expected a name without "/", "#" or "+"')
    .default('sluice'),
  SLUICE_INGEST_CLIENT_ID_PREFIX: z.string().min(1).default('sluice-ingest'),
  SLUICE_INGEST_CONNECTIONS: z.coerce.number().int().positive().default(1),
  SLUICE_INGEST_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
  // batch envelopes into INGEST (group commit): most messages per JetStream message, and JetStream
  // messages of one source awaiting their PubAck at once
  SLUICE_INGEST_BATCH_MAX_MESSAGES: z.coerce.number().int().positive().default(100),
  SLUICE_INGEST_BATCH_IN_FLIGHT: z.coerce.number().int().positive().default(2),
  // a larger message can never be stored (NATS max_payload, 1 MiB by default): it is dead-lettered
  // with its head and acknowledged, counted as dropped with reason "rejected"
  SLUICE_INGEST_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(1_000_000),
};

const ingestConfigSchema = z.object({
  ...httpPortShape(4001),
  ...logConfigShape,
  ...shutdownConfigShape,
  ...ingestConfigShape,
  // why: on its own, ingest has no embedded broker to fall back on
  SLUICE_MQTT_URL: z.url({
    message: 'required when ingest runs on its own: a broker URL such as mqtt://host:1883',
  }),
});
export type IngestConfig = z.infer<typeof ingestConfigSchema>;
/** The part of the configuration the ingest module reads (the embedded app passes its own). */
export type IngestSettings = z.infer<z.ZodObject<typeof ingestConfigShape>>;

export const ingestSensitive = ['SLUICE_MQTT_PASSWORD'];
export const loadIngestConfig = (env = process.env) =>
  loadConfig(ingestConfigSchema, env, { sensitive: ingestSensitive });
