import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { FakeKafkaBroker } from '../support/fake-kafka';
import {
  deleteTestStreams,
  eventually,
  freePort,
  HttpTarget,
  OtlpReceiver,
  SluiceProcess,
  smallStreamLimits,
  SPAN_KIND_CONSUMER,
  SPAN_KIND_INTERNAL,
  SPAN_KIND_PRODUCER,
  SPAN_KIND_SERVER,
  STATUS_CODE_ERROR,
  testNamespace,
  testServers,
  type TestNamespace,
} from '../support';

/**
 * The skeleton pipeline (sensors/# -> HTTP) plus a rule on fanout/# whose three actions go to
 * Mosquitto (MQTT 5 republish), RabbitMQ and Kafka (the wire-level fake broker).
 */
function writeTracingPipeline(ns: TestNamespace, targetUrl: string, kafka: string, queue: string): string {
  const sensors = `${ns.topicPrefix}sensors/#`;
  const fanout = `${ns.topicPrefix}fanout/#`;
  const pipeline = {
    tenants: [
      {
        id: `t${ns.id}`,
        sources: [
          {
            id: 'devices',
            topics: [
              { filter: sensors, qos: 1 },
              { filter: fanout, qos: 1 },
            ],
          },
        ],
        connectors: [
          { id: 'webhook', kind: 'http', config: { url: targetUrl } },
          { id: 'republish', kind: 'mqtt', config: { url: testServers.mqttUrl, protocolVersion: 5 } },
          { id: 'amqp', kind: 'rabbitmq', config: { url: testServers.amqpUrl } },
          { id: 'kafka', kind: 'kafka', config: { brokers: [kafka] } },
        ],
        rules: [
          {
            id: 'all-sensors',
            sql: `SELECT * FROM "${sensors}"`,
            actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
          },
          {
            id: 'fanout',
            sql: `SELECT * FROM "${fanout}"`,
            actions: [
              { id: 'mqtt', connector: 'republish', config: { topic: `${ns.topicPrefix}out/mqtt` } },
              { id: 'rabbit', connector: 'amqp', config: { routingKey: queue } },
              { id: 'produce', connector: 'kafka', config: { topic: `traced-${ns.id}` } },
            ],
          },
        ],
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}

// One message through four processes (ingest, rules, delivery, gateway) with OTLP export on:
// the exported spans must form one trace, ingest -> rule -> delivery, continued by the target.
describe('tracing across the mesh: one trace per message', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const receiver = new OtlpReceiver();
  const kafka = new FakeKafkaBroker(1);
  const queue = `${ns.streamPrefix}traced`;
  const adminKey = 'e2e-admin-key-0123456789abcdef';
  const processes: SluiceProcess[] = [];
  let publisher: mqtt.MqttClient;
  let amqp: ChannelModel;
  let channel: Channel;
  let gateway: SluiceProcess;
  const republished: mqtt.IPublishPacket[] = [];

  const serviceEnv = async (pipelineFile: string) => ({
    SLUICE_BUS: 'nats',
    SLUICE_NATS_URL: testServers.natsUrl,
    SLUICE_BUS_NAMESPACE: ns.streamPrefix,
    ...smallStreamLimits,
    SLUICE_MQTT_URL: testServers.mqttUrl,
    SLUICE_PIPELINE_FILE: pipelineFile,
    SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
    SLUICE_HTTP_PORT: String(await freePort()),
    SLUICE_DELIVERY_BACKOFF_MS: '50',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    // why short: the test waits for spans, and the default export delay is 5 s
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });

  beforeAll(async () => {
    await target.start();
    await receiver.start();
    await kafka.start();
    amqp = await connect(testServers.amqpUrl);
    channel = await amqp.createChannel();
    await channel.assertQueue(queue, { durable: false });
    const pipelineFile = writeTracingPipeline(ns, target.url, kafka.address, queue);
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      processes.push(new SluiceProcess(service, await serviceEnv(pipelineFile)).start());
    }
    gateway = new SluiceProcess('gateway', {
      ...(await serviceEnv(pipelineFile)),
      SLUICE_DATABASE_URL: testServers.postgresUrl,
      SLUICE_DATABASE_SCHEMA: ns.pgSchema,
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
    }).start();
    processes.push(gateway);
    await Promise.all(processes.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    publisher.on('message', (_topic, _payload, packet) => republished.push(packet));
    await publisher.subscribeAsync(`${ns.topicPrefix}out/#`, { qos: 1 });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(processes.map((p) => p.stop()));
    await target.close();
    await receiver.close();
    await kafka.close();
    await channel?.deleteQueue(queue);
    await amqp?.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  /** Publishes one message and returns the HTTP request that delivered it and the spans of its trace. */
  async function followOne(device: string, userProperties?: Record<string, string>) {
    const topic = `${ns.topicPrefix}sensors/${device}`;
    await publisher.publishAsync(topic, JSON.stringify({ temp: 21.5 }), {
      qos: 1,
      properties: userProperties ? { userProperties } : undefined,
    });
    const request = await eventually(
      () => {
        const found = target.requests.find((r) => (JSON.parse(r.body) as { topic: string }).topic === topic);
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 15_000 },
    );
    const spans = await eventually(
      () => {
        const ingest = receiver.spans.filter((s) => s.name === `ingest ${topic}`);
        expect(ingest).toHaveLength(1);
        const traceId = ingest[0]!.traceId;
        const trace = receiver.spans.filter((s) => s.traceId === traceId);
        expect(trace.map((s) => s.service).sort()).toEqual([
          'sluice-delivery',
          'sluice-ingest',
          'sluice-rules',
        ]);
        return trace;
      },
      { timeoutMs: 15_000 },
    );
    const byService = (service: string) => spans.find((s) => s.service === service)!;
    return {
      topic,
      request,
      spans,
      ingest: byService('sluice-ingest'),
      rule: byService('sluice-rules'),
      deliver: byService('sluice-delivery'),
    };
  }

  it('links ingest -> rule -> delivery in one trace, and the target continues the delivery span', async () => {
    const { topic, request, ingest, rule, deliver } = await followOne('d1');

    expect(ingest.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ingest.parentSpanId).toBe('');
    expect(ingest.kind).toBe(SPAN_KIND_CONSUMER);
    expect(ingest.attributes).toMatchObject({
      'messaging.system': 'mqtt',
      'messaging.destination.name': topic,
      'sluice.tenant': `t${ns.id}`,
      'sluice.source': 'devices',
      'sluice.qos': 1,
    });

    expect(rule.name).toBe('rule all-sensors');
    expect(rule.kind).toBe(SPAN_KIND_INTERNAL);
    expect(rule.parentSpanId).toBe(ingest.spanId);
    expect(rule.attributes).toMatchObject({
      'sluice.tenant': `t${ns.id}`,
      'sluice.rule.id': 'all-sensors',
      'sluice.rule.passed': true,
      'sluice.rule.outputs': 1,
      'messaging.message.id': ingest.attributes['messaging.message.id'],
    });

    expect(deliver.name).toBe('deliver webhook');
    expect(deliver.kind).toBe(SPAN_KIND_PRODUCER);
    expect(deliver.parentSpanId).toBe(rule.spanId);
    expect(deliver.status).not.toBe(STATUS_CODE_ERROR);
    expect(deliver.attributes).toMatchObject({
      'sluice.connector.id': 'webhook',
      'sluice.action.id': 'post',
      'sluice.delivery.attempt': 1,
      'sluice.delivery.outcome': 'OK',
    });

    // W3C: version 00, the trace id, the parent (our delivery span), sampled
    expect(request.headers['traceparent']).toBe(`00-${ingest.traceId}-${deliver.spanId}-01`);
  });

  it("continues a device's traceparent sent as an MQTT 5 user property", async () => {
    const deviceTrace = randomBytes(16).toString('hex');
    const deviceSpan = randomBytes(8).toString('hex');
    const { request, ingest, rule, deliver } = await followOne('d2', {
      traceparent: `00-${deviceTrace}-${deviceSpan}-01`,
    });
    expect(ingest.traceId).toBe(deviceTrace);
    expect(ingest.parentSpanId).toBe(deviceSpan);
    expect(rule.parentSpanId).toBe(ingest.spanId);
    expect(deliver.parentSpanId).toBe(rule.spanId);
    expect(request.headers['traceparent']).toBe(`00-${deviceTrace}-${deliver.spanId}-01`);
  });

  it('gives each message its own trace', async () => {
    const first = await followOne('d3');
    const second = await followOne('d4');
    expect(second.ingest.traceId).not.toBe(first.ingest.traceId);
    expect(second.spans.map((s) => s.spanId)).not.toContain(first.deliver.spanId);
  });

  /** A fresh W3C parent as a caller would send it: its trace id, its span id and the header. */
  const callerParent = () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
  };

  it("continues an HTTP publish request's traceparent: gateway -> ingest -> rule -> delivery", async () => {
    const caller = callerParent();
    const topic = `${ns.topicPrefix}sensors/http-1`;
    const response = await fetch(`http://127.0.0.1:${gateway.port}/api/v5/publish`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`,
        'content-type': 'application/json',
        traceparent: caller.traceparent,
      },
      body: JSON.stringify({ topic, payload: '{"temp":5}', qos: 1 }),
    });
    expect(response.status).toBe(200);
    const spans = await eventually(
      () => {
        const trace = receiver.spans.filter((s) => s.traceId === caller.traceId);
        expect(trace.map((s) => s.service).sort()).toEqual([
          'sluice-delivery',
          'sluice-gateway',
          'sluice-ingest',
          'sluice-rules',
        ]);
        return trace;
      },
      { timeoutMs: 15_000 },
    );
    const byService = (service: string) => spans.find((s) => s.service === service)!;
    const publish = byService('sluice-gateway');
    expect(publish.name).toBe('POST /api/v5/publish');
    expect(publish.kind).toBe(SPAN_KIND_SERVER);
    expect(publish.parentSpanId).toBe(caller.spanId);
    expect(publish.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    const ingest = byService('sluice-ingest');
    expect(ingest.name).toBe(`ingest ${topic}`);
    expect(ingest.parentSpanId).toBe(publish.spanId);
    expect(byService('sluice-rules').parentSpanId).toBe(ingest.spanId);
    const deliver = byService('sluice-delivery');
    expect(deliver.parentSpanId).toBe(byService('sluice-rules').spanId);
    const request = await eventually(() => {
      const found = target.requests.find((r) => (JSON.parse(r.body) as { topic: string }).topic === topic);
      expect(found).toBeDefined();
      return found!;
    });
    expect(request.headers['traceparent']).toBe(`00-${caller.traceId}-${deliver.spanId}-01`);
  });

  it('names the GraphQL server span after the operation, as a child of the caller', async () => {
    const caller = callerParent();
    const response = await fetch(`http://127.0.0.1:${gateway.port}/graphql`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${adminKey}`,
        'content-type': 'application/json',
        traceparent: caller.traceparent,
      },
      body: JSON.stringify({ query: 'query TracedKinds { connectorKinds }' }),
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { data?: { connectorKinds: string[] } }).data?.connectorKinds,
    ).toContain('kafka');
    const span = await eventually(() => {
      const found = receiver.spans.filter((s) => s.traceId === caller.traceId);
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(span).toMatchObject({
      service: 'sluice-gateway',
      name: 'query TracedKinds',
      kind: SPAN_KIND_SERVER,
      parentSpanId: caller.spanId,
    });
    expect(span.status).not.toBe(STATUS_CODE_ERROR);
    expect(span.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'TracedKinds',
    });
  });

  it('carries each delivery span into MQTT 5 user properties, AMQP headers and Kafka headers', async () => {
    const topic = `${ns.topicPrefix}fanout/d9`;
    await publisher.publishAsync(topic, JSON.stringify({ temp: 9 }), { qos: 1 });
    const spans = await eventually(
      () => {
        const ingest = receiver.spans.filter((s) => s.name === `ingest ${topic}`);
        expect(ingest).toHaveLength(1);
        const trace = receiver.spans.filter((s) => s.traceId === ingest[0]!.traceId);
        expect(trace.map((s) => s.name).sort()).toEqual([
          'deliver amqp',
          'deliver kafka',
          'deliver republish',
          `ingest ${topic}`,
          'rule fanout',
        ]);
        return trace;
      },
      { timeoutMs: 15_000 },
    );
    const rule = spans.find((s) => s.name === 'rule fanout')!;
    /** The traceparent a target must get: the trace, and the delivery attempt's span as parent. */
    const expected = (connector: string) => {
      const deliver = spans.find((s) => s.name === `deliver ${connector}`)!;
      expect(deliver.parentSpanId).toBe(rule.spanId);
      expect(deliver.attributes['sluice.delivery.outcome']).toBe('OK');
      return `00-${rule.traceId}-${deliver.spanId}-01`;
    };

    const fromMosquitto = await eventually(() => {
      const packet = republished.find((p) => JSON.parse(p.payload.toString()).topic === topic);
      expect(packet).toBeDefined();
      return packet!;
    });
    expect(fromMosquitto.properties?.userProperties?.['traceparent']).toBe(expected('republish'));

    const fromRabbit = await eventually(async () => {
      const message = await channel.get(queue, { noAck: true });
      expect(message).not.toBe(false);
      return message as Exclude<typeof message, false>;
    });
    expect(JSON.parse(fromRabbit.content.toString())).toMatchObject({ topic });
    expect(String(fromRabbit.properties.headers?.['traceparent'])).toBe(expected('amqp'));

    const fromKafka = await eventually(() => {
      const record = kafka.records.find((r) => r.topic === `traced-${ns.id}`);
      expect(record).toBeDefined();
      return record!;
    });
    expect(fromKafka.headers['traceparent']).toBe(expected('kafka'));
  });
});
