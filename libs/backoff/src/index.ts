export { backoffDelayMs } from './backoff';
export type { BackoffOptions } from './backoff';
