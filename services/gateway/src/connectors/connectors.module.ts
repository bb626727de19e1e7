import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { ConnectorsResolver } from './connectors.resolver';
import { ConnectorsService } from './connectors.service';

@Module({ imports: [PropagationModule, PlansModule], providers: [ConnectorsService, ConnectorsResolver] })
export class ConnectorsModule {}
