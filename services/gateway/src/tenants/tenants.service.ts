import { Inject, Injectable } from '@nestjs/common';
import { EntityNotFoundError, type PageRequest } from '@sluice/persistence';
import { InputInvalidError } from '../errors/api-errors';
import { toPage, type PageOf } from '../graphql/page.model';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { defaultPlanName, PLANS, type Plans } from '../plans/plans';
import { ConfigPublisher } from '../propagation/config-publisher.service';
import { TenantChanges } from '../propagation/tenant-changes.service';
import type { CreateTenantInput, UpdateTenantInput } from './tenant.input';
import { TenantModel } from './tenant.model';

@Injectable()
export class TenantsService {
  constructor(
    private readonly changes: TenantChanges,
    private readonly publisher: ConfigPublisher,
    @Inject(PLANS) private readonly plans: Plans,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  async create(input: CreateTenantInput): Promise<TenantModel> {
    const plan = input.plan ?? defaultPlanName(this.settings);
    this.checkPlan(plan, 'input.plan');
    const row = await this.changes.inTransaction((repos) => repos.tenants.create({ name: input.name, plan }));
    await this.publisher.publishTenant(row.id);
    return TenantModel.from(row);
  }

  async list(page: PageRequest): Promise<PageOf<TenantModel>> {
    return toPage(await this.changes.inTransaction((repos) => repos.tenants.list(page)), TenantModel.from);
  }

  async get(id: string): Promise<TenantModel> {
    const row = await this.changes.inTransaction((repos) => repos.tenants.get(id));
    if (!row) throw new EntityNotFoundError('Tenant', id);
    return TenantModel.from(row);
  }

  async update(input: UpdateTenantInput): Promise<TenantModel> {
    if (input.plan !== undefined) this.checkPlan(input.plan, 'input.plan');
    const changes = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.plan !== undefined && { plan: input.plan }),
    };
    const row = await this.changes.inTransaction((repos) =>
      repos.tenants.update(input.id, input.version, changes),
    );
    return TenantModel.from(row);
  }

  async delete(id: string): Promise<string> {
    await this.changes.inTransaction((repos) => repos.tenants.delete(id));
    await this.publisher.removeTenant(id);
    return id;
  }

  private checkPlan(plan: string, field: string): void {
    if (!Object.hasOwn(this.plans, plan)) {
      throw new InputInvalidError(
        field,
        `unknown plan '${plan}' (configured: ${Object.keys(this.plans).join(', ')})`,
      );
    }
  }
}
