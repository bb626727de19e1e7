import { Global, Module } from '@nestjs/common';
import { SluiceMetrics } from './metrics';
import { MetricsController } from './metrics.controller';

/** `/metrics` and the process's one {@link SluiceMetrics}, injectable everywhere. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: SluiceMetrics, useFactory: () => new SluiceMetrics() }],
  exports: [SluiceMetrics],
})
export class TelemetryModule {}
