import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connectMqtt, fallBackToMqtt311, writeOncePerTurn } from '@sluice/mqtt-client';
import type { MqttClient } from 'mqtt';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorUnavailableError } from '../errors';
import { BaseConnector, withTimeout } from '../shared/base-connector';
import { OK, errorMessage, rejected } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileTemplate, type Template } from '../template/template';
import { mqttActionSchema, mqttConnectorSchema, type MqttConnectorConfig } from './mqtt.config';
import { mqttEndpoints, type Endpoint } from '../targets/target-policy';

/** PUBACK/PUBREC reason codes worth another attempt: unspecified error, server busy, quota exceeded. */
const transientReasonCodes = new Set([0x80, 0x89, 0x97]);
const traceProperties = ['traceparent', 'tracestate'];

/**
 * MQTT republish with mqtt.js (MQTT 5 by default, 3.1.1 with a broker that refuses 5). QoS 1 and 2 succeed only on the broker's
 * acknowledgement; QoS 0 when the packet is written (at-most-once). While the client is
 * disconnected, batches fail at once as retryable instead of queueing in the client.
 */
export class MqttConnector extends BaseConnector {
  readonly kind = 'mqtt';
  readonly config: MqttConnectorConfig;
  private clients?: MqttClient[];
  private next = 0;
  private lastError?: string;
  /** Clients reconnecting with 3.1.1 after the broker refused MQTT 5: not a failure to connect. */
  private readonly fallingBack = new WeakSet<MqttClient>();

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(mqttConnectorSchema, config);
  }

  private pool(): MqttClient[] {
    if (this.clients) return this.clients;
    const c = this.config;
    const prefix = c.clientId ?? `sluice_${randomBytes(4).toString('hex')}`;
    const targets = this.options.targets;
    // why a checked lookup for a tenant's connector: every (re)connect resolves the broker's name
    // once and connects only to the addresses the policy checked (DNS rebinding)
    const lookupFor = targets && ((port: number) => targets.lookupFor(port));
    this.clients = Array.from({ length: c.poolSize }, (_, n) => {
      const client = connectMqtt(
        c.url,
        {
          clientId: c.poolSize === 1 ? prefix : `${prefix}_${n}`,
          username: c.username,
          password: c.password,
          protocolVersion: c.protocolVersion ?? 5,
          keepalive: c.keepaliveSec,
          connectTimeout: c.connectTimeoutMs,
          reconnectPeriod: c.reconnectPeriodMs,
          clean: true,
          // why: mqtt.js logs through `debug` several times per packet; even disabled, that was ~2%
          // of delivery's CPU in the bench:flow profile
          log: () => undefined,
          ...nodeTlsOptions(c.tls),
        },
        lookupFor,
      );
      client.on('connect', () => {
        // why: Nagle holds small packets back ~40 ms and halves throughput (docs/benchmarks.md)
        (client.stream as Partial<Socket>).setNoDelay?.(true);
        // why: the publishes of one turn (a batch, several requests) leave in one write
        writeOncePerTurn(client.stream);
        this.fallingBack.delete(client);
        if (this.clients?.every((x) => x.connected)) this.markConnected();
      });
      client.on('error', (error) => {
        // why: without a configured version, a broker that refuses MQTT 5 gets 3.1.1 (@sluice/mqtt-client)
        if (this.config.protocolVersion === undefined && fallBackToMqtt311(client, error)) {
          this.fallingBack.add(client);
          return;
        }
        this.lastError = errorMessage(error);
        this.markDisconnected(this.lastError);
      });
      client.on('offline', () => {
        if (!this.fallingBack.has(client)) this.markDisconnected(this.lastError ?? 'offline');
      });
      return client;
    });
    this.markConnecting();
    return this.clients;
  }

  endpoints(): Endpoint[] {
    return mqttEndpoints(this.config.url);
  }

  protected async connect(): Promise<void> {
    await Promise.all(this.pool().map((client) => this.waitConnected(client)));
  }

  protected probe(): Promise<void> {
    return this.connect();
  }

  /** Resolves on CONNACK, rejects on the first error or offline, within the connect timeout. */
  private waitConnected(client: MqttClient): Promise<void> {
    if (client.connected) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          client.off('connect', onConnect).off('error', onError).off('offline', onOffline);
          if (error) reject(error);
          else resolve();
        };
        const onConnect = () => done();
        const onError = (error: Error) => {
          if (!this.fallingBack.has(client)) done(error);
        };
        const onOffline = () => {
          if (!this.fallingBack.has(client)) done(new ConnectorUnavailableError(this.lastError ?? 'offline'));
        };
        client.on('connect', onConnect).on('error', onError).on('offline', onOffline);
      }),
      this.config.connectTimeoutMs,
      'MQTT connect',
    );
  }

  protected async disconnect(): Promise<void> {
    await Promise.all((this.clients ?? []).map((client) => client.endAsync(true)));
  }

  createAction(input: unknown): Action {
    const config = parseConfig(mqttActionSchema, input);
    const topic = compileField('topic', () => compileTemplate(config.topic, { missing: 'empty' }));
    const payload = compileField('payload', () => compileTemplate(config.payload, { missing: 'empty' }));
    const properties: [string, Template][] = Object.entries(config.userProperties).map(([name, value]) => [
      name,
      compileField(`userProperties.${name}`, () => compileTemplate(value, { missing: 'empty' })),
    ]);

    const publish = async (client: MqttClient, record: DeliveryRecord): Promise<DeliveryOutcome> => {
      const v5 = client.options.protocolVersion === 5;
      const rendered = topic.render(record);
      if (!rendered || /[#+]/.test(rendered) || rendered.includes(String.fromCharCode(0)))
        return rejected(`invalid topic name '${rendered}'`, false);
      // why after the checks: the tenant's namespace is Sluice's; what the rule rendered stays inside it
      const name = `${this.config.mountpoint ?? ''}${rendered}`;
      const userProperties: Record<string, string> = {};
      for (const key of traceProperties) {
        const value = record.headers?.[key];
        if (value !== undefined) userProperties[key] = value;
      }
      for (const [key, template] of properties) userProperties[key] = template.render(record);
      try {
        await client.publishAsync(name, payload.render(record), {
          qos: config.qos,
          retain: config.retain,
          properties: v5 && Object.keys(userProperties).length > 0 ? { userProperties } : undefined,
        });
        return OK;
      } catch (error) {
        const reasonCode = (error as { code?: unknown }).code;
        if (typeof reasonCode === 'number' && reasonCode >= 0x80) {
          return rejected(errorMessage(error), transientReasonCodes.has(reasonCode));
        }
        return this.outcomeOf(error);
      }
    };

    const send = async (records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]> => {
      const clients = this.pool();
      const client = clients[this.next++ % clients.length]!;
      if (!client.connected)
        throw new ConnectorUnavailableError(this.lastError ?? 'not connected to the broker');
      const outcomes = await withTimeout(
        Promise.all(records.map((r) => publish(client, r))),
        config.publishTimeoutMs,
        'MQTT publish acknowledgements',
      );
      if (outcomes.some((o) => o.ok)) this.markConnected();
      return outcomes;
    };
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) => this.deliver(records, () => send(records)),
    };
  }
}
