import type { DataSource } from 'typeorm';
import { Action } from '../entities/action.entity';
import { Connector } from '../entities/connector.entity';
import { Rule } from '../entities/rule.entity';
import { Source } from '../entities/source.entity';
import { Tenant } from '../entities/tenant.entity';
import { runTransaction } from './transaction';

/** Every tenant's configuration as of one instant. */
export interface ConfigSnapshot {
  tenants: Tenant[];
  sources: Source[];
  connectors: Connector[];
  rules: Rule[];
  actions: Action[];
}

/**
 * Reads the whole configuration of every tenant in one consistent transaction: what the gateway
 * publishes over NATS so that ingest, rules and delivery (which never touch the database) start from
 * the current state. Operator-only by design: the one cross-tenant read besides authentication.
 *
 * @example const snapshot = await new ConfigSnapshotReader(dataSource).read();
 */
export class ConfigSnapshotReader {
  constructor(private readonly dataSource: DataSource) {}

  read(): Promise<ConfigSnapshot> {
    // why REPEATABLE READ on PostgreSQL: the five SELECTs see one instant, so an action never
    // arrives without its rule; SQLite transactions are serializable already
    const isolation = this.dataSource.options.type === 'postgres' ? 'REPEATABLE READ' : 'SERIALIZABLE';
    return runTransaction(this.dataSource, isolation, async (manager) => {
      const order = { createdAt: 'ASC', id: 'ASC' } as const;
      return {
        tenants: await manager.find(Tenant, { order }),
        sources: await manager.find(Source, { order }),
        connectors: await manager.find(Connector, { order }),
        rules: await manager.find(Rule, { order }),
        actions: await manager.find(Action, { order: { ruleId: 'ASC', position: 'ASC', id: 'ASC' } }),
      };
    });
  }
}
