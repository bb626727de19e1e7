export { eventually } from './eventually';
export type { EventuallyOptions } from './eventually';
export { testNamespace, freePort, testServers } from './test-namespace';
export type { TestNamespace } from './test-namespace';
export { SluiceProcess } from './sluice-process';
export { HttpTarget } from './http-target';
export type { ReceivedRequest } from './http-target';
export { writeSkeletonPipeline } from './pipeline-file';
export { deleteTestStreams, smallStreamLimits } from './nats-cleanup';
