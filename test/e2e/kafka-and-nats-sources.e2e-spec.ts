import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, RetentionPolicy, type NatsConnection } from 'nats';
import {
  deleteTestStreams,
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  smallStreamLimits,
  testNamespace,
  testServers,
} from '../support';
import { FakeKafkaBroker } from '../support/fake-kafka';

// Sources other than MQTT feed the same INGEST stream (issue 5): a Kafka consumer source (the
// wire-level fake broker under the real kafkajs client) and a NATS JetStream
// subject source, each through ingest, rules and delivery as separate processes on the real NATS,
// to a local HTTP target.
describe('Kafka and NATS sources feed INGEST; a rule delivers what they read', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const kafka = new FakeKafkaBroker(2);
  const stream = `${ns.streamPrefix}PLANT`;
  const subjectPrefix = `${ns.streamPrefix}plant`;
  const group = `sluice-${ns.id}`;
  const processes: SluiceProcess[] = [];
  let nc: NatsConnection;

  beforeAll(async () => {
    await Promise.all([target.start(), kafka.start()]);
    nc = await connect({ servers: testServers.natsUrl });
    // the NATS source reads a stream of the user's; it creates its durable consumer on it
    await (
      await nc.jetstreamManager()
    ).streams.add({ name: stream, subjects: [`${subjectPrefix}.>`], retention: RetentionPolicy.Limits });
    // records written before ingest starts: the group has no offset yet, so it reads from the start
    kafka.append('orders', 0, { value: '{"n":1}', key: 'dev-a' }, { value: '{"n":2}', key: 'dev-b' });
    kafka.append('orders', 1, { value: '{"n":3}', key: 'dev-c' });
    const pipeline = join(mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`)), 'pipeline.json');
    writeFileSync(pipeline, JSON.stringify(pipelineDefinition()));
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      processes.push(
        new SluiceProcess(service, {
          SLUICE_BUS: 'nats',
          SLUICE_NATS_URL: testServers.natsUrl,
          SLUICE_BUS_NAMESPACE: ns.streamPrefix,
          ...smallStreamLimits,
          SLUICE_MQTT_URL: testServers.mqttUrl,
          SLUICE_PIPELINE_FILE: pipeline,
          SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
          SLUICE_HTTP_PORT: String(await freePort()),
        }).start(),
      );
    }
    await Promise.all(processes.map((p) => p.ready()));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await nc?.close();
    await Promise.all([target.close(), kafka.close()]);
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  function pipelineDefinition() {
    const webhook = (path: string) => [
      { id: 'post', connector: 'webhook', config: { method: 'POST', path } },
    ];
    return {
      tenants: [
        {
          id: `t${ns.id}`,
          sources: [
            {
              id: 'orders',
              kind: 'kafka',
              url: kafka.address,
              topics: [{ filter: 'orders' }],
              groupId: group,
              fromBeginning: true,
            },
            {
              id: 'plant',
              kind: 'nats',
              url: testServers.natsUrl,
              topics: [{ filter: `${subjectPrefix}.>` }],
              jetstream: { stream, durable: 'sluice', ackWaitMs: 2000 },
              topicPrefix: 'nats/',
            },
          ],
          connectors: [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
          rules: [
            {
              id: 'from-kafka',
              sql: 'SELECT payload.n AS n, clientid, topic FROM "kafka/orders"',
              actions: webhook('/kafka'),
            },
            {
              id: 'from-nats',
              sql: `SELECT payload.temp AS temp, topic FROM "nats/${subjectPrefix}/#" WHERE payload.temp > 20`,
              actions: webhook('/nats'),
            },
          ],
        },
      ],
    };
  }

  const bodiesAt = (path: string) =>
    target.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as Record<string, unknown>);

  it('delivers the Kafka records with the key as clientid, and commits their offsets after INGEST stored them', async () => {
    kafka.append('orders', 1, { value: '{"n":4}', key: 'dev-d' });
    const delivered = await eventually(
      () => {
        const bodies = bodiesAt('/kafka');
        expect(bodies.map((b) => b['n']).sort()).toEqual([1, 2, 3, 4]);
        return bodies;
      },
      { timeoutMs: 30_000 },
    );
    expect(delivered.find((b) => b['n'] === 4)).toEqual({ n: 4, clientid: 'dev-d', topic: 'kafka/orders' });
    await eventually(() => {
      expect(kafka.committedOffset(group, 'orders', 0)).toBe(2);
      expect(kafka.committedOffset(group, 'orders', 1)).toBe(2);
    });
  });

  it('delivers the NATS messages that pass the rule, under the mapped topic, and acks them', async () => {
    const js = nc.jetstream();
    for (const [device, temp] of [
      ['d1', 25],
      ['d2', 15],
      ['d3', 30],
    ] as const) {
      await js.publish(`${subjectPrefix}.${device}.telemetry`, JSON.stringify({ temp }));
    }
    const delivered = await eventually(
      () => {
        const bodies = bodiesAt('/nats');
        expect(bodies).toHaveLength(2);
        return bodies;
      },
      { timeoutMs: 30_000 },
    );
    expect(delivered.map((b) => [b['temp'], b['topic']]).sort()).toEqual([
      [25, `nats/${subjectPrefix}/d1/telemetry`],
      [30, `nats/${subjectPrefix}/d3/telemetry`],
    ]);
    await eventually(async () => {
      const info = await (await nc.jetstreamManager()).consumers.info(stream, 'sluice');
      expect(info.num_ack_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(3);
    });
  });
});
