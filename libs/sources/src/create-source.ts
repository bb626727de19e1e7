import { SourceConfigError } from './errors';
import { createKafkaSource, type KafkaSourceOptions } from './kafka/kafka-source';
import type { KafkaSourceConfigInput } from './kafka/kafka-source.config';
import { createMqttSource, type MqttSourceOptions } from './mqtt/mqtt-source';
import type { MqttSourceConfigInput } from './mqtt/mqtt-source.config';
import { createNatsSource } from './nats/nats-source';
import type { NatsSourceConfigInput } from './nats/nats-source.config';
import type { Source, SourceKind } from './source';
import type { MessageSink } from './types';

/** A source configuration tagged with its kind; no kind means MQTT. */
export type AnySourceConfigInput =
  | ({ kind?: 'mqtt' } & MqttSourceConfigInput)
  | ({ kind: 'kafka' } & KafkaSourceConfigInput)
  | ({ kind: 'nats' } & NatsSourceConfigInput);

/** A running source of any kind, with the kind it is. */
export type AnySource = Source & { readonly kind: SourceKind };

/**
 * Creates the source its `kind` names (`mqtt` when absent); the rest of the object is that kind's
 * configuration. Throws `SourceConfigError` for an unknown kind or a bad configuration. `intake`
 * is used by an MQTT source only (the embedded broker in this process).
 *
 * @example
 * const source = createSource({ kind: 'nats', id: 'n', tenant: 'acme', servers: ['nats://127.0.0.1:4222'],
 *   subjects: ['sensors.>'] }, sink, { logger });
 * await source.start();
 */
export function createSource(
  definition: AnySourceConfigInput,
  sink: MessageSink,
  options: KafkaSourceOptions & MqttSourceOptions = {},
): AnySource {
  const { kind = 'mqtt', ...config } = definition as { kind?: unknown } & Record<string, unknown>;
  switch (kind) {
    case 'mqtt':
      return withKind('mqtt', createMqttSource(config as MqttSourceConfigInput, sink, options));
    case 'kafka':
      return withKind('kafka', createKafkaSource(config as KafkaSourceConfigInput, sink, options));
    case 'nats':
      return withKind('nats', createNatsSource(config as NatsSourceConfigInput, sink, options));
    default:
      throw new SourceConfigError([
        { field: 'kind', problem: `expected mqtt, kafka or nats, got ${JSON.stringify(kind)}` },
      ]);
  }
}

function withKind(kind: SourceKind, source: Source): AnySource {
  return {
    kind,
    start: () => source.start(),
    stop: () => source.stop(),
    ...(source.retire ? { retire: () => source.retire!() } : {}),
    status: () => source.status(),
    metrics: () => source.metrics(),
    ...(source.connectionMetrics ? { connectionMetrics: () => source.connectionMetrics!() } : {}),
  };
}
