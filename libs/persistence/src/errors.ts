import { SluiceError } from '@sluice/errors';

/** A unique constraint refused the write: a name already taken in the tenant, a duplicate key. */
export class PersistenceConflictError extends SluiceError {
  readonly code = 'PERSISTENCE_CONFLICT';
  readonly category = 'CONFLICT';
  constructor(
    readonly entity: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} conflicts with an existing one: ${detail}`, options);
  }
}

/** An update named a version that is no longer the current one (someone else changed the row). */
export class StaleVersionError extends SluiceError {
  readonly code = 'PERSISTENCE_STALE_VERSION';
  readonly category = 'CONFLICT';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly expectedVersion: number,
  ) {
    super(`${entity} ${id} was changed by someone else: version ${expectedVersion} is no longer current`);
  }
}

/** The row does not exist in the caller's tenant (rows of other tenants are reported the same way). */
export class EntityNotFoundError extends SluiceError {
  readonly code = 'PERSISTENCE_NOT_FOUND';
  readonly category = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A write pointed at a row (rule, connector, tenant) that does not exist in the same tenant. */
export class ReferenceNotFoundError extends SluiceError {
  readonly code = 'PERSISTENCE_REFERENCE_NOT_FOUND';
  readonly category = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} refers to something that does not exist in its tenant: ${detail}`, options);
  }
}

/** A delete was refused because other rows still use this one (a connector that actions send to). */
export class EntityInUseError extends SluiceError {
  readonly code = 'PERSISTENCE_IN_USE';
  readonly category = 'CONFLICT';
  constructor(
    readonly entity: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} is still in use: ${detail}`, options);
  }
}

/** A value the schema refuses: a missing required column, a kind outside its allowed set. */
export class InvalidValueError extends SluiceError {
  readonly code = 'PERSISTENCE_INVALID_VALUE';
  readonly category = 'BAD_INPUT';
  constructor(
    readonly entity: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${entity} has an invalid value: ${detail}`, options);
  }
}

/** A pagination cursor that this library did not issue (or that was edited). */
export class InvalidCursorError extends SluiceError {
  readonly code = 'PERSISTENCE_INVALID_CURSOR';
  readonly category = 'BAD_INPUT';
  constructor() {
    super('invalid pagination cursor');
  }
}

/** SLUICE_SECRET_KEY is malformed, or missing where it cannot be generated. */
export class SecretKeyError extends SluiceError {
  readonly code = 'SECRET_KEY_INVALID';
  readonly category = 'BAD_INPUT';
}

/** A sealed secret could not be opened: wrong key, or the stored value was altered. */
export class SecretDecryptError extends SluiceError {
  readonly code = 'SECRET_DECRYPT_FAILED';
  readonly category = 'INTERNAL';
  constructor(options?: ErrorOptions) {
    super('cannot decrypt a stored secret: wrong SLUICE_SECRET_KEY or tampered data', options);
  }
}

/** The SQLite database file exists but is not a database (zero length, or another kind of file). */
export class DatabaseFileError extends SluiceError {
  readonly code = 'DATABASE_FILE_INVALID';
  readonly category = 'INTERNAL';
}
