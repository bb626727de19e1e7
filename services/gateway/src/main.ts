import { Module, type DynamicModule } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { startNestApp } from '@sluice/app-runtime';
import { BusModule } from '@sluice/bus';
import { ConfigStoreModule } from '@sluice/config-store';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { consoleLine } from './console/console-files';
import { installGraphqlGate } from './graphql/graphql-gate';
import { GatewayModule } from './gateway.module';

@Module({})
class GatewayAppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        HealthModule,
        TelemetryModule,
        BusModule.forRoot(config),
        ConfigStoreModule.forRoot(config),
        GatewayModule.forRoot({ ...config, mqttUrl: config.SLUICE_MQTT_URL }),
      ],
    };
  }
}

/** Starts the gateway on its own (`sluice start gateway`). */
export async function startGateway(env: NodeJS.ProcessEnv = process.env) {
  const config = loadGatewayConfig(env);
  const app = await startNestApp('gateway', GatewayAppModule.forRoot(config), config, {
    operatorKey: config.SLUICE_ADMIN_KEY,
    beforeBodyParser: installGraphqlGate,
  });
  new Logger('Sluice').log(consoleLine(config.SLUICE_HTTP_HOST, config.SLUICE_HTTP_PORT));
  return app;
}
