import type { LookupFunction } from 'node:net';
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import { SourceSubscribeError } from '../errors';
import { emptyMetrics } from '../source-metrics';
import type {
  ConnectionMetrics,
  MessageSink,
  SourceEvent,
  SourceLogger,
  SourceState,
  SourceTargets,
} from '../types';
import { AckWindow, type PendingAck } from './ack-window';
import { clientOptions } from './client-options';
import { DeliveryIds } from './delivery-ids';
import type { MqttSourceConfig } from './mqtt-source.config';
import { publishToMessage, type FieldExtraction } from './publish-to-message';
import { ReadGate } from './read-gate';
import { RateLimiter } from './rate-limiter';
import { connectMqtt, writeOncePerTurn } from '@sluice/mqtt-client';
import { SinkDelivery } from './sink-delivery';

type SendPacket = (
  packet: Packet,
  cb?: (error?: Error) => void,
  cbStorePut?: unknown,
  noStore?: boolean,
) => void;
// why: mqtt.js has no pipelined manual ack; its private _sendPacket is where its automatic
// PUBACK/PUBREC goes out, so we swallow those and send our own once the sink has stored the message
type ClientInternals = { _sendPacket: SendPacket };

export interface ConnectionDeps {
  config: MqttSourceConfig;
  clientId: string;
  filters: { filter: string; qos: 0 | 1 | 2 }[];
  sink: MessageSink;
  extraction: FieldExtraction;
  log: SourceLogger;
  emit: (event: SourceEvent) => void;
  /** A tenant's broker: connect only to addresses this policy checked. */
  targets?: SourceTargets;
}

/** One MQTT client connection of a source: subscribe, hand messages to the sink, ack once stored. */
export class MqttConnection {
  private client?: MqttClient;
  private sendPacket?: SendPacket;
  private readonly ours = new WeakSet<Packet>();
  private readonly ids: DeliveryIds;
  private readonly gate: ReadGate;
  private readonly rate?: RateLimiter;
  private readonly counters = emptyMetrics();
  private readonly tasks = new Set<Promise<unknown>>();
  private generation = 0;
  private window: AckWindow;
  private pubacks: number[] = [];
  private state: SourceState = 'disconnected';
  private reason?: string;
  private stopping = false;
  private readonly delivery: SinkDelivery;
  /** Set by retire(): the stop ends the broker session instead of keeping it. */
  private endSession = false;
  private lastReceivedAt = 0;
  private reconnectDelay: number;
  private started?: { resolve: () => void; reject: (error: Error) => void };

  constructor(private readonly deps: ConnectionDeps) {
    this.ids = new DeliveryIds(`${deps.config.tenant}/${deps.config.id}`, deps.clientId);
    this.delivery = new SinkDelivery(deps.sink, this.counters, deps.clientId, deps.emit);
    this.window = this.newWindow();
    this.reconnectDelay = deps.config.reconnectPeriodMs;
    this.gate = new ReadGate((paused, reasons) =>
      deps.emit(
        paused
          ? { type: 'paused', clientId: deps.clientId, reason: reasons.join(',') }
          : { type: 'resumed', clientId: deps.clientId },
      ),
    );
    if (deps.config.bytesPerSecond) {
      this.rate = new RateLimiter(deps.config.bytesPerSecond, (over) =>
        over ? this.gate.hold('rate') : this.gate.release('rate'),
      );
    }
  }

  get clientId(): string {
    return this.deps.clientId;
  }

  /** Connects; resolves once the first subscription is granted, rejects if the broker refuses it. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.started = { resolve, reject }));
    const client = connectMqtt(
      this.deps.config.url,
      clientOptions(this.deps.config, this.clientId),
      this.lookupFor(),
    );
    this.client = client;
    const internals = client as unknown as ClientInternals;
    const original = internals._sendPacket.bind(client);
    this.sendPacket = original;
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      if ((packet.cmd === 'puback' || packet.cmd === 'pubrec') && !this.ours.has(packet)) return cb?.();
      original(packet, cb, cbStorePut, noStore);
    };
    client.on('packetsend', (packet: Packet) => this.onPacketSend(packet));
    client.on('packetreceive', (packet: Packet) => this.onPacketReceive(packet));
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('close', () => this.onClose());
    client.on('reconnect', () => this.onReconnect());
    client.on('error', (error) => {
      this.reason = error.message;
      this.deps.log.warn(`mqtt ${this.clientId}: ${error.message}`);
    });
    this.state = 'connecting';
    client.connect();
    return ready;
  }

  /**
   * Leaves the share group for good (a replica scaled down): unsubscribes, so the broker sends what
   * comes next to the other members; stores and acknowledges what it still sends this session until
   * nothing arrived for `quietMs` and nothing is in flight (bounded by drainTimeoutMs); then stops
   * and ends the session (MQTT 5: DISCONNECT with session expiry 0; 3.1.1: a clean reconnect), so
   * the broker queues nothing more for a member that never comes back.
   */
  async retire(quietMs: number): Promise<void> {
    const client = this.client;
    if (client?.connected && !this.stopping) {
      const group = this.deps.config.shareGroup;
      const filters = this.deps.filters.map(({ filter }) => (group ? `$share/${group}/${filter}` : filter));
      try {
        await client.unsubscribeAsync(filters);
        this.deps.log.info(`mqtt ${this.clientId}: retiring, unsubscribed from ${filters.join(', ')}`);
      } catch (error) {
        this.deps.log.warn(
          `mqtt ${this.clientId}: retiring, unsubscribe failed: ${(error as Error).message}`,
        );
      }
      this.lastReceivedAt = Date.now();
      const deadline = Date.now() + this.deps.config.drainTimeoutMs;
      while (Date.now() < deadline && (this.tasks.size > 0 || Date.now() - this.lastReceivedAt < quietMs)) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, quietMs)));
      }
    }
    this.endSession = true;
    await this.stop();
  }

  /** Stops reading, waits (up to drainTimeoutMs) for in-flight sinks and their acks, disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.gate.hold('stopping');
    this.started?.resolve();
    if (this.tasks.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.allSettled([...this.tasks]).then(() => true),
        new Promise<false>(
          (resolve) => (timer = setTimeout(() => resolve(false), this.deps.config.drainTimeoutMs)),
        ),
      ]);
      clearTimeout(timer);
      if (!drained) {
        this.deps.log.warn(
          `mqtt ${this.clientId}: ${this.tasks.size} message(s) still in flight after ${this.deps.config.drainTimeoutMs} ms; ` +
            'disconnecting without their acks (the broker keeps them for a persistent session)',
        );
      }
    }
    this.delivery.abort();
    this.rate?.close();
    // why: the socket must read again to see the broker close it after our DISCONNECT
    this.gate.releaseAll();
    this.flushPubacks(); // the acks of the drained messages go out before DISCONNECT
    const v5 = this.deps.config.protocolVersion === 5;
    await this.client?.endAsync(
      false,
      this.endSession && v5 ? { reasonCode: 0, properties: { sessionExpiryInterval: 0 } } : undefined,
    );
    if (this.endSession && !v5 && !this.deps.config.clean) await this.dropSession();
    this.state = 'disconnected';
  }

  /** A checked lookup per port for a tenant's broker (DNS rebinding), none for the operator's. */
  private lookupFor(): ((port: number) => LookupFunction) | undefined {
    const targets = this.deps.targets;
    return targets && ((port) => targets.lookupFor(port));
  }

  /** MQTT 3.1.1 cannot end a persistent session on DISCONNECT: a clean session under its id does. */
  private async dropSession(): Promise<void> {
    try {
      const options = { ...clientOptions(this.deps.config, this.clientId), clean: true, reconnectPeriod: 0 };
      const client = connectMqtt(
        this.deps.config.url,
        { ...options, manualConnect: false },
        this.lookupFor(),
      );
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
      await client.endAsync();
    } catch (error) {
      this.deps.log.warn(`mqtt ${this.clientId}: could not end the session: ${(error as Error).message}`);
    }
  }

  metrics(): ConnectionMetrics {
    return {
      ...structuredClone(this.counters),
      inFlight: this.tasks.size,
      clientId: this.clientId,
      state: this.state,
    };
  }

  status(): { state: SourceState; reason?: string } {
    return this.reason === undefined ? { state: this.state } : { state: this.state, reason: this.reason };
  }

  private onPacketSend(packet: Packet): void {
    if (packet.cmd === 'connect') {
      const stream = this.client?.stream as
        (NodeJS.ReadableStream & { setNoDelay?: (on: boolean) => void }) | undefined;
      if (!stream) return;
      stream.setNoDelay?.(true); // why: Nagle halves small-message throughput (docs/benchmarks.md)
      // why: the PUBACKs of several commits in one turn leave in one write
      writeOncePerTurn(stream as unknown as Parameters<typeof writeOncePerTurn>[0]);
      this.gate.attach(stream);
    } else if (packet.cmd === 'pingreq') {
      this.gate.openForPing();
    }
  }

  private onPacketReceive(packet: Packet): void {
    if (packet.cmd === 'publish') this.onPublish(packet);
    else if (packet.cmd === 'pingresp') {
      this.deps.emit({ type: 'keepalive', clientId: this.clientId, paused: this.gate.forcedOpen });
      this.gate.pingAnswered();
    }
  }

  private onConnect(sessionPresent: boolean): void {
    this.ids.onSession(sessionPresent);
    this.state = 'connected';
    this.reason = undefined;
    this.reconnectDelay = this.deps.config.reconnectPeriodMs;
    if (this.client) this.client.options.reconnectPeriod = this.reconnectDelay;
    this.deps.emit({ type: 'connected', clientId: this.clientId, sessionPresent });
    // why always, even with a session present: mosquitto 2.0 restores a persistent session but not
    // its shared subscriptions after a restart; SUBSCRIBE again is idempotent
    this.subscribe();
  }

  private subscribe(): void {
    const group = this.deps.config.shareGroup;
    const map = Object.fromEntries(
      this.deps.filters.map(({ filter, qos }) => [
        group ? `$share/${group}/${filter}` : filter,
        // MQTT 5: retained messages only when the subscription is new, not on every resubscribe
        this.deps.config.protocolVersion === 5 ? { qos, rh: 1 as const } : { qos },
      ]),
    );
    this.client?.subscribe(map, (error, granted) => {
      const refused = (granted ?? []).filter((g) => (g.qos & 0x80) !== 0).map((g) => g.topic);
      if (error || refused.length > 0) {
        const detail = refused.length > 0 ? `refused ${refused.join(', ')}` : (error?.message ?? 'unknown');
        const failure = new SourceSubscribeError(
          `Broker did not grant ${this.clientId} the subscription to ${Object.keys(map).join(', ')}: ${detail}`,
        );
        this.reason = failure.message;
        this.deps.log.error(failure.message);
        this.started?.reject(failure);
        return;
      }
      this.deps.emit({ type: 'subscribed', clientId: this.clientId, filters: Object.keys(map) });
      this.started?.resolve();
    });
  }

  private onClose(): void {
    this.generation += 1;
    this.window = this.newWindow();
    this.pubacks = [];
    const wasConnected = this.state === 'connected';
    this.state = this.stopping ? 'disconnected' : 'connecting';
    if (wasConnected) this.deps.emit({ type: 'disconnected', clientId: this.clientId, reason: this.reason });
  }

  private onReconnect(): void {
    this.counters.reconnects += 1;
    this.deps.emit({ type: 'reconnecting', clientId: this.clientId, delayMs: this.reconnectDelay });
    // why: mqtt.js retries at a fixed period; double it up to the cap for the next attempt
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.deps.config.maxReconnectPeriodMs);
    if (this.client) this.client.options.reconnectPeriod = this.reconnectDelay;
  }

  private newWindow(): AckWindow {
    const generation = this.generation;
    return new AckWindow((ack) => this.sendAck(ack, generation));
  }

  private sendAck(ack: PendingAck, generation: number): void {
    // why: an ack for an earlier connection must not reach the new one (mqtt.js would queue it)
    if (generation !== this.generation || !this.client?.connected || !this.sendPacket) return;
    this.ids.acknowledged(ack.packetId);
    this.counters.acked += 1;
    if (ack.qos === 1) {
      // why: a batch stored in INGEST releases many acks at once; they leave in one write
      if (this.pubacks.length === 0) process.nextTick(this.flushPubacks);
      this.pubacks.push(ack.packetId);
      return;
    }
    this.flushPubacks(); // keeps the acks in arrival order
    const packet: Packet = { cmd: 'pubrec', messageId: ack.packetId };
    this.ours.add(packet);
    this.sendPacket(packet);
  }

  /**
   * Writes the PUBACKs gathered in this tick straight to the socket, four bytes each (MQTT 5 allows
   * leaving out a success reason code, §3.4.2.1), instead of one mqtt.js packet write per ack.
   */
  private readonly flushPubacks = (): void => {
    const ids = this.pubacks;
    if (ids.length === 0) return;
    this.pubacks = [];
    // what is gathered was queued on this connection: onClose discards the acks of a closed one
    const stream = this.client?.stream;
    if (!this.client?.connected || !stream?.writable) return;
    const bytes = Buffer.allocUnsafe(ids.length * 4);
    ids.forEach((id, i) => {
      bytes[i * 4] = 0x40; // PUBACK
      bytes[i * 4 + 1] = 2; // remaining length: the packet id
      bytes.writeUInt16BE(id, i * 4 + 2);
    });
    stream.write(bytes);
  };

  private onPublish(packet: IPublishPacket): void {
    const receivedAt = Date.now();
    const counters = this.counters;
    counters.received += 1;
    this.lastReceivedAt = receivedAt;
    counters.byQos[packet.qos].received += 1;
    counters.bytes += packet.length ?? 0;
    if (this.stopping) {
      // QoS 1/2 stay unacknowledged, so the broker keeps them for the next session
      if (packet.qos === 0) this.delivery.drop('stopping', packet.topic);
      return;
    }
    this.rate?.consume(packet.length ?? 0);
    if (packet.qos === 0 && this.gate.forcedOpen && this.tasks.size >= this.deps.config.maxInFlight) {
      this.delivery.drop('overload', packet.topic);
      return;
    }
    const id = this.ids.idFor(packet.qos, packet.messageId, packet.topic, toBuffer(packet.payload));
    const message = publishToMessage(packet, id, receivedAt, this.deps.extraction);
    const ack =
      packet.qos > 0 && packet.messageId !== undefined
        ? this.window.add(packet.messageId, packet.qos as 1 | 2)
        : undefined;
    const window = this.window;
    const task = this.delivery
      .deliver(message, () => ack && window.stored(ack))
      .finally(() => {
        this.tasks.delete(task);
        if (this.tasks.size < this.deps.config.maxInFlight) this.gate.release('in-flight');
      });
    this.tasks.add(task);
    if (this.tasks.size >= this.deps.config.maxInFlight) this.gate.hold('in-flight');
  }
}

function toBuffer(payload: string | Buffer): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}
