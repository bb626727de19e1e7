import { Module, type DynamicModule } from '@nestjs/common';
import { RULE_STAGE } from '@sluice/pipeline';
import type { RulesSettings } from './config';
import { RULES_SETTINGS, RuleRunner } from './rule-runner';

@Module({})
export class RulesModule {
  static forRoot(settings: RulesSettings): DynamicModule {
    return {
      module: RulesModule,
      providers: [
        { provide: RULES_SETTINGS, useValue: settings },
        RuleRunner,
        // why exported: the embedded process's ingest evaluates on its turn with this stage (ADR 0009)
        { provide: RULE_STAGE, useFactory: (runner: RuleRunner) => runner.stage, inject: [RuleRunner] },
      ],
      exports: [RULE_STAGE],
    };
  }
}
