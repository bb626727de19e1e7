import type { Socket } from 'node:net';
import type { ExecuteValues, Pool } from 'mysql2/promise';
import type { Action, ConnectorOptions, DeliveryOutcome } from '../connector';
import { ConnectorTargetDeniedError, deliveryCodes } from '../errors';
import { BaseConnector } from '../shared/base-connector';
import { errorMessage, failed, rejected, unavailable } from '../shared/outcomes';
import { nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { createSqlAction } from '../sql/sql-action';
import { mysqlConnectorSchema, type MysqlConnectorConfig } from './mysql.config';
import { urlEndpoints, type Endpoint, type TargetPolicy } from '../targets/target-policy';

/** Server errors that say "try again" (locks, load, shutdown), not "this row is wrong". */
const transientErrors = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_OUT_OF_RESOURCES',
  'ER_OUTOFMEMORY',
]);
/** Errors that stop every write until an operator acts (credentials, database). */
const accessErrors = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR']);

interface MysqlError {
  code?: string;
  errno?: number;
  sqlState?: string;
  fatal?: boolean;
}

/**
 * MySQL and MariaDB through a `mysql2` pool with server-side prepared statements (`execute`), so
 * values never enter the SQL text. At-least-once; exactly-once in the table with `INSERT IGNORE`
 * or `ON DUPLICATE KEY UPDATE` on a unique column filled from `${id}`.
 */
export class MysqlConnector extends BaseConnector {
  readonly kind = 'mysql';
  readonly config: MysqlConnectorConfig;
  private readonly pool: Pool;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(mysqlConnectorSchema, config);
    const c = this.config;
    const url = new URL(c.url.replace(/^mariadb:/, 'mysql:'));
    const tls = nodeTlsOptions(c.tls);
    const port = Number(url.port) || 3306;
    const targets = options.targets;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
    const { createPool } = require('mysql2/promise') as typeof import('mysql2/promise');
    this.pool = createPool({
      host: url.hostname,
      port,
      user: c.username ?? decodeURIComponent(url.username),
      password: c.password ?? decodeURIComponent(url.password),
      database: c.database ?? (decodeURIComponent(url.pathname.slice(1)) || undefined),
      connectionLimit: c.poolSize,
      connectTimeout: c.connectTimeoutMs,
      ssl: tls ? { ...tls, ca: tls.ca, cert: tls.cert, key: tls.key } : undefined,
      waitForConnections: true,
      // why a stream of our own for a tenant's connector: mysql2 resolves the host itself; this one
      // connects only to addresses the policy checked when it resolved them (DNS rebinding);
      // mysql2 keeps the name for TLS (servername from its host)
      ...(targets && { stream: () => checkedStream(targets, { host: url.hostname, port }) }),
    });
  }

  endpoints(): Endpoint[] {
    return urlEndpoints(this.config.url, 3306);
  }

  protected connect(): Promise<void> {
    return this.probe();
  }

  protected async probe(): Promise<void> {
    const conn = await this.pool.getConnection();
    try {
      await conn.ping();
    } finally {
      conn.release();
    }
  }

  protected async disconnect(): Promise<void> {
    await this.pool.end();
  }

  createAction(config: unknown): Action {
    const timeout = this.config.queryTimeoutMs;
    return createSqlAction(
      {
        dialect: 'mysql',
        maxParams: 65_535,
        run: async ({ text, values }) =>
          void (await this.pool.execute({ sql: text, timeout }, values as ExecuteValues[])),
        classify: (error) => this.classify(error),
        succeeded: () => this.markConnected(),
      },
      config,
      (records, run) => this.deliver(records, run),
    );
  }

  private classify(error: unknown): { outcome: DeliveryOutcome; perRecord: boolean } {
    const e = (error ?? {}) as MysqlError;
    const message = errorMessage(error);
    // why first: mysql2 marks every socket error fatal, which would make a refusal retryable
    if (error instanceof ConnectorTargetDeniedError)
      return { outcome: this.outcomeOf(error), perRecord: false };
    if (e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
      return { outcome: failed(deliveryCodes.timeout, message, true), perRecord: false };
    }
    if (e.code && accessErrors.has(e.code)) {
      this.markDisconnected(message);
      return { outcome: unavailable(message), perRecord: false };
    }
    if (e.code && transientErrors.has(e.code)) return { outcome: rejected(message, true), perRecord: false };
    if (typeof e.errno === 'number' && e.sqlState && !e.fatal) {
      return { outcome: rejected(`${message} (SQLSTATE ${e.sqlState})`, false), perRecord: true };
    }
    if (e.fatal) {
      this.markDisconnected(message);
      return { outcome: unavailable(message), perRecord: false };
    }
    return { outcome: this.outcomeOf(error), perRecord: false };
  }
}

/** A TCP socket to a tenant's server through the target policy, set up as mysql2 sets up its own. */
function checkedStream(targets: TargetPolicy, endpoint: Endpoint): Socket {
  const socket = targets.socketTo(endpoint, undefined);
  socket.setNoDelay(true);
  socket.setKeepAlive(true);
  return socket;
}
