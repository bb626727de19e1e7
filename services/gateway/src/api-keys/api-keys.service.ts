import { Injectable } from '@nestjs/common';
import { EntityNotFoundError, type PageRequest } from '@sluice/persistence';
import { toPage, type PageOf } from '../graphql/page.model';
import { TenantChanges } from '../propagation/tenant-changes.service';
import type { CreateApiKeyInput } from './api-key.input';
import { ApiKeyModel, type CreatedApiKeyModel } from './api-key.model';

@Injectable()
export class ApiKeysService {
  constructor(private readonly changes: TenantChanges) {}

  async create(tenantId: string, input: CreateApiKeyInput): Promise<CreatedApiKeyModel> {
    const { apiKey, key } = await this.changes.inTransaction(async (repos) => {
      if (!(await repos.tenants.get(tenantId))) throw new EntityNotFoundError('Tenant', tenantId);
      return repos.apiKeys.create(tenantId, {
        name: input.name,
        publishTopics: input.publishTopics ?? [],
        rateLimit: input.rateLimit ?? null,
      });
    });
    return { apiKey: ApiKeyModel.from(apiKey), key };
  }

  async list(tenantId: string, page: PageRequest): Promise<PageOf<ApiKeyModel>> {
    return toPage(
      await this.changes.inTransaction((repos) => repos.apiKeys.list(tenantId, page)),
      ApiKeyModel.from,
    );
  }

  async revoke(tenantId: string, id: string): Promise<ApiKeyModel> {
    return ApiKeyModel.from(await this.changes.inTransaction((repos) => repos.apiKeys.revoke(tenantId, id)));
  }
}
