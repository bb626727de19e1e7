import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

// why: TypeORM gives SQLite a single connection, so two transactions started at once would
// interleave their statements on it; they are queued here instead (PostgreSQL has a pool).
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/** `dataSource.transaction`, queued per DataSource on SQLite. */
export function runTransaction<T>(
  dataSource: DataSource,
  isolation: IsolationLevel | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const run = () => (isolation ? dataSource.transaction(isolation, work) : dataSource.transaction(work));
  if (dataSource.options.type === 'postgres') return run();
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const next = previous.then(run, run);
  sqliteQueues.set(
    dataSource,
    next.catch(() => undefined),
  );
  return next;
}
