import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { fallBackToMqtt311 } from '@sluice/mqtt-client';
import mqtt, { type IConnackPacket, type MqttClient, type Packet } from 'mqtt';
import { BrokerUnavailableError, PublishRejectedError } from '../errors';
import type { PublishMessage } from '../request/to-publish-messages';

/** Where to publish: the broker URL and the credentials the gateway uses there. */
export interface BrokerTarget {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface ConnectionTimings {
  /** How long a request waits for a connection before BROKER_UNAVAILABLE. */
  connectTimeoutMs: number;
  /** How long a QoS 1/2 publish waits for PUBACK/PUBCOMP before BROKER_UNAVAILABLE. */
  ackTimeoutMs: number;
  /** Retry-After sent with BROKER_UNAVAILABLE. */
  retryAfterSeconds: number;
  /** Pause between reconnect attempts. */
  reconnectPeriodMs: number;
}

/** What the broker said about one message. */
export interface PublishAck {
  /** MQTT 5 reason code of PUBACK/PUBREC; 0 for QoS 0; 16 means "no matching subscribers". */
  reasonCode: number;
}

/**
 * One MQTT 5 connection of the pool: reconnects by itself, turns Nagle off, and keeps QoS 1/2
 * messages in flight within the broker's Receive Maximum (mqtt.js does not: mosquitto announces 20).
 */
export class PooledConnection {
  private readonly client: MqttClient;
  private receiveMaximum = 65_535;
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly connectWaiters = new Set<() => void>();
  private lastError: Error | undefined;
  /** Non-zero reason codes of PUBACK/PUBREC by message id, until the publish resolves. */
  private readonly ackReasons = new Map<number, number>();

  constructor(
    private readonly broker: BrokerTarget,
    private readonly timings: ConnectionTimings,
    clientIdPrefix: string,
  ) {
    this.client = mqtt.connect(broker.url, {
      protocolVersion: 5,
      clientId: `${clientIdPrefix}${randomBytes(6).toString('hex')}`,
      username: broker.username,
      password: broker.password,
      clean: true,
      reconnectPeriod: timings.reconnectPeriodMs,
      connectTimeout: timings.connectTimeoutMs,
      // why: a QoS 0 message queued while offline would be answered 200 and maybe never sent
      queueQoSZero: false,
      // why: keep trying after a refused CONNECT too (credentials fixed, or the 3.1.1 fallback below)
      reconnectOnConnackError: true,
    });
    this.client.on('connect', (connack: IConnackPacket) => {
      (this.client.stream as Partial<Socket>).setNoDelay?.(true);
      this.receiveMaximum = connack.properties?.receiveMaximum ?? 65_535;
      this.lastError = undefined;
      for (const wake of this.connectWaiters) wake();
      this.connectWaiters.clear();
    });
    // why: mqtt.js resolves a publish with the packet it sent, not with the broker's acknowledgement,
    // so the success reason codes (16: no matching subscribers) are only visible here
    this.client.on('packetreceive', (packet) => {
      if (
        (packet.cmd === 'puback' || packet.cmd === 'pubrec') &&
        packet.reasonCode &&
        packet.messageId !== undefined
      ) {
        this.ackReasons.set(packet.messageId, packet.reasonCode);
      }
    });
    // a message id is reused once free: forget what an earlier, timed-out publish left under it
    this.client.on('packetsend', (packet) => {
      if (packet.cmd === 'publish' && packet.messageId !== undefined)
        this.ackReasons.delete(packet.messageId);
    });
    // why a listener at all: an EventEmitter 'error' without one crashes the process
    this.client.on('error', (error) => {
      this.lastError = error;
      // why: a 3.1.1-only broker (the embedded aedes) refuses MQTT 5; speak 3.1.1 to it then,
      // which drops the MQTT 5 properties (docs/publish-api.md says so)
      fallBackToMqtt311(this.client, error);
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves once connected; rejects with BROKER_UNAVAILABLE after `connectTimeoutMs`. */
  waitConnected(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.connectWaiters.delete(wake);
        reject(this.unavailable(`could not connect within ${this.timings.connectTimeoutMs} ms`));
      }, this.timings.connectTimeoutMs);
      this.connectWaiters.add(wake);
    });
  }

  /** Publishes one message; QoS 1/2 resolve only after PUBACK/PUBCOMP. */
  async publish(message: PublishMessage): Promise<PublishAck> {
    if (message.qos === 0) {
      if (!this.client.connected) throw this.unavailable('the connection was lost');
      await this.send(message);
      return { reasonCode: 0 };
    }
    await this.takeSlot();
    try {
      const sent = await this.withAckTimeout(this.send(message));
      const messageId = (sent as { messageId?: number } | undefined)?.messageId;
      if (messageId === undefined) return { reasonCode: 0 };
      const reasonCode = this.ackReasons.get(messageId) ?? 0;
      this.ackReasons.delete(messageId);
      return { reasonCode };
    } finally {
      this.releaseSlot();
    }
  }

  /**
   * Waits for the QoS 1/2 publishes of callers to settle (each is bounded by the ack timeout), then
   * closes. Forced, because mqtt.js's graceful end would also wait for acknowledgements that a
   * caller was already told may never come.
   */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    await this.client.endAsync(true);
  }

  private async send(message: PublishMessage): Promise<Packet | undefined> {
    try {
      return await this.client.publishAsync(message.topic, message.payload, {
        qos: message.qos,
        retain: message.retain,
        ...(message.properties ? { properties: message.properties } : {}),
      });
    } catch (error) {
      const reasonCode = (error as { code?: unknown }).code;
      if (typeof reasonCode === 'number' && reasonCode >= 0x80) {
        throw new PublishRejectedError(reasonCode, (error as Error).message);
      }
      throw this.unavailable(`publish failed: ${(error as Error).message}`, error);
    }
  }

  private withAckTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            this.unavailable(
              `no acknowledgement within ${this.timings.ackTimeoutMs} ms; the message may still be delivered`,
            ),
          ),
        this.timings.ackTimeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private takeSlot(): Promise<void> {
    if (this.inFlight < this.receiveMaximum) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(() => (this.inFlight++, resolve())));
  }

  private releaseSlot(): void {
    this.inFlight--;
    this.slotWaiters.shift()?.();
    if (this.inFlight === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private unavailable(what: string, cause?: unknown): BrokerUnavailableError {
    const detail = this.lastError ? ` (${this.lastError.message})` : '';
    return new BrokerUnavailableError(
      `broker ${redact(this.broker.url)} unavailable: ${what}${detail}`,
      this.timings.retryAfterSeconds,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** Drops user:password from a URL for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
