import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidCursorError } from '../errors';

export interface PageRequest {
  /** How many rows to return (default 50, at most 500). */
  first?: number;
  /** The `endCursor` of the previous page. */
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; null when the page is empty. */
  endCursor: string | null;
  hasNextPage: boolean;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * An opaque cursor on (createdAt, id): stable while rows are added, unlike an offset.
 *
 * @example encodeCursor({ createdAt: new Date(0), id: 'a' }); // 'WyIxOTcwLTAxLTAxVDAwOjAwOjAwLjAwMFoiLCJhIl0'
 */
export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/** @example decodeCursor(encodeCursor(row)); // { createdAt, id } */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [time, id] = parsed as unknown[];
  const createdAt = typeof time === 'string' ? new Date(time) : undefined;
  if (!createdAt || Number.isNaN(createdAt.getTime()) || typeof id !== 'string')
    throw new InvalidCursorError();
  return { createdAt, id };
}

/** Applies keyset pagination to a query whose main alias is an entity with `createdAt` and `id`. */
export async function paginate<E extends ObjectLiteral & { createdAt: Date; id: string }>(
  query: SelectQueryBuilder<E>,
  request: PageRequest = {},
): Promise<Page<E>> {
  const asked = Number.isFinite(request.first) ? Math.trunc(request.first!) : DEFAULT_PAGE;
  const first = Math.min(Math.max(asked, 1), MAX_PAGE);
  const alias = query.alias;
  if (request.after) {
    const { createdAt, id } = decodeCursor(request.after);
    const column = query.expressionMap.mainAlias!.metadata.findColumnWithPropertyName('createdAt')!;
    // why the driver converts it: SQLite compares the stored ISO text, PostgreSQL a timestamptz
    const at: unknown = query.connection.driver.preparePersistentValue(createdAt, column);
    query.andWhere(
      `(${alias}.createdAt > :cursorAt OR (${alias}.createdAt = :cursorAt AND ${alias}.id > :cursorId))`,
      {
        cursorAt: at,
        cursorId: id,
      },
    );
  }
  const rows = await query
    .orderBy(`${alias}.createdAt`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .take(first + 1)
    .getMany();
  const items = rows.slice(0, first);
  const last = items.at(-1);
  return { items, endCursor: last ? encodeCursor(last) : null, hasNextPage: rows.length > first };
}
