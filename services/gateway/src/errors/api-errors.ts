import { SluiceError } from '@sluice/errors';

/** No key, or a key that is unknown or revoked (GraphQL `UNAUTHENTICATED`). */
export class UnauthenticatedError extends SluiceError {
  readonly code = 'UNAUTHORIZED';
  readonly category = 'FORBIDDEN';
}

/** The key is valid but may not do this (another tenant's data, an operator-only operation). */
export class ForbiddenError extends SluiceError {
  readonly code = 'FORBIDDEN';
  readonly category = 'FORBIDDEN';
}

/** An input value was refused; `field` is its path in the operation's arguments (`input.name`). */
export class InputInvalidError extends SluiceError {
  readonly code = 'INPUT_INVALID';
  readonly category = 'BAD_INPUT';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** The tenant's plan does not allow one more of something. */
export class QuotaExceededError extends SluiceError {
  readonly code = 'QUOTA_EXCEEDED';
  readonly category = 'CONFLICT';
  constructor(
    readonly resource:
      'connectors' | 'rules' | 'actionsPerRule' | 'sources' | 'brokerConnections' | 'apiKeys',
    readonly limit: number,
    readonly plan: string,
  ) {
    super(`the ${plan} plan allows at most ${limit} ${describe(resource)}`);
  }
}

/** The rule's SQL does not parse; `line` and `column` point at the problem. */
export class RuleSyntaxError extends SluiceError {
  readonly code = 'RULE_SYNTAX';
  readonly category = 'BAD_INPUT';
  constructor(
    message: string,
    readonly field: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** A live rule trace needs the bus, and this gateway has none. */
export class RuleTraceUnavailableError extends SluiceError {
  readonly code = 'RULE_TRACE_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
}

/** Too many requests of one kind from one tenant (testConnector); `retryAfterSeconds` says when to try again. */
export class TooManyRequestsError extends SluiceError {
  readonly code = 'RATE_LIMITED';
  readonly category = 'UNAVAILABLE';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

function describe(resource: QuotaExceededError['resource']): string {
  const names: Partial<Record<QuotaExceededError['resource'], string>> = {
    actionsPerRule: 'actions per rule',
    brokerConnections: 'broker connections (sources together)',
    apiKeys: 'API keys',
  };
  return names[resource] ?? resource;
}

/** The gateway runs without the bus the DLQ lives on. */
export class DeadLettersUnavailableError extends SluiceError {
  readonly code = 'DEAD_LETTERS_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
}
