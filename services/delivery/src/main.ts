import { Module, type DynamicModule } from '@nestjs/common';
import { startNestApp } from '@sluice/app-runtime';
import { BusModule } from '@sluice/bus';
import { ConfigStoreModule } from '@sluice/config-store';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import { PipelineModule } from '@sluice/pipeline';
import { loadDeliveryConfig, type DeliveryConfig } from './config';
import { DeliveryModule } from './delivery.module';

@Module({})
class DeliveryAppModule {
  static forRoot(config: DeliveryConfig): DynamicModule {
    return {
      module: DeliveryAppModule,
      imports: [
        HealthModule,
        TelemetryModule,
        BusModule.forRoot(config),
        ConfigStoreModule.forRoot(config),
        PipelineModule.forRoot(config),
        DeliveryModule.forRoot(config),
      ],
    };
  }
}

/** Starts the delivery service on its own (`sluice start delivery`). */
export async function startDelivery(env: NodeJS.ProcessEnv = process.env) {
  const config = loadDeliveryConfig(env);
  return startNestApp('delivery', DeliveryAppModule.forRoot(config), config);
}
