export type {
  ConsumerBacklog,
  Bus,
  BusHealth,
  BusMessage,
  Consumption,
  ConsumerOptions,
  Headers,
  MessageHandler,
  PublishOptions,
  StreamName,
  StreamStats,
  ConsumerStats,
  StoredBusMessage,
} from './bus';
export {
  ATTEMPTS_HEADER,
  BATCH_HEADER,
  NOT_BEFORE_HEADER,
  ComponentState,
  decodeComponentStatus,
  encodeComponentStatus,
  decodeMetricsReport,
  encodeMetricsReport,
  decodeRuleTap,
  encodeRuleTap,
  decodeRuleTraceEvent,
  encodeRuleTraceEvent,
  decodeActionRequest,
  decodeActionRequestBatch,
  decodeDeadLetter,
  decodeIngestBatch,
  decodeIngestEnvelope,
  encodeActionRequest,
  encodeActionRequestBatch,
  encodeDeadLetter,
  encodeIngestBatch,
  encodeIngestEnvelope,
} from './envelope-codec';
export type {
  ActionRequest,
  ComponentMetrics,
  ComponentStatus,
  MetricsReport,
  RuleTap,
  RuleTraceEvent,
  DeadLetter,
  DeadLetterInput,
  IngestEnvelope,
  UserProperty,
} from './envelope-codec';
export {
  BusConsumerConflictError,
  BusFullError,
  BusLogUnreadableError,
  BusTimeoutError,
  BusUnavailableError,
  EnvelopeDecodeError,
  InvalidSubjectTokenError,
  NoStreamForSubjectError,
} from './errors';
export { createSubjects, checkToken, reservedSubjectReason, STREAM_NAMES } from './subjects';
export type { Subjects } from './subjects';
export { busConfigShape, defaultBusConfig } from './bus.config';
export type { BusConfig } from './bus.config';
export { InProcessBus } from './in-process/in-process-bus';
export type { BusLogger } from './bus-logger';
export { JetStreamBus } from './jetstream/jetstream-bus';
export type { JetStreamBusOptions } from './jetstream/jetstream-bus';
export { isTransientSetupError, retryJetStreamSetup } from './jetstream/setup-retry';
export { createBus } from './create-bus';
export type { CreateBusOptions } from './create-bus';
export { BUS, BusModule } from './bus.module';
export { streamLimits } from './stream-limits';
export type { StreamLimits } from './stream-limits';
export {
  BatchPublisher,
  createActionBatchPublisher,
  createIngestBatchPublisher,
  decodeActionRequests,
  decodeIngestMessages,
} from './batch-publisher';
export type { BatchPublisherOptions } from './batch-publisher';
export { deleteBusStreams } from './jetstream/delete-bus-streams';
export { natsLogin } from './jetstream/nats-login';
export type { NatsLogin } from './jetstream/nats-login';
