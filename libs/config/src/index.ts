export { loadConfig, maskSensitive, effectiveConfigOf } from './load-config';
export type { LoadConfigOptions } from './load-config';
export { ConfigError } from './config-error';
export { dataDirShape, httpPortShape, logConfigShape, shutdownConfigShape } from './common.config';
