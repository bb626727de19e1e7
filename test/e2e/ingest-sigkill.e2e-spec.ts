import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { AckPolicy, connect, type ConsumerMessages, type NatsConnection } from 'nats';
import { BATCH_HEADER, createSubjects, decodeIngestBatch, decodeIngestEnvelope } from '@sluice/bus';
import {
  deleteTestStreams,
  eventually,
  freePort,
  SluiceProcess,
  smallStreamLimits,
  testNamespace,
  testServers,
} from '../support';

// Issue 5, with MQTT 3.1.1 and 5: two ingest processes in one share group on the real Mosquitto
// split a QoS 1 stream; SIGKILL of one mid-stream loses nothing in INGEST. Mosquitto keeps what was
// in flight to the killed member in that member's persistent session (it does not hand it to the
// survivor), so the killed process comes back under its client id, as an orchestrator restarts it,
// and gets those messages redelivered.
describe.each([4, 5] as const)(
  'ingest replicas, SIGKILL of one during a QoS 1 stream (MQTT %i)',
  (version) => {
    const ns = testNamespace();
    const subjects = createSubjects(ns.streamPrefix);
    const replicas: SluiceProcess[] = [];
    const stored = new Map<string, number>(); // payload id -> times stored in INGEST
    let nc: NatsConnection;
    let reading: ConsumerMessages | undefined;

    beforeAll(async () => {
      const pipeline = join(mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`)), 'pipeline.json');
      writeFileSync(
        pipeline,
        JSON.stringify({
          tenants: [
            {
              id: `t${ns.id}`,
              sources: [{ id: 'devices', topics: [{ filter: `${ns.topicPrefix}sensors/#`, qos: 1 }] }],
              connectors: [],
              rules: [],
            },
          ],
        }),
      );
      for (const n of [1, 2]) {
        replicas.push(
          new SluiceProcess('ingest', {
            SLUICE_BUS: 'nats',
            SLUICE_NATS_URL: testServers.natsUrl,
            SLUICE_BUS_NAMESPACE: ns.streamPrefix,
            ...smallStreamLimits,
            SLUICE_MQTT_URL: testServers.mqttUrl,
            SLUICE_MQTT_PROTOCOL_VERSION: String(version),
            SLUICE_PIPELINE_FILE: pipeline,
            SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}-r${n}`,
            SLUICE_HTTP_PORT: String(await freePort()),
          }).start(),
        );
      }
      await Promise.all(replicas.map((r) => r.ready()));
      nc = await connect({ servers: testServers.natsUrl });
      // a durable consumer (INGEST is a work queue, as the rules stage reads it) takes everything the
      // stream stored, batches unpacked
      const stream = subjects.stream('INGEST');
      await (
        await nc.jetstreamManager()
      ).consumers.add(stream, {
        durable_name: 'e2e',
        ack_policy: AckPolicy.Explicit,
      });
      const consumer = await nc.jetstream().consumers.get(stream, 'e2e');
      const messages = await consumer.consume();
      reading = messages;
      void (async () => {
        for await (const message of messages) {
          const envelopes = message.headers?.get(BATCH_HEADER)
            ? decodeIngestBatch(message.data)
            : [decodeIngestEnvelope(message.data)];
          for (const envelope of envelopes) {
            const { id } = JSON.parse(Buffer.from(envelope.payload).toString()) as { id: string };
            stored.set(id, (stored.get(id) ?? 0) + 1);
          }
          message.ack();
        }
      })();
    });

    afterAll(async () => {
      await reading?.close();
      await nc?.close();
      await Promise.all(replicas.map((r) => r.stop()));
      await deleteTestStreams({ prefix: ns.streamPrefix });
    });

    it('splits the stream and stores every message after one replica is killed and restarted', async () => {
      const publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: version });
      const total = 300;
      const sent: string[] = [];
      try {
        const streaming = (async () => {
          for (let i = 0; i < total; i++) {
            await publisher.publishAsync(
              `${ns.topicPrefix}sensors/d${i % 3}`,
              JSON.stringify({ id: `m${i}` }),
              {
                qos: 1,
              },
            );
            sent.push(`m${i}`);
            if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // a stream, not a burst
          }
        })();
        await eventually(() => expect(stored.size).toBeGreaterThan(total / 3), { timeoutMs: 30_000 });
        const split = await Promise.all(replicas.map((r) => storedBy(r)));
        expect(
          split.every((n) => n > 0),
          `both replicas stored part of the stream: ${split.join(', ')}`,
        ).toBe(true);
        await replicas[0]!.stop('SIGKILL');
        await streaming;
        replicas[0]!.start();
        await replicas[0]!.ready();
      } finally {
        await publisher.endAsync();
      }
      await eventually(() => expect(stored.size).toBe(total), { timeoutMs: 30_000 });
      expect([...stored.keys()].sort()).toEqual([...sent].sort());
      const duplicates = [...stored.values()].reduce((sum, n) => sum + n - 1, 0);
      console.log(`MQTT ${version}: ${total} stored, ${duplicates} stored twice (redelivered after SIGKILL)`);
    });
  },
);

async function storedBy(replica: SluiceProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('sluice_source_messages_stored_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
