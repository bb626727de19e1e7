import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Headers, StreamName } from '../bus';
import { silentLogger, type BusLogger } from '../bus-logger';
import { BusFullError, BusLogUnreadableError, BusUnavailableError } from '../errors';

/** A message as the log holds it. */
export interface LoggedMessage {
  seq: number;
  subject: string;
  msgId: string;
  storedAt: number;
  size: number;
  headers: Headers;
  data: Uint8Array;
}

/** What a stream's index needs of each stored message at start (the bodies stay on disk). */
export interface LoggedEntry {
  seq: number;
  subject: string;
  msgId: string;
  storedAt: number;
  size: number;
}

/** One stream's table in the log. */
export interface StreamLog {
  /** Stores the message at the next commit; resolves once it is committed. */
  append(message: LoggedMessage): Promise<void>;
  /** Removes the message at the next commit (retried until it is); resolves once committed. */
  remove(seq: number): Promise<void>;
  /** A stored message's body, read from the disk. */
  read(seq: number): { data: Uint8Array; headers: Headers; msgId: string } | undefined;
  /** Every stored message, oldest first, and the highest sequence ever used. */
  load(): { entries: LoggedEntry[]; lastSeq: number };
}

type Op =
  | { kind: 'insert'; table: string; message: LoggedMessage; done: Waiter }
  | { kind: 'delete'; table: string; seq: number; done: Waiter };

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

const TABLES: Record<StreamName, string> = { INGEST: 'ingest', ACTIONS: 'actions', DLQ: 'dlq' };
const SCHEMA_VERSION = 1;
/** How long a failed removal waits before the next try (a full disk must not spin the loop). */
const RETRY_MS = 500;

export interface SqliteBusStoreOptions {
  sync: 'normal' | 'full';
  logger?: BusLogger;
  /** A ceiling on the file's size (SQLite max_page_count): a full disk without filling one (tests). */
  maxFileBytes?: number;
}

/**
 * The in-process bus's log: one SQLite file (WAL) with a table per stream. Writes are group
 * committed: every insert and delete asked for during one event-loop turn goes into one
 * transaction at the end of the turn, and each caller's promise settles with that commit. So a
 * publish is confirmed only once its message is in the file, and the cost of a commit is shared by
 * everything that turn produced.
 *
 * @example
 * const store = SqliteBusStore.open('./data/bus.db', { sync: 'normal' });
 * await store.stream('INGEST').append(message);
 */
export class SqliteBusStore {
  private ops: Op[] = [];
  private scheduled = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  /** The last write failure, until a commit succeeds again (health, logs). */
  failure?: Error;
  private readonly insert = new Map<string, Database.Statement>();
  private readonly remove = new Map<string, Database.Statement>();
  private readonly select = new Map<string, Database.Statement>();
  private readonly commit: (ops: Op[]) => void;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly logger: BusLogger,
  ) {
    for (const table of Object.values(TABLES)) {
      this.insert.set(
        table,
        db.prepare(
          `INSERT INTO ${table} (seq, subject, msg_id, stored_at, size, headers, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ),
      );
      this.remove.set(table, db.prepare(`DELETE FROM ${table} WHERE seq = ?`));
      this.select.set(table, db.prepare(`SELECT data, headers, msg_id FROM ${table} WHERE seq = ?`));
    }
    this.commit = db.transaction((ops: Op[]) => {
      for (const op of ops) {
        if (op.kind === 'insert') {
          const m = op.message;
          const headers = hasKeys(m.headers) ? JSON.stringify(m.headers) : null;
          this.insert.get(op.table)!.run(m.seq, m.subject, m.msgId, m.storedAt, m.size, headers, m.data);
        } else {
          this.remove.get(op.table)!.run(op.seq);
        }
      }
    });
  }

  /**
   * Opens (or creates) the log. A file that is not a readable Sluice bus log stops the start with
   * BusLogUnreadableError naming it; nothing is ever reset silently.
   */
  static open(file: string, options: SqliteBusStoreOptions): SqliteBusStore {
    mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw new Error(`integrity check: ${check}`);
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `written by a newer Sluice (bus log version ${version}, this one reads ${SCHEMA_VERSION})`,
        );
      }
      for (const table of Object.values(TABLES)) {
        db.exec(
          `CREATE TABLE IF NOT EXISTS ${table} (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, ` +
            'msg_id TEXT NOT NULL, stored_at INTEGER NOT NULL, size INTEGER NOT NULL, headers TEXT, data BLOB NOT NULL)',
        );
      }
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      if (options.maxFileBytes) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.ceil(options.maxFileBytes / pageSize)}`);
      }
      return new SqliteBusStore(db, file, options.logger ?? silentLogger);
    } catch (error) {
      db?.close();
      throw new BusLogUnreadableError(file, error);
    }
  }

  stream(name: StreamName): StreamLog {
    const table = TABLES[name];
    return {
      append: (message) => this.enqueue((done) => ({ kind: 'insert', table, message, done })),
      remove: (seq) => this.enqueue((done) => ({ kind: 'delete', table, seq, done })),
      read: (seq) => {
        const row = this.select.get(table)!.get(seq) as
          { data: Buffer; headers: string | null; msg_id: string } | undefined;
        if (!row) return undefined;
        const headers = row.headers ? (JSON.parse(row.headers) as Headers) : {};
        return { data: row.data, headers, msgId: row.msg_id };
      },
      load: () => {
        const entries = this.db
          .prepare(
            `SELECT seq, subject, msg_id AS msgId, stored_at AS storedAt, size FROM ${table} ORDER BY seq`,
          )
          .all() as LoggedEntry[];
        const last = this.db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as
          { seq: number } | undefined;
        return { entries, lastSeq: last?.seq ?? 0 };
      },
    };
  }

  /** Commits what is queued, then closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.flush();
    for (const op of this.ops.splice(0)) op.done.reject(new BusUnavailableError('the bus is closed'));
    this.db.close();
  }

  private enqueue(make: (done: Waiter) => Op): Promise<void> {
    if (this.closed) return Promise.reject(new BusUnavailableError('the bus is closed'));
    return new Promise<void>((resolve, reject) => {
      this.ops.push(make({ resolve, reject }));
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    // why setImmediate: after every callback of this turn has queued its writes, one commit for all
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    try {
      this.commit(ops);
    } catch (error) {
      this.failed(ops, error);
      return;
    }
    if (this.failure) {
      this.logger.log(`bus log ${this.file} is writable again`);
      this.failure = undefined;
    }
    for (const op of ops) op.done.resolve();
  }

  /**
   * A commit failed (disk full, I/O error): the publishes in it are refused (their producers keep
   * them and retry, so ingest stops acknowledging the broker), the removals are kept and retried
   * (a message whose ack could not be written would otherwise come back after a restart).
   */
  private failed(ops: Op[], cause: unknown): void {
    const error = writeError(this.file, cause);
    if (this.failure?.message !== error.message) this.logger.error(error.message);
    this.failure = error;
    const retry: Op[] = [];
    for (const op of ops) {
      if (op.kind === 'insert') op.done.reject(error);
      else retry.push(op);
    }
    if (retry.length === 0 || this.closed) return;
    this.ops = retry.concat(this.ops);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}

function writeError(file: string, cause: unknown): Error {
  const code = (cause as { code?: string }).code ?? '';
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (code === 'SQLITE_FULL') {
    return new BusFullError(
      `the disk holding the bus log ${file} is full (${detail}): new messages are refused (ingest stops ` +
        'acknowledging the broker) until there is room; nothing stored is lost',
      { cause },
    );
  }
  return new BusUnavailableError(`cannot write the bus log ${file}: ${detail} (${code || 'no code'})`, {
    cause,
  });
}

function hasKeys(headers: Headers): boolean {
  for (const _ in headers) return true;
  return false;
}
