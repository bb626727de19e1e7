export { createMqttSource } from './mqtt/mqtt-source';
export type { MqttSource } from './mqtt/mqtt-source';
export { mqttSourceConfigSchema, parseMqttSourceConfig } from './mqtt/mqtt-source.config';
export type { MqttSourceConfig, MqttSourceConfigInput } from './mqtt/mqtt-source.config';
export { compileTopicPattern } from './topic-pattern';
export type { TopicPatternMatcher, TopicPatternField } from './topic-pattern';
export { MessageRejectedError, SourceConfigError, SourceSubscribeError } from './errors';
export type {
  IngestedMessage,
  IngestedMessageProperties,
  MessageSink,
  SourceMetrics,
  ConnectionMetrics,
  QosCounters,
  DropReason,
  SourceEvent,
  SourceLogger,
  LoggerLike,
  SourceOptions,
  SourceState,
  SourceStatus,
} from './types';
export type { Source, SourceKind } from './source';
export { createKafkaSource } from './kafka/kafka-source';
export type { KafkaSource, KafkaSourceOptions } from './kafka/kafka-source';
export { kafkaSourceConfigSchema, parseKafkaSourceConfig } from './kafka/kafka-source.config';
export type { KafkaSourceConfig, KafkaSourceConfigInput } from './kafka/kafka-source.config';
export type { KafkaConsumerLike, KafkaConsumerEvent, KafkaConsumerFactory } from './kafka/kafka-consumer';
export { createNatsSource } from './nats/nats-source';
export type { NatsSource } from './nats/nats-source';
export { natsSourceConfigSchema, parseNatsSourceConfig } from './nats/nats-source.config';
export type { NatsSourceConfig, NatsSourceConfigInput } from './nats/nats-source.config';
export { createSource } from './create-source';
export type { AnySource, AnySourceConfigInput } from './create-source';
export { mountpointSchema, unmount } from './mountpoint';
