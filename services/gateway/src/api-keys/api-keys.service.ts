import { Injectable } from '@nestjs/common';
import {
  ApiKeysRepository,
  TenantsRepository,
  EntityNotFoundError,
  type PageRequest,
} from '@sluice/persistence';
import { toPage, type PageOf } from '../graphql/page.model';
import type { CreateApiKeyInput } from './api-key.input';
import { ApiKeyModel, type CreatedApiKeyModel } from './api-key.model';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly apiKeys: ApiKeysRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  async create(tenantId: string, input: CreateApiKeyInput): Promise<CreatedApiKeyModel> {
    if (!(await this.tenants.get(tenantId))) throw new EntityNotFoundError('Tenant', tenantId);
    const { apiKey, key } = await this.apiKeys.create(tenantId, {
      name: input.name,
      publishTopics: input.publishTopics ?? [],
      rateLimit: input.rateLimit ?? null,
    });
    return { apiKey: ApiKeyModel.from(apiKey), key };
  }

  async list(tenantId: string, page: PageRequest): Promise<PageOf<ApiKeyModel>> {
    return toPage(await this.apiKeys.list(tenantId, page), ApiKeyModel.from);
  }

  async revoke(tenantId: string, id: string): Promise<ApiKeyModel> {
    return ApiKeyModel.from(await this.apiKeys.revoke(tenantId, id));
  }
}
