import { redactUrlCredentials } from '@sluice/config';
import {
  connect,
  DebugEvents,
  Events,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type {
  BatchingDefaults,
  Bus,
  BusHealth,
  Consumption,
  ConsumerBacklog,
  ConsumerOptions,
  MessageHandler,
  PublishOptions,
  StreamName,
  StreamStats,
  ConsumerStats,
  StoredBusMessage,
} from '../bus';
import type { BusConfig } from '../bus.config';
import { silentLogger, type BusLogger } from '../bus-logger';
import { BusUnavailableError, NoStreamForSubjectError } from '../errors';
import { streamLimits } from '../stream-limits';
import { STREAM_NAMES, type Subjects } from '../subjects';
import { ensureDurable, ensureStream, toStreamConfig } from './jetstream-setup';
import { JetStreamConsumption } from './jetstream-consumption';
import { flushOncePerTurn } from './flush-per-turn';
import { natsLogin } from './nats-login';
import { MSG_ID_HEADER } from './jetstream-message';
import { pubAckError } from './pub-ack';
import { ReplyWindow } from './reply-window';
import { deleteStoredMessage, readStoredMessage, readStoredMessages } from './stored-messages';

export interface JetStreamBusOptions {
  /**
   * false: use the streams as they are, without creating them or changing their limits (a tool
   * such as `sluice dlq`, which must not impose its own settings on a running mesh).
   */
  setupStreams?: boolean;
}
import { retryJetStreamSetup } from './setup-retry';

const MAX_RECONNECT_DELAY_MS = 5_000;
const ACK_WINDOW = 1 << 20;
const CONSUMER_NOT_FOUND = 10014;
/** How long stream and consumer setup is retried while the cluster answers it transiently. */
const SETUP_RETRY_MS = 60_000;

/**
 * The mesh's bus: NATS JetStream streams INGEST, ACTIONS and DLQ, durable pull consumers, and core
 * NATS for notifications. Reconnects forever; while disconnected, `health()` is down and publishes
 * fail at once with BUS_UNAVAILABLE (the caller keeps the message and retries).
 */
export class JetStreamBus implements Bus {
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private window?: ReplyWindow;
  private acks?: ReplyWindow;
  private readonly consumptions = new Set<JetStreamConsumption>();
  private connected = false;
  private closed = false;
  private detail = 'not started';
  private reconnectAttempts = 0;

  constructor(
    private readonly config: BusConfig,
    private readonly subjects: Subjects,
    private readonly logger: BusLogger = silentLogger,
    private readonly options: JetStreamBusOptions = {},
  ) {}

  get batching(): BatchingDefaults {
    return { lingerMs: this.config.SLUICE_BUS_BATCH_LINGER_MS };
  }

  async start(): Promise<void> {
    if (this.closed) throw new BusUnavailableError('the bus is closed');
    if (this.nc) return;
    const login = natsLogin(this.config);
    const servers = login.servers.map(redactUrlCredentials);
    try {
      this.nc = await connect({
        ...login,
        name: `sluice-${process.pid}`,
        maxReconnectAttempts: -1,
        // why: capped exponential backoff with jitter, so a fleet does not reconnect in lockstep
        reconnectDelayHandler: () => {
          const ceiling = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** this.reconnectAttempts++);
          return ceiling / 2 + Math.random() * (ceiling / 2);
        },
        noAsyncTraces: true,
      });
    } catch (error) {
      this.detail = `cannot connect to NATS at ${servers.join(', ')}`;
      throw new BusUnavailableError(`${this.detail}: ${(error as Error).message}`, { cause: error });
    }
    flushOncePerTurn(this.nc);
    this.connected = true;
    this.detail = `connected to ${this.nc.getServer()}`;
    void this.watchStatus(this.nc);
    try {
      this.jsm = await this.nc.jetstreamManager();
      this.js = this.nc.jetstream();
      for (const name of this.options.setupStreams === false ? [] : STREAM_NAMES) {
        const config = toStreamConfig(this.subjects, name, streamLimits(this.config, name));
        await retryJetStreamSetup(() => ensureStream(this.jsm!, config), SETUP_RETRY_MS);
      }
    } catch (error) {
      await this.nc.close();
      this.connected = false;
      throw error instanceof BusUnavailableError
        ? error
        : new BusUnavailableError(`JetStream is not available: ${(error as Error).message}`, {
            cause: error,
          });
    }
    const connected = () => this.connected;
    const timeoutMs = this.config.SLUICE_BUS_PUBLISH_TIMEOUT_MS;
    this.window = new ReplyWindow(this.nc, this.config.SLUICE_BUS_PUBLISH_WINDOW, timeoutMs, connected);
    // acks are already bounded by each consumer's maxAckPending; the window only needs to be wide
    this.acks = new ReplyWindow(this.nc, ACK_WINDOW, timeoutMs, connected);
    this.window.start();
    this.acks.start();
    this.logger.log(
      `bus: ${this.detail}, streams ${STREAM_NAMES.map((n) => this.subjects.stream(n)).join(', ')}`,
    );
  }

  publish(subject: string, data: Uint8Array, options: PublishOptions): Promise<void> {
    if (!this.window || this.closed) return Promise.reject(new BusUnavailableError(this.unavailableReason()));
    if (!this.connected)
      return Promise.reject(new BusUnavailableError(`NATS is disconnected (${this.detail})`));
    if (!this.subjects.streamOf(subject)) return Promise.reject(new NoStreamForSubjectError(subject));
    const hdrs = natsHeaders();
    hdrs.set(MSG_ID_HEADER, options.msgId);
    if (options.headers) for (const key in options.headers) hdrs.set(key, options.headers[key]!);
    return this.window.request(subject, data, hdrs).then((reply) => {
      const error = pubAckError(subject, reply);
      if (error) throw error;
    });
  }

  async consume(options: ConsumerOptions, handler: MessageHandler): Promise<Consumption> {
    if (!this.js || !this.jsm || !this.acks || this.closed)
      throw new BusUnavailableError(this.unavailableReason());
    const stream = this.subjects.stream(options.stream);
    const durable = this.subjects.durable(options.durable);
    const maxAckPending = options.maxAckPending ?? this.config.SLUICE_BUS_MAX_ACK_PENDING;
    const jsm = this.jsm;
    const settings = {
      stream,
      durable,
      filterSubject: options.filterSubject,
      ackWaitMs: options.ackWaitMs ?? this.config.SLUICE_BUS_ACK_WAIT_MS,
      maxAckPending,
      maxDeliver: options.maxDeliver ?? this.config.SLUICE_BUS_MAX_DELIVER,
    };
    await retryJetStreamSetup(() => ensureDurable(jsm, settings), SETUP_RETRY_MS);
    const consumption = new JetStreamConsumption(
      this.js,
      stream,
      durable,
      maxAckPending,
      handler,
      this.logger,
      this.acks,
      this.config.SLUICE_BUS_PULL_EXPIRES_MS,
    );
    await retryJetStreamSetup(() => consumption.start(), SETUP_RETRY_MS);
    this.consumptions.add(consumption);
    return {
      stop: async () => {
        this.consumptions.delete(consumption);
        await consumption.stop();
      },
    };
  }

  notify(subject: string, data: Uint8Array): Promise<void> {
    if (!this.nc || this.closed) return Promise.reject(new BusUnavailableError(this.unavailableReason()));
    if (!this.connected)
      return Promise.reject(new BusUnavailableError(`NATS is disconnected (${this.detail})`));
    this.nc.publish(subject, data);
    return Promise.resolve();
  }

  onNotify(subject: string, handler: (data: Uint8Array, subject: string) => void): () => void {
    if (!this.nc) throw new BusUnavailableError(this.unavailableReason());
    const subscription = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        try {
          handler(msg.data, msg.subject);
        } catch (handlerError) {
          this.logger.error(`notification handler for ${msg.subject} failed: ${String(handlerError)}`);
        }
      },
    });
    return () => subscription.unsubscribe();
  }

  health(): BusHealth {
    return this.connected && !this.closed
      ? { status: 'up', detail: this.detail }
      : { status: 'down', detail: this.detail };
  }

  async streamStats(name: StreamName): Promise<StreamStats> {
    if (!this.jsm) throw new BusUnavailableError(this.unavailableReason());
    const info = await this.jsm.streams.info(this.subjects.stream(name));
    return {
      messages: info.state.messages,
      bytes: info.state.bytes,
      maxMessages: info.config.max_msgs,
      maxBytes: info.config.max_bytes,
    };
  }

  async consumerStats(name: StreamName): Promise<ConsumerStats[]> {
    if (!this.jsm) throw new BusUnavailableError(this.unavailableReason());
    const stats: ConsumerStats[] = [];
    for await (const info of this.jsm.consumers.list(this.subjects.stream(name))) {
      stats.push({
        name: info.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
        delivered: info.delivered.consumer_seq,
        acknowledged: info.ack_floor.consumer_seq,
      });
    }
    return stats;
  }

  async consumerBacklog(name: StreamName, durable: string): Promise<ConsumerBacklog | undefined> {
    if (!this.jsm) throw new BusUnavailableError(this.unavailableReason());
    try {
      const info = await this.jsm.consumers.info(this.subjects.stream(name), this.subjects.durable(durable));
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    } catch (error) {
      // why by code: JetStream answers 10014 for a consumer that does not exist (not created yet)
      if ((error as { api_error?: { err_code?: number } }).api_error?.err_code === CONSUMER_NOT_FOUND)
        return undefined;
      throw error;
    }
  }

  storedMessages(name: StreamName, filterSubject: string, limit: number): Promise<StoredBusMessage[]> {
    if (!this.js) return Promise.reject(new BusUnavailableError(this.unavailableReason()));
    return readStoredMessages(this.js, this.subjects.stream(name), filterSubject, limit);
  }

  storedMessage(name: StreamName, seq: number): Promise<StoredBusMessage | undefined> {
    if (!this.jsm) return Promise.reject(new BusUnavailableError(this.unavailableReason()));
    return readStoredMessage(this.jsm, this.subjects.stream(name), seq);
  }

  deleteStoredMessage(name: StreamName, seq: number): Promise<boolean> {
    if (!this.jsm) return Promise.reject(new BusUnavailableError(this.unavailableReason()));
    return deleteStoredMessage(this.jsm, this.subjects.stream(name), seq);
  }

  /** Messages a stream holds (tests, metrics). */
  async streamSize(name: (typeof STREAM_NAMES)[number]): Promise<{ messages: number; bytes: number }> {
    if (!this.jsm) throw new BusUnavailableError(this.unavailableReason());
    const info = await this.jsm.streams.info(this.subjects.stream(name));
    return { messages: info.state.messages, bytes: info.state.bytes };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumptions = [...this.consumptions];
    this.consumptions.clear();
    await Promise.allSettled(consumptions.map((c) => c.stop()));
    if (this.connected) await Promise.all([this.window?.idle(), this.acks?.idle()]);
    this.window?.stop();
    this.acks?.stop();
    if (this.nc && !this.nc.isClosed()) {
      await this.nc.drain().catch(() => this.nc?.close());
    }
    this.connected = false;
    this.detail = 'closed';
  }

  private unavailableReason(): string {
    if (this.closed) return 'the bus is closed';
    return `the bus is not started (${this.detail})`;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      const server = typeof status.data === 'string' ? status.data : 'NATS';
      if (status.type === Events.Disconnect) {
        this.connected = false;
        this.detail = `disconnected from ${server}, reconnecting`;
        this.logger.warn(`bus: ${this.detail}`);
        this.window?.failAll('NATS disconnected before the publish was confirmed');
        this.acks?.failAll('NATS disconnected before the ack was confirmed');
      } else if (status.type === Events.Reconnect) {
        this.connected = true;
        this.reconnectAttempts = 0;
        this.detail = `reconnected to ${server}`;
        this.logger.log(`bus: ${this.detail}`);
      } else if (status.type === DebugEvents.Reconnecting && !this.connected) {
        this.detail = `disconnected, reconnecting to ${server}`;
      }
    }
  }
}
