export { parseMqttSourceConfig } from './mqtt/mqtt-source.config';
export { MessageRejectedError, SourceConfigError } from './errors';
export type { IngestedMessage, MessageSink } from './types';
export { parseKafkaSourceConfig } from './kafka/kafka-source.config';
export { parseNatsSourceConfig } from './nats/nats-source.config';
export { createSource } from './create-source';
export type { AnySource, AnySourceConfigInput } from './create-source';
export { mountpointSchema, unmount } from './mountpoint';
export { sourceKindSchema } from './source-kind-schema';
