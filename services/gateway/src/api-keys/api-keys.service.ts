import { Inject, Injectable } from '@nestjs/common';
import { EntityNotFoundError, type PageRequest } from '@sluice/persistence';
import { narrowKeyScope, resolvePublishConfig, type PublishPrincipal } from '@sluice/publish';
import type { Principal } from '../auth/principal';
import type { GatewaySettings } from '../config';
import { ForbiddenError, QuotaExceededError } from '../errors/api-errors';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { toPage, type PageOf } from '../graphql/page.model';
import { TenantChanges } from '../propagation/tenant-changes.service';
import type { CreateApiKeyInput } from './api-key.input';
import { ApiKeyModel, type CreatedApiKeyModel } from './api-key.model';

@Injectable()
export class ApiKeysService {
  private readonly defaultRate: number;

  constructor(
    private readonly changes: TenantChanges,
    @Inject(GATEWAY_SETTINGS) settings: GatewaySettings,
    @Inject(PLANS) private readonly plans: Plans,
  ) {
    this.defaultRate = resolvePublishConfig(settings).SLUICE_PUBLISH_RATE_LIMIT;
  }

  /**
   * Creates a key of the tenant. A tenant key creates only keys within its own topics and rate
   * (keys never grow); the operator's are unbounded.
   */
  async create(
    principal: Principal,
    tenantId: string,
    input: CreateApiKeyInput,
  ): Promise<CreatedApiKeyModel> {
    const { apiKey, key } = await this.changes.inTransaction(async (repos) => {
      const tenant = await repos.tenants.get(tenantId);
      if (!tenant) throw new EntityNotFoundError('Tenant', tenantId);
      const plan = planOf(this.plans, tenant.plan);
      if ((await repos.apiKeys.countActive(tenantId)) >= plan.maxApiKeys) {
        throw new QuotaExceededError('apiKeys', plan.maxApiKeys, tenant.plan);
      }
      let creator: Pick<PublishPrincipal, 'topicFilters' | 'rateLimit'> = {
        topicFilters: 'any',
        rateLimit: 'unlimited',
      };
      if (principal.kind === 'tenant') {
        const own = await repos.apiKeys.get(tenantId, principal.keyId);
        if (!own || own.revokedAt) throw new ForbiddenError('this API key is revoked');
        creator = { topicFilters: own.publishTopics, rateLimit: own.rateLimit };
      }
      const narrowed = narrowKeyScope(
        creator,
        { publishTopics: input.publishTopics ?? [], rateLimit: input.rateLimit ?? null },
        this.defaultRate,
      );
      if ('problems' in narrowed) {
        const [first] = narrowed.problems;
        throw new ForbiddenError(`a key cannot create a wider key: input.${first!.field} ${first!.problem}`);
      }
      return repos.apiKeys.create(tenantId, {
        name: input.name,
        publishTopics: [...narrowed.scope.publishTopics],
        rateLimit: narrowed.scope.rateLimit,
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

  /**
   * Revokes a key of the tenant. A tenant key revokes only keys within its own topics and rate, as
   * for creating (a narrow key cannot cut off a wider one); the operator's revoke any.
   */
  async revoke(principal: Principal, tenantId: string, id: string): Promise<ApiKeyModel> {
    const revoked = await this.changes.inTransaction(async (repos) => {
      if (principal.kind === 'tenant') {
        const own = await repos.apiKeys.get(tenantId, principal.keyId);
        if (!own || own.revokedAt) throw new ForbiddenError('this API key is revoked');
        const target = await repos.apiKeys.get(tenantId, id);
        if (!target) throw new EntityNotFoundError('ApiKey', id);
        const within = narrowKeyScope(
          { topicFilters: own.publishTopics, rateLimit: own.rateLimit },
          // why the default for a key without its own rate: that is the rate it publishes at
          { publishTopics: target.publishTopics, rateLimit: target.rateLimit ?? this.defaultRate },
          this.defaultRate,
        );
        if ('problems' in within) {
          const [first] = within.problems;
          throw new ForbiddenError(`a key cannot revoke a wider key (${first!.field} ${first!.problem})`);
        }
      }
      return repos.apiKeys.revoke(tenantId, id);
    });
    return ApiKeyModel.from(revoked);
  }
}
