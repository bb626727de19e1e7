import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { TenantsResolver } from './tenants.resolver';
import { TenantsService } from './tenants.service';

@Module({ imports: [PropagationModule, PlansModule], providers: [TenantsService, TenantsResolver] })
export class TenantsModule {}
