import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  deleteTestStreams,
  eventually,
  freePort,
  SluiceProcess,
  smallStreamLimits,
  sumMetric,
  testNamespace,
  testServers,
} from '../support';

// Issue 5: an MQTT source with two connections in the share group, in an ingest process of its
// own on the real Mosquitto and NATS; /metrics shows each connection (received, stored,
// acknowledged, bytes, in flight, reconnects, up) and the two split the stream.
describe('ingest reports each broker connection of a source on /metrics', () => {
  const ns = testNamespace();
  const tenant = `t${ns.id}`;
  const N = 40;
  let ingest: SluiceProcess;

  beforeAll(async () => {
    const pipeline = join(mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`)), 'pipeline.json');
    writeFileSync(
      pipeline,
      JSON.stringify({
        tenants: [
          {
            id: tenant,
            sources: [
              { id: 'devices', connections: 2, topics: [{ filter: `${ns.topicPrefix}sensors/#`, qos: 1 }] },
            ],
            connectors: [],
            rules: [],
          },
        ],
      }),
    );
    ingest = new SluiceProcess('ingest', {
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: testServers.natsUrl,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
      ...smallStreamLimits,
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_PIPELINE_FILE: pipeline,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
      SLUICE_HTTP_PORT: String(await freePort()),
    }).start();
    await ingest.ready();
  });

  afterAll(async () => {
    await ingest?.stop();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  it('counts per connection what it received, stored and acknowledged, with bytes, in flight and reconnects', async () => {
    const publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    const payload = JSON.stringify({ temp: 21.5, pad: 'x'.repeat(50) });
    try {
      for (let i = 0; i < N; i++) {
        await publisher.publishAsync(`${ns.topicPrefix}sensors/d${i % 4}`, payload, { qos: 1 });
      }
    } finally {
      await publisher.endAsync();
    }
    const scrape = async () => (await fetch(`http://127.0.0.1:${ingest.port}/metrics`)).text();
    const labels = `tenant="${tenant}",source="devices"`;
    const text = await eventually(
      async () => {
        const body = await scrape();
        expect(sumMetric(body, 'sluice_source_connection_messages_acked_total', labels)).toBe(N);
        // the per-source counters are added up once per event-loop turn, so they may trail a scrape
        expect(sumMetric(body, 'sluice_source_messages_stored_total', labels)).toBe(N);
        return body;
      },
      { timeoutMs: 20_000 },
    );
    const clients = [
      ...new Set([...text.matchAll(new RegExp(`${labels},client="([^"]+)"`, 'g'))].map((match) => match[1]!)),
    ];
    expect(clients).toHaveLength(2);
    for (const client of clients) {
      const one = `${labels},client="${client}"`;
      const received = sumMetric(text, 'sluice_source_connection_messages_received_total', one);
      expect(received).toBeGreaterThan(0); // the share group splits the stream between both
      expect(sumMetric(text, 'sluice_source_connection_messages_stored_total', one)).toBe(received);
      expect(sumMetric(text, 'sluice_source_connection_messages_acked_total', one)).toBe(received);
      // each PUBLISH carries at least the payload and the topic
      expect(sumMetric(text, 'sluice_source_connection_received_bytes_total', one)).toBeGreaterThan(
        received * payload.length,
      );
      expect(sumMetric(text, 'sluice_source_connection_in_flight_messages', one)).toBe(0);
      expect(sumMetric(text, 'sluice_source_connection_reconnects_total', one)).toBe(0);
      expect(sumMetric(text, 'sluice_source_connection_up', one)).toBe(1);
    }
    expect(sumMetric(text, 'sluice_source_connection_messages_received_total', labels)).toBe(N);
  });
});
