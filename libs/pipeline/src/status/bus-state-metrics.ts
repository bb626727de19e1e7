import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BUS, STREAM_NAMES, type Bus } from '@sluice/bus';
import {
  registerBusStateMetrics,
  SluiceMetrics,
  type BusStateSource,
  type ConsumerSample,
  type StreamSample,
} from '@sluice/telemetry';

/**
 * Reads every stream of the bus (INGEST, ACTIONS, DLQ) and its durable consumers.
 *
 * @example registerBusStateMetrics(registry, busStateSource(bus));
 */
export function busStateSource(bus: Bus): BusStateSource {
  return async () => {
    const streams: StreamSample[] = [];
    const consumers: ConsumerSample[] = [];
    await Promise.all(
      STREAM_NAMES.map(async (stream) => {
        const [stats, consumerStats] = await Promise.all([
          bus.streamStats?.(stream),
          bus.consumerStats?.(stream),
        ]);
        if (stats) streams.push({ stream, ...stats });
        for (const { name, ...counts } of consumerStats ?? [])
          consumers.push({ stream, consumer: name, ...counts });
      }),
    );
    return { streams, consumers };
  };
}

/** `sluice_stream_*` and `sluice_consumer_*` on this process's `/metrics`, read at scrape time. */
@Injectable()
export class BusStateMetrics implements OnModuleInit {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly metrics: SluiceMetrics,
  ) {}

  onModuleInit(): void {
    registerBusStateMetrics(this.metrics.registry, busStateSource(this.bus));
  }
}
