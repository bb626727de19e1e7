import { SluiceError } from '@sluice/errors';

/** A source configuration that does not validate; the message names every bad field. */
export class SourceConfigError extends SluiceError {
  readonly code = 'SOURCE_CONFIG_INVALID';
  readonly category = 'BAD_INPUT';

  constructor(readonly problems: { field: string; problem: string }[]) {
    super(`Invalid source configuration: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`);
  }
}

/**
 * Thrown by a sink for a message it can never store (e.g. larger than the bus takes). The sink has
 * already recorded it (dead letter); the source acknowledges it instead of retrying for ever, and
 * counts it as dropped with reason `rejected`.
 */
export class MessageRejectedError extends SluiceError {
  readonly code: string;
  readonly category = 'BAD_INPUT';

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The broker refused a subscription (e.g. no shared subscriptions, or not authorised for the filter). */
export class SourceSubscribeError extends SluiceError {
  readonly code = 'SOURCE_SUBSCRIBE_REFUSED';
  readonly category = 'FORBIDDEN';
}

/** A publish reached a source that is stopping; it is refused (not acknowledged), so it is sent again. */
export class SourceStoppingError extends SluiceError {
  readonly code = 'SOURCE_STOPPING';
  readonly category = 'UNAVAILABLE';
}
