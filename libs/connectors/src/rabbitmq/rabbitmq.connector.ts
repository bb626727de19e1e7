import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorUnavailableError } from '../errors';
import { BaseConnector, ClientSlot, withTimeout } from '../shared/base-connector';
import { OK, errorMessage, rejected, unavailable } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileTemplate, type Template } from '../template/template';
import {
  rabbitmqActionSchema,
  rabbitmqConnectorSchema,
  type RabbitmqConnectorConfig,
} from './rabbitmq.config';
import { urlEndpoints, type Endpoint } from '../targets/target-policy';

/** AMQP reply codes that no retry fixes: 404 no such exchange, 403 access refused, 406 precondition. */
const permanentReplyCodes = new Set([403, 404, 406]);
const traceHeaders = ['traceparent', 'tracestate'];

/**
 * RabbitMQ through amqplib confirm channels: a record succeeds only when the broker confirmed it
 * (persistent messages in a durable queue are on disk by then). At-least-once; the AMQP
 * `message-id` is the record id so consumers can de-duplicate. A lost connection is reopened on the
 * next batch.
 */
export class RabbitmqConnector extends BaseConnector {
  readonly kind = 'rabbitmq';
  readonly config: RabbitmqConnectorConfig;
  private readonly connection: ClientSlot<ChannelModel>;
  private readonly channels: (Promise<ConfirmChannel> | undefined)[];
  private readonly channelErrors = new WeakMap<ConfirmChannel, Error>();
  private next = 0;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(rabbitmqConnectorSchema, config);
    this.channels = new Array<Promise<ConfirmChannel> | undefined>(this.config.poolSize);
    this.connection = new ClientSlot(
      () => this.open(),
      (c) => c.close(),
    );
  }

  private async open(): Promise<ChannelModel> {
    await this.checkTargets();
    const c = this.config;
    const url = new URL(c.url);
    url.searchParams.set('heartbeat', String(c.heartbeatSec));
    const port = this.endpoints()[0]?.port ?? 5672;
    const lookup = this.options.targets?.lookupFor(port);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
    const { connect } = require('amqplib') as typeof import('amqplib');
    const conn = await connect(url.toString(), {
      timeout: c.connectTimeoutMs,
      ...nodeTlsOptions(c.tls),
      ...(lookup && { lookup }),
    });
    conn.on('error', (error: Error) => this.markDisconnected(errorMessage(error)));
    conn.on('close', (error?: Error) => {
      this.markDisconnected(error ? errorMessage(error) : 'connection closed');
      this.connection.drop();
      for (let i = 0; i < this.channels.length; i++) this.channels[i] = undefined;
    });
    return conn;
  }

  private channel(index: number): Promise<ConfirmChannel> {
    const existing = this.channels[index];
    if (existing) return existing;
    const created = this.connection
      .get()
      .then((conn) => conn.createConfirmChannel())
      .then((channel) => {
        channel.on('error', (error: Error) => this.channelErrors.set(channel, error));
        channel.on('close', () => {
          if (this.channels[index] === created) this.channels[index] = undefined;
        });
        return channel;
      });
    created.catch(() => {
      if (this.channels[index] === created) this.channels[index] = undefined;
    });
    this.channels[index] = created;
    return created;
  }

  endpoints(): Endpoint[] {
    return urlEndpoints(this.config.url, this.config.url.startsWith('amqps:') ? 5671 : 5672);
  }

  protected async connect(): Promise<void> {
    await this.channel(0);
  }

  protected async probe(): Promise<void> {
    await this.channel(0);
  }

  protected async disconnect(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  createAction(input: unknown): Action {
    const config = parseConfig(rabbitmqActionSchema, input);
    const routingKey = compileField('routingKey', () => compileTemplate(config.routingKey));
    const payload = compileField('payload', () => compileTemplate(config.payload));
    const headers: [string, Template][] = Object.entries(config.headers).map(([name, value]) => [
      name,
      compileField(`headers.${name}`, () => compileTemplate(value)),
    ]);

    const publish = (channel: ConfirmChannel, record: DeliveryRecord) =>
      new Promise<Error | undefined>((resolve) => {
        const rendered: Record<string, string> = {};
        for (const name of traceHeaders) {
          const value = record.headers?.[name];
          if (value !== undefined) rendered[name] = value;
        }
        for (const [name, template] of headers) rendered[name] = template.render(record);
        channel.publish(
          config.exchange,
          routingKey.render(record),
          Buffer.from(payload.render(record)),
          {
            persistent: config.persistent,
            headers: rendered,
            messageId: record.id,
            contentType: config.contentType,
            timestamp: Math.floor(Date.now() / 1000),
          },
          (error: unknown) =>
            resolve(error ? (error instanceof Error ? error : new Error(errorMessage(error))) : undefined),
        );
      });

    const send = async (records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]> => {
      let channel: ConfirmChannel;
      try {
        channel = await this.channel(this.next++ % this.channels.length);
      } catch (error) {
        throw new ConnectorUnavailableError(errorMessage(error), { cause: error });
      }
      const results = await withTimeout(
        Promise.all(records.map((r) => publish(channel, r))),
        config.publishTimeoutMs,
        'publisher confirms',
      );
      const outcomes = results.map((error) => (error ? this.nackOutcome(channel, error) : OK));
      if (outcomes.some((o) => o.ok)) this.markConnected();
      return outcomes;
    };
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) => this.deliver(records, () => send(records)),
    };
  }

  /** Why a publish failed: the channel's close reason when the broker closed it, else a nack. */
  private nackOutcome(channel: ConfirmChannel, error: Error): DeliveryOutcome {
    const closed = this.channelErrors.get(channel);
    if (closed) {
      const code = (closed as { code?: unknown }).code;
      return rejected(errorMessage(closed), !(typeof code === 'number' && permanentReplyCodes.has(code)));
    }
    if (/closed/i.test(error.message)) return unavailable(errorMessage(error));
    return rejected(`broker refused the message: ${errorMessage(error)}`, true);
  }
}
