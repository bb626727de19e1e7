import { ApolloServer } from '@apollo/server';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { graphqlTracingPlugin, initTracing, shutdownTracing, SpanKind, startSpan } from '@sluice/telemetry';
import { flushTracing, SpanStatusCode } from '../src/tracing';
import { httpServerSpans } from '../src/http/http-server-span';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../../../test/support';

// why: initTracing loads the OpenTelemetry SDK on first use (a process without tracing never
// needs its ~50 MiB); load it once here so no test's own timeout pays for it
// eslint-disable-next-line @typescript-eslint/no-require-imports
beforeAll(() => void require('@opentelemetry/sdk-node'), 60_000);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** A server behind the middleware that answers `?status=` and reports the span active in the handler. */
async function tracedServer(): Promise<{ server: Server; url: string }> {
  const middleware = httpServerSpans();
  const server = createServer((request, response) =>
    middleware(request, response, () => {
      const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
      const active = trace.getActiveSpan()?.spanContext();
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ traceId: active?.traceId ?? null, spanId: active?.spanId ?? null }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('HTTP server spans', () => {
  let server: Server;
  let url: string;
  // why one per test: shutting tracing down shuts the exporter down too
  let exporter: InMemorySpanExporter;

  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    ({ server, url } = await tracedServer());
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await shutdownTracing();
  });

  /** The finished spans once there are `count` (a span ends when the response closes). */
  const finished = (count: number) =>
    eventually(() => {
      expect(exporter.getFinishedSpans()).toHaveLength(count);
      return exporter.getFinishedSpans();
    });

  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`, {
      headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    });
    return { status: response.status, active: (await response.json()) as { traceId: string | null } };
  };

  it('starts no span and changes no context when tracing is off', async () => {
    initTracing('sluice-test');
    const { status, active } = await get('/api/v5/publish');
    expect(status).toBe(200);
    expect(active.traceId).toBeNull();
  });

  it("opens a SERVER span that continues the caller's traceparent and is active in the handler", async () => {
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { active } = await get('/api/v5/publish?token=x');
    const [span] = await finished(1);
    expect(span!.name).toBe('GET /api/v5/publish');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(active).toEqual({ traceId: TRACE_ID, spanId: span!.spanContext().spanId });
    expect(span!.attributes).toMatchObject({
      'url.path': '/api/v5/publish',
      'http.response.status_code': 200,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a 5xx answer as an error, and leaves a 4xx (the caller’s mistake) unset', async () => {
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    await get('/pub?status=503');
    await finished(1);
    await get('/pub?status=400');
    const [failed, refused] = await finished(2);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes['error.type']).toBe('503');
    expect(refused!.status.code).toBe(SpanStatusCode.UNSET);
    expect(refused!.attributes['http.response.status_code']).toBe(400);
  });
});

describe('GraphQL tracing plugin', () => {
  let exporter: InMemorySpanExporter;
  beforeEach(() => (exporter = new InMemorySpanExporter()));
  afterEach(() => shutdownTracing());

  const apollo = () =>
    new ApolloServer({
      typeDefs: 'type Query { ok: Int, boom: Int }',
      resolvers: {
        Query: {
          ok: () => 1,
          boom: () => {
            throw Object.assign(new Error('boom'), { code: 'BOOM_FAILED' });
          },
        },
      },
      plugins: [graphqlTracingPlugin()],
    });

  /** Runs `query` with a server span active, as the HTTP middleware leaves it, and returns that span. */
  async function run(query: string) {
    const server = apollo();
    const span = startSpan('POST /graphql', SpanKind.SERVER);
    await context.with(trace.setSpan(ROOT_CONTEXT, span), () => server.executeOperation({ query }));
    span.end();
    await server.stop();
    // why: the exporter waits for the resource's async attributes before it takes a span
    await flushTracing();
    return exporter.getFinishedSpans().at(-1)!;
  }

  it('names the span after the operation and records its type and name', async () => {
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = await run('query Fine { ok }');
    expect(span.name).toBe('query Fine');
    expect(span.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Fine',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks an operation that answered with errors as failed, with the error code', async () => {
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = await run('{ boom }');
    expect(span.name).toBe('query');
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.attributes['error.type']).toBe('BOOM_FAILED');
  });
});
