import type { MqttClient } from 'mqtt';
import {
  compareDelivery,
  connectPublisher,
  describeReport,
  eventually,
  FaultMesh,
  HttpTarget,
  PrivateMosquitto,
  PrivateNats,
  QosStream,
  testNamespace,
  testServers,
  writeFaultPipeline,
  type LossReport,
  type MeshService,
} from '../support';

// SIGKILL of each service, one at a time, in the middle of a QoS 1 stream, then a restart on the
// same port (as an orchestrator restarts a crashed pod): every message the broker acknowledged
// reaches the HTTP target, duplicates are counted. Private NATS and Mosquitto, one mesh for all.
describe('fault: SIGKILL of a service mid-stream', () => {
  const ns = testNamespace();
  const nats = new PrivateNats();
  const broker = new PrivateMosquitto();
  const target = new HttpTarget();
  let mesh: FaultMesh;
  let publisher: MqttClient;
  const count = 600;
  const rate = 60;
  const shutdownTimeoutMs = 3_000;

  const received = (): string[] => target.jsonBodies().map((b) => String(b['id']));

  beforeAll(async () => {
    await Promise.all([nats.start(), broker.start(), target.start()]);
    const pipelineFile = writeFaultPipeline(
      ns,
      [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
      [
        {
          id: 'ids',
          sql: `SELECT payload.id AS id, payload.ts AS ts FROM "${ns.topicPrefix}#"`,
          actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
        },
      ],
    );
    mesh = await new FaultMesh({
      ns,
      natsUrl: nats.url,
      mqttUrl: broker.url,
      pipelineFile,
      services: ['ingest', 'rules', 'delivery', 'gateway'],
      databaseUrl: testServers.postgresUrl,
      env: { SLUICE_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) },
    }).start();
    publisher = await connectPublisher(broker.url, `pub-${ns.id}`);
  });

  afterAll(async () => {
    await publisher?.endAsync().catch(() => undefined);
    await mesh?.stop();
    await target.close();
    await Promise.all([nats.cleanup(), broker.cleanup()]);
  });

  const settle = async (stream: QosStream, timeoutMs = 90_000): Promise<LossReport> => {
    await eventually(() => expect(compareDelivery(stream, received()).missing).toEqual([]), {
      timeoutMs,
      intervalMs: 250,
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${describeReport(stream.run, compareDelivery(stream, received()))}\n${mesh.output()}`,
      );
    });
    return compareDelivery(stream, received());
  };

  for (const service of ['ingest', 'rules', 'delivery'] as const satisfies MeshService[]) {
    it(`loses no QoS 1 message when ${service} is killed with SIGKILL mid-stream and restarted`, async () => {
      const stream = new QosStream(() => publisher, `${ns.topicPrefix}kill/${service}`, `kill-${service}`);
      const streaming = stream.publish(count, rate);
      await eventually(() => expect(stream.acked.size).toBeGreaterThan(count / 3), { timeoutMs: 30_000 });
      const arrivedAtKill = compareDelivery(stream, received()).arrived;
      await mesh.kill(service);
      // the rest of the stream goes on while the service is down, then it comes back
      await eventually(() => expect(stream.published).toBeGreaterThan((count * 2) / 3), {
        timeoutMs: 30_000,
      });
      await mesh.revive(service);
      await streaming;
      const report = await settle(stream);
      console.log(describeReport(`SIGKILL ${service}`, report, `killed after ${arrivedAtKill} arrived`));
      expect(report.unexpected).toEqual([]);
      expect(report.arrived).toBe(count);
      expect(arrivedAtKill).toBeLessThan(count);
    });
  }

  it('on SIGTERM while its target never answers, delivery exits within SLUICE_SHUTDOWN_TIMEOUT_MS, says so, and loses nothing', async () => {
    const stream = new QosStream(() => publisher, `${ns.topicPrefix}term/delivery`, 'term-delivery');
    const delivery = mesh.get('delivery');
    target.silent = true;
    try {
      await stream.publish(200, 100);
      await eventually(
        async () =>
          expect(await mesh.metric('delivery', 'sluice_action_in_flight_requests')).toBeGreaterThan(0),
        { timeoutMs: 30_000 },
      );
      const termAt = performance.now();
      const exitCode = await delivery.stop('SIGTERM', 30_000);
      const exitMs = performance.now() - termAt;
      expect(delivery.output).toMatch(
        new RegExp(`shutdown timeout of ${shutdownTimeoutMs} ms \\(SLUICE_SHUTDOWN_TIMEOUT_MS\\) reached`),
      );
      expect(exitCode).toBe(1);
      // the bound, plus the time the process takes to exit once it decided to
      expect(exitMs).toBeLessThan(shutdownTimeoutMs + 1_500);
      target.silent = false;
      await mesh.revive('delivery');
      const report = await settle(stream);
      console.log(
        describeReport(
          'SIGTERM delivery, target never answers',
          report,
          `exit after ${exitMs.toFixed(0)} ms`,
        ),
      );
      expect(report.unexpected).toEqual([]);
      expect(report.arrived).toBe(200);
    } finally {
      target.silent = false;
    }
  });

  it('loses nothing published through the gateway when the gateway is killed with SIGKILL mid-stream', async () => {
    // The gateway carries the HTTP publish API into the broker. A client counts a message as sent
    // only on 200 and retries the others (refused connection while the gateway is down) with the
    // same id. Meanwhile an MQTT stream, which does not pass through the gateway, must not notice.
    const gateway = mesh.get('gateway');
    const auth = `Basic ${Buffer.from(`admin:${mesh.adminKey}`).toString('base64')}`;
    const run = 'kill-gateway';
    const accepted = new Set<string>();
    let refused = 0;
    const post = async (id: string): Promise<void> => {
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${gateway.port}/api/v5/publish`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              topic: `${ns.topicPrefix}http/${run}`,
              payload: JSON.stringify({ id }),
              qos: 1,
            }),
          });
          if (response.status === 200) {
            accepted.add(id);
            return;
          }
          refused++;
        } catch {
          refused++;
        }
        await new Promise((done) => setTimeout(done, 200));
      }
    };
    const httpTotal = 300;
    const mqttStream = new QosStream(
      () => publisher,
      `${ns.topicPrefix}kill/beside-gateway`,
      'beside-gateway',
    );
    const mqttStreaming = mqttStream.publish(count, rate);
    const httpStreaming = (async () => {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < httpTotal; i++) {
        inFlight.push(post(`${run}-${i}`));
        await new Promise((done) => setTimeout(done, 1000 / 40));
      }
      await Promise.all(inFlight);
    })();
    await eventually(() => expect(accepted.size).toBeGreaterThan(httpTotal / 3), { timeoutMs: 30_000 });
    await mesh.kill('gateway');
    await eventually(() => expect(refused).toBeGreaterThan(0), { timeoutMs: 10_000 });
    await mesh.revive('gateway');
    await Promise.all([httpStreaming, mqttStreaming]);
    const mine = () => received().filter((id) => id.startsWith(`${run}-`));
    await eventually(() => expect(new Set(mine()).size).toBe(httpTotal), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    expect([...new Set(mine())].sort()).toEqual([...accepted].sort());
    const report = await settle(mqttStream);
    console.log(
      `[fault] SIGKILL gateway: ${httpTotal} published over HTTP (${refused} refused attempts retried), ` +
        `${new Set(mine()).size} arrived, duplicates ${mine().length - new Set(mine()).size}; ` +
        describeReport('MQTT stream beside it', report),
    );
    expect(report.arrived).toBe(count);
  });
});
