export { loadConfig, effectiveConfigOf, redactUrlCredentials } from './load-config';
export { ConfigError } from './config-error';
export {
  dataDirShape,
  httpPortShape,
  logConfigShape,
  natsAuthProblems,
  natsConfigShape,
  shutdownConfigShape,
} from './common.config';
export type { NatsSettings } from './common.config';
