export type {
  Action,
  Connector,
  ConnectorState,
  ConnectorStatus,
  DeliveryOutcome,
  DeliveryRecord,
} from './connector';
