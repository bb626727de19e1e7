export { startNestApp } from './start-nest-app';
export type { AppBasics, StartNestAppOptions } from './start-nest-app';
export { initLogging } from './init-logging';
export { guardOpsEndpoints } from './ops-endpoints';
export type { OpsEndpointsOptions } from './ops-endpoints';
