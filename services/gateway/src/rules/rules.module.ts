import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { StatusModule } from '../status/status.module';
import { ActionsResolver } from './actions.resolver';
import { ActionsService } from './actions.service';
import { RuleTraceHub } from './rule-trace-hub.service';
import { RuleTraceResolver } from './rule-trace.resolver';
import { RulesResolver } from './rules.resolver';
import { RulesService } from './rules.service';

@Module({
  imports: [PropagationModule, PlansModule, StatusModule],
  providers: [RulesService, RulesResolver, ActionsService, ActionsResolver, RuleTraceHub, RuleTraceResolver],
})
export class RulesModule {}
