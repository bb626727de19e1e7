import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { StatusModule } from '../status/status.module';
import { SourcesResolver } from './sources.resolver';
import { SourcesService } from './sources.service';
import { tenantTargetsProvider } from '../connectors/tenant-targets.provider';

@Module({
  imports: [PropagationModule, PlansModule, StatusModule],
  providers: [SourcesService, SourcesResolver, tenantTargetsProvider],
})
export class SourcesModule {}
