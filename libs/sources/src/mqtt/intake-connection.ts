import { randomUUID } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';
import { SourceStoppingError } from '../errors';
import { emptyMetrics } from '../source-metrics';
import type { ConnectionMetrics, SourceEvent, SourceState } from '../types';
import type { ConnectionDeps } from './mqtt-connection';
import { publishToMessage } from './publish-to-message';
import { SinkDelivery } from './sink-delivery';

/**
 * A broker in this process that hands each publish matching `filters` to `take` before it
 * acknowledges the publisher, and refuses the publish when `take` rejects (the embedded broker).
 */
export interface BrokerIntake {
  intake(filters: readonly string[], take: (packet: IPublishPacket) => Promise<void>): () => void;
  /** Runs `change` while new publishes wait for it (a source replaced must miss none). */
  holdWhile<T>(change: () => Promise<T>): Promise<T>;
}

/**
 * A source's "connection" to a broker in the same process: no socket and no second MQTT hop; the
 * broker hands over each publish and acknowledges its publisher only once the sink stored it, so
 * nothing is acknowledged that a crash could still lose. Backpressure is the broker's: it reads a
 * publisher's next packets only after the previous ones are acknowledged.
 */
export class IntakeConnection {
  private readonly counters = emptyMetrics();
  private readonly delivery: SinkDelivery;
  private remove?: () => void;
  private state: SourceState = 'disconnected';
  private stopping = false;
  private inFlight = 0;
  private drained?: () => void;

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly broker: BrokerIntake,
  ) {
    this.delivery = new SinkDelivery(deps.sink, this.counters, deps.clientId, deps.emit);
  }

  get clientId(): string {
    return this.deps.clientId;
  }

  start(): Promise<void> {
    if (this.remove) return Promise.resolve();
    const filters = this.deps.filters.map((f) => f.filter);
    this.remove = this.broker.intake(filters, this.take);
    this.state = 'connected';
    this.emit({ type: 'connected', clientId: this.clientId, sessionPresent: false });
    this.emit({ type: 'subscribed', clientId: this.clientId, filters });
    return Promise.resolve();
  }

  /** Refuses new publishes, waits (up to drainTimeoutMs) for the ones being stored, then detaches. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        new Promise<true>((resolve) => (this.drained = () => resolve(true))),
        new Promise<false>(
          (resolve) => (timer = setTimeout(() => resolve(false), this.deps.config.drainTimeoutMs)),
        ),
      ]);
      clearTimeout(timer);
      if (!drained) {
        this.deps.log.warn(
          `intake ${this.clientId}: ${this.inFlight} message(s) still being stored after ` +
            `${this.deps.config.drainTimeoutMs} ms; their publishers get no acknowledgement and send them again`,
        );
      }
    }
    this.delivery.abort();
    this.remove?.();
    if (this.state === 'connected') this.emit({ type: 'disconnected', clientId: this.clientId });
    this.state = 'disconnected';
  }

  metrics(): ConnectionMetrics {
    return {
      ...structuredClone(this.counters),
      inFlight: this.inFlight,
      clientId: this.clientId,
      state: this.state,
    };
  }

  status(): { state: SourceState; reason?: string } {
    return { state: this.state };
  }

  private readonly take = async (packet: IPublishPacket): Promise<void> => {
    const receivedAt = Date.now();
    const counters = this.counters;
    counters.received += 1;
    counters.byQos[packet.qos].received += 1;
    counters.bytes += packet.length ?? 0;
    if (this.stopping) {
      if (packet.qos === 0) return this.delivery.drop('stopping', packet.topic);
      throw new SourceStoppingError(`source ${this.clientId} is stopping`);
    }
    // why random: within one connection a publisher never sends a QoS 1/2 message twice, and a
    // resend after it reconnects comes through aedes as a new publish (docs/sources.md)
    const message = publishToMessage(packet, randomUUID(), receivedAt, this.deps.extraction);
    this.inFlight += 1;
    let stored: boolean;
    try {
      stored = await this.delivery.deliver(message, noop);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.drained?.();
    }
    if (stored) {
      if (packet.qos > 0) counters.acked += 1;
    } else if (packet.qos > 0) {
      throw new SourceStoppingError(`source ${this.clientId} stopped before it stored the message`);
    }
  };

  private emit(event: SourceEvent): void {
    this.deps.emit(event);
  }
}

function noop(): void {}
