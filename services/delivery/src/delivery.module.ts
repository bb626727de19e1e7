import { Module, type DynamicModule } from '@nestjs/common';
import { ActionConsumer, DELIVERY_SETTINGS } from './action-consumer';
import type { DeliverySettings } from './config';

@Module({})
export class DeliveryModule {
  static forRoot(settings: DeliverySettings): DynamicModule {
    return {
      module: DeliveryModule,
      providers: [{ provide: DELIVERY_SETTINGS, useValue: settings }, ActionConsumer],
    };
  }
}
