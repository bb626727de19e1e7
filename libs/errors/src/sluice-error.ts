export type ErrorCategory = 'BAD_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAVAILABLE' | 'INTERNAL';

/**
 * The base of every error Sluice raises on purpose: a stable SCREAMING_SNAKE `code` for machines
 * and metrics, and a `category` that decides how the gateway answers (HTTP status, GraphQL code).
 *
 * @example
 * class ConnectorNotFoundError extends SluiceError {
 *   readonly code = 'CONNECTOR_NOT_FOUND'; readonly category = 'NOT_FOUND';
 * }
 */
export abstract class SluiceError extends Error {
  abstract readonly code: string;
  abstract readonly category: ErrorCategory;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Turns anything thrown into a `{ code, message }` pair for metrics labels and dead letters. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof SluiceError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}
