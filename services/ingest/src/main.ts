import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule } from '@sluice/bus';
import { ConfigStoreModule } from '@sluice/config-store';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import { PipelineModule } from '@sluice/pipeline';
import { startNestApp } from '@sluice/app-runtime';
import { loadIngestConfig, type IngestConfig } from './config';
import { IngestModule } from './ingest.module';
import { IngestService } from './ingest.service';

@Module({})
class IngestAppModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: IngestAppModule,
      imports: [
        HealthModule,
        TelemetryModule,
        BusModule.forRoot(config),
        ConfigStoreModule.forRoot(config),
        PipelineModule.forRoot(config),
        IngestModule.forRoot({
          ...config,
          mqttUrl: config.SLUICE_MQTT_URL,
          mqttProtocolVersion: config.SLUICE_MQTT_PROTOCOL_VERSION as 3 | 4 | 5,
          shareGroup: config.SLUICE_INGEST_SHARE_GROUP,
        }),
      ],
    };
  }
}

/** Starts the ingest service on its own (`sluice start ingest`). */
export async function startIngest(env: NodeJS.ProcessEnv = process.env) {
  const config = loadIngestConfig(env);
  return startNestApp('ingest', IngestAppModule.forRoot(config), config, {
    onRetire: (app) => app.get(IngestService).retireOnShutdown(),
  });
}
