import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import mqtt from 'mqtt';
import {
  deleteTestStreams,
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  smallStreamLimits,
  testNamespace,
  testServers,
  writeSkeletonPipeline,
} from '../support';

/** One span as an OTLP/HTTP JSON export carries it, with its service. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: number;
  attributes: Record<string, unknown>;
}

// OTLP enums (opentelemetry-proto trace.proto): SpanKind and Status.StatusCode
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_PRODUCER = 4;
const SPAN_KIND_CONSUMER = 5;
const STATUS_CODE_ERROR = 2;

/** A tiny OTLP/HTTP receiver: accepts JSON exports on /v1/traces and keeps their spans. */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  private server?: Server;
  port = 0;

  async start(): Promise<this> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
          this.collect(JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          res.writeHead(415).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  get tracesUrl(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private collect(body: OtlpExport): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service: String(resource['service.name']),
            traceId: hexId(span.traceId),
            spanId: hexId(span.spanId),
            parentSpanId: hexId(span.parentSpanId),
            name: span.name,
            kind: span.kind,
            status: span.status?.code ?? 0,
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
  }
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        status?: { code?: number };
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

function attributesOf(list: OtlpAttribute[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue;
  }
  return out;
}

// why both: OTLP/JSON specifies hex ids, older exporters sent base64
function hexId(id: string | undefined): string {
  if (!id) return '';
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

// One message through four processes (ingest, rules, delivery, gateway) with OTLP export on:
// the exported spans must form one trace, ingest -> rule -> delivery, continued by the target.
describe('tracing across the mesh: one trace per message', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const receiver = new OtlpReceiver();
  const processes: SluiceProcess[] = [];
  let publisher: mqtt.MqttClient;

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
    const pipelineFile = writeSkeletonPipeline(ns, target.url);
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      processes.push(new SluiceProcess(service, await serviceEnv(pipelineFile)).start());
    }
    processes.push(
      new SluiceProcess('gateway', {
        ...(await serviceEnv(pipelineFile)),
        SLUICE_DATABASE_URL: testServers.postgresUrl,
        SLUICE_DATABASE_SCHEMA: ns.pgSchema,
        SLUICE_ADMIN_KEY: 'e2e-admin-key-0123456789abcdef',
        SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
      }).start(),
    );
    await Promise.all(processes.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(processes.map((p) => p.stop()));
    await target.close();
    await receiver.close();
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
});
