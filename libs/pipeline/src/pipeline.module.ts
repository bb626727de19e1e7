import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CONFIG_STORE, type ConfigStore } from '@sluice/config-store';
import { loadPipelineFile, parsePipelineDefinition, type PipelineDefinition } from './pipeline-definition';
import { PipelineDefinitions } from './pipeline-definitions';
import { BusStateMetrics } from './status/bus-state-metrics';

export const PIPELINE_DEFINITIONS = Symbol('PIPELINE_DEFINITIONS');
/**
 * The rules service's {@link RuleStage}, for ingest to run on its turn when both share a process
 * (the embedded mode, docs/adr/0009-embedded-rules-on-the-ingest-turn.md).
 */
export const RULE_STAGE = Symbol('RULE_STAGE');

@Injectable()
class PipelineDefinitionsStopper implements OnApplicationShutdown {
  constructor(@Inject(PIPELINE_DEFINITIONS) private readonly definitions: PipelineDefinitions) {}
  async onApplicationShutdown(): Promise<void> {
    await this.definitions.stop();
  }
}

/**
 * Provides the {@link PipelineDefinitions} every service of the process runs: the pipeline file
 * (SLUICE_PIPELINE_FILE) plus the tenants in the config store (needs ConfigStoreModule).
 */
@Global()
@Module({})
export class PipelineModule {
  static forRoot(config: { SLUICE_PIPELINE_FILE?: string | undefined }): DynamicModule {
    const file: PipelineDefinition = config.SLUICE_PIPELINE_FILE
      ? loadPipelineFile(config.SLUICE_PIPELINE_FILE)
      : parsePipelineDefinition({ tenants: [] });
    return {
      module: PipelineModule,
      providers: [
        {
          provide: PIPELINE_DEFINITIONS,
          inject: [CONFIG_STORE],
          useFactory: async (store: ConfigStore) => {
            const definitions = new PipelineDefinitions(file, store, new Logger('Pipeline'));
            await definitions.start();
            return definitions;
          },
        },
        PipelineDefinitionsStopper,
        BusStateMetrics,
      ],
      exports: [PIPELINE_DEFINITIONS],
    };
  }
}
