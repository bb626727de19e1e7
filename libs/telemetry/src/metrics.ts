import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceConnectionMetrics } from './source-connection-metrics';

/**
 * Every Sluice metric, on one registry per process (so the embedded mode shows all four services
 * on one `/metrics`). Names follow `sluice_<area>_<what>_<unit>` and Prometheus conventions.
 */
export class SluiceMetrics {
  readonly registry = new Registry();

  // ingest
  readonly sourceReceived = this.counter(
    'sluice_source_messages_received_total',
    'Messages received from a source',
    ['tenant', 'source', 'qos'],
  );
  readonly sourceStored = this.counter(
    'sluice_source_messages_stored_total',
    'Messages stored: in INGEST, or (embedded) once their rule outputs are in ACTIONS',
    ['tenant', 'source'],
  );
  readonly sourceDropped = this.counter(
    'sluice_source_messages_dropped_total',
    'Messages dropped by a source (QoS 0 only)',
    ['tenant', 'source', 'reason'],
  );
  readonly sourceStoreFailures = this.counter(
    'sluice_source_store_failures_total',
    'Attempts to store a message in INGEST that failed (retried for QoS 1/2)',
    ['tenant', 'source'],
  );

  readonly sourceUp = new Gauge<'tenant' | 'source' | 'kind'>({
    name: 'sluice_source_up',
    help: '1 while the source is connected and reading, 0 otherwise',
    labelNames: ['tenant', 'source', 'kind'],
    registers: [this.registry],
    // why read at scrape time: a source's state changes inside its client library, without an event here
    collect: () => {
      this.sourceUp.reset();
      for (const { labels, up } of this.sourceProbes.values()) this.sourceUp.set(labels, up() ? 1 : 0);
    },
  });
  private readonly sourceProbes = new Map<
    string,
    { labels: { tenant: string; source: string; kind: string }; up: () => boolean }
  >();

  /** Per connection of each source: `metrics.sourceConnections.track(...)` (source-connection-metrics.ts). */
  readonly sourceConnections = new SourceConnectionMetrics(this.registry);

  readonly busBatchMessages = new Histogram<'stream'>({
    name: 'sluice_bus_batch_messages',
    help: 'Messages per batch envelope stored in a stream (group commit: 1 means no batching)',
    labelNames: ['stream'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 100],
    registers: [this.registry],
  });

  // rules (EMQX names: matched, passed, failed, no_result)
  readonly ruleMatched = this.counter('sluice_rule_matched_total', 'Messages whose topic matched the rule', [
    'tenant',
    'rule',
  ]);
  readonly rulePassed = this.counter(
    'sluice_rule_passed_total',
    'Messages that passed the rule (WHERE true)',
    ['tenant', 'rule'],
  );
  readonly ruleFailed = this.counter('sluice_rule_failed_total', 'Rule evaluations that failed, by reason', [
    'tenant',
    'rule',
    'reason',
  ]);
  readonly ruleActions = this.counter('sluice_rule_actions_total', 'Action requests produced by rules', [
    'tenant',
    'rule',
  ]);
  readonly ingestUndecodable = this.counter(
    'sluice_rule_undecodable_messages_total',
    'INGEST messages that could not be decoded (dead-lettered)',
    [],
  );

  // delivery (EMQX names: success, failed, retried, dropped)
  readonly actionSuccess = this.counter(
    'sluice_action_success_total',
    'Action requests the target confirmed',
    ['tenant', 'connector', 'action'],
  );
  readonly actionFailed = this.counter(
    'sluice_action_failed_total',
    'Delivery attempts that failed, by error code',
    ['tenant', 'connector', 'action', 'code'],
  );
  readonly actionRetried = this.counter('sluice_action_retried_total', 'Delivery attempts scheduled again', [
    'tenant',
    'connector',
    'action',
  ]);
  readonly actionDeadLettered = this.counter(
    'sluice_action_dead_lettered_total',
    'Action requests written to the DLQ, by error code',
    ['tenant', 'connector', 'action', 'code'],
  );
  readonly actionInflight = this.gauge(
    'sluice_action_in_flight_requests',
    'Action requests being delivered now',
    ['tenant', 'connector', 'action'],
  );
  readonly actionLatency = new Histogram({
    name: 'sluice_action_latency_seconds',
    help: 'Time from rule output to target confirmation',
    labelNames: ['tenant', 'connector'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly actionMatched = this.counter(
    'sluice_action_matched_total',
    'Action requests taken from ACTIONS for delivery (first attempt)',
    ['tenant', 'connector', 'action'],
  );
  readonly actionDropped = this.counter(
    'sluice_action_dropped_total',
    'Action requests given up without delivery or dead letter, by reason (EMQX dropped.<reason>)',
    ['tenant', 'connector', 'action', 'reason'],
  );
  readonly actionQueuing = this.gauge(
    'sluice_action_queuing',
    'Action requests held by delivery, waiting for a batch or a paused circuit',
    ['tenant', 'connector', 'action'],
  );
  readonly actionQueueBacklog = this.gauge(
    'sluice_action_queue_backlog',
    'Requests in a bounded action queue (its ACTIONS consumer backlog) as the rules stage estimates it',
    ['tenant', 'connector'],
  );
  readonly actionQueueBackpressure = this.counter(
    'sluice_action_queue_backpressure_total',
    'Requests held back because their action queue was full (overflow policy backpressure)',
    ['tenant', 'connector'],
  );
  readonly actionLateReply = this.counter(
    'sluice_action_late_reply_total',
    'Answers from a target that came after the delivery timeout',
    ['tenant', 'connector', 'action'],
  );
  readonly actionFallback = this.counter(
    'sluice_action_fallback_total',
    'Action requests handed to a fallback action after the action gave up',
    ['tenant', 'connector', 'action'],
  );
  readonly connectorCircuitOpen = this.gauge(
    'sluice_connector_circuit_open',
    '1 while the connector circuit breaker pauses deliveries (open or half-open)',
    ['tenant', 'connector'],
  );
  readonly connectorUp = new Gauge<'tenant' | 'connector' | 'kind'>({
    name: 'sluice_connector_up',
    help: '1 while the connector is connected and its circuit closed (delivery results count), 0 otherwise',
    labelNames: ['tenant', 'connector', 'kind'],
    registers: [this.registry],
    // why read at scrape time: it was set only when /health/ready was asked, so a Prometheus that
    // scrapes /metrics alone saw no value, or a stale one
    collect: () => {
      this.connectorUp.reset();
      for (const { labels, up } of this.connectorProbes.values()) this.connectorUp.set(labels, up() ? 1 : 0);
    },
  });
  private readonly connectorProbes = new Map<
    string,
    { labels: { tenant: string; connector: string; kind: string }; up: () => boolean }
  >();

  // HTTP APIs (gateway: GraphQL and the publish API)
  readonly httpRequests = this.counter(
    'sluice_http_requests_total',
    'HTTP requests answered, by API, method and status (429: rate limited)',
    ['api', 'method', 'status'],
  );
  readonly httpRequestDuration = new Histogram<'api'>({
    name: 'sluice_http_request_duration_seconds',
    help: 'Time from an HTTP request to its response, by API',
    labelNames: ['api'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Always 1; the labels say which build runs (join on `instance` to compare versions in a rollout). */
  readonly buildInfo = this.gauge(
    'sluice_build_info',
    'Which Sluice build runs: version and Node.js version',
    ['version', 'node'],
  );

  constructor(options: { defaultMetrics?: boolean; version?: string } = {}) {
    // why no prefix: stock Node.js dashboards and alerts look for process_* and nodejs_*
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set({ version: options.version ?? packageVersion(), node: process.versions.node }, 1);
  }

  /**
   * Reports `sluice_source_up` for a source from `up` at every scrape, until the returned
   * function is called (when the source stops).
   *
   * @example const untrack = metrics.trackSource('acme', 'devices', 'mqtt', () => source.status().state === 'connected');
   */
  trackSource(tenant: string, source: string, kind: string, up: () => boolean): () => void {
    const key = `${tenant}\u0000${source}`;
    const probe = { labels: { tenant, source, kind }, up };
    this.sourceProbes.set(key, probe);
    return () => {
      if (this.sourceProbes.get(key) === probe) this.sourceProbes.delete(key);
    };
  }

  /**
   * Reports `sluice_connector_up` for a connector from `up` at every scrape, until the returned
   * function is called (when the connector is retired).
   *
   * @example const untrack = metrics.trackConnector('acme', 'api', 'http', () => stage.connectorHealth(handle).up);
   */
  trackConnector(tenant: string, connector: string, kind: string, up: () => boolean): () => void {
    const key = `${tenant}\u0000${connector}`;
    const probe = { labels: { tenant, connector, kind }, up };
    this.connectorProbes.set(key, probe);
    return () => {
      if (this.connectorProbes.get(key) === probe) this.connectorProbes.delete(key);
    };
  }

  private readonly flushers = new Set<() => void>();

  /**
   * Registers `flush`, run before the metrics are read ({@link render}, {@link flush}): for counts
   * a hot path adds up and hands over once per turn, so a read never misses them.
   */
  beforeRead(flush: () => void): void {
    this.flushers.add(flush);
  }

  /** Hands over what hot paths have added up but not yet counted; call before reading metric values. */
  flush(): void {
    for (const flush of this.flushers) flush();
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<string> {
    this.flush();
    return this.registry.metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }
}

/** The version in the package.json this code runs from (source or dist), `unknown` when not found. */
function packageVersion(): string {
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let dir = start, i = 0; i < 6; i++, dir = join(dir, '..')) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'sluice' && pkg.version) return pkg.version;
    } catch {
      // not here: one level up
    }
  }
  return 'unknown';
}
