export type {
  Bus,
  BusHealth,
  BusMessage,
  Consumption,
  ConsumerOptions,
  Headers,
  MessageHandler,
  PublishOptions,
  StreamName,
} from './bus';
export {
  BATCH_HEADER,
  ConfigOp,
  decodeActionRequest,
  decodeActionRequestBatch,
  decodeConfigChange,
  decodeDeadLetter,
  decodeIngestBatch,
  decodeIngestEnvelope,
  encodeActionRequest,
  encodeActionRequestBatch,
  encodeConfigChange,
  encodeDeadLetter,
  encodeIngestBatch,
  encodeIngestEnvelope,
} from './envelope-codec';
export type {
  ActionRequest,
  ConfigChange,
  DeadLetter,
  DeadLetterInput,
  IngestEnvelope,
  UserProperty,
} from './envelope-codec';
export {
  BusFullError,
  BusTimeoutError,
  BusUnavailableError,
  EnvelopeDecodeError,
  InvalidSubjectTokenError,
  NoStreamForSubjectError,
} from './errors';
