import { Module } from '@nestjs/common';
import { tenantTargetPolicy } from '@sluice/connectors';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { StatusModule } from '../status/status.module';
import { ConnectorsResolver } from './connectors.resolver';
import { ConnectorsService, TENANT_TARGETS } from './connectors.service';

@Module({
  imports: [PropagationModule, PlansModule, StatusModule],
  providers: [
    ConnectorsService,
    ConnectorsResolver,
    {
      provide: TENANT_TARGETS,
      // why the bus's URL: no tenant's connector may reach the servers the mesh runs on; nor the
      // operator's broker by its address (a connector without url republishes there, confined)
      useFactory: (settings: GatewaySettings) =>
        tenantTargetPolicy(
          settings,
          settings.SLUICE_BUS === 'nats' ? settings.SLUICE_NATS_URL : undefined,
          settings.mqttUrl,
        ),
      inject: [GATEWAY_SETTINGS],
    },
  ],
})
export class ConnectorsModule {}
