import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { MessageRejectedError, type IngestedMessage, type MessageSink } from '@sluice/sources';
import { type SourceEvent } from '../src/types';

/** A sink that records what it stored; `hold()` makes later calls wait until `release()`. */
export class RecordingSink {
  readonly stored: IngestedMessage[] = [];
  readonly calls: IngestedMessage[] = [];
  private held = false;
  private waiting: (() => void)[] = [];
  /** Number of calls (from the next one on) that reject. */
  failNext = 0;
  /** Reject every call while true. */
  failing = false;
  /** Number of calls (from the next one on) that reject for good (MessageRejectedError). */
  rejectNext = 0;

  readonly sink: MessageSink = async (message) => {
    this.calls.push(message);
    if (this.failing) throw new Error('sink down');
    if (this.rejectNext > 0) {
      this.rejectNext -= 1;
      throw new MessageRejectedError('TEST_REJECTED', 'never storable');
    }
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('sink failed once');
    }
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.stored.push(message);
  };

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  payloads(): string[] {
    return this.stored.map((m) => m.payload.toString());
  }
}

export class EventLog {
  readonly events: SourceEvent[] = [];
  readonly onEvent = (event: SourceEvent) => void this.events.push(event);
  count(type: SourceEvent['type']): number {
    return this.events.filter((e) => e.type === type).length;
  }
}

export async function connectPublisher(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 200, ...options });
}

export function numbered(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `m${i}`);
}

/** Ends the broker-side persistent sessions a test created (clean start, expiry 0). */
export async function forgetSessions(url: string, clientIds: string[]): Promise<void> {
  for (const clientId of clientIds) {
    const client = await mqtt.connectAsync(url, {
      clientId,
      clean: true,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
      reconnectPeriod: 0,
    });
    await client.endAsync();
  }
}

/** A local TCP proxy to a broker, so a test can cut every connection through it. */
export class TcpProxy {
  private server?: import('node:net').Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;
  connectionsSeen = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    const net = await import('node:net');
    this.server = net.createServer((client) => {
      this.connectionsSeen += 1;
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Destroys every proxied connection; new ones are still accepted. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
