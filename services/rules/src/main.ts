import { Module, type DynamicModule } from '@nestjs/common';
import { startNestApp } from '@sluice/app-runtime';
import { BusModule } from '@sluice/bus';
import { ConfigStoreModule } from '@sluice/config-store';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import { PipelineModule } from '@sluice/pipeline';
import { loadRulesConfig, type RulesConfig } from './config';
import { RulesModule } from './rules.module';

@Module({})
class RulesAppModule {
  static forRoot(config: RulesConfig): DynamicModule {
    return {
      module: RulesAppModule,
      imports: [
        HealthModule,
        TelemetryModule,
        BusModule.forRoot(config),
        ConfigStoreModule.forRoot(config),
        PipelineModule.forRoot(config),
        RulesModule.forRoot(config),
      ],
    };
  }
}

/** Starts the rules service on its own (`sluice start rules`). */
export async function startRules(env: NodeJS.ProcessEnv = process.env) {
  const config = loadRulesConfig(env);
  return startNestApp('rules', RulesAppModule.forRoot(config), config);
}
