import type { EntityManager } from 'typeorm';
import { Source, type SourceKind } from '../entities/source.entity';
import type { Page, PageRequest } from './pagination';
import { TenantScopedRepository, type CreateInput } from './tenant-scoped.repository';

export interface SourceFilter {
  kind?: SourceKind;
  enabled?: boolean;
}

/** Sources of one tenant at a time. */
export class SourcesRepository extends TenantScopedRepository<Source> {
  constructor(manager: EntityManager) {
    super(manager, Source, 'Source');
  }

  /** Creates a source; a tenant's unless `configuredByOperator` says otherwise. */
  create(
    tenantId: string,
    input: Omit<CreateInput<Source>, 'configuredByOperator'> & { configuredByOperator?: boolean },
  ): Promise<Source> {
    return this.insertRow(tenantId, { configuredByOperator: false, ...input });
  }

  list(tenantId: string, page: PageRequest = {}, filter: SourceFilter = {}): Promise<Page<Source>> {
    return this.listWhere(tenantId, page, { ...filter });
  }

  getByName(tenantId: string, name: string): Promise<Source | null> {
    return this.scoped(tenantId).andWhere('row.name = :name', { name }).getOne();
  }
}
