export { FakeKafkaBroker } from './fake-kafka-broker';
export type { FakeRecord, ProducedRecord } from './record-batch';
