import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { ApiKey } from '../entities/api-key.entity';
import { EntityNotFoundError } from '../errors';
import { apiKeyPrefix, generateApiKey, verifyApiKey } from '../secrets/api-key-secret';
import { guardWrite } from './db-errors';
import { paginate, type Page, type PageRequest } from './pagination';

/** Whose keys: a tenant id, or null for the operator's keys. */
export type KeyScope = string | null;

export interface ApiKeyInput {
  name: string;
  publishTopics: string[];
  rateLimit: number | null;
}

/** API keys. Only the hash is stored; the whole key is returned once, by `create`. */
export class ApiKeysRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo(): Repository<ApiKey> {
    return this.manager.getRepository(ApiKey);
  }

  /** Creates a key in `scope`; the returned `key` is the only time the secret is visible. */
  async create(scope: KeyScope, input: ApiKeyInput): Promise<{ apiKey: ApiKey; key: string }> {
    const generated = generateApiKey();
    const apiKey = this.repo.create({
      ...input,
      id: randomUUID(),
      tenantId: scope,
      prefix: generated.prefix,
      hash: generated.hash,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await guardWrite('ApiKey', 'write', () => this.repo.insert(apiKey));
    return { apiKey, key: generated.key };
  }

  /**
   * Authentication: the unrevoked key matching `key`, or null. The one lookup that is not scoped
   * by tenant, because it is how the tenant is found.
   */
  async authenticate(key: string): Promise<ApiKey | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    const row = await this.repo.findOneBy({ prefix, revokedAt: IsNull() });
    return row && verifyApiKey(key, row.hash) ? row : null;
  }

  get(scope: KeyScope, id: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ id, tenantId: scope ?? IsNull() });
  }

  /** Unrevoked keys in `scope` (a plan's quota counts these). */
  countActive(scope: KeyScope): Promise<number> {
    return this.repo.countBy({ tenantId: scope ?? IsNull(), revokedAt: IsNull() });
  }

  list(scope: KeyScope, page: PageRequest = {}): Promise<Page<ApiKey>> {
    const query = this.repo.createQueryBuilder('row');
    if (scope === null) query.where('row.tenantId IS NULL');
    else query.where('row.tenantId = :scope', { scope });
    return paginate(query, page);
  }

  /** Revokes the key (idempotent); {@link EntityNotFoundError} when it is not in `scope`. */
  async revoke(scope: KeyScope, id: string, at = new Date()): Promise<ApiKey> {
    const row = await this.get(scope, id);
    if (!row) throw new EntityNotFoundError('ApiKey', id);
    if (!row.revokedAt) {
      await this.repo.update({ id, tenantId: scope ?? IsNull(), revokedAt: IsNull() }, { revokedAt: at });
      row.revokedAt = at;
    }
    return row;
  }

  /** Records use; callers may throttle this to once a minute per key. */
  async touch(id: string, at = new Date()): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}
