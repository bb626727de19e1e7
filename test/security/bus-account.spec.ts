import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { connect, type NatsConnection } from 'nats';
import { createSubjects, defaultBusConfig, JetStreamBus } from '@sluice/bus';
import { createConfigStore } from '@sluice/config-store';
import { createConnector } from '@sluice/connectors';
import { createSource } from '@sluice/sources';
import {
  eventually,
  FaultMesh,
  HttpTarget,
  MeshAccountNats,
  testNamespace,
  testServers,
  writeSkeletonPipeline,
} from '../support';

// Finding (issue 14): the mesh ran on a NATS that any client could log in to, so a NATS connector
// or source that reached the server could publish usage, status and metrics reports as if it were
// one of Sluice's services. Here the mesh runs on the NATS configuration the deploy manifests ship
// (deploy/compose/nats/nats.conf: an account of its own, one user, no anonymous access).
const ns = testNamespace();
// why the letter first: nats-server reads the variable as a configuration value, and one that
// starts with digits is taken for a number ('1e5f...' stops the server); docs/operations.md says so
const password = `s${randomBytes(18).toString('hex')}`;
const login = { SLUICE_NATS_USER: 'sluice', SLUICE_NATS_PASSWORD: password };

describe("the mesh on a NATS account of its own (the deploy manifests' nats.conf)", () => {
  const nats = new MeshAccountNats(password);
  const target = new HttpTarget();
  let mesh: FaultMesh;
  let observer: NatsConnection;

  beforeAll(async () => {
    await nats.start();
    await target.start();
    const pipelineFile = writeSkeletonPipeline(ns, `http://127.0.0.1:${target.port}/in`);
    mesh = await new FaultMesh({
      ns,
      natsUrl: nats.url,
      mqttUrl: testServers.mqttUrl,
      pipelineFile,
      services: ['ingest', 'rules', 'delivery'],
      env: login,
    }).start();
    observer = await connect({ servers: nats.url, user: 'sluice', pass: password });
  }, 90_000);
  afterAll(async () => {
    await observer?.close();
    await mesh?.stop();
    await target.close();
    await nats.cleanup();
  });

  it('the services log in with SLUICE_NATS_USER/PASSWORD and a message flows from the broker to the target', async () => {
    const device = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      await device.publishAsync(`${ns.topicPrefix}sensors/d1`, '{"temp":21.5}', { qos: 1 });
      await eventually(
        () =>
          expect(target.requests.map((r) => (JSON.parse(r.body) as { topic: string }).topic)).toContain(
            `${ns.topicPrefix}sensors/d1`,
          ),
        {
          timeoutMs: 20_000,
        },
      );
    } finally {
      await device.endAsync();
    }
  });

  it("the services' status reports arrive in the mesh's account", async () => {
    const subjects = createSubjects(ns.streamPrefix);
    const seen: string[] = [];
    const sub = observer.subscribe(subjects.status(), { callback: (_e, m) => seen.push(m.subject) });
    await eventually(() => expect(seen.length).toBeGreaterThan(0), { timeoutMs: 15_000 });
    sub.unsubscribe();
  });

  it('without the credentials nothing logs in: a NATS connector, a NATS source, a client with a wrong password', async () => {
    const subjects = createSubjects(ns.streamPrefix);
    const forged: string[] = [];
    const sub = observer.subscribe(`${ns.streamPrefix}sluice.>`, {
      callback: (_e, m) => {
        if (m.subject === subjects.usage('victim')) forged.push(m.subject);
      },
    });
    await observer.flush();

    // an operator's connector (no target policy at all) on the bus's server, without credentials
    const connector = createConnector('nats', { servers: nats.url, connectTimeoutMs: 2_000 });
    const status = await connector.testConnection();
    expect(status.state).toBe('disconnected');
    expect(status.reason).toMatch(/authorization/i);
    const action = connector.createAction({ subject: subjects.usage('victim') });
    const [outcome] = await action.send([{ id: 'forge', data: { cost: 1249.75 } }]);
    expect(outcome).toMatchObject({ ok: false });
    await connector.close();

    // a NATS source reading the bus's subjects
    const source = createSource(
      {
        kind: 'nats',
        id: 'spy',
        tenant: 'mallory',
        servers: [nats.url],
        subjects: [`${ns.streamPrefix}sluice.>`],
      },
      () => Promise.resolve(),
    );
    await expect(source.start()).rejects.toThrow(/authorization/i);
    await source.stop();

    await expect(connect({ servers: nats.url, user: 'sluice', pass: 'guess' })).rejects.toThrow(
      /authorization/i,
    );
    await expect(connect({ servers: nats.url })).rejects.toThrow(/authorization/i);

    await observer.flush();
    sub.unsubscribe();
    expect(forged).toEqual([]);
  });

  it('the bus and the config store refuse to start without the login, naming NATS', async () => {
    const bus = new JetStreamBus(
      defaultBusConfig({ SLUICE_NATS_URL: nats.url }),
      createSubjects(`${ns.streamPrefix}x_`),
    );
    await expect(bus.start()).rejects.toThrow(/cannot connect to NATS at .*: .*authorization/i);
    await bus.close();
    const store = createConfigStore({
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: nats.url,
      SLUICE_NATS_USER: 'sluice',
      SLUICE_NATS_PASSWORD: 'wrong',
      SLUICE_BUS_NAMESPACE: `${ns.streamPrefix}x_`,
    });
    await expect(store.start()).rejects.toThrow(/authorization/i);
  });

  it('a creds file that cannot be read stops the start naming SLUICE_NATS_CREDS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-creds-'));
    writeFileSync(join(dir, 'present.creds'), 'not a creds file');
    const bus = new JetStreamBus(
      defaultBusConfig({ SLUICE_NATS_URL: nats.url, SLUICE_NATS_CREDS: join(dir, 'missing.creds') }),
      createSubjects(`${ns.streamPrefix}x_`),
    );
    await expect(bus.start()).rejects.toThrow(/SLUICE_NATS_CREDS: cannot read .*missing.creds/);
    const half = new JetStreamBus(
      defaultBusConfig({ SLUICE_NATS_URL: nats.url, SLUICE_NATS_USER: 'sluice' }),
      createSubjects(`${ns.streamPrefix}x_`),
    );
    await expect(half.start()).rejects.toThrow(/SLUICE_NATS_PASSWORD: required with SLUICE_NATS_USER/);
  });
});
