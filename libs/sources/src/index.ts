export { createMqttSource } from './mqtt/mqtt-source';
export type { MqttSource } from './mqtt/mqtt-source';
export { mqttSourceConfigSchema, parseMqttSourceConfig } from './mqtt/mqtt-source.config';
export type { MqttSourceConfig, MqttSourceConfigInput } from './mqtt/mqtt-source.config';
export { compileTopicPattern } from './topic-pattern';
export type { TopicPatternMatcher, TopicPatternField } from './topic-pattern';
export { SourceConfigError, SourceSubscribeError } from './errors';
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
