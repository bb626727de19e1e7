import type { ConnectionOptions, ConsumerMessages, JsMsg, Msg, NatsConnection, Subscription } from 'nats';
import { backoffDelayMs } from '@sluice/backoff';
import { emptyMetrics } from '../source-metrics';
import { toSourceLogger } from '../source-logger';
import type { Source } from '../source';
import type { MessageSink, SourceMetrics, SourceOptions, SourceState, SourceStatus } from '../types';
import { natsMessageToIngested, type NatsMessageParts } from './nats-msg-to-message';
import {
  parseNatsSourceConfig,
  type NatsSourceConfig,
  type NatsSourceConfigInput,
} from './nats-source.config';

/** How long the server waits before it redelivers a message the sink rejected: 100 ms doubling to 5 s. */
const NAK_BACKOFF = { baseMs: 100, maxMs: 5_000, jitter: false };
type NatsDriver = typeof import('nats');
let driver: NatsDriver | undefined;
/** nats.js, loaded with the first source of this kind (docs/architecture.md, "Memory"). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first source of its kind (docs/architecture.md, "Memory")
const nats = (): NatsDriver => (driver ??= require('nats') as NatsDriver);

export interface NatsSource extends Source {
  readonly config: NatsSourceConfig;
}

/**
 * A NATS source. With `jetstream`: a durable pull consumer, each message acked only after `sink`
 * resolved for it (a rejection naks it with backoff, so the server redelivers it). Without: core
 * subscriptions, at-most-once; what the sink rejects or what arrives beyond `maxInFlight` is counted
 * as dropped.
 *
 * @example
 * const source = createNatsSource(
 *   { id: 'n', tenant: 'acme', servers: ['nats://127.0.0.1:4222'], subjects: ['sensors.>'],
 *     jetstream: { stream: 'SENSORS', durable: 'sluice' } },
 *   async (message) => { await store(message); },
 * );
 * await source.start();
 */
export function createNatsSource(
  input: NatsSourceConfigInput,
  sink: MessageSink,
  options: SourceOptions = {},
): NatsSource {
  const config = parseNatsSourceConfig(input);
  const log = toSourceLogger(options.logger);
  const emit = options.onEvent ?? (() => undefined);
  const name = `sluice-${config.tenant}-${config.id}`;
  const metrics = emptyMetrics();
  let nc: NatsConnection | undefined;
  let consumed: ConsumerMessages | undefined;
  let reading: Promise<void> | undefined;
  const subscriptions: Subscription[] = [];
  let state: SourceState = 'disconnected';
  let reason: string | undefined;
  let stopping = false;
  let drained: (() => void) | undefined;
  let capacity: (() => void) | undefined;

  function settled(): void {
    metrics.inFlight -= 1;
    capacity?.();
    capacity = undefined;
    if (metrics.inFlight === 0) drained?.();
  }

  function received(parts: NatsMessageParts): ReturnType<typeof natsMessageToIngested> {
    const message = natsMessageToIngested(config, parts, Date.now());
    metrics.received += 1;
    metrics.byQos[message.qos].received += 1;
    metrics.bytes += parts.subject.length + parts.data.byteLength;
    return message;
  }

  function onCoreMessage(error: Error | null, msg: Msg): void {
    if (error) {
      log.warn(`source ${config.tenant}/${config.id}: subscription error: ${error.message}`);
      return;
    }
    const message = received({
      subject: msg.subject,
      data: msg.data,
      ...(msg.headers ? { headers: msg.headers } : {}),
    });
    const drop = (why: 'overload' | 'sink-failed' | 'stopping') => {
      metrics.dropped += 1;
      metrics.droppedByReason[why] += 1;
      emit({ type: 'dropped', clientId: name, reason: why, topic: message.topic });
    };
    if (stopping) return drop('stopping');
    // Core NATS cannot be told to wait; beyond the limit a message is dropped, and counted.
    if (metrics.inFlight >= config.maxInFlight) return drop('overload');
    metrics.inFlight += 1;
    sink(message).then(
      () => {
        metrics.stored += 1;
        metrics.byQos[0].stored += 1;
        settled();
      },
      (error: unknown) => {
        metrics.sinkFailures += 1;
        emit({ type: 'sink-failed', clientId: name, messageId: message.id, qos: 0, error, attempt: 1 });
        drop('sink-failed');
        settled();
      },
    );
  }

  function onJetStreamMessage(msg: JsMsg): void {
    const { info } = msg;
    const message = received({
      subject: msg.subject,
      data: msg.data,
      ...(msg.headers ? { headers: msg.headers } : {}),
      stream: {
        name: info.stream,
        sequence: info.streamSequence,
        timestampMs: Math.floor(info.timestampNanos / 1e6),
        redelivered: info.redelivered,
      },
    });
    metrics.inFlight += 1;
    sink(message).then(
      () => {
        metrics.stored += 1;
        metrics.byQos[1].stored += 1;
        if (ack(() => msg.ack())) metrics.acked += 1;
        settled();
      },
      (error: unknown) => {
        metrics.sinkFailures += 1;
        emit({
          type: 'sink-failed',
          clientId: name,
          messageId: message.id,
          qos: 1,
          error,
          attempt: info.deliveryCount,
        });
        // The server redelivers it (same stream sequence, so the same id) after the backoff.
        ack(() => msg.nak(backoffDelayMs(info.deliveryCount, NAK_BACKOFF)));
        settled();
      },
    );
  }

  /** After a stop that timed out the connection is closed; the server redelivers what we could not ack. */
  function ack(send: () => void): boolean {
    try {
      send();
      return true;
    } catch {
      return false;
    }
  }

  async function readJetStream(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      onJetStreamMessage(msg);
      // Not taking the next message holds the pull consumer back (it pulls again only as we take).
      while (metrics.inFlight >= config.maxInFlight && !stopping) {
        await new Promise<void>((resolve) => (capacity = resolve));
      }
    }
  }

  async function openConsumer(connection: NatsConnection): Promise<ConsumerMessages> {
    const js = config.jetstream!;
    if (js.create) {
      const jsm = await connection.jetstreamManager();
      const exists = await jsm.consumers.info(js.stream, js.durable).then(
        () => true,
        (error: { code?: string }) => {
          if (error.code === '404') return false;
          throw error;
        },
      );
      if (!exists) {
        await jsm.consumers.add(js.stream, {
          durable_name: js.durable,
          ack_policy: nats().AckPolicy.Explicit,
          deliver_policy: js.deliverPolicy === 'all' ? nats().DeliverPolicy.All : nats().DeliverPolicy.New,
          ack_wait: js.ackWaitMs * 1_000_000,
          max_ack_pending: config.maxInFlight,
          ...(config.subjects.length === 1
            ? { filter_subject: config.subjects[0] }
            : { filter_subjects: config.subjects }),
        });
      }
    }
    const consumer = await connection.jetstream().consumers.get(js.stream, js.durable);
    return consumer.consume({ max_messages: Math.min(config.maxInFlight, 1000) });
  }

  async function watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === nats().Events.Disconnect) {
        state = 'connecting';
        reason = 'disconnected';
        emit({ type: 'disconnected', clientId: name, reason });
      } else if (status.type === nats().Events.Reconnect) {
        state = 'connected';
        reason = undefined;
        metrics.reconnects += 1;
        emit({ type: 'connected', clientId: name, sessionPresent: true });
      }
    }
  }

  return {
    config,
    async start() {
      if (nc) return;
      state = 'connecting';
      // why pinned for a tenant's source: nats.js resolves names itself (again on each reconnect)
      // and takes no lookup; it gets the addresses the policy checked (DNS rebinding) and never
      // dials the servers a cluster advertises (INFO connect_urls), which nothing would check
      let pinned: { urls: string[]; servername?: string } | undefined;
      try {
        pinned = await options.targets?.pinUrls(config.servers, 4222);
      } catch (error) {
        state = 'disconnected';
        reason = (error as Error).message;
        throw error;
      }
      const tls =
        config.tls && pinned?.servername ? { ...config.tls, servername: pinned.servername } : config.tls;
      const connectionOptions: ConnectionOptions = {
        servers: pinned ? pinned.urls : config.servers,
        ...(pinned && { ignoreClusterUpdates: true }),
        name,
        maxReconnectAttempts: -1,
        ...(config.user !== undefined ? { user: config.user } : {}),
        ...(config.pass !== undefined ? { pass: config.pass } : {}),
        ...(config.token !== undefined ? { token: config.token } : {}),
        ...(tls ? { tls } : {}),
      };
      try {
        nc = await nats().connect(connectionOptions);
        void watchStatus(nc);
        if (config.jetstream) {
          consumed = await openConsumer(nc);
          reading = readJetStream(consumed).catch((error: Error) => {
            log.error(`source ${config.tenant}/${config.id}: JetStream consumer stopped: ${error.message}`);
            state = 'disconnected';
            reason = error.message;
          });
        } else {
          const queue = config.queueGroup === undefined ? name : config.queueGroup;
          for (const subject of config.subjects) {
            subscriptions.push(
              nc.subscribe(subject, { callback: onCoreMessage, ...(queue ? { queue } : {}) }),
            );
          }
          await nc.flush();
        }
      } catch (error) {
        state = 'disconnected';
        reason = (error as Error).message;
        await nc?.close();
        nc = undefined;
        throw error;
      }
      state = 'connected';
      reason = undefined;
      emit({ type: 'connected', clientId: name, sessionPresent: config.jetstream !== undefined });
      emit({ type: 'subscribed', clientId: name, filters: config.subjects });
    },
    async stop() {
      if (!nc || stopping) return;
      stopping = true;
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
      if (consumed) await consumed.close();
      capacity?.();
      if (metrics.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, config.drainTimeoutMs))),
        ]);
        clearTimeout(timer);
      }
      await reading;
      // drain() flushes the acks still buffered before it closes.
      await nc.drain();
      nc = undefined;
      state = 'disconnected';
    },
    status(): SourceStatus {
      const connections = state === 'connected' ? 1 : 0;
      return reason === undefined || state === 'connected'
        ? { state, connections }
        : { state, reason, connections };
    },
    metrics: (): SourceMetrics => structuredClone(metrics),
  };
}
