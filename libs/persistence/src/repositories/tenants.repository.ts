import { randomUUID } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { Tenant } from '../entities/tenant.entity';
import { EntityNotFoundError, StaleVersionError } from '../errors';
import { guardWrite } from './db-errors';
import { paginate, type Page, type PageRequest } from './pagination';

export interface TenantInput {
  name: string;
  plan: string;
}

/**
 * Tenants themselves: the operator's view (an API key of a tenant only ever reaches its own row
 * through `get(ownTenantId)`). Deleting a tenant deletes everything it owns.
 */
export class TenantsRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo(): Repository<Tenant> {
    return this.manager.getRepository(Tenant);
  }

  /** `id`: a chosen one (a pipeline-file tenant's); otherwise a new UUID. */
  async create(input: TenantInput, id: string = randomUUID()): Promise<Tenant> {
    const now = new Date();
    const row = this.repo.create({ ...input, id, version: 1, createdAt: now, updatedAt: now });
    await guardWrite('Tenant', 'write', () => this.repo.insert(row));
    return row;
  }

  get(id: string): Promise<Tenant | null> {
    return this.repo.findOneBy({ id });
  }

  getByName(name: string): Promise<Tenant | null> {
    return this.repo.findOneBy({ name });
  }

  list(page: PageRequest = {}): Promise<Page<Tenant>> {
    return paginate(this.repo.createQueryBuilder('row'), page);
  }

  /** Optimistic update, as for the tenant-owned rows. */
  async update(id: string, expectedVersion: number, changes: Partial<TenantInput>): Promise<Tenant> {
    const result = await guardWrite('Tenant', 'write', () =>
      this.repo
        .createQueryBuilder()
        .update()
        .set({ ...changes, updatedAt: new Date(), version: () => 'version + 1' })
        .where({ id, version: expectedVersion })
        .execute(),
    );
    const row = await this.get(id);
    if (!row) throw new EntityNotFoundError('Tenant', id);
    if (result.affected === 0) throw new StaleVersionError('Tenant', id, expectedVersion);
    return row;
  }

  async delete(id: string): Promise<void> {
    const result = await guardWrite('Tenant', 'delete', () => this.repo.delete({ id }));
    if (result.affected === 0) throw new EntityNotFoundError('Tenant', id);
  }

  /**
   * Serializes quota checks of one tenant: on PostgreSQL it locks the tenant row until the
   * transaction ends (call it inside `withTransaction`); SQLite already has a single writer.
   */
  async lockForUpdate(id: string): Promise<Tenant> {
    const query = this.repo.createQueryBuilder('row').where('row.id = :id', { id });
    if (this.manager.connection.driver.options.type === 'postgres') query.setLock('pessimistic_write');
    const row = await query.getOne();
    if (!row) throw new EntityNotFoundError('Tenant', id);
    return row;
  }
}
