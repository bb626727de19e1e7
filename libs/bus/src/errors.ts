import { SluiceError } from '@sluice/errors';

/** Bytes that are not the expected protobuf message (truncated, or another schema). */
export class EnvelopeDecodeError extends SluiceError {
  readonly code = 'BUS_ENVELOPE_INVALID';
  readonly category = 'BAD_INPUT';
  constructor(what: string, cause: unknown) {
    super(`cannot decode ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A subject token (tenant, source, connector id) or a namespace that NATS cannot carry as one token. */
export class InvalidSubjectTokenError extends SluiceError {
  readonly code = 'BUS_INVALID_SUBJECT_TOKEN';
  readonly category = 'BAD_INPUT';
  constructor(what: string, value: string) {
    super(`invalid ${what} ${JSON.stringify(value)}: must be non-empty, without '.', '*', '>' or whitespace`);
  }
}

/** The stream is at its limit (discard-new): the publisher must slow down and retry. */
export class BusFullError extends SluiceError {
  readonly code = 'BUS_FULL';
  readonly category = 'UNAVAILABLE';
}

/** The bus cannot reach its server, or is closed. */
export class BusUnavailableError extends SluiceError {
  readonly code = 'BUS_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
}

/** A publish was not confirmed within its timeout. */
export class BusTimeoutError extends SluiceError {
  readonly code = 'BUS_TIMEOUT';
  readonly category = 'UNAVAILABLE';
}

/** A subject that no stream of this bus captures. */
export class NoStreamForSubjectError extends SluiceError {
  readonly code = 'BUS_NO_STREAM';
  readonly category = 'INTERNAL';
  constructor(subject: string) {
    super(`no stream captures subject '${subject}'`);
  }
}

/** Two durables on a work-queue stream whose filters overlap: each message must have one owner. */
export class BusConsumerConflictError extends SluiceError {
  readonly code = 'BUS_CONSUMER_CONFLICT';
  readonly category = 'CONFLICT';
  constructor(stream: string, durable: string, filter: string, detail: string) {
    super(
      `consumer ${durable} (${filter}) on work-queue stream ${stream} overlaps another consumer: ${detail}`,
    );
  }
}

/**
 * The in-process bus's log file cannot be opened or read (corrupt, not a SQLite file, unreadable):
 * the start stops here, naming the file. It is never reset silently, since it holds acknowledged
 * messages.
 */
export class BusLogUnreadableError extends SluiceError {
  readonly code = 'BUS_LOG_UNREADABLE';
  readonly category = 'INTERNAL';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `cannot open the bus log ${file}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'It holds the messages Sluice acknowledged and has not delivered yet, so it is not reset: restore ' +
        'it, or move it away to start with an empty bus (what it holds is then lost).',
      { cause },
    );
  }
}
