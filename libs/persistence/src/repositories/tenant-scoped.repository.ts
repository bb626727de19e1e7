import { randomUUID } from 'node:crypto';
import type { EntityManager, EntityTarget, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { EntityNotFoundError, StaleVersionError } from '../errors';
import { guardWrite } from './db-errors';
import { paginate, type Page, type PageRequest } from './pagination';

export interface TenantRow extends ObjectLiteral {
  id: string;
  tenantId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns a caller supplies on create: everything but the ones this class manages. */
export type CreateInput<E> = Omit<E, 'id' | 'tenantId' | 'version' | 'createdAt' | 'updatedAt'>;
/** The columns a caller may change on update. */
export type UpdateInput<E> = Partial<CreateInput<E>>;

/**
 * The shared half of every tenant-owned repository. Every method takes the tenant id and puts it
 * in the WHERE clause, so no method can read or change another tenant's rows; a row of another
 * tenant looks exactly like a missing one.
 */
export abstract class TenantScopedRepository<E extends TenantRow> {
  protected constructor(
    protected readonly manager: EntityManager,
    private readonly target: EntityTarget<E>,
    /** Used in error messages: 'Connector', 'Rule', ... */
    protected readonly label: string,
  ) {}

  protected get repo(): Repository<E> {
    return this.manager.getRepository(this.target);
  }

  protected scoped(tenantId: string, alias = 'row'): SelectQueryBuilder<E> {
    return this.repo.createQueryBuilder(alias).where(`${alias}.tenantId = :tenantId`, { tenantId });
  }

  /** The row, or null when it does not exist in this tenant. */
  async get(tenantId: string, id: string): Promise<E | null> {
    return this.scoped(tenantId).andWhere('row.id = :id', { id }).getOne();
  }

  /** The row, or {@link EntityNotFoundError}. */
  async require(tenantId: string, id: string): Promise<E> {
    const row = await this.get(tenantId, id);
    if (!row) throw new EntityNotFoundError(this.label, id);
    return row;
  }

  async count(tenantId: string): Promise<number> {
    return this.scoped(tenantId).getCount();
  }

  protected async listWhere(
    tenantId: string,
    page: PageRequest,
    filter: Record<string, string | number | boolean | undefined>,
  ): Promise<Page<E>> {
    const query = this.scoped(tenantId);
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined) query.andWhere(`row.${key} = :f_${key}`, { [`f_${key}`]: value });
    }
    return paginate(query, page);
  }

  protected async insertRow(tenantId: string, input: CreateInput<E>): Promise<E> {
    const now = new Date();
    const row = this.repo.create({
      ...input,
      id: randomUUID(),
      tenantId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    } as unknown as E);
    await guardWrite(this.label, 'write', () => this.repo.insert(row as never));
    return row;
  }

  /**
   * Applies `changes` only if the row still has `expectedVersion`, and bumps the version.
   * Throws {@link StaleVersionError} when someone else changed it first, {@link EntityNotFoundError}
   * when it does not exist in this tenant.
   */
  async update(tenantId: string, id: string, expectedVersion: number, changes: UpdateInput<E>): Promise<E> {
    // why at run time too: an input object from outside may carry more keys than its type says, and
    // a tenantId among them would move the row to another tenant
    const {
      id: _id,
      tenantId: _tenant,
      version: _version,
      createdAt: _created,
      ...allowed
    } = changes as unknown as Partial<TenantRow>;
    const result = await guardWrite(this.label, 'write', () =>
      this.repo
        .createQueryBuilder()
        .update()
        .set({ ...allowed, updatedAt: new Date(), version: () => 'version + 1' } as never)
        .where({ tenantId, id, version: expectedVersion })
        .execute(),
    );
    if (result.affected === 0) {
      await this.require(tenantId, id);
      throw new StaleVersionError(this.label, id, expectedVersion);
    }
    return this.require(tenantId, id);
  }

  /** Deletes the row; {@link EntityNotFoundError} when it does not exist in this tenant. */
  async delete(tenantId: string, id: string): Promise<void> {
    const result = await guardWrite(this.label, 'delete', () =>
      this.repo.createQueryBuilder().delete().where({ tenantId, id }).execute(),
    );
    if (result.affected === 0) throw new EntityNotFoundError(this.label, id);
  }
}
