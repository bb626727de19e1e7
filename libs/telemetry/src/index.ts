export { SluiceMetrics } from './metrics';
export type { SourceConnectionMetrics, SourceConnectionSample } from './source-connection-metrics';
export { TelemetryModule } from './telemetry.module';
export {
  initTracing,
  shutdownTracing,
  flushTracing,
  tracingState,
  sluiceTracer,
  startSpan,
  endSpan,
  withSpan,
  SpanKind,
  SpanStatusCode,
} from './tracing';
export type { TracingOptions, TracingState, Context, Span } from './tracing';
export { extractTraceContext, injectTraceContext, spanCarrier } from './propagation/trace-carrier';
export type { HeaderMap, HeaderValue, TraceCarrier } from './propagation/trace-carrier';
export { extractFromUserProperties, injectIntoUserProperties } from './propagation/mqtt5';
export type { UserPropertyPairs } from './propagation/mqtt5';
export { createLogger, logLevelFromEnv, logFormatFromEnv } from './logger';
export type { LoggerOptions, SluiceLogFormat, SluiceLogLevel } from './logger';
export { NestJsonLogger } from './logger/nest-logger';
export { LogSampler } from './logger/log-sampler';
export { redactText, redactValue, REDACTED } from './logger/redact';
export { httpServerSpans } from './http/http-server-span';
export { HttpTracingModule } from './http/http-tracing.module';
export { graphqlTracingPlugin } from './http/graphql-tracing.plugin';
export { registerBusStateMetrics } from './bus-state-metrics';
export type { BusStateSource, ConsumerSample, StreamSample } from './bus-state-metrics';
