import { Module } from '@nestjs/common';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { parsePlans, PLANS } from './plans';

/** Provides the plans (SLUICE_PLANS, or the defaults) under PLANS. */
@Module({
  providers: [
    {
      provide: PLANS,
      // why the environment as a fallback: SLUICE_PLANS is not part of the gateway's config schema yet
      useFactory: (settings: GatewaySettings & { SLUICE_PLANS?: string }) =>
        parsePlans(settings.SLUICE_PLANS ?? process.env.SLUICE_PLANS),
      inject: [GATEWAY_SETTINGS],
    },
  ],
  exports: [PLANS],
})
export class PlansModule {}
