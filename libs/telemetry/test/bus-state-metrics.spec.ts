import { Registry } from 'prom-client';
import { registerBusStateMetrics, type BusStateSource } from '@sluice/telemetry';

const sample = (messages: number) => ({
  streams: [{ stream: 'INGEST', messages, bytes: messages * 100, maxMessages: -1, maxBytes: 1_000_000 }],
  consumers: [
    {
      stream: 'INGEST',
      consumer: 'rules',
      pending: 3,
      ackPending: 2,
      redelivered: 1,
      delivered: 40,
      acknowledged: 37,
    },
  ],
});

describe('stream and consumer metrics', () => {
  it('reads the bus once per scrape and exposes streams and consumers by Prometheus conventions', async () => {
    const registry = new Registry();
    let reads = 0;
    const source: BusStateSource = () => {
      reads++;
      return Promise.resolve(sample(5));
    };
    registerBusStateMetrics(registry, source, 60_000);
    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(text).toContain('sluice_stream_messages{stream="INGEST"} 5');
    expect(text).toContain('sluice_stream_bytes{stream="INGEST"} 500');
    expect(text).toContain('sluice_stream_max_messages{stream="INGEST"} -1');
    expect(text).toContain('sluice_consumer_pending_messages{stream="INGEST",consumer="rules"} 3');
    expect(text).toContain('sluice_consumer_ack_pending_messages{stream="INGEST",consumer="rules"} 2');
    expect(text).toContain('sluice_consumer_redelivered_messages{stream="INGEST",consumer="rules"} 1');
    expect(text).toContain('# TYPE sluice_consumer_delivered_total counter');
    expect(text).toContain('sluice_consumer_delivered_total{stream="INGEST",consumer="rules"} 40');
    expect(text).toContain('sluice_consumer_acknowledged_total{stream="INGEST",consumer="rules"} 37');
    // within the cache time a second scrape does not ask the bus again
    await registry.metrics();
    expect(reads).toBe(1);
  });

  it('reads again once the cache time has passed', async () => {
    const registry = new Registry();
    let messages = 0;
    registerBusStateMetrics(registry, () => Promise.resolve(sample(++messages)), 0);
    expect(await registry.metrics()).toContain('sluice_stream_messages{stream="INGEST"} 1');
    expect(await registry.metrics()).toContain('sluice_stream_messages{stream="INGEST"} 2');
  });

  it('drops the series and counts the error when the bus cannot be read, and the scrape still answers', async () => {
    const registry = new Registry();
    let fail = false;
    registerBusStateMetrics(
      registry,
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(sample(7))),
      0,
    );
    expect(await registry.metrics()).toContain('sluice_stream_messages{stream="INGEST"} 7');
    fail = true;
    const text = await registry.metrics();
    expect(text).not.toContain('sluice_stream_messages{');
    expect(text).not.toContain('sluice_consumer_pending_messages{');
    expect(text).toMatch(/^sluice_bus_state_errors_total 1$/m);
  });
});
