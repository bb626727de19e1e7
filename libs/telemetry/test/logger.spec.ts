import { ConsoleLogger, Logger } from '@nestjs/common';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  createLogger,
  extractTraceContext,
  initTracing,
  NestJsonLogger,
  shutdownTracing,
  SpanKind,
  startSpan,
  withSpan,
} from '@sluice/telemetry';
import { logFormatFromEnv, logLevelFromEnv, type LoggerOptions } from '../src/logger';

// why: initTracing loads the OpenTelemetry SDK on first use (a process without tracing never
// needs its ~50 MiB); load it once here so no test's own timeout pays for it
// eslint-disable-next-line @typescript-eslint/no-require-imports
beforeAll(() => void require('@opentelemetry/sdk-node'), 60_000);

function collecting(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    format: 'json',
    service: 'rules',
    ...options,
    destination: { write: (l) => void lines.push(l) },
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('JSON logs', () => {
  it('writes one JSON object per line with level name, ISO time, service and message', () => {
    const { logger, lines, entries } = collecting();
    logger.info({ rule: 'r1' }, 'rule loaded');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const [entry] = entries();
    expect(entry).toMatchObject({
      level: 'info',
      service: 'rules',
      pid: process.pid,
      rule: 'r1',
      msg: 'rule loaded',
    });
    expect(new Date(entry?.['time'] as string).toISOString()).toBe(entry?.['time']);
    expect(entry).not.toHaveProperty('trace_id');
  });

  it('writes only lines at or above the level, with Nest level names mapped', () => {
    const { logger, entries } = collecting({ level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    logger.error('shown too');
    expect(entries().map((e) => e['level'])).toEqual(['warn', 'error']);
    const verbose = collecting({ level: 'verbose' });
    verbose.logger.trace('very detailed');
    expect(verbose.entries().map((e) => e['level'])).toEqual(['trace']);
  });

  it('reads SLUICE_LOG_LEVEL and SLUICE_LOG_FORMAT, json when not at a terminal', () => {
    expect(logLevelFromEnv({ SLUICE_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(logLevelFromEnv({ SLUICE_LOG_LEVEL: 'loud' })).toBe('log');
    expect(logLevelFromEnv({})).toBe('log');
    expect(logFormatFromEnv({}, false)).toBe('json');
    expect(logFormatFromEnv({}, true)).toBe('pretty');
    expect(logFormatFromEnv({ SLUICE_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFromEnv({ SLUICE_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('masks fields named like secrets at any depth, and credentials in URLs and messages', () => {
    const { logger, entries } = collecting();
    const config = {
      password: 'p4ss',
      nested: { apiKey: 'k3y', access_token: 't0k', clientSecret: 's3c', key: 'k', name: 'ok', keys: 3 },
      list: [{ Authorization: 'Bearer abc' }],
      url: 'postgres://sluice:hunter2@127.0.0.1:5432/db',
    };
    logger.info(config, 'connecting to amqp://guest:guest@127.0.0.1:5672 with password=letmein');
    const [entry] = entries();
    expect(entry).toMatchObject({
      password: '[REDACTED]',
      nested: {
        apiKey: '[REDACTED]',
        access_token: '[REDACTED]',
        clientSecret: '[REDACTED]',
        key: '[REDACTED]',
        name: 'ok',
        keys: 3,
      },
      list: [{ Authorization: '[REDACTED]' }],
      url: 'postgres://sluice:[REDACTED]@127.0.0.1:5432/db',
      msg: 'connecting to amqp://guest:[REDACTED]@127.0.0.1:5672 with password=[REDACTED]',
    });
    const text = JSON.stringify(entry);
    for (const secret of ['p4ss', 'k3y', 't0k', 's3c', 'Bearer', 'hunter2', 'letmein'])
      expect(text).not.toContain(secret);
    expect(config.password).toBe('p4ss');
  });

  it('pretty format writes one readable line per entry, with context and fields', () => {
    let out = '';
    const logger = createLogger({ format: 'pretty', destination: { write: (l) => void (out += l) } });
    logger.warn({ context: 'Bus', connector: 'c1', password: 'x' }, 'reconnecting');
    expect(out).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[Bus\] reconnecting connector=c1 password=\[REDACTED\]\n$/,
    );
  });
});

describe('trace ids in logs', () => {
  afterEach(() => shutdownTracing());

  it('adds trace_id and span_id of the active span, and nothing outside it', () => {
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    const { logger, entries } = collecting();
    const parent = extractTraceContext({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const span = startSpan('deliver c1', SpanKind.PRODUCER, parent);
    withSpan(span, () => logger.warn('target slow'));
    logger.info('after');
    span.end();
    const [inside, outside] = entries();
    expect(inside).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: span.spanContext().spanId,
    });
    expect(inside?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
    expect(inside?.['span_id']).not.toBe('00f067aa0ba902b7');
    expect(outside).not.toHaveProperty('trace_id');
  });
});

describe('NestJsonLogger', () => {
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('turns Nest calls into JSON with context and stack', () => {
    const { logger, entries } = collecting({ level: 'verbose' });
    const nest = new NestJsonLogger(logger);
    nest.log('listening', 'NestApplication');
    nest.error('boom', 'Error: boom\n    at f (file.ts:1:1)', 'Delivery');
    nest.error('no stack', undefined, 'Delivery');
    nest.warn({ connector: 'c1', token: 'abc' }, 'Delivery');
    nest.verbose('detail');
    nest.error(new Error('from an error'));
    const [log, withStack, noStack, object, verbose, error] = entries();
    expect(log).toMatchObject({ level: 'info', msg: 'listening', context: 'NestApplication' });
    expect(withStack).toMatchObject({
      level: 'error',
      msg: 'boom',
      context: 'Delivery',
      stack: 'Error: boom\n    at f (file.ts:1:1)',
    });
    expect(noStack).toMatchObject({ level: 'error', msg: 'no stack', context: 'Delivery' });
    expect(noStack).not.toHaveProperty('stack');
    expect(object).toMatchObject({
      level: 'warn',
      connector: 'c1',
      token: '[REDACTED]',
      context: 'Delivery',
    });
    expect(verbose).toMatchObject({ level: 'trace', msg: 'detail' });
    expect(verbose).not.toHaveProperty('context');
    expect(error).toMatchObject({ level: 'error', msg: 'from an error', err: { message: 'from an error' } });
  });

  it('receives the lines of every `new Logger(context)` once Nest uses it', () => {
    const { logger, entries } = collecting();
    Logger.overrideLogger(new NestJsonLogger(logger));
    new Logger('Bus').log('connected to nats://127.0.0.1:4222');
    new Logger('Bus').error('lost', 'Error: lost\n    at x (y.ts:2:2)');
    expect(entries()).toMatchObject([
      { level: 'info', context: 'Bus', msg: 'connected to nats://127.0.0.1:4222' },
      { level: 'error', context: 'Bus', msg: 'lost', stack: 'Error: lost\n    at x (y.ts:2:2)' },
    ]);
  });

  it('skips lines below the level and follows setLogLevels', () => {
    const { logger, entries } = collecting({ level: 'log' });
    const nest = new NestJsonLogger(logger);
    nest.debug('hidden');
    nest.setLogLevels(['error', 'warn']);
    nest.log('hidden too');
    nest.warn('shown');
    expect(entries().map((e) => e['msg'])).toEqual(['shown']);
  });
});
