import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { UsageResolver } from './usage.resolver';
import { UsageService } from './usage.service';

@Module({ imports: [PlansModule, PropagationModule], providers: [UsageService, UsageResolver] })
export class UsageModule {}
