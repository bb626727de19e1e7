import { Global, Module, type DynamicModule } from '@nestjs/common';
import { loadPipelineFile, parsePipelineDefinition, type PipelineDefinition } from './pipeline-definition';

export const PIPELINE_DEFINITION = Symbol('PIPELINE_DEFINITION');

/** Provides the pipeline definition (tenants, sources, connectors, rules) to every service of the process. */
@Global()
@Module({})
export class PipelineModule {
  static forRoot(config: { SLUICE_PIPELINE_FILE?: string | undefined }): DynamicModule {
    const definition: PipelineDefinition = config.SLUICE_PIPELINE_FILE
      ? loadPipelineFile(config.SLUICE_PIPELINE_FILE)
      : parsePipelineDefinition({ tenants: [] });
    return {
      module: PipelineModule,
      providers: [{ provide: PIPELINE_DEFINITION, useValue: definition }],
      exports: [PIPELINE_DEFINITION],
    };
  }
}
