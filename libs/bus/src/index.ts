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
