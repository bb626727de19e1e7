import type {
  Bus,
  BusHealth,
  Consumption,
  ConsumerOptions,
  MessageHandler,
  PublishOptions,
  StreamName,
  StreamStats,
  ConsumerStats,
  ConsumerBacklog,
  StoredBusMessage,
} from '../bus';
import type { BusConfig } from '../bus.config';
import { silentLogger, type BusLogger } from '../bus-logger';
import { BusConsumerConflictError, BusUnavailableError, NoStreamForSubjectError } from '../errors';
import { compileFilter, filtersOverlap, subjectMatches } from '../subject-filter';
import { STREAM_NAMES, type Subjects } from '../subjects';
import { streamLimits } from '../stream-limits';
import { InProcessConsumer, Subscriber } from './in-process-consumer';
import { InProcessStream } from './in-process-stream';
import type { SqliteBusStore } from './sqlite-bus-store';

interface StreamState {
  stream: InProcessStream;
  consumers: Map<string, InProcessConsumer>;
}

/**
 * The bus of the embedded mode: the same streams, limits and consumer semantics as the JetStream
 * bus, in this process. With a store (`SqliteBusStore`, the default through `createBus`) every
 * stream is a log on disk: a publish is confirmed once its message is committed, an ack once its
 * removal is, and `start()` reads back what the last run left, so a restart resumes. Without one
 * it is all in memory and lost on exit (`SLUICE_BUS_STORAGE=memory`, and unit tests).
 */
export class InProcessBus implements Bus {
  private readonly streams = new Map<StreamName, StreamState>();
  private readonly notifyHandlers = new Set<{
    filter: string;
    handler: (data: Uint8Array, subject: string) => void;
  }>();
  private readonly consumptions = new Set<{ consumer: InProcessConsumer; subscriber: Subscriber }>();
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(
    private readonly config: BusConfig,
    private readonly subjects: Subjects,
    private readonly logger: BusLogger = silentLogger,
    private readonly store?: SqliteBusStore,
  ) {
    for (const name of STREAM_NAMES) {
      const consumers = new Map<string, InProcessConsumer>();
      const stream = new InProcessStream(
        subjects.stream(name),
        streamLimits(config, name),
        (message) => {
          for (const consumer of consumers.values()) {
            if (consumer.settings.matches(message.subject)) consumer.offer(message.seq);
          }
        },
        (seq) => {
          for (const consumer of consumers.values()) consumer.forget(seq);
        },
        store?.stream(name),
        store ? config.SLUICE_BUS_MEMORY_MAX_BYTES : undefined,
      );
      this.streams.set(name, { stream, consumers });
    }
  }

  start(): Promise<void> {
    return settle(() => {
      this.ensureOpen();
      if (this.state === 'started') return;
      const now = Date.now();
      const loaded = [...this.streams].map(([name, { stream }]) => `${name} ${stream.load(now)}`);
      if (this.store)
        this.logger.log(`bus log ${this.store.file} opened; stored messages: ${loaded.join(', ')}`);
      this.state = 'started';
    });
  }

  publish(subject: string, data: Uint8Array, options: PublishOptions): Promise<void> {
    return settle(() => {
      this.ensureOpen();
      if (this.store && this.state !== 'started') throw new BusUnavailableError('the bus is not started');
      const name = this.subjects.streamOf(subject);
      if (!name) throw new NoStreamForSubjectError(subject);
      return this.streams
        .get(name)!
        .stream.store(subject, data, options.msgId, options.headers ?? {})
        .then(() => undefined);
    });
  }

  consume(options: ConsumerOptions, handler: MessageHandler): Promise<Consumption> {
    return settle(() => {
      this.ensureOpen();
      const { stream, consumers } = this.streams.get(options.stream)!;
      const durable = this.subjects.durable(options.durable);
      const settings = {
        filterSubject: options.filterSubject,
        matches: compileFilter(options.filterSubject),
        ackWaitMs: options.ackWaitMs ?? this.config.SLUICE_BUS_ACK_WAIT_MS,
        maxAckPending: options.maxAckPending ?? this.config.SLUICE_BUS_MAX_ACK_PENDING,
        maxDeliver: options.maxDeliver ?? this.config.SLUICE_BUS_MAX_DELIVER,
      };
      let consumer = consumers.get(durable);
      if (!consumer) {
        const other = [...consumers.values()].find((c) =>
          filtersOverlap(c.settings.filterSubject, settings.filterSubject),
        );
        if (other && stream.limits.retention === 'workqueue') {
          throw new BusConsumerConflictError(
            stream.name,
            durable,
            settings.filterSubject,
            `${other.durable} (${other.settings.filterSubject})`,
          );
        }
        consumer = new InProcessConsumer(durable, settings, stream, stream.limits.retention === 'workqueue');
        consumers.set(durable, consumer);
        // why: a new durable starts at the beginning of what the stream still holds (DeliverPolicy.All)
        for (const message of stream.all()) {
          if (settings.matches(message.subject)) consumer.offer(message.seq);
        }
      } else {
        consumer.settings = settings;
      }
      const subscriber = new Subscriber(handler, this.logger);
      consumer.attach(subscriber);
      const entry = { consumer, subscriber };
      this.consumptions.add(entry);
      const attached = consumer;
      return {
        stop: async () => {
          attached.detach(subscriber);
          this.consumptions.delete(entry);
          await Promise.allSettled([...subscriber.inFlight]);
        },
      };
    });
  }

  notify(subject: string, data: Uint8Array): Promise<void> {
    return settle(() => {
      this.ensureOpen();
      const targets = [...this.notifyHandlers].filter((h) => subjectMatches(h.filter, subject));
      // why: handlers run later, as they would after a network hop, never inside the caller
      setImmediate(() => {
        for (const target of targets) {
          try {
            target.handler(data, subject);
          } catch (error) {
            this.logger.error(`notification handler for ${subject} failed: ${String(error)}`);
          }
        }
      });
    });
  }

  onNotify(subject: string, handler: (data: Uint8Array, subject: string) => void): () => void {
    const entry = { filter: subject, handler };
    this.notifyHandlers.add(entry);
    return () => this.notifyHandlers.delete(entry);
  }

  health(): BusHealth {
    if (this.state === 'closed') return { status: 'down', detail: 'closed' };
    // why down while writes fail: a full disk refuses every publish, so this process cannot work
    if (this.store?.failure) return { status: 'down', detail: this.store.failure.message };
    return { status: 'up' };
  }

  streamStats(name: StreamName): Promise<StreamStats> {
    const { stream } = this.streams.get(name)!;
    return Promise.resolve({
      ...stream.size,
      maxMessages: stream.limits.maxMsgs,
      maxBytes: stream.limits.maxBytes,
    });
  }

  consumerStats(name: StreamName): Promise<ConsumerStats[]> {
    const { consumers } = this.streams.get(name)!;
    return Promise.resolve([...consumers.values()].map((consumer) => consumer.stats()));
  }

  consumerBacklog(name: StreamName, durable: string): Promise<ConsumerBacklog | undefined> {
    const consumer = this.streams.get(name)!.consumers.get(this.subjects.durable(durable));
    return Promise.resolve(consumer?.backlog);
  }

  storedMessages(name: StreamName, filterSubject: string, limit: number): Promise<StoredBusMessage[]> {
    const { stream } = this.streams.get(name)!;
    stream.expire();
    const found: StoredBusMessage[] = [];
    for (const { seq, subject } of stream.all()) {
      if (found.length >= limit) break;
      if (!subjectMatches(filterSubject, subject)) continue;
      // why get: with a log, the body may be on disk only
      const message = stream.get(seq);
      if (message) found.push({ seq, subject, data: message.data });
    }
    return Promise.resolve(found);
  }

  storedMessage(name: StreamName, seq: number): Promise<StoredBusMessage | undefined> {
    const message = this.streams.get(name)!.stream.get(seq);
    return Promise.resolve(message && { seq, subject: message.subject, data: message.data });
  }

  deleteStoredMessage(name: StreamName, seq: number): Promise<boolean> {
    const { stream } = this.streams.get(name)!;
    if (!stream.has(seq)) return Promise.resolve(false);
    return stream.remove(seq).then(() => true);
  }

  /** Messages and bytes a stream holds (tests, metrics). */
  streamSize(name: StreamName): { messages: number; bytes: number } {
    return this.streams.get(name)!.stream.size;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const entries = [...this.consumptions];
    for (const { consumer, subscriber } of entries) consumer.detach(subscriber);
    await Promise.allSettled(entries.flatMap(({ subscriber }) => [...subscriber.inFlight]));
    for (const { consumers } of this.streams.values())
      for (const consumer of consumers.values()) consumer.close();
    this.notifyHandlers.clear();
    // why last: the acks of the handlers that just finished are committed before the file closes
    this.store?.close();
  }

  private ensureOpen(): void {
    if (this.state === 'closed') throw new BusUnavailableError('the bus is closed');
  }
}

/** Runs `fn` and turns a throw into a rejection, so callers never see a synchronous throw. */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
