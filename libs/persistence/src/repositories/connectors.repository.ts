import type { EntityManager } from 'typeorm';
import { Connector } from '../entities/connector.entity';
import type { Page, PageRequest } from './pagination';
import { TenantScopedRepository, type CreateInput } from './tenant-scoped.repository';

export interface ConnectorFilter {
  kind?: string;
  enabled?: boolean;
}

/** Connectors of one tenant at a time. Deleting one that actions use is refused (PERSISTENCE_IN_USE). */
export class ConnectorsRepository extends TenantScopedRepository<Connector> {
  constructor(manager: EntityManager) {
    super(manager, Connector, 'Connector');
  }

  /** Creates a connector; a tenant's unless `configuredByOperator` says otherwise. */
  create(
    tenantId: string,
    input: Omit<CreateInput<Connector>, 'configuredByOperator'> & { configuredByOperator?: boolean },
  ): Promise<Connector> {
    return this.insertRow(tenantId, { configuredByOperator: false, ...input });
  }

  list(tenantId: string, page: PageRequest = {}, filter: ConnectorFilter = {}): Promise<Page<Connector>> {
    return this.listWhere(tenantId, page, { ...filter });
  }

  getByName(tenantId: string, name: string): Promise<Connector | null> {
    return this.scoped(tenantId).andWhere('row.name = :name', { name }).getOne();
  }
}
