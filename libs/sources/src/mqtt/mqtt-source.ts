import { isIP } from 'node:net';
import { EMQX_SYS_CLIENT_FILTERS } from '@sluice/rule-engine';
import { compileTopicPattern } from '../topic-pattern';
import { sumMetrics } from '../source-metrics';
import type {
  ConnectionMetrics,
  LoggerLike,
  MessageSink,
  SourceEvent,
  SourceLogger,
  SourceMetrics,
  SourceOptions,
  SourceStatus,
} from '../types';
import { IntakeConnection, type BrokerIntake } from './intake-connection';
import { MqttConnection } from './mqtt-connection';
import {
  parseMqttSourceConfig,
  type MqttSourceConfig,
  type MqttSourceConfigInput,
} from './mqtt-source.config';

export interface MqttSource {
  readonly config: MqttSourceConfig;
  /** Connects every connection; resolves once all subscribed (or after startTimeoutMs, still trying). */
  start(): Promise<void>;
  /** Stops taking messages, lets in-flight sinks finish and acks them, then disconnects. */
  stop(): Promise<void>;
  /**
   * Leaves for good: unsubscribes, stores and acks what the broker still sends until quiet for
   * `quietMs` (default 500), then ends the session, so the share group's others get its share.
   */
  retire(quietMs?: number): Promise<void>;
  status(): SourceStatus;
  metrics(): SourceMetrics;
  connectionMetrics(): ConnectionMetrics[];
}

export interface MqttSourceOptions extends SourceOptions {
  /**
   * The broker runs in this process (the embedded one): take its publishes from it directly,
   * acknowledged to their publishers only once stored, instead of subscribing over a socket.
   */
  intake?: BrokerIntake;
}

/**
 * An MQTT source: `connections` clients in the share group `shareGroup`, each handing what it
 * receives to `sink` and acknowledging a QoS 1/2 message only after `sink` resolved for it.
 *
 * @example
 * const source = createMqttSource(
 *   { id: 'plant', tenant: 'acme', url: 'mqtt://broker:1883', topics: [{ filter: 'sensors/#', qos: 1 }] },
 *   async (message) => { await store(message); },
 * );
 * await source.start();
 */
export function createMqttSource(
  input: MqttSourceConfigInput,
  sink: MessageSink,
  options: MqttSourceOptions = {},
): MqttSource {
  const config = parseMqttSourceConfig(input);
  const log = toSourceLogger(options.logger);
  const plain = config.shareGroup === null || config.shareGroup === false;
  if (plain && config.connections > 1 && !options.intake) {
    log.warn(
      `source ${config.tenant}/${config.id}: no share group, so one connection instead of ${config.connections}`,
    );
  }
  const count = plain ? 1 : config.connections;
  const prefix = config.clientIdPrefix ?? `sluice-${config.tenant}-${config.id}`;
  const extraction = {
    ...(config.mountpoint ? { mountpoint: config.mountpoint } : {}),
    ...(config.topicPattern ? { topicPattern: compileTopicPattern(config.topicPattern) } : {}),
    ...(config.userPropertyFields ? { userPropertyFields: config.userPropertyFields } : {}),
    ...(config.clientEvents ? { clientEvents: config.clientEvents } : {}),
  };
  const filters = config.topics.map((t) => ({ ...t, filter: `${config.mountpoint ?? ''}${t.filter}` }));
  // $SYS messages are published at QoS 0
  if (config.clientEvents) for (const filter of EMQX_SYS_CLIENT_FILTERS) filters.push({ filter, qos: 0 });
  const deps = (n: number) => ({
    config,
    clientId: options.intake ? `${prefix}-intake` : `${prefix}-${n}`,
    // the tenant's namespace on a shared broker: subscribed under it, taken off what arrives
    filters,
    sink,
    extraction,
    log,
    emit: (event: SourceEvent) => options.onEvent?.(event),
    ...(options.targets && { targets: options.targets }),
  });
  const intake = options.intake;
  const connections: (MqttConnection | IntakeConnection)[] = intake
    ? [new IntakeConnection(deps(0), intake)]
    : Array.from({ length: count }, (_, n) => new MqttConnection(deps(n)));
  let started = false;
  /** Why the target policy refused the broker's address, when it did. */
  let refused: string | undefined;

  return {
    config,
    async start() {
      if (started) return;
      started = true;
      // why only an address: a socket given an IP never calls its lookup, where names are checked
      // on every connection; an address does not change, so once at the start is enough
      const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
      if (options.targets && !options.intake && isIP(host)) {
        try {
          await options.targets.pinUrls(
            [config.url],
            MQTT_DEFAULT_PORTS[new URL(config.url).protocol] ?? 1883,
          );
        } catch (error) {
          refused = (error as Error).message;
          throw error;
        }
      }
      let timer: NodeJS.Timeout | undefined;
      const all = Promise.all(connections.map((c) => c.start()));
      try {
        const ready = await Promise.race([
          all.then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), config.startTimeoutMs))),
        ]);
        if (!ready) {
          log.warn(
            `source ${config.tenant}/${config.id}: not subscribed after ${config.startTimeoutMs} ms; still trying`,
          );
          all.catch(() => undefined);
        }
      } catch (error) {
        await Promise.all(connections.map((c) => c.stop()));
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      await Promise.all(connections.map((c) => c.stop()));
    },
    async retire(quietMs = 500) {
      // the embedded broker's in-process intake has no session to end
      await Promise.all(connections.map((c) => (c instanceof MqttConnection ? c.retire(quietMs) : c.stop())));
    },
    status() {
      if (refused) return { state: 'disconnected', reason: refused, connections: 0 };
      const states = connections.map((c) => c.status());
      const connected = states.filter((s) => s.state === 'connected').length;
      const state =
        connected === states.length
          ? 'connected'
          : started && states.some((s) => s.state === 'connecting')
            ? 'connecting'
            : connected > 0
              ? 'connecting'
              : 'disconnected';
      const reason = states.find((s) => s.reason !== undefined)?.reason;
      return reason === undefined || state === 'connected'
        ? { state, connections: connected }
        : { state, reason, connections: connected };
    },
    metrics: () => sumMetrics(connections.map((c) => c.metrics())),
    connectionMetrics: () => connections.map((c) => c.metrics()),
  };
}

const MQTT_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'mqtt:': 1883,
  'tcp:': 1883,
  'mqtts:': 8883,
  'ssl:': 8883,
  'ws:': 80,
  'wss:': 443,
};

function toSourceLogger(logger: LoggerLike | undefined): SourceLogger {
  if (!logger) return { info: () => undefined, warn: () => undefined, error: () => undefined };
  if ('info' in logger) return logger;
  return { info: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}
