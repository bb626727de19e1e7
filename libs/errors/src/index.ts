export { SluiceError, describeError } from './sluice-error';
export type { ErrorCategory } from './sluice-error';
