import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { ConfigPublisher } from './config-publisher.service';
import { PipelineFileTenants } from './pipeline-file-tenants.service';
import { TenantChanges } from './tenant-changes.service';

/** Changes to tenants' pipelines (one transaction, checked) and their publication to the config store. */
@Module({
  imports: [PlansModule],
  providers: [ConfigPublisher, TenantChanges, PipelineFileTenants],
  exports: [ConfigPublisher, TenantChanges],
})
export class PropagationModule {}
