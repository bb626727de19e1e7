export { loadConfig, effectiveConfigOf } from './load-config';
export { dataDirShape, httpPortShape, logConfigShape, shutdownConfigShape } from './common.config';
