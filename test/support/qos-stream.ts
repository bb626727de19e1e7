import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { eventually } from './eventually';

/**
 * Connects a publisher as a device would: a persistent session (so QoS 1 messages in flight when
 * the broker goes away are resent on reconnect), reconnecting every 200 ms, Nagle off.
 */
export async function connectPublisher(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 200 });
  client.on('connect', () => (client.stream as unknown as Socket).setNoDelay?.(true));
  // why: errors while the broker is down are expected; mqtt.js emits them and reconnects
  client.on('error', () => undefined);
  await new Promise<void>((done) => client.once('connect', () => done()));
  return client;
}

/** The payload of message `id`: small JSON telemetry carrying its id and send time. */
export const streamPayload = (id: string): string => JSON.stringify({ id, temp: 21.5, ts: Date.now() });

/**
 * Streams QoS 1 messages with unique ids (`<run>-<n>`) at a fixed rate and keeps the ledger of what
 * was published: `acked` holds the ids the broker acknowledged (PUBACK), which the pipeline owes
 * the target; `attempted` every id ever sent (a message sent but never acknowledged may still
 * arrive). A publish that fails is sent again with the same id, as a device would.
 */
export class QosStream {
  readonly acked = new Set<string>();
  readonly attempted = new Set<string>();
  retries = 0;
  private sent = 0;

  constructor(
    private readonly client: () => MqttClient,
    private readonly topic: string,
    readonly run: string,
    private readonly payload: (id: string) => string | Buffer = streamPayload,
  ) {}

  /** How many messages have been handed to the client so far. */
  get published(): number {
    return this.sent;
  }

  /** Publishes `count` messages at `rate` per second; resolves once the broker acknowledged all of them. */
  async publish(count: number, rate: number, ackTimeoutMs = 120_000): Promise<void> {
    const start = performance.now();
    while (this.sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (this.sent < due) this.send(`${this.run}-${this.sent++}`);
      await new Promise((done) => setTimeout(done, 10));
    }
    await eventually(() => this.acked.size === count, { timeoutMs: ackTimeoutMs, intervalMs: 100 }).catch(
      () => {
        throw new Error(
          `broker acknowledged only ${this.acked.size} of ${count} messages of run ${this.run}`,
        );
      },
    );
  }

  /**
   * Closed loop: keeps at most `window` messages between the publisher and the target (`arrived()`
   * counts what the target got) for `warmupSeconds` and then `seconds`; returns the rate that
   * arrived in the measured part (messages per second), the sustained rate of the pipeline.
   */
  async closedLoop(
    seconds: number,
    window: number,
    arrived: () => number,
    warmupSeconds = 3,
  ): Promise<number> {
    const base = arrived();
    const start = performance.now();
    let measuredFrom = 0;
    let arrivedThen = 0;
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      if (elapsed >= warmupSeconds + seconds) break;
      if (measuredFrom === 0 && elapsed >= warmupSeconds) {
        measuredFrom = performance.now();
        arrivedThen = arrived();
      }
      while (this.sent - (arrived() - base) < window) this.send(`${this.run}-${this.sent++}`);
      await new Promise((done) => setTimeout(done, 5));
    }
    return (arrived() - arrivedThen) / ((performance.now() - measuredFrom) / 1000);
  }

  private send(id: string): void {
    this.attempted.add(id);
    this.client()
      .publishAsync(this.topic, this.payload(id), { qos: 1 })
      .then(
        () => this.acked.add(id),
        () => {
          this.retries++;
          setTimeout(() => this.send(id), 250);
        },
      );
  }
}

export interface LossReport {
  run: string;
  published: number;
  arrived: number;
  missing: string[];
  unexpected: string[];
  duplicates: number;
}

/**
 * Compares what the broker acknowledged with the ids that reached the target (duplicates included).
 * Nothing acknowledged may be missing; nothing may arrive that was never sent.
 */
export function compareDelivery(stream: QosStream, received: string[]): LossReport {
  const mine = received.filter((id) => id.startsWith(`${stream.run}-`));
  const unique = new Set(mine);
  return {
    run: stream.run,
    published: stream.acked.size,
    arrived: unique.size,
    missing: [...stream.acked].filter((id) => !unique.has(id)),
    unexpected: [...unique].filter((id) => !stream.attempted.has(id)),
    duplicates: mine.length - unique.size,
  };
}

/** One line for the test log: what a fault scenario cost. */
export function describeReport(scenario: string, report: LossReport, extra = ''): string {
  const missing = report.missing.length;
  return (
    `[fault] ${scenario}: published ${report.published}, arrived ${report.arrived}, missing ${missing}` +
    `${missing ? ` (${report.missing.slice(0, 10).join(',')}...)` : ''}, duplicates ${report.duplicates}` +
    `${extra ? `; ${extra}` : ''}`
  );
}
