import { QueryFailedError } from 'typeorm';
import {
  EntityInUseError,
  InvalidValueError,
  PersistenceConflictError,
  ReferenceNotFoundError,
} from '../errors';

type Violation = 'unique' | 'foreign-key' | 'invalid' | undefined;

/** Which constraint a driver error reports: PostgreSQL SQLSTATE or the better-sqlite3 code. */
export function constraintViolation(error: unknown): Violation {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: unknown; message?: unknown } | undefined;
  switch (driverError?.code) {
    case '23505':
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return 'unique';
    case '23503':
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'foreign-key';
    case '23502': // not null
    case '23514': // check
    case 'SQLITE_CONSTRAINT_NOTNULL':
    case 'SQLITE_CONSTRAINT_CHECK':
      return 'invalid';
    case 'SQLITE_CONSTRAINT_TRIGGER': // how SQLite reports ON DELETE RESTRICT
      return /FOREIGN KEY/.test(String(driverError.message)) ? 'foreign-key' : undefined;
    default:
      return undefined;
  }
}

/**
 * Runs a write and turns constraint violations into Sluice errors: a unique violation is a
 * CONFLICT, a foreign key is a missing reference on insert/update and "still in use" on delete,
 * a NOT NULL or CHECK violation is BAD_INPUT.
 */
export async function guardWrite<T>(
  entity: string,
  operation: 'write' | 'delete',
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const violation = constraintViolation(error);
    // why not the driver's text for a unique violation: it names tables and columns (and on
    // PostgreSQL the values) and reaches API clients; the cause keeps it for the logs
    if (violation === 'unique') {
      throw new PersistenceConflictError(entity, uniqueDetail(error), { cause: error });
    }
    const detail = error instanceof Error ? error.message : String(error);
    if (violation === 'invalid') throw new InvalidValueError(entity, detail, { cause: error });
    if (violation === 'foreign-key') {
      throw operation === 'delete'
        ? new EntityInUseError(entity, detail, { cause: error })
        : new ReferenceNotFoundError(entity, detail, { cause: error });
    }
    throw error;
  }
}

/** What a unique violation means to a client: a name taken, or (API key prefix, id) a duplicate key. */
function uniqueDetail(error: unknown): string {
  const driverError = (error as QueryFailedError).driverError as
    { constraint?: unknown; message?: unknown } | undefined;
  // PostgreSQL names the constraint (uq_rules_tenant_name); SQLite lists the columns
  // ("UNIQUE constraint failed: rules.tenant_id, rules.name")
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const where = `${text(driverError?.constraint)} ${text(driverError?.message)}`;
  return /_name\b|\.name\b/.test(where) ? 'the name is already taken' : 'the same key already exists';
}
