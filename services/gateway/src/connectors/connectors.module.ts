import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { StatusModule } from '../status/status.module';
import { ConnectorsResolver } from './connectors.resolver';
import { ConnectorsService } from './connectors.service';
import { tenantTargetsProvider } from './tenant-targets.provider';

@Module({
  imports: [PropagationModule, PlansModule, StatusModule],
  providers: [ConnectorsService, ConnectorsResolver, tenantTargetsProvider],
})
export class ConnectorsModule {}
