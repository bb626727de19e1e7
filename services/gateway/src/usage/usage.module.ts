import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { UsageResolver } from './usage.resolver';
import { UsageService } from './usage.service';

@Module({ imports: [PlansModule], providers: [UsageService, UsageResolver] })
export class UsageModule {}
