import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { eventually, freePort } from '../../../test/support';
import { EventLog, RecordingSink, connectPublisher, numbered } from './source-test-kit';

/** A Mosquitto of this test's own (persistence on), so the test may restart it. */
class PrivateMosquitto {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-mosquitto-'));

  constructor(readonly port: number) {
    chmodSync(this.dir, 0o777); // why: started as root, mosquitto drops to its own user before saving
    writeFileSync(
      join(this.dir, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${this.dir}/`,
        'set_tcp_nodelay true',
      ].join('\n') + '\n',
    );
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await eventually(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = createConnection(this.port, '127.0.0.1', () => (socket.end(), resolve()));
          socket.once('error', reject);
        }),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }

  /** SIGTERM: Mosquitto writes its persistence file as it exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('MQTT source across a broker restart', () => {
  let broker: PrivateMosquitto;
  let source: MqttSource | undefined;

  beforeAll(async () => {
    broker = new PrivateMosquitto(await freePort());
    await broker.start();
  });

  afterAll(async () => {
    await source?.stop();
    await broker.remove();
  });

  it.each([4, 5] as const)(
    'loses no QoS 1 message when the broker restarts mid-stream (protocol %i)',
    async (protocolVersion) => {
      const sink = new RecordingSink();
      const events = new EventLog();
      source = createMqttSource(
        {
          id: `restart${protocolVersion}`,
          tenant: 't1',
          url: broker.url,
          protocolVersion,
          clean: false,
          reconnectPeriodMs: 100,
          maxReconnectPeriodMs: 500,
          topics: [{ filter: `line${protocolVersion}/#`, qos: 1 }],
        },
        sink.sink,
        { onEvent: events.onEvent },
      );
      await source.start();
      // the publisher keeps a persistent session too, so what it had in flight is resent
      const publisher = await connectPublisher(broker.url, {
        clientId: `pub-${protocolVersion}`,
        clean: false,
        protocolVersion,
        ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
      });
      const payloads = numbered(400);
      try {
        sink.hold(); // part of the stream is in flight, unacknowledged, when the broker goes down
        const firstHalf = payloads
          .slice(0, 200)
          .map((p) => publisher.publishAsync(`line${protocolVersion}/a`, p, { qos: 1 }));
        await Promise.all(firstHalf);
        await eventually(() => expect(sink.calls.length).toBeGreaterThan(0));
        await broker.stop();
        sink.release();
        await broker.start();
        // why wait for the resubscription: Mosquitto 2.0.11 restores a persistent session but not its
        // shared subscriptions from its file, so what is published before ingest subscribes again
        // reaches no subscriber at all (checked by hand with mosquitto_sub; docs/sources.md)
        await eventually(
          () => expect(events.events.filter((e) => e.type === 'subscribed').length).toBeGreaterThanOrEqual(2),
          { timeoutMs: 20_000 },
        );
        await Promise.all(
          payloads.slice(200).map((p) => publisher.publishAsync(`line${protocolVersion}/a`, p, { qos: 1 })),
        );
        await eventually(() => expect(new Set(sink.payloads())).toEqual(new Set(payloads)), {
          timeoutMs: 20_000,
        });
        const connects = events.events.filter((e) => e.type === 'connected');
        expect(connects.length).toBeGreaterThanOrEqual(2);
        expect(connects.at(-1)).toMatchObject({ sessionPresent: true }); // the broker restored our session
      } finally {
        await publisher.endAsync(true);
        await source.stop();
        source = undefined;
      }
    },
  );
});
