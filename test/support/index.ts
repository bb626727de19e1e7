export { eventually, throughout } from './eventually';
export type { EventuallyOptions } from './eventually';
export { testNamespace, freePort, testServers } from './test-namespace';
export type { TestNamespace } from './test-namespace';
export { SluiceProcess } from './sluice-process';
export { HttpTarget } from './http-target';
export type { ReceivedRequest } from './http-target';
export { writeSkeletonPipeline } from './pipeline-file';
export { deleteTestStreams, smallStreamLimits } from './nats-cleanup';
export { MeshAccountNats, PrivateNats, PrivateMosquitto, ensureBinary, portOpen } from './private-server';
export { PrivatePostgres } from './private-postgres';
export { QosStream, compareDelivery, connectPublisher, describeReport, streamPayload } from './qos-stream';
export type { LossReport } from './qos-stream';
export { FaultMesh, quiescent, rssMiB, sumMetric, writeFaultPipeline } from './fault-mesh';
export type { MeshService } from './fault-mesh';
export {
  OtlpReceiver,
  SPAN_KIND_CONSUMER,
  SPAN_KIND_INTERNAL,
  SPAN_KIND_PRODUCER,
  SPAN_KIND_SERVER,
  STATUS_CODE_ERROR,
} from './otlp-receiver';
export type { ExportedSpan } from './otlp-receiver';
export { IdTarget } from './id-target';
export { NatsCluster, ClusterNode } from './nats-cluster';
