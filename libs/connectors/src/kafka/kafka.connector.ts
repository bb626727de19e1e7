import type { ICustomPartitioner, ISocketFactory, Kafka, Message, Producer } from 'kafkajs';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { BaseConnector, ClientSlot } from '../shared/base-connector';
import { deliveryCodes } from '../errors';
import { OK, allOf, errorMessage, failed, rejected, unavailable } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileTemplate, type Template } from '../template/template';
import { KafkaBatcher } from './kafka-batcher';
import { registerKafkaCodecs } from './compression-codecs';
import { kafkaActionSchema, kafkaConnectorSchema, type KafkaConnectorConfig } from './kafka.config';
import { hostPortEndpoint, type Endpoint, type TargetPolicy } from '../targets/target-policy';

type KafkaDriver = typeof import('kafkajs');
let driver: KafkaDriver | undefined;
/** kafkajs with snappy, lz4 and zstd registered, loaded with the first connector of this kind. */
const kafkajs = (): KafkaDriver => {
  if (driver) return driver;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
  const loaded = require('kafkajs') as KafkaDriver;
  registerKafkaCodecs(loaded);
  return (driver = loaded);
};
const codecOf = { none: 'None', gzip: 'GZIP', snappy: 'Snappy', lz4: 'LZ4', zstd: 'ZSTD' } as const;

const traceHeaders = ['traceparent', 'tracestate'];
const acksOf = { all: -1, leader: 1, none: 0 } as const;

const randomPartitioner: ICustomPartitioner =
  () =>
  ({ partitionMetadata }) =>
    Math.floor(Math.random() * partitionMetadata.length);

/**
 * Kafka through a kafkajs producer per action (partitioner and in-flight limit are producer
 * settings). A record succeeds when its produce request is acknowledged with the configured acks;
 * at-least-once, with the record id in the `sluice-id` header for consumers that de-duplicate.
 */
export class KafkaConnector extends BaseConnector {
  readonly kind = 'kafka';
  readonly config: KafkaConnectorConfig;
  private readonly kafka: Kafka;
  private readonly producers = new Set<ClientSlot<Producer>>();

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(kafkaConnectorSchema, config);
    const c = this.config;
    const tls = nodeTlsOptions(c.tls);
    this.kafka = new (kafkajs().Kafka)({
      clientId: c.clientId,
      brokers: c.brokers,
      connectionTimeout: c.connectTimeoutMs,
      requestTimeout: c.requestTimeoutMs,
      ssl: tls,
      sasl: c.sasl as never,
      // why: the pipeline retries with backoff; kafkajs retrying too would multiply the wait
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: kafkajs().logLevel.NOTHING,
      // why: the brokers a cluster advertises are checked too, not only the bootstrap ones
      ...(options.targets && {
        socketFactory: guardedSocketFactory(options.targets),
      }),
    });
  }

  endpoints(): Endpoint[] {
    return this.config.brokers.map(hostPortEndpoint);
  }

  protected async connect(): Promise<void> {
    await this.probe();
  }

  protected async probe(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  protected async disconnect(): Promise<void> {
    await Promise.all([...this.producers].map((p) => p.close()));
  }

  createAction(input: unknown): Action {
    const config = parseConfig(kafkaActionSchema, input);
    const compile = (field: string, source: string) => compileField(field, () => compileTemplate(source));
    const topic = compile('topic', config.topic);
    const key = config.key === undefined ? undefined : compile('key', config.key);
    const value = compile('value', config.value);
    const timestamp = config.timestamp === undefined ? undefined : compile('timestamp', config.timestamp);
    const headers: [string, Template][] = Object.entries(config.headers).map(([n, v]) => [
      n,
      compile(`headers.${n}`, v),
    ]);

    const slot = new ClientSlot<Producer>(
      async () => {
        const producer = this.kafka.producer({
          createPartitioner:
            config.partitionStrategy === 'random'
              ? randomPartitioner
              : kafkajs().Partitioners.DefaultPartitioner,
          maxInFlightRequests: this.config.maxInFlight,
          allowAutoTopicCreation: false,
          idempotent: false,
        });
        await producer.connect();
        return producer;
      },
      (producer) => producer.disconnect(),
    );
    this.producers.add(slot);

    const toMessage = (record: DeliveryRecord): Message => {
      const h: Record<string, string> = { 'sluice-id': record.id };
      for (const name of traceHeaders) {
        const v = record.headers?.[name];
        if (v !== undefined) h[name] = v;
      }
      for (const [name, template] of headers) h[name] = template.render(record);
      const ts = Number(timestamp?.value(record));
      return {
        key: key?.render(record) ?? null,
        value: value.render(record),
        headers: h,
        timestamp: String(Number.isFinite(ts) && ts > 0 ? Math.trunc(ts) : Date.now()),
      };
    };

    const produce = async (entries: Entry[]): Promise<DeliveryOutcome[]> => {
      const byTopic = new Map<string, Message[]>();
      for (const { topic: name, message } of entries) {
        const list = byTopic.get(name) ?? [];
        list.push(message);
        byTopic.set(name, list);
      }
      try {
        const producer = await slot.get();
        await producer.sendBatch({
          topicMessages: [...byTopic].map(([name, messages]) => ({ topic: name, messages })),
          acks: acksOf[config.requiredAcks],
          timeout: this.config.requestTimeoutMs,
          compression: kafkajs().CompressionTypes[codecOf[config.compression]],
        });
        this.markConnected();
        return allOf(entries.length, OK);
      } catch (error) {
        return allOf(entries.length, this.kafkaOutcome(error));
      }
    };

    const batcher = new KafkaBatcher<Entry>(produce, config);
    const send = (records: readonly DeliveryRecord[]) =>
      batcher.add(
        records.map((record) => {
          const message = toMessage(record);
          const size =
            Buffer.byteLength(message.value as string) + (message.key ? Buffer.byteLength(message.key) : 0);
          return { topic: topic.render(record), message, size };
        }),
      );
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) => this.deliver(records, () => send(records)),
    };
  }

  private kafkaOutcome(error: unknown): DeliveryOutcome {
    const message = errorMessage(error);
    if (
      /ECONNREFUSED|Connection error|Connection timeout|closed connection|broker not connected/i.test(message)
    ) {
      this.markDisconnected(message);
      return unavailable(message);
    }
    if (/timed out/i.test(message)) return failed(deliveryCodes.timeout, message, true);
    if (error instanceof kafkajs().KafkaJSError) return rejected(message, error.retriable);
    return this.outcomeOf(error);
  }
}

interface Entry {
  topic: string;
  message: Message;
  size: number;
}

const KEEP_ALIVE_MS = 60_000;

/** kafkajs's socket factory with the tenant's target policy on every broker connection. */
function guardedSocketFactory(policy: TargetPolicy): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = policy.socketTo({ host, port }, ssl ? ssl : undefined, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    return socket;
  };
}
