import { Inject, Injectable } from '@nestjs/common';
import { EntityNotFoundError, TenantsRepository, type PageRequest } from '@sluice/persistence';
import { InputInvalidError } from '../errors/api-errors';
import { toPage, type PageOf } from '../graphql/page.model';
import { PLANS, type Plans } from '../plans/plans';
import { ConfigPublisher } from '../propagation/config-publisher.service';
import type { CreateTenantInput, UpdateTenantInput } from './tenant.input';
import { TenantModel } from './tenant.model';

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly publisher: ConfigPublisher,
    @Inject(PLANS) private readonly plans: Plans,
  ) {}

  async create(input: CreateTenantInput): Promise<TenantModel> {
    const plan = input.plan ?? 'free';
    this.checkPlan(plan, 'input.plan');
    const row = await this.tenants.create({ name: input.name, plan });
    await this.publisher.publishTenant(row.id);
    return TenantModel.from(row);
  }

  async list(page: PageRequest): Promise<PageOf<TenantModel>> {
    return toPage(await this.tenants.list(page), TenantModel.from);
  }

  async get(id: string): Promise<TenantModel> {
    const row = await this.tenants.get(id);
    if (!row) throw new EntityNotFoundError('Tenant', id);
    return TenantModel.from(row);
  }

  async update(input: UpdateTenantInput): Promise<TenantModel> {
    if (input.plan !== undefined) this.checkPlan(input.plan, 'input.plan');
    const changes = Object.fromEntries(
      Object.entries({ name: input.name, plan: input.plan }).filter(([, v]) => v !== undefined),
    );
    return TenantModel.from(await this.tenants.update(input.id, input.version, changes));
  }

  async delete(id: string): Promise<string> {
    await this.tenants.delete(id);
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
