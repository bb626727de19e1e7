import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { describeError } from '@sluice/errors';
import { PERSISTENCE_DATA_SOURCE, withTransaction } from '@sluice/persistence';
import { loadPipelineFile } from '@sluice/pipeline';
import type { DataSource } from 'typeorm';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { defaultPlanName, PLANS, planOf, type Plans } from '../plans/plans';

/**
 * The tenants of the pipeline file (SLUICE_PIPELINE_FILE). Their pipelines come from the file,
 * never from the database; the gateway keeps a tenant row for each (named by its id, on the default
 * plan) only so that their usage is counted (usage rows reference a tenant row).
 */
@Injectable()
export class PipelineFileTenants implements OnModuleInit {
  private readonly logger = new Logger('PipelineFileTenants');
  readonly ids: ReadonlySet<string>;

  constructor(
    @Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(PLANS) private readonly plans: Plans,
  ) {
    const file = settings.SLUICE_PIPELINE_FILE;
    this.ids = new Set(file ? loadPipelineFile(file).tenants.map((t) => t.id) : []);
  }

  /**
   * Checks an explicit SLUICE_DEFAULT_PLAN and adds the missing rows at start; a row that cannot be
   * added is logged (its usage is then not counted).
   */
  async onModuleInit(): Promise<void> {
    const plan = defaultPlanName(this.settings);
    // why only then: with SLUICE_PLANS lacking 'free' and no file tenants, the gateway started
    // before (createTenant without a plan answers BAD_USER_INPUT naming input.plan)
    if (this.settings.SLUICE_DEFAULT_PLAN !== undefined || this.ids.size > 0) planOf(this.plans, plan);
    for (const id of this.ids) {
      try {
        await this.ensure(id, plan);
      } catch (error) {
        // why a second look: another gateway starting at the same time may have added it
        const added = await withTransaction(this.dataSource, (repos) => repos.tenants.get(id));
        if (!added)
          this.logger.error(
            `no tenant row for pipeline-file tenant '${id}', its usage is not counted: ${describeError(error).message}`,
          );
      }
    }
  }

  private ensure(id: string, plan: string): Promise<void> {
    return withTransaction(this.dataSource, async (repos) => {
      if (!(await repos.tenants.get(id))) await repos.tenants.create({ name: id, plan }, id);
    });
  }
}
