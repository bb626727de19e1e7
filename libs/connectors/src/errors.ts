import { SluiceError } from '@sluice/errors';

/** A connector or action configuration that failed validation; `field` is the dotted path. */
export class ConnectorConfigInvalidError extends SluiceError {
  readonly code = 'CONNECTOR_CONFIG_INVALID';
  readonly category = 'BAD_INPUT';

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`Invalid connector configuration: ${field ? `${field}: ` : ''}${detail}`);
  }
}

/** `createConnector` was asked for a kind nobody registered. */
export class ConnectorKindUnknownError extends SluiceError {
  readonly code = 'CONNECTOR_KIND_UNKNOWN';
  readonly category = 'BAD_INPUT';

  constructor(
    readonly kind: string,
    known: readonly string[],
  ) {
    super(`Unknown connector kind '${kind}' (known: ${known.join(', ')})`);
  }
}

/** The target cannot be reached now; the delivery can be tried again later. */
export class ConnectorUnavailableError extends SluiceError {
  readonly code = 'CONNECTOR_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
}

/** A template that cannot be compiled (unterminated or empty placeholder). */
export class TemplateSyntaxError extends SluiceError {
  readonly code = 'TEMPLATE_SYNTAX';
  readonly category = 'BAD_INPUT';

  constructor(
    detail: string,
    readonly offset: number,
  ) {
    super(`${detail} at offset ${offset}`);
  }
}

/**
 * The codes a `DeliveryOutcome` carries. They are metric labels and dead-letter reasons, so they
 * stay stable.
 */
export const deliveryCodes = {
  /** The target could not be reached (refused, reset, DNS, not connected). Retryable. */
  unavailable: 'CONNECTOR_UNAVAILABLE',
  /** The target did not answer in time. Retryable: the write may or may not have happened. */
  timeout: 'DELIVERY_TIMEOUT',
  /** The target answered and refused the record; `retryable` says whether to try again. */
  failed: 'DELIVERY_FAILED',
  /** The record could not be turned into what the target takes (e.g. a bad value type). */
  renderFailed: 'TEMPLATE_RENDER_FAILED',
  /** The connector was closed. Retryable elsewhere (another replica, after a restart). */
  closed: 'CONNECTOR_CLOSED',
  /** A tenant's connector aimed at an address the target policy denies. Not retried. */
  targetDenied: 'CONNECTOR_TARGET_DENIED',
} as const;

/**
 * A tenant's connector aimed at an address the operator's target policy denies (loopback, private
 * networks, link-local and metadata addresses, the service bus). Says nothing about whether
 * anything listens there.
 */
export class ConnectorTargetDeniedError extends SluiceError {
  readonly code = 'CONNECTOR_TARGET_DENIED';
  readonly category = 'FORBIDDEN';

  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`Target ${target} is not allowed: ${reason}`);
  }
}
