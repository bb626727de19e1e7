import type { DatabaseError, Pool } from 'pg';
import type { Action, ConnectorOptions, DeliveryOutcome } from '../connector';
import { deliveryCodes } from '../errors';
import { BaseConnector } from '../shared/base-connector';
import { errorMessage, failed, rejected, unavailable } from '../shared/outcomes';
import { nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { createSqlAction } from '../sql/sql-action';
import { postgresConnectorSchema, type PostgresConnectorConfig } from './postgres.config';
import { urlEndpoints, type Endpoint } from '../targets/target-policy';

/** SQLSTATE classes and codes that say "try again", not "this row is wrong". */
const transientStates = /^(08|53|57P0[123]|40001|40P01|55P03|58)/;

/**
 * PostgreSQL through a `pg` pool. At-least-once; exactly-once in the table when the SQL template
 * is idempotent by `${id}` (`ON CONFLICT (id) DO NOTHING`).
 */
export class PostgresConnector extends BaseConnector {
  readonly kind = 'postgres';
  readonly config: PostgresConnectorConfig;
  private readonly pool: Pool;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(postgresConnectorSchema, config);
    const c = this.config;
    const targets = options.targets;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
    const { Pool: PgPool } = require('pg') as typeof import('pg');
    this.pool = new PgPool({
      connectionString: withOverrides(c),
      max: c.poolSize,
      connectionTimeoutMillis: c.connectTimeoutMs,
      query_timeout: c.queryTimeoutMs,
      ssl: nodeTlsOptions(c.tls),
      // why a socket of our own for a tenant's connector: pg resolves the host itself; this one
      // connects only to addresses the policy checked when it resolved them (DNS rebinding), keeps
      // the name for TLS (pg sets servername from the host) and refuses Unix socket paths
      ...(targets && { stream: () => targets.unconnectedSocket() }),
    });
    // why: an idle client losing its server emits here; unhandled, it would crash the process
    this.pool.on('error', (error) => this.markDisconnected(errorMessage(error)));
  }

  endpoints(): Endpoint[] {
    return urlEndpoints(this.config.url, 5432);
  }

  protected connect(): Promise<void> {
    return this.probe();
  }

  protected async probe(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  protected async disconnect(): Promise<void> {
    await this.pool.end();
  }

  createAction(config: unknown): Action {
    return createSqlAction(
      {
        dialect: 'postgres',
        maxParams: 65_535,
        run: async ({ text, values }) => void (await this.pool.query(text, values)),
        classify: (error) => this.classify(error),
        succeeded: () => this.markConnected(),
      },
      config,
      (records, run) => this.deliver(records, run),
    );
  }

  private classify(error: unknown): { outcome: DeliveryOutcome; perRecord: boolean } {
    const state = (error as Partial<DatabaseError>).code;
    const message = errorMessage(error);
    if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) {
      if (state.startsWith('28') || state.startsWith('3D')) {
        this.markDisconnected(message); // bad credentials or database: nothing will get through
        return { outcome: unavailable(message), perRecord: false };
      }
      if (transientStates.test(state)) return { outcome: rejected(message, true), perRecord: false };
      return { outcome: rejected(`${message} (SQLSTATE ${state})`, false), perRecord: true };
    }
    if (/timeout|terminated/i.test(message)) {
      this.markDisconnected(message);
      const code = /timeout/i.test(message) ? deliveryCodes.timeout : deliveryCodes.unavailable;
      return { outcome: failed(code, message, true), perRecord: false };
    }
    return { outcome: this.outcomeOf(error), perRecord: false };
  }
}

/** The URL with the separate fields applied (pg lets the connection string win over fields). */
function withOverrides(c: PostgresConnectorConfig): string {
  const url = new URL(c.url);
  if (c.username !== undefined) url.username = encodeURIComponent(c.username);
  if (c.password !== undefined) url.password = encodeURIComponent(c.password);
  if (c.database !== undefined) url.pathname = `/${encodeURIComponent(c.database)}`;
  return url.toString();
}
