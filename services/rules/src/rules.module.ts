import { Module, type DynamicModule } from '@nestjs/common';
import type { RulesSettings } from './config';
import { RULES_SETTINGS, RuleRunner } from './rule-runner';

@Module({})
export class RulesModule {
  static forRoot(settings: RulesSettings): DynamicModule {
    return { module: RulesModule, providers: [{ provide: RULES_SETTINGS, useValue: settings }, RuleRunner] };
  }
}
