export { eventually } from './eventually';
export type { EventuallyOptions } from './eventually';
export { testNamespace, freePort, testServers } from './test-namespace';
export type { TestNamespace } from './test-namespace';
