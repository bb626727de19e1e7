import { Counter, Gauge, type Registry } from 'prom-client';

/** What a stream holds against its limits (a limit of -1 means none). */
export interface StreamSample {
  stream: string;
  messages: number;
  bytes: number;
  maxMessages: number;
  maxBytes: number;
}

/** A durable consumer's state, as JetStream's consumer info gives it. */
export interface ConsumerSample {
  stream: string;
  consumer: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  delivered: number;
  acknowledged: number;
}

/** Reads the streams and consumers now (the bus: stream info and consumer list). */
export type BusStateSource = () => Promise<{ streams: StreamSample[]; consumers: ConsumerSample[] }>;

type Sample = Awaited<ReturnType<BusStateSource>>;

/**
 * Registers `sluice_stream_*` and `sluice_consumer_*` on `registry`, read from `source` when
 * Prometheus scrapes (never per message). One reading serves every metric of a scrape and is kept
 * for `cacheMs`, so frequent scrapes (or several scrapers) cost the server one stream-info round
 * per stream at most that often. A failed reading drops the series (stale values would hide a
 * problem) and counts `sluice_bus_state_errors_total`.
 *
 * @example registerBusStateMetrics(metrics.registry, () => readBusState(bus), 2_000);
 */
export function registerBusStateMetrics(registry: Registry, source: BusStateSource, cacheMs = 2_000): void {
  let cached: { at: number; settled: boolean; sample: Promise<Sample | undefined> } | undefined;
  const errors = new Counter({
    name: 'sluice_bus_state_errors_total',
    help: 'Readings of stream and consumer state (for /metrics) that failed',
    registers: [registry],
    // why: so a scrape whose reading fails already shows the failure
    async collect() {
      await read();
    },
  });
  const read = (): Promise<Sample | undefined> => {
    const now = Date.now();
    // why also while in flight: the metrics of one scrape are collected together and share a reading
    if (cached && (!cached.settled || now - cached.at < cacheMs)) return cached.sample;
    const entry: NonNullable<typeof cached> = { at: now, settled: false, sample: Promise.resolve(undefined) };
    entry.sample = source().then(
      (sample) => {
        entry.settled = true;
        return sample;
      },
      () => {
        entry.settled = true;
        errors.inc();
        return undefined;
      },
    );
    cached = entry;
    return entry.sample;
  };

  const streamGauge = (name: string, help: string, value: (s: StreamSample) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream'],
      registers: [registry],
      async collect() {
        const sample = await read();
        this.reset();
        for (const s of sample?.streams ?? []) this.set({ stream: s.stream }, value(s));
      },
    });
  streamGauge('sluice_stream_messages', 'Messages the stream holds', (s) => s.messages);
  streamGauge('sluice_stream_bytes', 'Bytes the stream holds', (s) => s.bytes);
  streamGauge('sluice_stream_max_messages', 'Message limit of the stream (-1: none)', (s) => s.maxMessages);
  streamGauge('sluice_stream_max_bytes', 'Byte limit of the stream (-1: none)', (s) => s.maxBytes);

  const labels = (c: ConsumerSample) => ({ stream: c.stream, consumer: c.consumer });
  const consumerGauge = (name: string, help: string, value: (c: ConsumerSample) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'consumer'],
      registers: [registry],
      async collect() {
        const sample = await read();
        this.reset();
        for (const c of sample?.consumers ?? []) this.set(labels(c), value(c));
      },
    });
  // why counters set from the server's totals: they only grow (for a durable consumer), so rate() works
  const consumerCounter = (name: string, help: string, value: (c: ConsumerSample) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['stream', 'consumer'],
      registers: [registry],
      async collect() {
        const sample = await read();
        this.reset();
        for (const c of sample?.consumers ?? []) this.inc(labels(c), value(c));
      },
    });
  consumerGauge(
    'sluice_consumer_pending_messages',
    'Stored messages the consumer has not delivered yet',
    (c) => c.pending,
  );
  consumerGauge(
    'sluice_consumer_ack_pending_messages',
    'Messages delivered and not acknowledged yet',
    (c) => c.ackPending,
  );
  consumerGauge(
    'sluice_consumer_redelivered_messages',
    'Ack-pending messages that were delivered more than once',
    (c) => c.redelivered,
  );
  consumerCounter(
    'sluice_consumer_delivered_total',
    'Deliveries by the consumer, redeliveries included',
    (c) => c.delivered,
  );
  consumerCounter(
    'sluice_consumer_acknowledged_total',
    'Deliveries acknowledged (the ack floor)',
    (c) => c.acknowledged,
  );
}
