import { registerBusStateMetrics, SluiceMetrics, type BusStateSource } from '@sluice/telemetry';
import type { DataSource } from 'typeorm';
import { NameInfoService } from '../../services/gateway/src/status/name-info.service';

export interface RegisteredMetric {
  name: string;
  type: string;
}

/**
 * Every metric a Sluice process can register, as the embedded process has them on one registry:
 * SluiceMetrics (with prom-client's defaults), the bus state gauges and the gateway's `*_info`.
 * Registration only: nothing is collected, no database or bus is read.
 */
export function registeredMetrics(): RegisteredMetric[] {
  const metrics = new SluiceMetrics();
  registerBusStateMetrics(metrics.registry, {} as BusStateSource);
  new NameInfoService({} as DataSource, metrics).onModuleInit();
  return metrics.registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String(m.type) }));
}
